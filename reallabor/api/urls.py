"""The REST API under /api/v1/ (django-ninja, OpenAPI 3.1). Each app owns its endpoints module.

Reading needs no credentials (public data); signed-in users and tokens see what their role
allows. See docs/api.md.
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.openapi.schema import OpenAPISchema

from reallabor.api import errors
from reallabor.api.auth import READ_AUTH

DESCRIPTION = """\
The portfolio of real-world labs (Reallabore): labs, their measures with the full profile,
organisations and the vocabularies of the tags (SDGs, megatrends, strategy goals, target groups).

**Authentication.** Reading works without credentials and shows published labs and measures.
Scripts send an API token: `Authorization: Bearer <token>`. In the browser the session of the
signed-in user applies; POST, PATCH and DELETE then need the CSRF token in the `X-CSRFToken`
header. What a user may see and change follows their role (administrator, lab coordinator,
partner, reader).

**Errors** are JSON: `{"detail": "…"}`, and for invalid input (422) a list naming each field,
e.g. `{"detail": [{"loc": ["body", "financing", 0, "amount"], "msg": "…", "type": "…"}]}`.
401: not signed in or a bad token; 403: not allowed; 404: not found or not visible to you;
409: changed by someone else in the meantime (`expected_revision`) or still in use.

**Lists** are paginated with `limit` (at most 200) and `offset`: `{"count": …, "items": […]}`.
"""


class ReallaborAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        # Read operations also work without credentials: say so ({} = no requirement).
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                security = operation.get("security")
                if method == "get" and security is not None and {} not in security:
                    security.append({})
        return schema


api = ReallaborAPI(
    title="Reallabor API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=READ_AUTH,
)
errors.install(api)

api.add_router("", "reallabor.organisations.api.router")
api.add_router("", "reallabor.labs.api.lab_router")
api.add_router("", "reallabor.actors.api.router")
api.add_router("", "reallabor.events.api.router")
api.add_router("", "reallabor.labs.api.measure_router")
api.add_router("", "reallabor.taxonomy.api.vocabulary_router")
api.add_router("", "reallabor.taxonomy.api.term_router")
api.add_router("", "reallabor.offers.api.router")
api.add_router("", "reallabor.assessment.api.router")

fallback_router = Router()


@fallback_router.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False, auth=None
)
def unknown_endpoint(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other path under /api/v1/: a JSON 404 rather than the HTML page."""
    raise Http404(_("There is no API endpoint at %(path)s.") % {"path": request.path[:200]})


api.add_router("", fallback_router)  # last: it matches every path
