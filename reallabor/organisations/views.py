"""Organisation pages; changes through the services.

The list and the detail page are public: anonymous visitors and signed-in users without a lab
see the published profiles (public fields only); partners see the organisations of their labs
with their internal data; the office (administrators, readers, coordinators) sees every
organisation. Adding, editing and deleting are internal pages.

The list stays fast with hundreds of thousands of organisations: it is ordered by the indexed
name, filtered through the shared criteria (``actors.criteria``, ``actors.filters``), and
paginated without counting (one row more than a page tells whether there is a next page).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from reallabor.actors.criteria import CriteriaError, criteria_from_query
from reallabor.core.cache import cached_by_content
from reallabor.core.exceptions import EditConflict
from reallabor.core.markdown import render_markdown
from reallabor.core.search import SORTED_MAX, sorted_page, text_search, words_match
from reallabor.core.validation import error_dict
from reallabor.core.views_helpers import (
    Labels,
    Row,
    UrlPattern,
    acting_user,
    add_service_errors,
    get_visible_or_404,
    html_rows,
    internal_view,
    posted_revision,
    render_page,
    require,
    suggestion_text,
)
from reallabor.core.widgets import escape
from reallabor.labs.fields import lab_slugs
from reallabor.labs.models import Actor, Lab, LabOrganisation, Measure
from reallabor.labs.selectors import cached_lab_choices
from reallabor.organisations import permissions, services
from reallabor.organisations.filters import clean_query, filtered_organisations, sees_internal_data
from reallabor.organisations.forms import OrganisationFilterForm, OrganisationForm
from reallabor.organisations.models import Organisation

PER_PAGE = 50
MAX_PAGE = 2000
DISTRICTS_SHOWN = 200
RELATED_SHOWN = 100
OPTIONS_SHOWN = 20
LIST_COLUMNS = (
    "name",
    "slug",
    "kind",
    "sub_kind",
    "district",
    "sector__code",
    "sector__name",
    "sector__name_en",
    "sector__local_name",
)


def _crumbs(*tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Organisations"), reverse("organisations:organisation-list")), *tail]


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")[:9]
    return min(int(raw), MAX_PAGE) if raw.isascii() and raw.isdigit() and int(raw) > 0 else 1


def _districts() -> list[str]:
    return list(
        Organisation.objects.exclude(district="")
        .order_by("district")
        .values_list("district", flat=True)
        .distinct()[:DISTRICTS_SHOWN]
    )


def _list_rows(organisations: list[Organisation]) -> list[Row]:
    """The organisations of a list page as plain rows (their sectors loaded)."""
    url = UrlPattern("organisations:organisation-detail", "slug", "placeholder")
    kinds, sub_kinds = Labels(Organisation.Kind.choices), Labels(Organisation.SubKind.choices)
    return [
        Row(
            url=url(organisation.slug),
            name=organisation.name,
            kind=kinds[organisation.kind],
            sub_kind=sub_kinds[organisation.sub_kind] if organisation.sub_kind else "",
            sector=f"{organisation.sector.code} {organisation.sector.label}" if organisation.sector else "",
            district=organisation.district,
        )
        for organisation in organisations
    ]


def _rows_html(rows: list[Row]) -> SafeString:
    """The table body of the organisation list (``html_rows``: every value escaped)."""

    def render_row(row: Row) -> str:
        sub_kind = f' <span class="meta">({escape(row.sub_kind)})</span>' if row.sub_kind else ""
        return (
            f'<tr><th scope="row"><a href="{escape(row.url)}">{escape(row.name)}</a></th>'
            f"<td>{escape(row.kind)}{sub_kind}</td><td>{escape(row.sector)}</td>"
            f"<td>{escape(row.district)}</td></tr>"
        )

    return html_rows(rows, render_row)


@require_safe
def organisation_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    query = clean_query(request.GET)
    internal = permissions.can_see_internal_organisation_data(user)
    labs = cached_lab_choices(user) if internal else []
    if labs and "labs" in query:
        query.setlist("labs", lab_slugs(query.getlist("labs"), labs))  # names typed in full
    filters = OrganisationFilterForm(
        initial=OrganisationFilterForm.initial_from_query(query),
        districts=cached_by_content("organisation-districts", _districts),
        labs=labs,
        internal=internal,
    )
    filter_errors: dict[str, str] = {}
    rows: list[Organisation] = []
    number = _page_number(request)
    is_filtered = False
    by_name = True
    try:
        criteria = criteria_from_query(query)  # labs the user does not see: refused by the filter
        is_filtered = not criteria.is_empty
        organisations = (
            text_search(filtered_organisations(user, replace(criteria, q="")), criteria.q)
            .select_related("sector")
            .only(*LIST_COLUMNS)
        )
        start = (number - 1) * PER_PAGE
        rows, by_name = sorted_page(
            organisations, ("name", "id"), start=start, size=PER_PAGE, filtered=is_filtered
        )
    except CriteriaError as error:
        filter_errors = error.errors
    labels = {name: str(field.label) for name, field in filters.fields.items()}
    context: dict[str, Any] = {
        "filters": filters,
        "filter_errors": [(labels.get(name, name), message) for name, message in filter_errors.items()],
        "organisations": (page_rows := _list_rows(rows[:PER_PAGE])),
        "organisations_html": _rows_html(page_rows),
        "page_number": number,
        "has_previous": number > 1,
        "has_next": len(rows) > PER_PAGE,
        "is_filtered": is_filtered,
        "by_name": by_name,
        "sorted_max": SORTED_MAX,
        "internal": internal,
        "may_create": permissions.can_create_organisation(user),
        "crumbs": [(_("Organisations"), None)],
    }
    return render_page(request, "organisations/organisation_list.html", context, partial="results")


@internal_view
def organisation_options(request: HttpRequest) -> HttpResponse:
    """<option> elements for the organisation inputs' suggestion list (htmx, while typing)."""
    text = suggestion_text(request)
    organisations: Any = []
    if text:
        organisations = (
            Organisation.objects.visible_to(acting_user(request))
            .filter(words_match(Organisation, text) | Q(slug=text.lower()))
            .only("name", "slug")
            .order_by("name")[:OPTIONS_SHOWN]
        )
    return render(request, "organisations/_options.html", {"organisations": organisations})


