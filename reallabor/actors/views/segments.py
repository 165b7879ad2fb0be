"""Segment pages and the exports of lists and segments (the office only: they hold personal data).

/segmente/                      the segments; each row loads its live counts from /zahlen/?row=1
/segmente/neu/?<query>          a new segment; the query string of the organisation or people list
                                prefills the criteria (``subject=people`` for people)
/segmente/zaehlen/?<criteria>   the live count fragment (htmx, while the criteria change)
/segmente/<uuid>/               the criteria in words and the exports; the counts and the first
                                page of members load from the two fragments below
/segmente/<uuid>/zahlen/        the live counts (a fragment for htmx, a page of its own without)
/segmente/<uuid>/mitglieder/    the members, 50 a page (a fragment for htmx, a page without)
/segmente/<uuid>/bearbeiten/, /duplizieren/ (POST), /loeschen/
/segmente/<uuid>/export.csv|.xlsx[?kind=people]
/export/organisationen.csv|.xlsx?<criteria>, /export/personen.csv|.xlsx?<criteria>

Counting costs up to a few hundred milliseconds at the scale of a country, so no page counts while
it is rendered: the counts and members come from fragments that htmx loads once the page is shown
(``hx-trigger="load"``); without JavaScript the page links to them instead. Every export is
recorded in the audit trail (``list_exported``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, QuerySet, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reallabor.actors import exports, filters
from reallabor.actors.criteria import Criteria, CriteriaError, criteria_from_query, parse_criteria
from reallabor.actors.forms.segments import (
    CRITERIA_FIELDS,
    QUERY_ALIASES,
    SegmentForm,
    initial_from_query,
    initial_of,
)
from reallabor.actors.models import Affiliation, Person, PersonalDataAccess, Segment
from reallabor.actors.services import segments as service
from reallabor.actors.services.privacy import log_access
from reallabor.actors.views.common import office_view
from reallabor.core.validation import error_dict
from reallabor.core.views_helpers import (
    acting_user,
    add_service_errors,
    get_visible_or_404,
    is_htmx,
    render_page,
)
from reallabor.labs.models import Lab
from reallabor.organisations.models import Organisation

PER_PAGE = 50
MAX_PAGE = 1000


def _crumbs(*tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Segments"), reverse("actors:segment-list")), *tail]


def _url(name: str, **kwargs: Any) -> str | None:
    """A URL of another area's page, or None while that page does not exist."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _labs(user: Any) -> QuerySet[Lab]:
    """The labs the user may name: those they see (a segment naming another lab shows it as unknown)."""
    return Lab.objects.visible_to(user).order_by("name")


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) > 0 else 1


def criteria_query(query: QueryDict) -> QueryDict:
    """A list's query string with the aliases (``kind``, ``district``) as their criteria."""
    normalised = query.copy()
    for alias, name in QUERY_ALIASES.items():
        for value in query.getlist(alias):
            normalised.appendlist(name, value)
        normalised.pop(alias, None)
    return normalised


def _criteria_errors(error: CriteriaError) -> list[tuple[str, str]]:
    labels = service.criterion_labels()
    return [(labels.get(field, field), message) for field, message in sorted(error.errors.items())]


def _full_list_url(subject: str, criteria: Criteria) -> str | None:
    base = _url(
        "organisations:organisation-list"
        if subject == Segment.Subject.ORGANISATIONS
        else "actors:person-list"
    )
    if base is None:
        return None
    query = criteria.to_query()
    return f"{base}?{query}" if query else base


# The list --------------------------------------------------------------------------------------------


def _with_mailing_count(segments: QuerySet[Segment]) -> QuerySet[Segment]:
    return segments.annotate(mailing_count=Count("mailings")).order_by("name", "id")


