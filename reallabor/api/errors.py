"""The API's error format: JSON with a ``detail``, field errors as a list naming the field.

- Django ``ValidationError`` from a service → 422
  ``{"detail": [{"loc": ["body", "financing", 0, "amount"], "msg": "…", "type": "validation_error"}]}``
  (the service's path ``financing[0].amount`` split into parts), the same shape as ninja's own
  422 for input that does not match the schema.
- ``EditConflict`` (stale ``expected_revision``) and records still in use → 409 ``{"detail": "…"}``.
- ``PermissionDenied`` → 403, ``Http404`` → 404, authentication missing or bad → 401, each
  ``{"detail": "…"}``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from reallabor.core.exceptions import EditConflict
from reallabor.core.validation import error_dict

if TYPE_CHECKING:
    from ninja import NinjaAPI

BODY_PARAMETER = "payload"
"""The name every operation gives its body parameter; ninja puts it into ``loc``, we leave it out."""

CONFLICT_CODES = {"conflict", "protected", "in_use", "retired"}
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def error_path(path: str) -> list[str | int]:
    """``financing[0].amount`` → ``["financing", 0, "amount"]``; ``__all__`` → ``[]``."""
    if path in ("", "__all__"):
        return []
    parts: list[str | int] = []
    for name, index in _PART.findall(path):
        parts.append(int(index) if index else name)
    return parts


def field_errors(error: ValidationError, location: str = "body") -> list[dict[str, Any]]:
    return [
        {"loc": [location, *error_path(path)], "msg": message, "type": "validation_error"}
        for path, messages in error_dict(error).items()
        for message in messages
    ]


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


def install(api: NinjaAPI) -> None:
    """Register the handlers on ``api``."""

    def respond(request: HttpRequest, data: dict[str, Any], status: int) -> HttpResponse:
        return api.create_response(request, data, status=status)

    def on_validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, ValidationError)
        if not hasattr(exc, "error_dict") and getattr(exc, "code", None) in CONFLICT_CODES:
            return respond(request, {"detail": _message(exc)}, 409)
        return respond(request, {"detail": field_errors(exc)}, 422)

    def on_conflict(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, ValidationError)
        return respond(request, {"detail": _message(exc)}, 409)

    def on_permission_denied(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, {"detail": str(exc) or _("You may not do this.")}, 403)

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, {"detail": str(exc) or _("Not found.")}, 404)

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, HttpError)
        message = str(exc)
        if isinstance(exc, AuthenticationError):
            if message == "Unauthorized":  # ninja's default: none of the methods applied
                message = _(
                    "Authentication required: sign in, or send an API token as “Authorization: Bearer <token>”."
                )
            response = respond(request, {"detail": message}, exc.status_code)
            response["WWW-Authenticate"] = 'Bearer realm="api"'
            return response
        return respond(request, {"detail": message}, exc.status_code)

    def on_schema_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, SchemaValidationError)
        errors = []
        for item in exc.errors:
            item = dict(item)
            loc = list(item.get("loc", []))
            if len(loc) > 1 and loc[0] == "body" and loc[1] == BODY_PARAMETER:
                del loc[1]
            item["loc"] = loc
            errors.append(item)
        return respond(request, {"detail": errors}, 422)

    def on_suspicious(request: HttpRequest, exc: Any) -> HttpResponse:
        if isinstance(exc, RequestDataTooBig):
            return respond(request, {"detail": _("The request is too large.")}, 413)
        return respond(request, {"detail": _("Bad request.")}, 400)

    api.add_exception_handler(SuspiciousOperation, on_suspicious)
    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(EditConflict, on_conflict)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(SchemaValidationError, on_schema_error)
