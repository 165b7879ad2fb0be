"""The office's event pages: series and events created and edited (with questions), published,
cancelled and deleted; every form error and every refusal changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Portfolio
from reallabor.core.testing.actors import Crm
from reallabor.core.testing.events import EventsWorld, register_person
from reallabor.events.forms.office import format_reminders, parse_reminders
from reallabor.events.models import Event, EventSeries, Question, Registration
from reallabor.events.tests.helpers import snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

REFUSED = ("anonymous", "reader", "partner", "outsider")


def en(portfolio: Portfolio, role: str) -> Client:
    """A client of the role that reads the pages in English (the messages the tests assert)."""
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def event_post(**overrides: Any) -> dict[str, Any]:
    """A complete, valid event form (no questions) as the browser sends it."""
    starts = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=30)
    data: dict[str, Any] = {
        "title": "Handwerksfrühstück im Mai",
        "slug": "",
        "series": "",
        "description": "Wir **frühstücken**.",
        "starts_at": local(starts),
        "ends_at": local(starts + dt.timedelta(hours=2)),
        "host": "",
        "venue_name": "Werkstatt",
        "street": "Hauptstraße 1",
        "postcode": "46236",
        "city": "Bottrop",
        "accessibility_notes": "Stufenloser Zugang",
        "format": "in_person",
        "online_url": "",
        "capacity": "25",
        "reserved_seats": "2",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "change_cutoff_hours": "24",
        "offer_hours": "12",
        "reminders": "2 Tage, 2 Stunden",
        "agenda": "1. Begrüßung",
        "lab": "",
        "organisers": "",
        "visibility": "public",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "20",
    }
    data.update(overrides)
    return data


def with_questions(data: dict[str, Any], questions: list[dict[str, Any]], initial: int = 0) -> dict[str, Any]:
    data = {**data, "questions-TOTAL_FORMS": str(len(questions)), "questions-INITIAL_FORMS": str(initial)}
    for index, question in enumerate(questions):
        for key, value in question.items():
            data[f"questions-{index}-{key}"] = value
    return data


# Reminders as text ------------------------------------------------------------------------------


def test_reminders_are_read_from_german_and_english_text() -> None:
    assert parse_reminders("2 Tage, 2 Stunden") == [2880, 120]
    assert parse_reminders("1 day; 30 min") == [1440, 30]
    assert parse_reminders("3h, 1 Tag") == [180, 1440]
    assert parse_reminders("") == []
    with pytest.raises(ValidationError) as error:
        parse_reminders("2 Tage, bald")
    assert "“bald” is not a time before the start" in error.value.messages[0]


def test_reminders_are_written_back_as_text() -> None:
    assert format_reminders([120, 2880]) == "2 days, 2 hours"
    assert format_reminders([1440, 90, 1]) == "1 day, 90 minutes, 1 minute"
    assert parse_reminders(format_reminders([2880, 120, 45])) == [2880, 120, 45]
    assert format_reminders([]) == ""


# Creating and editing ---------------------------------------------------------------------------


def test_the_coordinator_creates_an_event_with_questions(
    portfolio: Portfolio, crm: Crm, events_portfolio: EventsWorld
) -> None:
    measure = portfolio.handwerk.measures.order_by("position").first()
    assert measure is not None
    data = with_questions(
        event_post(
            series=events_portfolio.series.slug,
            lab=portfolio.handwerk.slug,
            measures=[str(measure.pk)],
            host=crm.tischlerei.slug,
            organisers=crm.tischlerei.name,
        ),
        [
            {"label": "Ernährung", "kind": "choice", "choices": "vegan\nalles", "ORDER": "2"},
            {"label": "Parkplatz nötig?", "kind": "yes_no", "required": "on", "ORDER": "1"},
        ],
    )
    response = en(portfolio, "coordinator").post(reverse("events:event-create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(title="Handwerksfrühstück im Mai")
    assert response["Location"] == reverse("events:event-edit", kwargs={"slug": event.slug})
    assert event.status == Event.Status.DRAFT
    assert event.slug.startswith("handwerksfruehstueck-im-mai-")
    assert event.reminder_offsets == [2880, 120]
    assert (event.capacity, event.reserved_seats, event.offer_hours) == (25, 2, 12)
    assert event.lab == portfolio.handwerk
    assert event.series == events_portfolio.series
    assert event.host == crm.tischlerei
    assert list(event.measures.all()) == [measure]
    assert list(event.organisers.all()) == [crm.tischlerei]
    questions = list(event.questions.all())
    assert [(q.label, q.kind, q.required, q.choices) for q in questions] == [
        ("Parkplatz nötig?", "yes_no", True, []),
        ("Ernährung", "choice", False, ["vegan", "alles"]),
    ]
    page = en(portfolio, "coordinator").get(response["Location"]).content.decode()
    assert "2 days, 2 hours" in page
    assert "Ernährung" in page


def test_editing_removes_and_reorders_questions(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    event = events_portfolio.crafts_draft
    client = en(portfolio, "coordinator")
    url = reverse("events:event-edit", kwargs={"slug": event.slug})
    first = with_questions(
        event_post(title=event.title, lab=portfolio.handwerk.slug),
        [{"label": "A", "kind": "text", "ORDER": "1"}, {"label": "B", "kind": "text", "ORDER": "2"}],
    )
    assert client.post(url, first).status_code == 302
    a, b = event.questions.all()
    second = with_questions(
        event_post(title=event.title, lab=portfolio.handwerk.slug),
        [
            {"id": str(a.pk), "label": "A", "kind": "text", "ORDER": "2", "DELETE": "on"},
            {"id": str(b.pk), "label": "B2", "kind": "text", "ORDER": "1"},
            {"label": "C", "kind": "text", "ORDER": "3"},
        ],
        initial=2,
    )
    response = client.post(url, {**second, "expected_revision": Event.objects.get(pk=event.pk).revision})
    assert response.status_code == 302
    assert [(q.pk == b.pk, q.label) for q in event.questions.all()] == [(True, "B2"), (False, "C")]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"format": "online"}, "online_url", "Give the link for taking part online."),
        ({"online_url": "kein-link", "format": "hybrid"}, "online_url", "Enter a complete web address"),
        ({"postcode": "462"}, "postcode", "Enter a German postcode of five digits"),
        ({"reminders": "morgen früh"}, "reminders", "is not a time before the start"),
        ({"reminders": "1 Tag, 2 Tage, 3 Tage, 4 Tage, 5 Tage, 6 Tage"}, "reminders", "At most 5 reminders."),
        ({"host": "Gibt es nicht GmbH"}, "host", "There is no organisation “Gibt es nicht GmbH”"),
        ({"organisers": "Gibt es nicht GmbH"}, "organisers", "There is no organisation “Gibt es nicht GmbH”"),
        ({"reserved_seats": "30"}, "reserved_seats", "more seats for organisers than the capacity"),
        ({"capacity": "0"}, "capacity", "greater than or equal to 1"),
        ({"slug": "verwaltung"}, "slug", "“verwaltung” is reserved"),
        ({"slug": "neu"}, "slug", "“neu” is reserved"),
        ({"registration_closes_at": "2000-01-01T10:00"}, "registration_closes_at", ""),
        ({"starts_at": "gestern"}, "starts_at", "Enter a valid date/time."),
        ({"lab": "gibt-es-nicht"}, "lab", "There is no lab “gibt-es-nicht”"),
    ],
)
def test_form_errors_name_the_field_and_change_nothing(
    portfolio: Portfolio, events_portfolio: EventsWorld, overrides: dict[str, str], field: str, message: str
) -> None:
    before = snapshot()
    data = event_post(**overrides)
    if field == "registration_closes_at":
        data["registration_opens_at"] = data["starts_at"]
        message = "Registration must close after it opens."
    if "lab" not in overrides:
        data["lab"] = portfolio.handwerk.slug
    response = en(portfolio, "coordinator").post(reverse("events:event-create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field]), errors
    assert snapshot() == before


def test_ends_before_start_is_refused_on_the_end(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    data = event_post(lab=portfolio.handwerk.slug)
    data["ends_at"], data["starts_at"] = data["starts_at"], data["ends_at"]
    before = snapshot()
    response = en(portfolio, "coordinator").post(reverse("events:event-create"), data)
    assert response.context["form"].errors["ends_at"] == ["The end must not be before the start."]
    assert snapshot() == before


def test_a_bad_question_is_shown_on_its_form(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    data = with_questions(
        event_post(lab=portfolio.handwerk.slug),
        [{"label": "Welche?", "kind": "choice", "choices": "", "ORDER": "1"}],
    )
    before = snapshot()
    response = en(portfolio, "coordinator").post(reverse("events:event-create"), data)
    assert response.status_code == 200
    assert response.context["questions"].forms[0].errors == {"choices": ["Give the choices as a list."]}
    assert "Give the choices as a list." in response.content.decode()
    assert snapshot() == before


def test_capacity_below_the_seats_taken_shows_the_services_message(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    event = events_portfolio.fruehstueck  # anna and clara hold seats
    data = event_post(
        title=event.title,
        starts_at=local(event.starts_at),
        ends_at=local(event.ends_at),
        lab=portfolio.handwerk.slug,
        series=events_portfolio.series.slug,
        capacity="1",
        reserved_seats="0",
    )
    data.update(
        with_questions(
            data,
            [
                {
                    "id": str(q.pk),
                    "label": q.label,
                    "kind": q.kind,
                    "choices": "\n".join(q.choices),
                    "ORDER": "1",
                }
                for q in event.questions.all()
            ],
            initial=1,
        )
    )
    before = snapshot()
    response = en(portfolio, "coordinator").post(
        reverse("events:event-edit", kwargs={"slug": event.slug}), data
    )
    assert response.status_code == 200
    assert response.context["form"].errors["capacity"] == ["2 seats are taken; the capacity cannot be lower."]
    assert snapshot() == before


def test_a_stale_edit_is_refused(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    event = events_portfolio.crafts_draft
    data = {
        **event_post(title="Neu", lab=portfolio.handwerk.slug),
        "expected_revision": str(event.revision - 1),
    }
    before = snapshot()
    response = en(portfolio, "coordinator").post(
        reverse("events:event-edit", kwargs={"slug": event.slug}), data
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert snapshot() == before


@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_cannot_create_or_edit_events(
    portfolio: Portfolio, events_portfolio: EventsWorld, role: str
) -> None:
    before = snapshot()
    client = en(portfolio, role)
    assert client.post(reverse("events:event-create"), event_post()).status_code in (302, 403)
    url = reverse("events:event-edit", kwargs={"slug": events_portfolio.crafts_draft.slug})
    assert client.post(url, event_post(title="Gekapert")).status_code in (302, 403)
    assert snapshot() == before


def test_the_coordinator_cannot_edit_another_labs_event(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    before = snapshot()
    url = reverse("events:event-edit", kwargs={"slug": events_portfolio.trade_draft.slug})
    assert en(portfolio, "coordinator").post(url, event_post(title="Gekapert")).status_code == 403
    assert snapshot() == before


def test_the_coordinator_cannot_create_for_another_lab(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    before = snapshot()
    response = en(portfolio, "coordinator").post(
        reverse("events:event-create"), event_post(lab=portfolio.handel.slug)
    )
    assert response.status_code == 200
    assert "lab" in response.context["form"].errors
    assert snapshot() == before


# The list ---------------------------------------------------------------------------------------


def test_the_office_list_shows_the_drafts_the_user_manages(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    page = en(portfolio, "coordinator").get(reverse("events:event-office-list")).content.decode()
    assert events_portfolio.crafts_draft.title in page
    assert events_portfolio.office_event.title in page
    assert events_portfolio.trade_draft.title not in page
    admin_page = en(portfolio, "administrator").get(reverse("events:event-office-list")).content.decode()
    assert events_portfolio.trade_draft.title in admin_page


# Publish, cancel, delete ------------------------------------------------------------------------


def test_publishing_a_draft(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    event = events_portfolio.crafts_draft
    response = en(portfolio, "coordinator").post(reverse("events:event-publish", kwargs={"slug": event.slug}))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert event.published_at is not None


@pytest.mark.parametrize("role", [*REFUSED, "coordinator-other-lab"])
def test_publishing_is_refused_to_others(
    portfolio: Portfolio, events_portfolio: EventsWorld, role: str
) -> None:
    event = events_portfolio.trade_draft if role == "coordinator-other-lab" else events_portfolio.crafts_draft
    client = en(portfolio, "coordinator" if role == "coordinator-other-lab" else role)
    before = snapshot()
    response = client.post(reverse("events:event-publish", kwargs={"slug": event.slug}))
    assert response.status_code in (302, 403, 404)
    if role == "anonymous":
        assert "/login" in response["Location"] or "anmelden" in response["Location"]
    assert snapshot() == before


def test_a_cancelled_event_cannot_be_published(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    event = events_portfolio.fruehstueck
    client = en(portfolio, "coordinator")
    client.post(reverse("events:event-cancel", kwargs={"slug": event.slug}))
    before = snapshot()
    response = client.post(reverse("events:event-publish", kwargs={"slug": event.slug}), follow=True)
    assert "A cancelled event cannot be published again." in response.content.decode()
    assert snapshot() == before


def test_cancelling_says_how_many_are_told_and_cancels(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    event = events_portfolio.fruehstueck
    register_person(event)  # the third seat
    register_person(event)  # waiting
    client = en(portfolio, "coordinator")
    url = reverse("events:event-cancel", kwargs={"slug": event.slug})
    page = client.get(url).content.decode()
    assert "4 participants (registered, offered a seat or waiting) will be told by e-mail." in page
    assert client.post(url).status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert event.registrations.filter(status=Registration.Status.REGISTERED).count() == 3  # kept as they were


@pytest.mark.parametrize("role", REFUSED)
def test_cancelling_and_deleting_are_refused_to_others(
    portfolio: Portfolio, events_portfolio: EventsWorld, role: str
) -> None:
    before = snapshot()
    client = en(portfolio, role)
    for name, event in (
        ("events:event-cancel", events_portfolio.fruehstueck),
        ("events:event-delete", events_portfolio.crafts_draft),
    ):
        assert client.post(reverse(name, kwargs={"slug": event.slug})).status_code in (302, 403)
    assert snapshot() == before


def test_an_event_with_registrations_is_not_deleted(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    event = events_portfolio.fruehstueck
    client = en(portfolio, "coordinator")
    url = reverse("events:event-delete", kwargs={"slug": event.slug})
    assert (
        "2 people have registered for this event: it cannot be deleted." in client.get(url).content.decode()
    )
    before = snapshot()
    response = client.post(url, follow=True)
    assert "cancel it instead of deleting it" in response.content.decode()
    assert snapshot() == before


def test_a_draft_without_registrations_is_deleted(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    event = events_portfolio.crafts_draft
    response = en(portfolio, "coordinator").post(reverse("events:event-delete", kwargs={"slug": event.slug}))
    assert response["Location"] == reverse("events:event-office-list")
    assert not Event.objects.filter(pk=event.pk).exists()


# Series -----------------------------------------------------------------------------------------


def test_series_are_created_and_edited(portfolio: Portfolio, crm: Crm, events_portfolio: EventsWorld) -> None:
    client = en(portfolio, "coordinator")
    data = {
        "title": "Digitalisierungsausbau in Unternehmen",
        "slug": "",
        "description": "Eine Reihe",
        "lab": portfolio.handwerk.slug,
        "organisers": f"{crm.tischlerei.slug}\n",
        "is_public": "on",
    }
    assert client.post(reverse("events:series-create"), data).status_code == 302
    series = EventSeries.objects.get(title=data["title"])
    assert series.slug == "digitalisierungsausbau-in-unternehmen"
    assert list(series.organisers.all()) == [crm.tischlerei]
    assert series.is_public
    url = reverse("events:series-edit", kwargs={"slug": series.slug})
    response = client.post(
        url, {**data, "title": "Digitalisierung", "is_public": "", "expected_revision": series.revision}
    )
    assert response.status_code == 302
    series.refresh_from_db()
    assert (series.title, series.is_public) == ("Digitalisierung", False)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"slug": "neu"}, "slug", "“neu” is reserved"),
        ({"organisers": "Niemand AG"}, "organisers", "There is no organisation “Niemand AG”"),
    ],
)
def test_series_form_errors(
    portfolio: Portfolio, events_portfolio: EventsWorld, overrides: dict[str, str], field: str, message: str
) -> None:
    data = {
        "title": "Reihe",
        "slug": "",
        "description": "",
        "lab": portfolio.handwerk.slug,
        "organisers": "",
        "is_public": "on",
    }
    data.update(overrides)
    before = snapshot()
    response = en(portfolio, "coordinator").post(reverse("events:series-create"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert snapshot() == before


@pytest.mark.parametrize("role", REFUSED)
def test_series_writes_are_refused_to_others(
    portfolio: Portfolio, events_portfolio: EventsWorld, role: str
) -> None:
    before = snapshot()
    client = en(portfolio, role)
    data = {"title": "Gekapert", "is_public": "on"}
    assert client.post(reverse("events:series-create"), data).status_code in (302, 403)
    url = reverse("events:series-edit", kwargs={"slug": events_portfolio.series.slug})
    assert client.post(url, data).status_code in (302, 403)
    assert snapshot() == before


def test_the_question_kinds_are_offered(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    page = en(portfolio, "coordinator").get(reverse("events:event-create")).content.decode()
    for value in Question.Kind.values:
        assert f'value="{value}"' in page