@office_view
def segment_list(request: HttpRequest) -> HttpResponse:
    number = _page_number(request)
    start = (number - 1) * PER_PAGE
    segments = list(
        _with_mailing_count(Segment.objects.visible_to(acting_user(request)))[start : start + PER_PAGE + 1]
    )
    context = {
        "segments": segments[:PER_PAGE],
        "page_number": number,
        "has_previous": number > 1,
        "has_next": len(segments) > PER_PAGE,
        "crumbs": [(_("Segments"), None)],
    }
    return render(request, "actors/segment_list.html", context)


# Create, edit, count -------------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    form: SegmentForm,
    segment: Segment | None,
    counts: service.Counts | None,
    errors: Any,
    *,
    count_later: bool = False,
) -> HttpResponse:
    crumbs = (
        _crumbs((segment.name, segment.get_absolute_url()), (_("Edit"), None))
        if segment is not None
        else _crumbs((_("New segment"), None))
    )
    context = {
        "form": form,
        "segment": segment,
        "counts": counts,
        "count_errors": errors,
        "count_later": count_later,
        "crumbs": crumbs,
    }
    return render(request, "actors/segment_form.html", context)


def _counts_of_form(form: SegmentForm) -> service.Counts | None:
    """The live counts of a bound form's criteria (for the page without JavaScript), None while
    a criterion or the subject is wrong (the form names it)."""
    form.is_valid()
    if any(name in form.errors for name in (*CRITERIA_FIELDS, "subject", "__all__")):
        return None
    try:
        criteria = form.criteria()
    except CriteriaError:
        return None
    return service.count_criteria(form.cleaned_data["subject"], criteria)


def _initial_errors(initial: dict[str, Any], user: Any) -> list[tuple[str, str]]:
    """What is wrong with the criteria a form starts with (the counts load later, with htmx)."""
    data = {key: value for key, value in initial.items() if key not in ("name", "description", "subject")}
    try:
        filters.check_criteria(parse_criteria(data), user=user)
    except CriteriaError as error:
        return _criteria_errors(error)
    return []


def _save(
    request: HttpRequest, form: SegmentForm, segment: Segment | None
) -> tuple[Segment | None, HttpResponse | None]:
    """Save a posted form; or, with the button “Count” (``preview``), show the counts only."""
    if "preview" in request.POST:
        form.fields["name"].required = False
    if "preview" in request.POST or not form.is_valid():
        return None, _form_page(request, form, segment, _counts_of_form(form), [])
    user = acting_user(request)
    try:
        if segment is None:
            saved = service.create_segment(user=user, data=form.to_data())
        else:
            saved = service.update_segment(user=user, segment=segment, data=form.to_data())
    except ValidationError as error:
        add_service_errors(form, error, {f"criteria.{name}": name for name in form.fields})
        return None, _form_page(request, form, segment, _counts_of_form(form), [])
    return saved, None


@office_view
def segment_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if request.method == "POST":
        form = SegmentForm(request.POST, labs=_labs(user), user=user)
        saved, page = _save(request, form, None)
        if page is not None:
            return page
        assert saved is not None
        messages.success(request, _("The segment “%(name)s” was saved.") % {"name": saved.name})
        return redirect(saved.get_absolute_url())
    initial = initial_from_query(criteria_query(request.GET))
    form = SegmentForm(initial=initial, labs=_labs(user), user=user)
    errors = _initial_errors(initial, user)
    return _form_page(request, form, None, None, errors, count_later=not errors)


