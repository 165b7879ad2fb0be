"""Helpers shared by the internal pages: scoped lookups, permission checks, htmx and form errors.

The pattern of every internal view::

    @internal_view
    def measure_edit(request, lab_slug, slug):
        measure = get_visible_or_404(Measure, request.user, lab__slug=lab_slug, slug=slug)
        require(can_edit_measure(request.user, measure))
        ...

Anonymous visitors are sent to the login page, invisible objects are 404, visible objects the
user may not change are 403 (rendered by ``templates/403.html``).
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.db.models import Model
from django.forms.utils import ErrorDict, ErrorList
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import get_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reallabor.core.validation import error_dict

# Lookups and permissions ------------------------------------------------------------------------


def get_visible_or_404[M: Model](
    model: type[M], user: Any, *, select_related: Iterable[str] = (), **lookup: Any
) -> M:
    """The object matching ``lookup`` among those ``user`` may see (``Model.objects.visible_to``)."""
    queryset: Any = model._default_manager.visible_to(user)  # type: ignore[attr-defined]
    if select_related:
        queryset = queryset.select_related(*select_related)
    try:
        found: M = queryset.get(**lookup)
        return found
    except (ObjectDoesNotExist, ValueError):
        raise Http404(_("Not found.")) from None


def acting_user(request: HttpRequest) -> Any:
    """The user on whose behalf services and predicates act (signed in on internal pages)."""
    return request.user


def require(allowed: bool, message: str = "") -> None:
    """Raise PermissionDenied (rendered as the friendly 403 page) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(message or _("You may not do this."))


