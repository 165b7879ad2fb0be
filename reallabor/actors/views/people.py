"""The people pages (office only): the list with filters, a person's page, their roles at
organisations, and relationships between organisations or between people.

Relationships and roles are private records: their integer ids appear only under the
person's UUID or the organisation's short name they belong to (a relationship id that does not
involve that organisation or person is 404). Every change goes through
``actors.services.people`` and ``actors.services.relationships``.
"""

from __future__ import annotations

import uuid as uuid_module
from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from reallabor.actors.criteria import CriteriaError
from reallabor.actors.filters import people_matching
from reallabor.actors.forms.people import (
    AffiliationForm,
    EndAffiliationForm,
    PeopleFilterForm,
    PersonCreateForm,
    PersonForm,
    RelationshipEditForm,
    RelationshipForm,
)
from reallabor.actors.models import Affiliation, Person, PersonalDataAccess, Relationship
from reallabor.actors.services import people as people_services
from reallabor.actors.services import privacy
from reallabor.actors.services import relationships as relationship_services
from reallabor.actors.views.common import office_view
from reallabor.core.exceptions import EditConflict
from reallabor.core.search import SORTED_MAX, sorted_page, text_search, words_match
from reallabor.core.views_helpers import (
    PLACEHOLDER_UUID,
    DateText,
    Row,
    UrlPattern,
    acting_user,
    add_service_errors,
    get_visible_or_404,
    html_rows,
    posted_revision,
    render_page,
    safe_next,
    suggestion_text,
)
from reallabor.core.widgets import escape
from reallabor.labs.selectors import cached_lab_choices
from reallabor.organisations.models import Organisation

PER_PAGE = 50
MAX_INT = 2_147_483_647
MAX_PAGE = 2000
OPTIONS_SHOWN = 20


def _crumbs(*tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("People"), reverse("actors:person-list")), *tail]


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) > 0 else 1


def _current_affiliations() -> Prefetch[Any]:
    return Prefetch(
        "affiliations",
        queryset=Affiliation.objects.current()
        .select_related("organisation")
        .only(
            "person_id",
            "role",
            "is_primary",
            "start_date",
            "end_date",
            "organisation__name",
            "organisation__slug",
        )
        .order_by("-is_primary", "organisation__name"),
        to_attr="current_affiliations",
    )


def _get_person(request: HttpRequest, uuid: uuid_module.UUID) -> Person:
    return get_visible_or_404(Person, acting_user(request), uuid=uuid)


# The list -------------------------------------------------------------------------------------------------


def _list_rows(people: list[Person]) -> list[Any]:
    """The people of a list page as plain rows, with their current affiliations (one query)."""
    person_url = UrlPattern("actors:person-detail", "uuid", PLACEHOLDER_UUID)
    organisation_url = UrlPattern("organisations:organisation-detail", "slug", "placeholder")
    affiliations: dict[int, list[Row]] = {}
    for person_id, role, name, slug in (
        Affiliation.objects.current()
        .filter(person_id__in=[person.pk for person in people])
        .order_by("-is_primary", "organisation__name", "id")
        .values_list("person_id", "role", "organisation__name", "organisation__slug")
    ):
        affiliations.setdefault(person_id, []).append(Row(url=organisation_url(slug), name=name, role=role))
    return [
        Row(
            url=person_url(person.uuid),
            name=person.name,
            function=person.function,
            email=person.email,
            district=person.district,
            last_contact_at=person.last_contact_at,
            affiliations=affiliations.get(person.pk, []),
        )
        for person in people
    ]