@office_view
def segment_edit(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = acting_user(request)
    segment = get_visible_or_404(Segment, user, uuid=uuid)
    if request.method == "POST":
        form = SegmentForm(request.POST, labs=_labs(user), user=user)
        saved, page = _save(request, form, segment)
        if page is not None:
            return page
        assert saved is not None
        messages.success(request, _("Your changes were saved."))
        return redirect(saved.get_absolute_url())
    initial = initial_of(segment)
    form = SegmentForm(initial=initial, labs=_labs(user), user=user)
    errors = _initial_errors(initial, user)
    return _form_page(request, form, segment, None, errors, count_later=not errors)


@office_view
def segment_count(request: HttpRequest) -> HttpResponse:
    """The count fragment for criteria in the query string (``subject`` and the criteria)."""
    subject = request.GET.get("subject") or Segment.Subject.ORGANISATIONS
    counts: service.Counts | None = None
    errors: list[tuple[str, str]] = []
    if subject not in Segment.Subject.values:
        errors = [(_("The segment holds"), _("Choose organisations or people."))]
    else:
        try:
            criteria = criteria_from_query(criteria_query(request.GET))
            filters.check_criteria(criteria, user=acting_user(request))
        except CriteriaError as error:
            errors = _criteria_errors(error)
        else:
            counts = service.count_criteria(subject, criteria)
    context = {"counts": counts, "count_errors": errors}
    return render(request, "actors/segment_form.html#count", context)


# Detail, duplicate, delete ---------------------------------------------------------------------------------


def _checked_criteria(segment: Segment, user: Any) -> tuple[Criteria | None, list[tuple[str, str]]]:
    """The segment's criteria, and what is wrong with them (codes that no longer exist, labs the
    user does not see)."""
    try:
        criteria = filters.segment_criteria(segment, user=user)
    except CriteriaError as error:
        return None, _criteria_errors(error)
    return criteria, []


@office_view
def segment_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    """The criteria in words and the exports; the counts and the members load from fragments."""
    segment = get_visible_or_404(Segment, acting_user(request), uuid=uuid)
    criteria, problems = _checked_criteria(segment, acting_user(request))
    context = {
        "segment": segment,
        "described": service.describe_criteria(criteria) if criteria is not None else [],
        "problems": problems,
        "full_list_url": _full_list_url(segment.subject, criteria) if criteria is not None else None,
        "mailings": list(service.mailings_using(segment)[:10]),
        "crumbs": _crumbs((segment.name, None)),
    }
    return render(request, "actors/segment_detail.html", context)


@office_view
def segment_counts(request: HttpRequest, uuid: Any) -> HttpResponse:
    """The live counts of a segment: for htmx the count paragraph of the segment's page, or with
    ``row=1`` the segment's row of the list; without htmx a page of its own."""
    user = acting_user(request)
    segment = get_visible_or_404(Segment, user, uuid=uuid)
    row = request.GET.get("row") == "1"
    if row and is_htmx(request):
        segment = _with_mailing_count(Segment.objects.filter(pk=segment.pk)).get()
        counts = service.segment_counts(segment, user=user, with_people=False)
        response = render(request, "actors/segment_list.html#row", {"segment": segment, "counts": counts})
        patch_vary_headers(response, ["HX-Request"])
        return response
    context = {
        "segment": segment,
        "counts": service.segment_counts(segment, user=user),
        "count_errors": [],
        "crumbs": _crumbs((segment.name, segment.get_absolute_url()), (_("Who matches now"), None)),
    }
    return render_page(request, "actors/segment_counts.html", context, partial="counts")


def _members_page(segment: Segment, criteria: Criteria, number: int) -> tuple[list[Any], bool]:
    """One page of members by name, and whether there is a next page (no count over all of them)."""
    start = (number - 1) * PER_PAGE
    if segment.subject == Segment.Subject.ORGANISATIONS:
        organisations = list(
            filters.organisations_matching(criteria)
            .only("name", "slug", "kind", "city", "district", "last_contact_at")
            .order_by("name", "id")[start : start + PER_PAGE + 1]
        )
        return organisations[:PER_PAGE], len(organisations) > PER_PAGE
    people = list(
        filters.people_matching(criteria)
        .only("uuid", "first_name", "last_name", "email", "last_contact_at", "anonymised_at")
        .order_by("last_name", "first_name", "id")[start : start + PER_PAGE + 1]
    )
    shown = people[:PER_PAGE]
    prefetch_related_objects(
        shown,
        Prefetch(
            "affiliations",
            queryset=Affiliation.objects.current()
            .select_related("organisation")
            .only(
                "person_id", "role", "is_primary", "organisation", "organisation__name", "organisation__slug"
            )
            .order_by("-is_primary", "organisation__name"),
            to_attr="current_affiliations",
        ),
    )
    for person in shown:
        person.url = _url("actors:person-detail", uuid=person.uuid)  # type: ignore[attr-defined]
    return shown, len(people) > PER_PAGE


@office_view
def segment_members(request: HttpRequest, uuid: Any) -> HttpResponse:
    """The members who match now, ``PER_PAGE`` a page by name: for htmx the table (the first page
    on the segment's page), without htmx a page of its own."""
    user = acting_user(request)
    segment = get_visible_or_404(Segment, user, uuid=uuid)
    number = _page_number(request)
    criteria, problems = _checked_criteria(segment, user)
    members: list[Any] = []
    has_next = False
    if criteria is not None:
        members, has_next = _members_page(segment, criteria, number)
    context = {
        "segment": segment,
        "problems": problems,
        "members": members,
        "page_number": number,
        "first_number": (number - 1) * PER_PAGE + 1,
        "last_number": (number - 1) * PER_PAGE + len(members),
        "has_previous": number > 1,
        "has_next": has_next,
        "full_list_url": _full_list_url(segment.subject, criteria) if criteria is not None else None,
        "crumbs": _crumbs((segment.name, segment.get_absolute_url()), (_("Members"), None)),
    }
    return render_page(request, "actors/segment_members.html", context, partial="members")


@office_view
@require_POST
def segment_duplicate(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = acting_user(request)
    segment = get_visible_or_404(Segment, user, uuid=uuid)
    copy = service.duplicate_segment(user=user, segment=segment)
    messages.success(
        request,
        _("“%(copy)s” is a copy of “%(name)s”: change it here.") % {"copy": copy.name, "name": segment.name},
    )
    return redirect("actors:segment-edit", uuid=copy.uuid)


@office_view
def segment_delete(request: HttpRequest, uuid: Any) -> HttpResponse:
    user = acting_user(request)
    segment = get_visible_or_404(Segment, user, uuid=uuid)
    errors: list[str] = []
    if request.method == "POST":
        name = segment.name
        try:
            service.delete_segment(user=user, segment=segment)
        except ValidationError as error:
            errors = [message for items in error_dict(error).values() for message in items]
        else:
            messages.success(request, _("The segment “%(name)s” was deleted.") % {"name": name})
            return redirect("actors:segment-list")
    context = {
        "segment": segment,
        "mailings": list(service.mailings_using(segment)[:10]),
        "errors": errors,
        "crumbs": _crumbs((segment.name, segment.get_absolute_url()), (_("Delete"), None)),
    }
    return render(request, "actors/segment_confirm_delete.html", context, status=409 if errors else 200)


# Exports ----------------------------------------------------------------------------------------------------


def _filename(stem: str, fmt: str) -> str:
    return f"{slugify(stem)[:60] or 'export'}-{timezone.localdate():%Y-%m-%d}.{fmt}"


def export_response(
    header: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str, *, filename: str, title: str
) -> HttpResponseBase:
    """The export as a download: CSV streamed line by line, .xlsx written to a temporary file first
    (openpyxl's write-only mode keeps memory low) and then streamed from there."""
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.iter_csv(header, rows), content_type=exports.CSV_CONTENT_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    exports.write_xlsx(header, rows, target, title=title)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=filename, content_type=exports.XLSX_CONTENT_TYPE)


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "400.html", {"message": message}, status=400)


