"""Import pages (upload → column mapping → check → import) and the duplicate finder with merging.

Office only (``office_view``). Every change goes through ``actors.services.imports`` and
``actors.services.duplicates``; a file with any bad row writes nothing and shows the row-by-row
report, also as a CSV download.
"""

from __future__ import annotations

import uuid as uuid_module
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from reallabor.actors import importing
from reallabor.actors.exports import neutralise
from reallabor.actors.forms.imports import DecisionForm, MappingForm, MergeForm, UploadForm
from reallabor.actors.models import ImportJob, Person
from reallabor.actors.permissions import can_merge_duplicates
from reallabor.actors.services import duplicates as duplicate_services
from reallabor.actors.services import imports as services
from reallabor.actors.spreadsheets import Table, write_csv
from reallabor.actors.views.common import office_view
from reallabor.core.validation import error_dict
from reallabor.core.views_helpers import acting_user, add_service_errors, render_page, require
from reallabor.organisations.models import Organisation

RECENT_JOBS = 20
PREVIEW_ROWS = 10
ERRORS_SHOWN = 500
DUPLICATES_CHOSEN = 200
GROUPS_PER_PAGE = 50
MAX_PAGE = 10_000


def _crumbs(*tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Import"), reverse("actors:import-list")), *tail]


def _job(request: HttpRequest, uuid: Any) -> ImportJob:
    job = services.visible_jobs(acting_user(request)).filter(uuid=uuid).first()
    if job is None:
        raise Http404(_("Not found."))
    return job


def _full_job(request: HttpRequest, uuid: Any) -> ImportJob:
    job = ImportJob.objects.visible_to(acting_user(request)).filter(uuid=uuid).first()
    if job is None:
        raise Http404(_("Not found."))
    return job


def _file_error(error: ValidationError) -> str:
    messages_ = [message for items in error_dict(error).values() for message in items]
    return " ".join(messages_) or _("The file cannot be read.")


# Upload --------------------------------------------------------------------------------------------


@office_view
def import_list(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.upload_import(
                user=acting_user(request), filename=upload.name or "", content=upload.read()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("actors:import-mapping", uuid=job.uuid)
    jobs = list(services.visible_jobs(acting_user(request)).select_related("created_by")[:RECENT_JOBS])
    context = {"form": form, "jobs": jobs, "crumbs": [(_("Import"), None)]}
    return render_page(request, "actors/import_list.html", context)


# Mapping -------------------------------------------------------------------------------------------


def _preview(table: Table, mapping: dict[str, str]) -> dict[str, Any]:
    mapped = [
        (index, header, mapping[header]) for index, header in enumerate(table.headers) if mapping.get(header)
    ]
    return {
        "columns": [(header, importing.target_label(target)) for _index, header, target in mapped],
        "rows": [
            (number, [cells[index] for index, _h, _t in mapped])
            for number, cells in table.rows[:PREVIEW_ROWS]
        ],
        "ignored": importing.ignored_columns(table.headers, mapping),
        "total": len(table.rows),
    }


@office_view
def import_mapping(request: HttpRequest, uuid: Any) -> HttpResponse:
    job = _full_job(request, uuid)
    if job.status == ImportJob.Status.IMPORTED:
        return redirect("actors:import-detail", uuid=job.uuid)
    try:
        table = services.job_table(job)
    except ValidationError as error:  # the stored file became unreadable (e.g. a smaller limit)
        messages.error(request, _file_error(error))
        return redirect("actors:import-list")
    form = MappingForm(request.POST or None, headers=table.headers, mapping=job.mapping)
    mapping = dict(job.mapping)
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        if request.POST.get("action") != "preview" and not request.GET.get("vorschau"):
            try:
                services.set_import_mapping(user=acting_user(request), job=job, mapping=mapping)
                services.check_import(user=acting_user(request), job=job)
            except ValidationError as error:
                for messages_ in error_dict(error).values():
                    for message in messages_:
                        form.add_error(None, message)
            else:
                return redirect("actors:import-check", uuid=job.uuid)
    context = {
        "job": job,
        "form": form,
        "table": table,
        "preview": _preview(table, mapping),
        "delimiter": _("tabs") if table.delimiter == "\t" else f"“{table.delimiter}”",
        "problems": importing.check_mapping(table.headers, mapping) if request.method == "POST" else [],
        "crumbs": _crumbs((job.filename, None)),
    }
    partial = "preview" if request.GET.get("vorschau") else None
    return render_page(request, "actors/import_mapping.html", context, partial=partial)


# Check and import ---------------------------------------------------------------------------------


def _duplicate_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for item in report.get("duplicates", [])[:DUPLICATES_CHOSEN]:
        existing = item.get("existing", {})
        if item["kind"] == "organisation" and existing.get("slug"):
            url = reverse("organisations:organisation-detail", kwargs={"slug": existing["slug"]})
        elif item["kind"] == "person" and existing.get("uuid"):
            url = reverse("actors:person-detail", kwargs={"uuid": existing["uuid"]})
        else:
            url = ""
        rows.append(
            {
                **item,
                "url": url,
                "reason_labels": [str(importing.REASON_LABELS.get(r, r)) for r in item.get("reasons", [])],
                "field": f"decision-{item['key']}",
            }
        )
    return rows


@office_view
def import_check(request: HttpRequest, uuid: Any) -> HttpResponse:
    job = _job(request, uuid)
    if job.status == ImportJob.Status.IMPORTED:
        return redirect("actors:import-detail", uuid=job.uuid)
    report = job.report or {}
    duplicates = _duplicate_rows(report)
    form = DecisionForm(request.POST or None, keys=[item["key"] for item in duplicates])
    if request.method == "POST":
        if job.status != ImportJob.Status.CHECKED:
            messages.error(request, _("Check the file first; it has errors or has not been checked."))
            return redirect("actors:import-check", uuid=job.uuid)
        if form.is_valid():
            full = _full_job(request, uuid)
            try:
                full = services.run_import(
                    user=acting_user(request),
                    job=full,
                    decisions=form.decisions(),
                    on_duplicate=form.cleaned_data["default"],
                )
            except ValidationError as error:
                messages.error(request, _file_error(error))
                return redirect("actors:import-check", uuid=job.uuid)
            if full.status == ImportJob.Status.IMPORTED:
                messages.success(request, _("The file has been imported."))
                return redirect("actors:import-detail", uuid=job.uuid)
            messages.error(request, _("The file has errors now; nothing was imported."))
            return redirect("actors:import-check", uuid=job.uuid)
    errors = report.get("errors", [])
    context = {
        "job": job,
        "report": report,
        "counts": report.get("counts", {}),
        "errors": errors[:ERRORS_SHOWN],
        "more_errors": max(report.get("error_count", 0) - ERRORS_SHOWN, 0),
        "duplicates": [(item, form[item["field"]]) for item in duplicates],
        "more_duplicates": max(report.get("duplicate_count", 0) - len(duplicates), 0),
        "form": form,
        "checked": job.status in (ImportJob.Status.CHECKED, ImportJob.Status.FAILED) and "counts" in report,
        "file_removed": bool(report.get("file_removed_at")),
        "upload_days": services.upload_days(),
        "crumbs": _crumbs(
            (job.filename, reverse("actors:import-mapping", kwargs={"uuid": job.uuid})), (_("Check"), None)
        ),
    }
    return render_page(request, "actors/import_check.html", context)


@office_view
def import_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    job = _job(request, uuid)
    report = job.report or {}
    context = {
        "job": job,
        "report": report,
        "result": report.get("result", {}),
        "counts": report.get("counts", {}),
        "crumbs": _crumbs((job.filename, None)),
    }
    return render_page(request, "actors/import_detail.html", context)


@office_view
def import_errors(request: HttpRequest, uuid: Any) -> HttpResponse:
    """The row-by-row report as CSV (semicolons, UTF-8 with BOM: opens as it is in German Excel)."""
    job = _job(request, uuid)
    rows = [[_("Row"), _("Column"), _("Error")]]
    rows += [
        [str(e["row"]), neutralise(str(e["column"])), neutralise(str(e["message"]))]
        for e in (job.report or {}).get("errors", [])
    ]
    response = HttpResponse(write_csv(rows), content_type="text/csv; charset=utf-8")
    stem = get_valid_filename(job.filename.rsplit(".", 1)[0]) or "import"
    response["Content-Disposition"] = f'attachment; filename="{_("errors")}-{stem}.csv"'
    return response


# Duplicates ----------------------------------------------------------------------------------------

KINDS = {"organisationen": "organisations", "personen": "people"}


def _page(request: HttpRequest) -> int:
    raw = request.GET.get("seite", "1")
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) > 0 else 1


@office_view
def duplicate_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("art", "organisationen")
    if kind not in KINDS:
        kind = "organisationen"
    if KINDS[kind] == "organisations":
        keys = duplicate_services.duplicate_organisation_keys()
    else:
        keys = duplicate_services.duplicate_person_keys()
    number = _page(request)
    start = (number - 1) * GROUPS_PER_PAGE
    page_keys = keys[start : start + GROUPS_PER_PAGE]
    if KINDS[kind] == "organisations":
        groups = duplicate_services.organisation_groups(page_keys)
    else:
        groups = duplicate_services.person_groups(page_keys)
    context = {
        "kind": kind,
        "kinds": [("organisationen", _("Organisations")), ("personen", _("People"))],
        "groups": [(group, _merge_links(kind, group.members)) for group in groups],
        "total": len(keys),
        "page_number": number,
        "has_previous": number > 1,
        "has_next": start + GROUPS_PER_PAGE < len(keys),
        "crumbs": [(_("Duplicates"), None)],
    }
    return render_page(request, "actors/duplicate_list.html", context)


def _ref(obj: Any) -> str:
    return obj.slug if isinstance(obj, Organisation) else str(obj.uuid)


def _merge_links(kind: str, members: list[Any]) -> list[tuple[Any, str]]:
    """Each further member with the link to compare it with the first one."""
    first = members[0]
    url = reverse("actors:duplicate-merge")
    return [(other, f"{url}?art={kind}&a={_ref(first)}&b={_ref(other)}") for other in members[1:]]


ORGANISATION_ROWS = (
    "name", "kind", "sub_kind", "sector", "trade", "headcount_band", "founding_year", "street", "postcode",
    "city", "district", "quarter", "email", "phone", "website", "alliance_status", "alliance_since",
)  # fmt: skip
PERSON_ROWS = (
    "salutation", "first_name", "last_name", "function", "email", "phone", "mobile", "street", "postcode",
    "city", "district",
)  # fmt: skip


def _display(obj: Any, name: str) -> str:
    field = obj._meta.get_field(name)
    if field.choices:
        return str(getattr(obj, f"get_{name}_display")())
    value = getattr(obj, name)
    return "" if value is None else str(value)


def _lookup(request: HttpRequest, kind: str, reference: str) -> Any:
    user = acting_user(request)
    found: Organisation | Person | None
    if kind == "organisationen":
        found = Organisation.objects.visible_to(user).filter(slug=reference[:220]).first()
    else:
        try:
            key = uuid_module.UUID(reference[:64])
        except ValueError:
            raise Http404(_("Not found.")) from None
        found = Person.objects.visible_to(user).filter(uuid=key).first()
    if found is None:
        raise Http404(_("Not found."))
    return found


@office_view
def duplicate_merge(request: HttpRequest) -> HttpResponse:
    """Side by side: two records, the choice which one stays; merging moves everything to it."""
    require(can_merge_duplicates(acting_user(request)))
    source = request.POST if request.method == "POST" else request.GET
    kind = source.get("art", "")
    if not (kind or source.get("a") or source.get("b")):
        context: dict[str, Any] = {
            "crumbs": [(_("Duplicates"), reverse("actors:duplicate-list")), (_("Merge"), None)]
        }
        return render_page(request, "actors/duplicate_merge.html", context)
    if kind not in KINDS:
        raise Http404(_("Not found."))
    a = _lookup(request, kind, source.get("a", ""))
    b = _lookup(request, kind, source.get("b", ""))
    form = MergeForm(request.POST or None, labels=(str(a), str(b)))
    if a.pk == b.pk:
        form.add_error(None, _("A record cannot be merged with itself."))
    elif request.method == "POST" and form.is_valid():
        keep, remove = (a, b) if form.cleaned_data["keep"] == "a" else (b, a)
        merge = (
            duplicate_services.merge_organisations
            if kind == "organisationen"
            else duplicate_services.merge_people
        )
        try:
            kept = merge(user=acting_user(request), keep=keep, remove=remove)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("“%(name)s” has been merged into “%(kept)s”.") % {"name": str(remove), "kept": str(kept)},
            )
            return redirect(kept.get_absolute_url())
    names = ORGANISATION_ROWS if kind == "organisationen" else PERSON_ROWS
    model = Organisation if kind == "organisationen" else Person
    rows = [
        (getattr(model._meta.get_field(name), "verbose_name", name), _display(a, name), _display(b, name))
        for name in names
    ]
    context = {
        "kind": kind,
        "a": a,
        "b": b,
        "rows": rows,
        "form": form,
        "crumbs": [(_("Duplicates"), f"{reverse('actors:duplicate-list')}?art={kind}"), (_("Merge"), None)],
    }
    return render_page(request, "actors/duplicate_merge.html", context)


urlpatterns = [
    path("import/", import_list, name="import-list"),
    path("import/<uuid:uuid>/", import_detail, name="import-detail"),
    path("import/<uuid:uuid>/zuordnung/", import_mapping, name="import-mapping"),
    path("import/<uuid:uuid>/pruefung/", import_check, name="import-check"),
    path("import/<uuid:uuid>/fehler.csv", import_errors, name="import-errors"),
    path("dubletten/", duplicate_list, name="duplicate-list"),
    path("dubletten/zusammenfuehren/", duplicate_merge, name="duplicate-merge"),
]