def _rows_html(rows: list[Any]) -> SafeString:
    """The table body of the people list (``html_rows``: every value escaped)."""
    no_organisation = f'<span class="meta">{escape(_("no organisation"))}</span>'
    never = f'<span class="meta">{escape(_("never"))}</span>'
    short_date = DateText()

    def render_row(person: Any) -> str:
        function = f'<br><span class="meta">{escape(person.function)}</span>' if person.function else ""
        affiliations = (
            "<br>".join(
                f'<a href="{escape(affiliation.url)}">{escape(affiliation.name)}</a>'
                + (f' <span class="meta">({escape(affiliation.role)})</span>' if affiliation.role else "")
                for affiliation in person.affiliations
            )
            or no_organisation
        )
        email = f'<a href="mailto:{escape(person.email)}">{escape(person.email)}</a>' if person.email else ""
        contact = short_date(person.last_contact_at) if person.last_contact_at else never
        return (
            f'<tr><th scope="row"><a href="{escape(person.url)}">{escape(person.name)}</a>{function}</th>'
            f"<td>{affiliations}</td><td>{email}</td><td>{escape(person.district)}</td><td>{contact}</td></tr>"
        )

    return html_rows(rows, render_row)


@office_view
def person_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    filters = PeopleFilterForm(request.GET, labs=cached_lab_choices(user))
    rows: list[Person] = []
    number = _page_number(request)
    is_filtered = False
    by_name = True
    if filters.is_valid():
        try:
            criteria = filters.criteria()
            people: QuerySet[Person] = text_search(
                people_matching(
                    replace(criteria, q=""),
                    Person.objects.visible_to(user).filter(anonymised_at__isnull=True),
                ),
                criteria.q,
            )
        except CriteriaError as error:
            for field, message in error.errors.items():
                if field not in filters.errors:
                    filters.add_error(field if field in filters.fields else None, message)
        else:
            is_filtered = not criteria.is_empty
            start = (number - 1) * PER_PAGE
            rows, by_name = sorted_page(
                people.only(
                    "uuid",
                    "first_name",
                    "last_name",
                    "function",
                    "email",
                    "district",
                    "last_contact_at",
                    "anonymised_at",
                ),
                ("last_name", "first_name", "id"),
                start=start,
                size=PER_PAGE,
                filtered=is_filtered,
            )
            rows = _list_rows(rows)
    filter_errors = [
        (str(filters.fields[field].label) if field in filters.fields else "", message)
        for field, messages_ in filters.errors.items()
        for message in messages_
    ]
    context: dict[str, Any] = {
        "filters": filters,
        "filter_errors": filter_errors,
        "people": rows[:PER_PAGE],
        "people_html": _rows_html(rows[:PER_PAGE]),
        "page_number": number,
        "has_previous": number > 1,
        "has_next": len(rows) > PER_PAGE,
        "is_filtered": is_filtered,
        "by_name": by_name,
        "sorted_max": SORTED_MAX,
        "crumbs": [(_("People"), None)],
    }
    return render_page(request, "actors/person_list.html", context, partial="results")


@office_view
def person_options(request: HttpRequest) -> HttpResponse:
    """<option> elements for the person inputs' suggestion list (htmx, while typing)."""
    text = suggestion_text(request)
    people: Any = []
    if text:
        queryset = (
            Person.objects.visible_to(acting_user(request))
            .filter(anonymised_at__isnull=True)
            .filter(words_match(Person, text))
        )
        people = (
            queryset.only("uuid", "first_name", "last_name", "email", "anonymised_at")
            .prefetch_related(_current_affiliations())
            .order_by("last_name", "first_name", "id")[:OPTIONS_SHOWN]
        )
    return render(request, "actors/includes/people_options.html", {"people": people})


# A person ----------------------------------------------------------------------------------------------


