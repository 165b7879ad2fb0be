"""The interaction pages (office only): the list with filters, recording, and a detail page with its
follow-ups (added here; completed, reopened and listed as "my open follow-ups" in
``views.followups``).

Interactions are addressed by their UUIDs (``/kontakte/<uuid>/``). Every change goes through
``actors.services.interactions`` and ``.followups``.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from reallabor.actors.forms.interactions import (
    FollowUpForm,
    InteractionFilterForm,
    InteractionForm,
    add_interaction_errors,
)
from reallabor.actors.models import Affiliation, FollowUp, Interaction, Person
from reallabor.actors.services import followups as followup_services
from reallabor.actors.services import interactions as services
from reallabor.actors.views.common import office_view
from reallabor.core.views_helpers import (
    PLACEHOLDER_UUID,
    DateText,
    Labels,
    Row,
    UrlPattern,
    acting_user,
    get_visible_or_404,
    html_rows,
    is_htmx,
    render_page,
    safe_next,
)
from reallabor.core.widgets import escape
from reallabor.organisations.models import Organisation

PER_PAGE = 50
MAX_PAGE = 2000
LIST_COLUMNS = (
    "uuid",
    "occurred_at",
    "subject",
    "kind",
    "anonymous_participants",
    "staff__email",
    "staff__first_name",
    "staff__last_name",
    "organisation__slug",
    "organisation__name",
)
CANDIDATES_SHOWN = 100


def _crumbs(*tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Interactions"), reverse("actors:interaction-list")), *tail]


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) > 0 else 1


def _follow_ups() -> Prefetch[Any]:
    return Prefetch(
        "follow_ups",
        queryset=FollowUp.objects.select_related("assignee", "done_by").order_by("id"),
    )


def _participants() -> Prefetch[Any]:
    return Prefetch(
        "participants", queryset=Person.objects.only("uuid", "first_name", "last_name", "anonymised_at")
    )


def with_details(queryset: QuerySet[Interaction]) -> QuerySet[Interaction]:
    """Everything the list, the detail page and the timeline show, in a constant number of queries."""
    return queryset.select_related("staff", "organisation", "lab", "measure__lab").prefetch_related(
        _participants(), _follow_ups()
    )


def _get_interaction(request: HttpRequest, uuid: uuid_module.UUID) -> Interaction:
    return get_visible_or_404(Interaction, acting_user(request), uuid=uuid)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_default_timezone())


# The list ------------------------------------------------------------------------------------------


def _list_rows(interactions: list[Interaction]) -> list[Row]:
    """The interactions of a list page as plain rows: two more queries for the names of the
    participants and the open follow-ups (plain values, no model instances)."""
    interaction_url = UrlPattern("actors:interaction-detail", "uuid", PLACEHOLDER_UUID)
    organisation_url = UrlPattern("organisations:organisation-detail", "slug", "placeholder")
    today = timezone.localdate()
    ids = [interaction.pk for interaction in interactions]
    participants: dict[int, list[str]] = {}
    anonymised = str(_("anonymised person"))
    for interaction_id, first_name, last_name, anonymised_at in (
        Interaction.participants.through.objects.filter(interaction_id__in=ids)
        .order_by("person__last_name", "person__first_name", "person_id")
        .values_list("interaction_id", "person__first_name", "person__last_name", "person__anonymised_at")
    ):
        name = anonymised if anonymised_at else " ".join(part for part in (first_name, last_name) if part)
        participants.setdefault(interaction_id, []).append(name)
    open_follow_ups: dict[int, list[Row]] = {}
    for interaction_id, due_date in (
        FollowUp.objects.filter(interaction_id__in=ids, done_at__isnull=True)
        .order_by("due_date", "id")
        .values_list("interaction_id", "due_date")
    ):
        open_follow_ups.setdefault(interaction_id, []).append(
            Row(due_date=due_date, is_overdue=due_date < today)
        )
    rows = []
    kinds = Labels(Interaction.Kind.choices)
    for interaction in interactions:
        organisation = interaction.organisation
        rows.append(
            Row(
                occurred_at=interaction.occurred_at,
                url=interaction_url(interaction.uuid),
                subject=interaction.subject,
                kind=kinds[interaction.kind],
                organisation=(
                    Row(url=organisation_url(organisation.slug), name=organisation.name)
                    if organisation
                    else None
                ),
                participants=participants.get(interaction.pk, []),
                anonymous_participants=interaction.anonymous_participants,
                staff=str(interaction.staff) if interaction.staff else "",
                open_follow_ups=open_follow_ups.get(interaction.pk, []),
            )
        )
    return rows


def _rows_html(rows: list[Row]) -> SafeString:
    """The table body of the interaction list (``html_rows``: every value escaped)."""
    iso, short_datetime, short_date = DateText("c"), DateText("SHORT_DATETIME_FORMAT"), DateText()
    overdue = escape(_("overdue"))

    def render_row(row: Row) -> str:
        people = []
        if row.organisation:
            people.append(f'<a href="{escape(row.organisation.url)}">{escape(row.organisation.name)}</a>')
        if row.participants:
            names = ", ".join(escape(name) for name in row.participants)
            people.append(f"<br>{names}" if row.organisation else names)
        if row.anonymous_participants:
            text = ngettext(
                "+ %(counter)s anonymised", "+ %(counter)s anonymised", row.anonymous_participants
            ) % {"counter": row.anonymous_participants}
            people.append(f'<span class="meta">{escape(text)}</span>')
        follow_ups = " ".join(
            f'<span class="badge badge--draft">{short_date(item.due_date)} {overdue}</span>'
            if item.is_overdue
            else f'<span class="badge">{short_date(item.due_date)}</span>'
            for item in row.open_follow_ups
        )
        return (
            f'<tr><td><time datetime="{iso(row.occurred_at)}">{short_datetime(row.occurred_at)}</time></td>'
            f'<th scope="row"><a href="{escape(row.url)}">{escape(row.subject)}</a></th>'
            f"<td>{escape(row.kind)}</td><td>{' '.join(people)}</td>"
            f"<td>{escape(row.staff or '–')}</td><td>{follow_ups or '–'}</td></tr>"
        )

    return html_rows(rows, render_row)


@office_view
def interaction_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    filters = InteractionFilterForm(request.GET or None, user=user)
    values = filters.values()
    interactions = Interaction.objects.visible_to(user)
    if values.get("kind"):
        interactions = interactions.filter(kind=values["kind"])
    if values.get("staff"):
        interactions = interactions.filter(staff=values["staff"])
    if values.get("organisation"):
        interactions = interactions.filter(organisation=values["organisation"])
    if values.get("person"):
        interactions = interactions.filter(participants=values["person"])
    if values.get("lab"):
        interactions = interactions.filter(lab__slug=values["lab"])
    if values.get("date_from"):
        interactions = interactions.filter(occurred_at__gte=_day_start(values["date_from"]))
    if values.get("date_to"):
        interactions = interactions.filter(
            occurred_at__lt=_day_start(values["date_to"] + dt.timedelta(days=1))
        )
    number = _page_number(request)
    start = (number - 1) * PER_PAGE
    rows = list(
        interactions.select_related("staff", "organisation")
        .only(*LIST_COLUMNS)
        .order_by("-occurred_at", "-id")[start : start + PER_PAGE + 1]
    )
    subject = values.get("organisation") or values.get("person")
    context: dict[str, Any] = {
        "filters": filters,
        "interactions": (page_rows := _list_rows(rows[:PER_PAGE])),
        "interactions_html": _rows_html(page_rows),
        "page_number": number,
        "has_previous": number > 1,
        "has_next": len(rows) > PER_PAGE,
        "is_filtered": bool(values),
        "subject": subject,
        "create_url": _create_url(values),
        "crumbs": [(_("Interactions"), None)],
    }
    return render_page(request, "actors/interaction_list.html", context, partial="results")


def _create_url(values: dict[str, Any]) -> str:
    url = reverse("actors:interaction-create")
    if isinstance(values.get("organisation"), Organisation):
        return f"{url}?organisation={values['organisation'].slug}"
    if isinstance(values.get("person"), Person):
        return f"{url}?person={values['person'].uuid}"
    return url


# Recording and editing ----------------------------------------------------------------------------


def _people_of(organisation: Organisation | None) -> list[Person]:
    if organisation is None:
        return []
    ids = Affiliation.objects.current().filter(organisation=organisation).values("person_id")
    return list(
        Person.objects.filter(pk__in=ids, anonymised_at__isnull=True)
        .only("uuid", "first_name", "last_name", "anonymised_at")
        .order_by("last_name", "first_name")[:CANDIDATES_SHOWN]
    )


def _posted_people(request: HttpRequest) -> list[Person]:
    keys = []
    for value in request.POST.getlist("participants")[:CANDIDATES_SHOWN]:
        try:
            keys.append(uuid_module.UUID(value))
        except ValueError:
            continue
    return list(Person.objects.filter(uuid__in=keys, anonymised_at__isnull=True))


def _merge(*groups: list[Person]) -> list[Person]:
    seen: dict[int, Person] = {}
    for group in groups:
        for person in group:
            seen.setdefault(person.pk, person)
    return list(seen.values())


def _posted_organisation(request: HttpRequest) -> Organisation | None:
    value = request.POST.get("organisation", "").strip()[:220]
    return Organisation.objects.filter(slug=value).first() if value else None


def _prefill(request: HttpRequest) -> tuple[dict[str, Any], list[Person], Any]:
    """Initial values from ``?organisation=<slug>`` or ``?person=<uuid>`` (unknown values are ignored)."""
    user = acting_user(request)
    initial: dict[str, Any] = {
        "occurred_at": timezone.localtime().replace(second=0, microsecond=0),
        "staff": user.pk,
    }
    candidates: list[Person] = []
    about: Any = None
    slug = request.GET.get("organisation", "").strip()[:220]
    person_key = request.GET.get("person", "").strip()
    if person_key:
        try:
            person = Person.objects.visible_to(user).filter(uuid=uuid_module.UUID(person_key)).first()
        except ValueError:
            person = None
        if person is not None and person.anonymised_at is None:
            about = person
            initial["participants"] = [str(person.uuid)]
            affiliation = (
                Affiliation.objects.current()
                .filter(person=person)
                .select_related("organisation")
                .order_by("-is_primary", "organisation__name")
                .first()
            )
            if affiliation is not None and not slug:
                slug = affiliation.organisation.slug
            candidates.append(person)
    if slug:
        organisation = Organisation.objects.visible_to(user).filter(slug=slug).first()
        if organisation is not None:
            about = about or organisation
            initial["organisation"] = organisation.slug
            candidates = _merge(candidates, _people_of(organisation))
    return initial, candidates, about


@office_view
def interaction_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if request.method == "POST":
        candidates = _merge(_posted_people(request), _people_of(_posted_organisation(request)))
        form = InteractionForm(request.POST, user=user, candidates=candidates)
        if form.is_valid():
            try:
                interaction = services.record_interaction(user=user, data=form.to_data())
            except ValidationError as error:
                add_interaction_errors(form, error)
            else:
                messages.success(request, _("The interaction was recorded."))
                return redirect(interaction.get_absolute_url())
        about = None
    else:
        initial, candidates, about = _prefill(request)
        form = InteractionForm(initial=initial, user=user, candidates=candidates)
    context = {
        "form": form,
        "about": about,
        "crumbs": _crumbs((_("Record an interaction"), None)),
    }
    return render(request, "actors/interaction_form.html", context)


@office_view
def interaction_edit(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    user = acting_user(request)
    interaction = _get_interaction(request, uuid)
    current = list(interaction.participants.all())
    if request.method == "POST":
        candidates = _merge(current, _posted_people(request), _people_of(_posted_organisation(request)))
        form = InteractionForm(
            request.POST,
            user=user,
            candidates=candidates,
            with_follow_up=False,
            current_staff=interaction.staff,
        )
        if form.is_valid():
            try:
                services.update_interaction(user=user, interaction=interaction, data=form.to_data())
            except ValidationError as error:
                add_interaction_errors(form, error)
            else:
                messages.success(request, _("The interaction was saved."))
                return redirect(interaction.get_absolute_url())
    else:
        candidates = _merge(current, _people_of(interaction.organisation))
        form = InteractionForm(
            initial=InteractionForm.initial_from(interaction),
            user=user,
            candidates=candidates,
            with_follow_up=False,
            current_staff=interaction.staff,
        )
    context = {
        "form": form,
        "interaction": interaction,
        "crumbs": _crumbs(
            (interaction.subject, interaction.get_absolute_url()),
            (_("Edit"), None),
        ),
    }
    return render(request, "actors/interaction_form.html", context)


@office_view
def interaction_detail(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    interaction = get_visible_or_404(
        Interaction,
        acting_user(request),
        uuid=uuid,
        select_related=("staff", "organisation", "lab", "measure__lab"),
    )
    return _render_detail(request, interaction, FollowUpForm(user=acting_user(request)))


def _detail_context(request: HttpRequest, interaction: Interaction, form: FollowUpForm) -> dict[str, Any]:
    return {
        "interaction": interaction,
        "participants": list(
            interaction.participants.only("uuid", "first_name", "last_name", "anonymised_at")
        ),
        "follow_ups": list(
            FollowUp.objects.filter(interaction=interaction)
            .select_related("assignee", "done_by")
            .order_by("id")
        ),
        "follow_up_form": form,
        "crumbs": _crumbs((interaction.subject, None)),
    }


def _render_detail(request: HttpRequest, interaction: Interaction, form: FollowUpForm) -> HttpResponse:
    context = _detail_context(request, interaction, form)
    return render_page(request, "actors/interaction_detail.html", context, partial="follow-ups")


@office_view
def interaction_delete(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    interaction = _get_interaction(request, uuid)
    if request.method == "POST":
        subject = interaction.subject
        services.delete_interaction(user=acting_user(request), interaction=interaction)
        messages.success(request, _("The interaction “%(subject)s” was deleted.") % {"subject": subject})
        return redirect(safe_next(request, reverse("actors:interaction-list")))
    context = {
        "interaction": interaction,
        "follow_up_count": interaction.follow_ups.count(),
        "crumbs": _crumbs((interaction.subject, interaction.get_absolute_url()), (_("Delete"), None)),
    }
    return render(request, "actors/interaction_confirm_delete.html", context)


# Follow-ups -----------------------------------------------------------------------------------------


@office_view
@require_POST
def followup_add(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    user = acting_user(request)
    interaction = _get_interaction(request, uuid)
    form = FollowUpForm(request.POST, user=user)
    if form.is_valid():
        try:
            followup_services.add_follow_up(
                user=user,
                interaction=interaction,
                title=form.cleaned_data["title"],
                due_date=form.cleaned_data["due_date"],
                assignee=form.cleaned_data["assignee"],
            )
        except ValidationError as error:
            add_interaction_errors(form, error)
        else:
            if not is_htmx(request):
                messages.success(request, _("The follow-up was added."))
                return redirect(interaction.get_absolute_url() + "#follow-ups")
            form = FollowUpForm(user=user)
            form.saved = True  # type: ignore[attr-defined]
    return _render_detail(request, interaction, form)


urlpatterns = [
    path("kontakte/", interaction_list, name="interaction-list"),
    path("kontakte/neu/", interaction_create, name="interaction-create"),
    path("kontakte/<uuid:uuid>/", interaction_detail, name="interaction-detail"),
    path("kontakte/<uuid:uuid>/bearbeiten/", interaction_edit, name="interaction-edit"),
    path("kontakte/<uuid:uuid>/loeschen/", interaction_delete, name="interaction-delete"),
    path("kontakte/<uuid:uuid>/aufgaben/", followup_add, name="followup-add"),
]