@require_safe
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's page: its public profile, or all its data for those who see them."""
    user = acting_user(request)
    organisation = get_visible_or_404(
        Organisation, user, slug=slug, select_related=("sector__parent", "trade__parent")
    )
    visible_labs = Lab.objects.visible_to(user)
    lab_roles = (
        LabOrganisation.objects.filter(organisation=organisation, lab__in=visible_labs.values("pk"))
        .select_related("lab")
        .order_by("lab__name")[:RELATED_SHOWN]
    )
    context: dict[str, Any] = {
        "organisation": organisation,
        "lab_roles": lab_roles,
        "profile_html": render_markdown(organisation.profile_text),
        "crumbs": _crumbs((organisation.name, None)),
    }
    if not sees_internal_data(user, organisation):
        return render(request, "organisations/organisation_profile.html", context)
    visible_measures = Measure.objects.visible_to(user)
    may_edit = permissions.can_edit_organisation(user, organisation)
    context.update(
        {
            "coordinated_labs": visible_labs.filter(coordinator=organisation).order_by("name")[
                :RELATED_SHOWN
            ],
            "coordinated_measures": visible_measures.filter(coordinators=organisation)
            .select_related("lab")
            .order_by("lab__name", "title")[:RELATED_SHOWN],
            "actor_roles": Actor.objects.filter(
                organisation=organisation, measure__in=visible_measures.values("pk")
            )
            .select_related("measure__lab")
            .order_by("measure__lab__name", "measure__title")[:RELATED_SHOWN],
            "may_edit": may_edit,
            "may_publish": may_edit,
            "may_delete": permissions.can_delete_organisation(user, organisation),
        }
    )
    return render(request, "organisations/organisation_detail.html", context)


@internal_view
def organisation_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(permissions.can_create_organisation(user), _("You may not add organisations."))
    may_publish = permissions.can_edit_organisation(user)
    form = OrganisationForm(request.POST if request.method == "POST" else None, may_publish=may_publish)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.create_organisation(user=user, data=form.to_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” was added.") % {"name": organisation.name})
            return redirect(organisation.get_absolute_url())
    context = {"form": form, "organisation": None, "crumbs": _crumbs((_("New organisation"), None))}
    return render(request, "organisations/organisation_form.html", context)


@internal_view
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    user = acting_user(request)
    organisation = get_visible_or_404(Organisation, user, slug=slug, select_related=("sector", "trade"))
    require(permissions.can_edit_organisation(user, organisation), _("You may not edit this organisation."))
    revision: int | None = organisation.revision
    initial = OrganisationForm.initial_from(organisation)
    if request.method == "POST":
        revision = posted_revision(request)
        form = OrganisationForm(request.POST, initial=initial, may_publish=True)
        if form.is_valid():
            try:
                organisation = services.update_organisation(
                    user=user, organisation=organisation, data=form.to_data(), expected_revision=revision
                )
            except EditConflict as error:
                form.add_error(None, " ".join(error.messages))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your changes were saved."))
                return redirect(organisation.get_absolute_url())
    else:
        form = OrganisationForm(initial=initial, may_publish=True)
    context = {
        "form": form,
        "organisation": organisation,
        "revision": revision,
        "crumbs": _crumbs((organisation.name, organisation.get_absolute_url()), (_("Edit"), None)),
    }
    return render(request, "organisations/organisation_form.html", context)


@internal_view
@require_POST
def organisation_publish(request: HttpRequest, slug: str) -> HttpResponse:
    """Publish or unpublish the public profile (POST ``published=1`` or ``0``)."""
    user = acting_user(request)
    organisation = get_visible_or_404(Organisation, user, slug=slug)
    require(
        permissions.can_edit_organisation(user, organisation),
        _("You may not publish or unpublish the profile of this organisation."),
    )
    choice = request.POST.get("published", "")
    if choice not in ("0", "1"):
        messages.error(request, _("Choose whether to publish (1) or unpublish (0) the profile."))
        return redirect(organisation.get_absolute_url())
    published = choice == "1"
    services.publish_organisation_profile(user=user, organisation=organisation, published=published)
    if published:
        messages.success(request, _("The profile is now shown on the public pages."))
    else:
        messages.success(request, _("The profile is no longer shown on the public pages."))
    return redirect(organisation.get_absolute_url())


@internal_view
def organisation_delete(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_visible_or_404(Organisation, acting_user(request), slug=slug)
    require(
        permissions.can_delete_organisation(acting_user(request), organisation),
        _("Only administrators may delete organisations."),
    )
    errors: list[str] = []
    if request.method == "POST":
        name = organisation.name
        try:
            services.delete_organisation(user=acting_user(request), organisation=organisation)
        except ValidationError as error:
            errors = [message for messages_ in error_dict(error).values() for message in messages_]
        else:
            messages.success(request, _("“%(name)s” was deleted.") % {"name": name})
            return redirect("organisations:organisation-list")
    context = {
        "organisation": organisation,
        "errors": errors,
        "crumbs": _crumbs((organisation.name, organisation.get_absolute_url()), (_("Delete"), None)),
    }
    return render(request, "organisations/organisation_confirm_delete.html", context)
