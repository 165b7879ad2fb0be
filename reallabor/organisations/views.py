"""Organisation pages: internal, for every signed-in user; changes through the services.

The list stays fast with hundreds of thousands of organisations: it is ordered by the indexed
name, filtered by indexed columns, and paginated without counting (one row more than a page
tells whether there is a next page).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from reallabor.core.exceptions import EditConflict
from reallabor.core.validation import error_dict
from reallabor.core.views_helpers import (
    acting_user,
    add_service_errors,
    get_visible_or_404,
    internal_view,
    posted_revision,
    render_page,
    require,
)
from reallabor.labs.models import Actor, Lab, LabOrganisation, Measure
from reallabor.organisations import permissions, services
from reallabor.organisations.forms import OrganisationFilterForm, OrganisationForm
from reallabor.organisations.models import Organisation

PER_PAGE = 50
MAX_PAGE = 2000
DISTRICTS_SHOWN = 200
RELATED_SHOWN = 100
OPTIONS_SHOWN = 20


def _crumbs(*tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Organisations"), reverse("organisations:organisation-list")), *tail]


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) > 0 else 1


def _districts() -> list[str]:
    return list(
        Organisation.objects.exclude(district="")
        .order_by("district")
        .values_list("district", flat=True)
        .distinct()[:DISTRICTS_SHOWN]
    )


@internal_view
def organisation_list(request: HttpRequest) -> HttpResponse:
    filters = OrganisationFilterForm(request.GET, districts=_districts())
    q, kind, district = filters.value("q"), filters.value("kind"), filters.value("district")
    organisations = Organisation.objects.visible_to(acting_user(request)).only(
        "name", "slug", "kind", "city", "district"
    )
    for word in q.split()[:8]:
        organisations = organisations.filter(name__icontains=word)
    if kind:
        organisations = organisations.filter(kind=kind)
    if district:
        organisations = organisations.filter(district=district)
    number = _page_number(request)
    start = (number - 1) * PER_PAGE
    rows = list(organisations.order_by("name", "id")[start : start + PER_PAGE + 1])
    context: dict[str, Any] = {
        "filters": filters,
        "organisations": rows[:PER_PAGE],
        "page_number": number,
        "has_previous": number > 1,
        "has_next": len(rows) > PER_PAGE,
        "is_filtered": bool(q or kind or district),
        "may_create": permissions.can_create_organisation(acting_user(request)),
        "crumbs": [(_("Organisations"), None)],
    }
    return render_page(request, "organisations/organisation_list.html", context, partial="results")


@internal_view
def organisation_options(request: HttpRequest) -> HttpResponse:
    """<option> elements for the organisation inputs' suggestion list (htmx, while typing)."""
    values = [str(value).strip() for _key, value in request.GET.items()]
    text = (request.GET.get("q") or next((value for value in values if value), "")).strip()[:100]
    organisations: Any = []
    if text:
        organisations = (
            Organisation.objects.visible_to(acting_user(request))
            .filter(Q(name__icontains=text) | Q(slug__startswith=text.lower()))
            .only("name", "slug")
            .order_by("name")[:OPTIONS_SHOWN]
        )
    return render(request, "organisations/_options.html", {"organisations": organisations})


@internal_view
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_visible_or_404(Organisation, acting_user(request), slug=slug)
    user = acting_user(request)
    visible_labs = Lab.objects.visible_to(user)
    visible_measures = Measure.objects.visible_to(user)
    context = {
        "organisation": organisation,
        "lab_roles": LabOrganisation.objects.filter(
            organisation=organisation, lab__in=visible_labs.values("pk")
        )
        .select_related("lab")
        .order_by("lab__name")[:RELATED_SHOWN],
        "coordinated_labs": visible_labs.filter(coordinator=organisation).order_by("name")[:RELATED_SHOWN],
        "coordinated_measures": visible_measures.filter(coordinators=organisation)
        .select_related("lab")
        .order_by("lab__name", "title")[:RELATED_SHOWN],
        "actor_roles": Actor.objects.filter(
            organisation=organisation, measure__in=visible_measures.values("pk")
        )
        .select_related("measure__lab")
        .order_by("measure__lab__name", "measure__title")[:RELATED_SHOWN],
        "may_edit": permissions.can_edit_organisation(user, organisation),
        "may_delete": permissions.can_delete_organisation(user, organisation),
        "crumbs": _crumbs((organisation.name, None)),
    }
    return render(request, "organisations/organisation_detail.html", context)


@internal_view
def organisation_create(request: HttpRequest) -> HttpResponse:
    require(permissions.can_create_organisation(acting_user(request)), _("You may not add organisations."))
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.create_organisation(user=acting_user(request), data=form.to_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” was added.") % {"name": organisation.name})
            return redirect(organisation.get_absolute_url())
    context = {"form": form, "organisation": None, "crumbs": _crumbs((_("New organisation"), None))}
    return render(request, "organisations/organisation_form.html", context)


@internal_view
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_visible_or_404(Organisation, acting_user(request), slug=slug)
    require(
        permissions.can_edit_organisation(acting_user(request), organisation),
        _("You may not edit this organisation."),
    )
    revision: int | None = organisation.revision
    if request.method == "POST":
        revision = posted_revision(request)
        form = OrganisationForm(request.POST, instance=Organisation.objects.get(pk=organisation.pk))
        if form.is_valid():
            try:
                organisation = services.update_organisation(
                    user=acting_user(request),
                    organisation=organisation,
                    data=form.to_data(),
                    expected_revision=revision,
                )
            except EditConflict as error:
                form.add_error(None, " ".join(error.messages))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your changes were saved."))
                return redirect(organisation.get_absolute_url())
    else:
        form = OrganisationForm(instance=Organisation.objects.get(pk=organisation.pk))
    context = {
        "form": form,
        "organisation": organisation,
        "revision": revision,
        "crumbs": _crumbs((organisation.name, organisation.get_absolute_url()), (_("Edit"), None)),
    }
    return render(request, "organisations/organisation_form.html", context)


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