def _check_format(fmt: str) -> None:
    if fmt not in exports.FORMATS:
        raise Http404(_("Exports are available as .csv and .xlsx."))


def _describe_errors(error: CriteriaError) -> str:
    return " ".join(f"{label}: {message}" for label, message in _criteria_errors(error))


@office_view
def segment_export(request: HttpRequest, uuid: Any, fmt: str) -> HttpResponseBase:
    _check_format(fmt)
    user = acting_user(request)
    segment = get_visible_or_404(Segment, user, uuid=uuid)
    kind = request.GET.get("kind") or segment.subject
    if kind not in Segment.Subject.values or (
        kind == Segment.Subject.ORGANISATIONS and segment.subject == Segment.Subject.PEOPLE
    ):
        return _bad_request(
            request,
            _("kind: choose “organisations” (organisation segments only) or “people”."),
        )
    try:
        header, rows = service.segment_table(segment, user=user, kind=kind)
    except CriteriaError as error:
        return _bad_request(
            request,
            _("The segment cannot be exported: %(errors)s Edit its criteria first.")
            % {"errors": _describe_errors(error)},
        )
    log_access(
        user=user,
        person=None,
        action=PersonalDataAccess.Action.LIST_EXPORTED,
        detail=_("Segment “%(name)s” (%(uuid)s): %(kind)s as %(format)s")
        % {"name": segment.name, "uuid": segment.uuid, "kind": kind, "format": fmt},
    )
    return export_response(
        header, rows, fmt, filename=_filename(f"segment-{segment.name}", fmt), title=segment.name
    )