def internal_view[V: Callable[..., HttpResponseBase]](view: V) -> V:
    """Internal pages: anonymous visitors are sent to the login page; oversize posts get a 400 page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not (user.is_authenticated and user.is_active):
            if is_htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = _login_url(request)
                return response
            return redirect_to_login(request.get_full_path())
        problem = unreadable_post(request)
        if problem:
            return render(request, "400.html", {"message": problem}, status=400)
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _login_url(request: HttpRequest) -> str:
    response = redirect_to_login(request.get_full_path())
    return str(response["Location"])


def unreadable_post(request: HttpRequest) -> str:
    """Read the request body; a message when Django refuses it (too large, too many fields)."""
    if request.method != "POST":
        return ""
    try:
        request.POST  # noqa: B018 - parses the body
        request.FILES  # noqa: B018
    except RequestDataTooBig:
        return _("The data you sent is too large. Files may be sent as uploads; shorten the texts.")
    except (TooManyFieldsSent, TooManyFilesSent):
        return _("The form you sent has too many fields. Save fewer rows at once.")
    return ""


# htmx --------------------------------------------------------------------------------------------


def is_htmx(request: HttpRequest) -> bool:
    """A request made by htmx that wants a fragment (not a history restore, which wants the page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render_page(
    request: HttpRequest,
    template: str,
    context: Mapping[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The full page, or for htmx requests only ``template#partial``."""
    name = f"{template}#{partial}" if partial and is_htmx(request) else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def safe_next(request: HttpRequest, fallback: str, *, use_referer: bool = False) -> str:
    """The ``next`` parameter (or, if asked, the referring page) when it is on this site, else ``fallback``."""
    candidates = [request.POST.get("next"), request.GET.get("next")]
    if use_referer:
        candidates.append(request.headers.get("Referer"))
    for target in candidates:
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
    return fallback


def posted_revision(request: HttpRequest) -> int | None:
    """The revision the editor loaded (hidden field ``expected_revision``); None when absent."""
    raw = request.POST.get("expected_revision", "").strip()
    return int(raw) if raw.isdigit() else None


# Service errors onto forms ------------------------------------------------------------------------

_ROW_PATH = re.compile(r"^(?P<section>[A-Za-z_]+)\[(?P<index>\d+)\](?:\.(?P<field>[A-Za-z_]+))?$")


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, field_map: Mapping[str, str] | None = None
) -> None:
    """Put a service's ValidationError onto ``form``: known paths on fields, the rest on the form."""
    field_map = field_map or {}
    for path, messages in error_dict(error).items():
        field = field_map.get(path, path)
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


class RowFormSet(forms.BaseFormSet):
    """A formset of profile rows or tags that can carry service errors on the formset itself."""

    def add_fields(self, form: Any, index: int | None) -> None:
        super().add_fields(form, index)
        if "ORDER" in form.fields:
            form.fields["ORDER"].label = _("Position")
            form.fields["ORDER"].widget.attrs["min"] = 1
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this row")

    def add_non_form_error(self, message: str) -> None:
        errors = self.non_form_errors()
        errors.append(message)

    def rows(self) -> list[tuple[int, forms.Form]]:
        """The forms to save as (form index, form), in the order the user gave, without deleted rows."""
        index = {id(form): number for number, form in enumerate(self.forms)}
        return [(index[id(form)], form) for form in self.ordered_forms]

    def silence_errors(self) -> None:
        """Re-rendering after “add row”: show the input without complaining about unfinished rows."""
        for form in self.forms:
            form._errors = ErrorDict(renderer=form.renderer)
            form.cleaned_data = {}
        self._errors: list[Any] = []
        self._non_form_errors = ErrorList()


def add_service_errors_to_formset(
    formset: RowFormSet,
    error: ValidationError,
    *,
    section: str,
    form_indexes: Sequence[int],
    field_map: Mapping[str, str] | None = None,
) -> None:
    """Put errors under paths like ``activities[2].title`` onto the form that produced row 2.

    ``form_indexes[i]`` is the index in ``formset.forms`` of the form that became row ``i`` of
    the data sent to the service. ``field_map`` renames service fields to form fields; the key
    ``""`` names the form field for errors on the row itself (e.g. ``coordinators[0]``).
    """
    field_map = field_map or {}
    for path, messages in error_dict(error).items():
        match = _ROW_PATH.match(path)
        form: forms.BaseForm | None = None
        field: str | None = None
        if match and match["section"] == section and int(match["index"]) < len(form_indexes):
            form = formset.forms[form_indexes[int(match["index"])]]
            name = match["field"] or ""
            name = field_map.get(name, name)
            field = name if name in form.fields else None
        for message in messages:
            if form is not None:
                form.add_error(field, message)
            else:
                formset.add_non_form_error(message)


def with_extra_row(data: Any, prefix: str) -> Any:
    """A copy of posted formset data with one more (blank) form."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, "0"))
    except ValueError:
        total = 0
    data[key] = str(min(total + 1, 200))
    return data


# Long lists ---------------------------------------------------------------------------------------


def suggestion_text(request: HttpRequest) -> str:
    """What a suggestion list (an input's ``<datalist>``, filled by htmx while typing) is asked
    for: ``q``, or else the first value sent (htmx sends the input under its own name), without
    NUL characters, at most 100 characters."""
    values = [str(value).strip() for _key, value in request.GET.items()]
    text = (request.GET.get("q") or next((value for value in values if value), "")).strip()
    return text.replace("\x00", "")[:100]


class Row(dict[str, Any]):
    """One row of a long list, ready for the template.

    Templates look up a key of a dict at the first try, where on a model instance they first fail
    a dict lookup: rows of plain values render several times faster. Code and tests read the same
    values as attributes (``row.name``).
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


PLACEHOLDER_UUID = uuid.UUID("00000000-0000-4000-8000-000000000000")
"""A value for ``<uuid:…>`` in ``UrlPattern``."""


class UrlPattern:
    """A URL with one varying argument, reversed once for a whole list (``pattern(value)``).

    ``placeholder`` must be a value the URL converter accepts (a UUID for ``<uuid:…>``).
    """

    def __init__(self, name: str, argument: str, placeholder: Any) -> None:
        template = reverse(name, kwargs={argument: placeholder})
        self.head, _found, self.tail = template.rpartition(str(placeholder))

    def __call__(self, value: Any) -> str:
        return f"{self.head}{value}{self.tail}"


class Labels(dict[Any, str]):
    """The labels of a field's choices for one list, each translated once when first used.

    ``instance.get_kind_display()`` translates every label of the choices on every call (Django
    hashes them to build a lookup): for a list of fifty rows hundreds of translations.
    ``Labels(Model.Kind.choices)[value]`` translates the labels the list shows, once each; an
    unknown value shows as it is.
    """

    def __init__(self, choices: Any) -> None:
        super().__init__()
        self.choices = dict(choices)

    def __missing__(self, value: Any) -> str:
        label = self[value] = str(self.choices.get(value, value))
        return label


class DateText:
    """Dates and times as the templates' ``date`` filter writes them (in the current time zone),
    with the format looked up once for a whole list (``DateText("SHORT_DATE_FORMAT")(value)``)."""

    STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y", "H": "%H", "i": "%M", "s": "%S"}
    """Django's format characters that ``strftime`` writes alike (numbers only: no names)."""

    def __init__(self, format_name: str = "SHORT_DATE_FORMAT") -> None:
        self.format = str(get_format(format_name))
        self.strftime = self._as_strftime(self.format)

    @classmethod
    def _as_strftime(cls, django_format: str) -> str | None:
        """The same format for ``strftime`` (several times faster), if it has only numbers."""
        out = []
        for char in django_format:
            if char in cls.STRFTIME:
                out.append(cls.STRFTIME[char])
            elif char.isalpha() or char in "\\%":
                return None
            else:
                out.append(char)
        return "".join(out)

    def __call__(self, value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime) and timezone.is_aware(value):
            value = timezone.localtime(value)
        if self.strftime is not None:
            return value.strftime(self.strftime)
        if self.format == "c":
            return value.isoformat()
        return dateformat.format(value, self.format)


def html_rows(rows: Iterable[Any], render_row: Callable[[Any], str]) -> SafeString:
    """The rows of a long list's table as HTML, each written by ``render_row``, which must escape
    every value it writes (``reallabor.core.widgets.escape``).

    A table body written in Python costs a tenth of the same markup in a template loop, where
    every variable and tag of every row is looked up and rendered on its own: for the office's
    fifty-row lists that is most of the page. The markup stays next to the view that fills it.
    """
    return mark_safe("".join(render_row(row) for row in rows))