@office_view
def person_detail(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    person = _get_person(request, uuid)
    privacy.log_access(user=acting_user(request), person=person, action=PersonalDataAccess.Action.VIEWED)
    affiliations = list(
        Affiliation.objects.filter(person=person)
        .select_related("organisation")
        .order_by("-is_primary", "organisation__name", "-start_date", "id")
    )
    current, former, future = people_services.split_affiliations(affiliations)
    context = {
        "person": person,
        "current_affiliations": current,
        "former_affiliations": former,
        "future_affiliations": future,
        "may_edit": person.anonymised_at is None,
        "crumbs": _crumbs((person.name, None)),
    }
    return render(request, "actors/person_detail.html", context)


@office_view
def person_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    organisation_slug = request.GET.get("organisation", "").replace("\x00", "").strip()[:220]
    organisation = None
    if organisation_slug:
        organisation = (
            Organisation.objects.visible_to(acting_user(request)).filter(slug=organisation_slug).first()
        )
        if organisation is not None:
            initial["organisation"] = organisation.slug
    form = PersonCreateForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            person = people_services.create_person(
                user=acting_user(request), data=form.to_data(), affiliations=form.affiliations()
            )
        except ValidationError as error:
            add_service_errors(form, error, field_map=PersonCreateForm.AFFILIATION_FIELDS)
        else:
            messages.success(request, _("“%(name)s” was added.") % {"name": person.name})
            return redirect(person.get_absolute_url())
    crumbs = (
        [
            (_("Organisations"), reverse("organisations:organisation-list")),
            (organisation.name, organisation.get_absolute_url()),
        ]
        if organisation
        else [(_("People"), reverse("actors:person-list"))]
    )
    context = {
        "form": form,
        "person": None,
        "organisation": organisation,
        "crumbs": [*crumbs, (_("New person"), None)],
    }
    return render(request, "actors/person_form.html", context)


@office_view
def person_edit(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    person = _get_person(request, uuid)
    revision: int | None = person.revision
    if request.method == "POST":
        revision = posted_revision(request)
        form = PersonForm(request.POST)
        if form.is_valid():
            try:
                person = people_services.update_person(
                    user=acting_user(request), person=person, data=form.to_data(), expected_revision=revision
                )
            except EditConflict as error:
                form.add_error(None, " ".join(error.messages))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your changes were saved."))
                return redirect(person.get_absolute_url())
    else:
        form = PersonForm(initial=PersonForm.initial_of(person))
    context = {
        "form": form,
        "person": person,
        "revision": revision,
        "crumbs": _crumbs((person.name, person.get_absolute_url()), (_("Edit"), None)),
    }
    return render(request, "actors/person_form.html", context)


# Roles at organisations ----------------------------------------------------------------------------------


def _get_affiliation(person: Person, pk: int) -> Affiliation:
    if pk > MAX_INT:
        raise Http404(_("Not found."))
    affiliation = Affiliation.objects.select_related("organisation").filter(person=person, pk=pk).first()
    if affiliation is None:
        raise Http404(_("Not found."))
    return affiliation


@office_view
def affiliation_create(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    person = _get_person(request, uuid)
    form = AffiliationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            people_services.add_affiliation(user=acting_user(request), person=person, **form.to_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The role was added."))
            return redirect(person.get_absolute_url())
    context = {
        "form": form,
        "person": person,
        "affiliation": None,
        "crumbs": _crumbs(
            (person.name, person.get_absolute_url()), (_("Add a role at an organisation"), None)
        ),
    }
    return render(request, "actors/person_affiliation_form.html", context)


@office_view
def affiliation_edit(request: HttpRequest, uuid: uuid_module.UUID, pk: int) -> HttpResponse:
    person = _get_person(request, uuid)
    affiliation = _get_affiliation(person, pk)
    if request.method == "POST":
        form = AffiliationForm(request.POST)
        if form.is_valid():
            try:
                people_services.update_affiliation(
                    user=acting_user(request), affiliation=affiliation, data=form.to_data()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your changes were saved."))
                return redirect(person.get_absolute_url())
    else:
        form = AffiliationForm(initial=AffiliationForm.initial_of(affiliation))
    context = {
        "form": form,
        "person": person,
        "affiliation": affiliation,
        "crumbs": _crumbs((person.name, person.get_absolute_url()), (_("Edit role"), None)),
    }
    return render(request, "actors/person_affiliation_form.html", context)


@office_view
def affiliation_end(request: HttpRequest, uuid: uuid_module.UUID, pk: int) -> HttpResponse:
    person = _get_person(request, uuid)
    affiliation = _get_affiliation(person, pk)
    form = EndAffiliationForm(
        request.POST if request.method == "POST" else None, initial={"end_date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            people_services.end_affiliation(
                user=acting_user(request), affiliation=affiliation, end_date=form.cleaned_data["end_date"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The role was ended; it stays on record as a former role."))
            return redirect(person.get_absolute_url())
    context = {
        "form": form,
        "person": person,
        "affiliation": affiliation,
        "crumbs": _crumbs((person.name, person.get_absolute_url()), (_("End role"), None)),
    }
    return render(request, "actors/person_affiliation_end.html", context)


@office_view
def affiliation_delete(request: HttpRequest, uuid: uuid_module.UUID, pk: int) -> HttpResponse:
    person = _get_person(request, uuid)
    affiliation = _get_affiliation(person, pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            people_services.remove_affiliation(user=acting_user(request), affiliation=affiliation)
        except ValidationError as error:
            errors = list(error.messages)
        else:
            messages.success(request, _("The role was removed."))
            return redirect(person.get_absolute_url())
    context = {
        "person": person,
        "affiliation": affiliation,
        "errors": errors,
        "crumbs": _crumbs((person.name, person.get_absolute_url()), (_("Remove role"), None)),
    }
    return render(request, "actors/person_affiliation_confirm_delete.html", context)


# Relationships ---------------------------------------------------------------------------------------------


def _anchor(request: HttpRequest, uuid: uuid_module.UUID | None, slug: str | None) -> Person | Organisation:
    """The organisation or person whose page the relationship forms belong to."""
    if uuid is not None:
        return _get_person(request, uuid)
    return get_visible_or_404(Organisation, acting_user(request), slug=slug)


def _anchor_crumbs(
    anchor: Person | Organisation, *tail: tuple[str, str | None]
) -> list[tuple[str, str | None]]:
    if isinstance(anchor, Person):
        return _crumbs((anchor.name, anchor.get_absolute_url()), *tail)
    return [
        (_("Organisations"), reverse("organisations:organisation-list")),
        (anchor.name, anchor.get_absolute_url()),
        *tail,
    ]


def _get_relationship(anchor: Person | Organisation, pk: int) -> Relationship:
    if pk > MAX_INT:
        raise Http404(_("Not found."))
    relationship = (
        relationship_services.relationships_of(anchor)
        .select_related("source_organisation", "target_organisation", "source_person", "target_person")
        .filter(pk=pk)
        .first()
    )
    if relationship is None:
        raise Http404(_("Not found."))
    return relationship


def _back(request: HttpRequest, anchor: Person | Organisation) -> str:
    return safe_next(request, anchor.get_absolute_url())


def relationship_create(
    request: HttpRequest, uuid: uuid_module.UUID | None = None, slug: str | None = None
) -> HttpResponse:
    anchor = _anchor(request, uuid, slug)
    between_people = isinstance(anchor, Person)
    form = RelationshipForm(request.POST if request.method == "POST" else None, between_people=between_people)
    if request.method == "POST" and form.is_valid():
        other = form.cleaned_data["other"]
        source, target = (anchor, other) if form.cleaned_data["direction"] == "out" else (other, anchor)
        try:
            relationship_services.create_relationship(
                user=acting_user(request),
                source=source,
                target=target,
                kind=form.cleaned_data["kind"],
                start_date=form.cleaned_data.get("start_date"),
                end_date=form.cleaned_data.get("end_date"),
                note=form.cleaned_data.get("note") or "",
            )
        except ValidationError as error:
            add_service_errors(form, error, field_map={"target": "other", "source": "other"})
        else:
            messages.success(request, _("The relationship was added."))
            return redirect(_back(request, anchor))
    context = {
        "form": form,
        "anchor": anchor,
        "between_people": between_people,
        "crumbs": _anchor_crumbs(anchor, (_("Add relationship"), None)),
    }
    return render(request, "actors/relationship_form.html", context)


def relationship_edit(
    request: HttpRequest, pk: int, uuid: uuid_module.UUID | None = None, slug: str | None = None
) -> HttpResponse:
    anchor = _anchor(request, uuid, slug)
    relationship = _get_relationship(anchor, pk)
    if request.method == "POST":
        form = RelationshipEditForm(request.POST)
        if form.is_valid():
            try:
                relationship_services.update_relationship(
                    user=acting_user(request), relationship=relationship, data=form.to_data()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your changes were saved."))
                return redirect(_back(request, anchor))
    else:
        form = RelationshipEditForm(initial=RelationshipEditForm.initial_of(relationship))
    context = {
        "form": form,
        "anchor": anchor,
        "relationship": relationship,
        "crumbs": _anchor_crumbs(anchor, (_("Edit relationship"), None)),
    }
    return render(request, "actors/relationship_edit.html", context)


def relationship_delete(
    request: HttpRequest, pk: int, uuid: uuid_module.UUID | None = None, slug: str | None = None
) -> HttpResponse:
    anchor = _anchor(request, uuid, slug)
    relationship = _get_relationship(anchor, pk)
    if request.method == "POST":
        relationship_services.delete_relationship(user=acting_user(request), relationship=relationship)
        messages.success(request, _("The relationship was deleted."))
        return redirect(_back(request, anchor))
    context = {
        "anchor": anchor,
        "relationship": relationship,
        "crumbs": _anchor_crumbs(anchor, (_("Delete relationship"), None)),
    }
    return render(request, "actors/relationship_confirm_delete.html", context)


relationship_create_view = office_view(relationship_create)
relationship_edit_view = office_view(relationship_edit)
relationship_delete_view = office_view(relationship_delete)

urlpatterns = [
    path("personen/", person_list, name="person-list"),
    path("personen/neu/", person_create, name="person-create"),
    path("personen/vorschlaege/", person_options, name="person-options"),
    path("personen/<uuid:uuid>/", person_detail, name="person-detail"),
    path("personen/<uuid:uuid>/bearbeiten/", person_edit, name="person-edit"),
    path("personen/<uuid:uuid>/organisationen/neu/", affiliation_create, name="affiliation-create"),
    path(
        "personen/<uuid:uuid>/organisationen/<int:pk>/bearbeiten/", affiliation_edit, name="affiliation-edit"
    ),
    path("personen/<uuid:uuid>/organisationen/<int:pk>/beenden/", affiliation_end, name="affiliation-end"),
    path(
        "personen/<uuid:uuid>/organisationen/<int:pk>/entfernen/",
        affiliation_delete,
        name="affiliation-delete",
    ),
    path(
        "personen/<uuid:uuid>/beziehungen/neu/",
        relationship_create_view,
        name="person-relationship-create",
    ),
    path(
        "personen/<uuid:uuid>/beziehungen/<int:pk>/bearbeiten/",
        relationship_edit_view,
        name="person-relationship-edit",
    ),
    path(
        "personen/<uuid:uuid>/beziehungen/<int:pk>/loeschen/",
        relationship_delete_view,
        name="person-relationship-delete",
    ),
    path(
        "organisationen/<slug:slug>/beziehungen/neu/",
        relationship_create_view,
        name="organisation-relationship-create",
    ),
    path(
        "organisationen/<slug:slug>/beziehungen/<int:pk>/bearbeiten/",
        relationship_edit_view,
        name="organisation-relationship-edit",
    ),
    path(
        "organisationen/<slug:slug>/beziehungen/<int:pk>/loeschen/",
        relationship_delete_view,
        name="organisation-relationship-delete",
    ),
]