def _list_criteria(request: HttpRequest) -> Criteria:
    criteria = criteria_from_query(criteria_query(request.GET))
    filters.check_criteria(criteria, user=acting_user(request))
    return criteria


@office_view
def organisation_list_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The organisations matching the criteria of the query string (all without criteria)."""
    _check_format(fmt)
    user = acting_user(request)
    try:
        criteria = _list_criteria(request)
    except CriteriaError as error:
        return _bad_request(request, _describe_errors(error))
    header, rows = service.organisation_table(
        filters.organisations_matching(criteria, Organisation.objects.visible_to(user))
    )
    log_access(
        user=user,
        person=None,
        action=PersonalDataAccess.Action.LIST_EXPORTED,
        detail=_("Organisations %(criteria)s as %(format)s")
        % {"criteria": criteria.to_query() or _("(all)"), "format": fmt},
    )
    return export_response(
        header, rows, fmt, filename=_filename(_("organisations"), fmt), title=_("Organisations")
    )


@office_view
def person_list_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The people matching the criteria of the query string (all without criteria)."""
    _check_format(fmt)
    user = acting_user(request)
    try:
        criteria = _list_criteria(request)
    except CriteriaError as error:
        return _bad_request(request, _describe_errors(error))
    people = Person.objects.visible_to(user).filter(anonymised_at__isnull=True)
    header, rows = service.person_table(filters.people_matching(criteria, people))
    log_access(
        user=user,
        person=None,
        action=PersonalDataAccess.Action.LIST_EXPORTED,
        detail=_("People %(criteria)s as %(format)s")
        % {"criteria": criteria.to_query() or _("(all)"), "format": fmt},
    )
    return export_response(header, rows, fmt, filename=_filename(_("people"), fmt), title=_("People"))


urlpatterns: list[URLPattern] = [
    path("segmente/", segment_list, name="segment-list"),
    path("segmente/neu/", segment_create, name="segment-create"),
    path("segmente/zaehlen/", segment_count, name="segment-count"),
    path("segmente/<uuid:uuid>/", segment_detail, name="segment-detail"),
    path("segmente/<uuid:uuid>/zahlen/", segment_counts, name="segment-counts"),
    path("segmente/<uuid:uuid>/mitglieder/", segment_members, name="segment-members"),
    path("segmente/<uuid:uuid>/bearbeiten/", segment_edit, name="segment-edit"),
    path("segmente/<uuid:uuid>/duplizieren/", segment_duplicate, name="segment-duplicate"),
    path("segmente/<uuid:uuid>/loeschen/", segment_delete, name="segment-delete"),
    path("segmente/<uuid:uuid>/export.<str:fmt>", segment_export, name="segment-export"),
    path("export/organisationen.<str:fmt>", organisation_list_export, name="organisation-list-export"),
    path("export/personen.<str:fmt>", person_list_export, name="person-list-export"),
]
