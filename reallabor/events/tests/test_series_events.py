"""Series and events: create, edit, publish, cancel, delete; the history; every refusal changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import ROLES, Portfolio
from reallabor.core.exceptions import EditConflict
from reallabor.core.testing.actors import Crm
from reallabor.core.testing.events import EventsWorld, make_event, make_series, register_person
from reallabor.events.models import Event, EventSeries, Question
from reallabor.events.services import events as services
from reallabor.events.services import series as series_services
from reallabor.events.services.notifications import Notice
from reallabor.events.tests.helpers import messages, snapshot
from reallabor.events.tests.test_registrations import notices
from reallabor.history.services import versions_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

START = "2031-03-14T08:00"
END = "2031-03-14T10:00"


def user_of(portfolio: Portfolio, role: str) -> Any:
    return portfolio.users[role] if role != "anonymous" else AnonymousUser()


def event_data(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"title": "Bottroper Handwerksfrühstück", "starts_at": START, "ends_at": END}
    values.update(overrides)
    return values


def test_the_coordinator_creates_an_event_of_their_lab_with_everything(
    portfolio: Portfolio, crm: Crm
) -> None:
    coordinator = user_of(portfolio, "coordinator")
    measure = portfolio.handwerk.measures.first()
    assert measure is not None
    series = make_series(title="Handwerksfrühstück", lab=portfolio.handwerk)
    event = services.create_event(
        user=coordinator,
        data=event_data(
            series=series.slug,
            lab=portfolio.handwerk.slug,
            measures=[measure.slug],
            host=crm.tischlerei.slug,
            organisers=["tischlerei-beispiel", crm.tischlerei],
            capacity="25",
            reserved_seats=2,
            format="hybrid",
            online_url="https://meet.example.org/fruehstueck",
            postcode="46236",
            reminder_offsets=[120, 2880, 120],
            questions=[
                {"label": "Ernährung", "kind": "choice", "choices": ["vegan", "alles"], "required": True}
            ],
        ),
    )
    assert event.slug == "bottroper-handwerksfruehstueck-2031-03-14"
    assert event.status == Event.Status.DRAFT and event.published_at is None
    assert event.starts_at == dt.datetime(2031, 3, 14, 7, 0, tzinfo=dt.UTC)  # Berlin winter time
    assert (event.capacity, event.reserved_seats, event.reminder_offsets) == (25, 2, [2880, 120])
    assert list(event.measures.all()) == [measure]
    assert list(event.organisers.all()) == [crm.tischlerei]
    assert event.created_by == coordinator
    [question] = event.questions.all()
    assert (question.label, question.kind, question.choices, question.required) == (
        "Ernährung",
        "choice",
        ["vegan", "alles"],
        True,
    )
    [version] = versions_of(event)
    assert version.action == "created" and version.data["measures"] == [
        f"{portfolio.handwerk.slug}/{measure.slug}"
    ]
    # The same title on the same day gets another short name.
    assert services.create_event(user=coordinator, data=event_data()).slug.endswith("-2031-03-14-2")


@pytest.mark.parametrize("role", ["anonymous", "reader", "partner", "outsider"])
def test_only_the_office_creates_events_and_series(role: str, portfolio: Portfolio) -> None:
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.create_event(user=user_of(portfolio, role), data=event_data())
    with pytest.raises(PermissionDenied):
        series_services.create_series(user=user_of(portfolio, role), data={"title": "Reihe"})
    assert snapshot() == before


def test_a_coordinator_cannot_create_for_another_lab(portfolio: Portfolio) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.create_event(
            user=user_of(portfolio, "coordinator"), data=event_data(lab=portfolio.handel.slug)
        )
    assert messages(error) == {"lab": ["You may not create events for the lab “Hybride Formen des Handels”."]}
    with pytest.raises(ValidationError):
        series_services.create_series(
            user=user_of(portfolio, "coordinator"), data={"title": "R", "lab": portfolio.handel.slug}
        )
    assert snapshot() == before


def test_bad_input_names_every_field_and_changes_nothing(portfolio: Portfolio) -> None:
    other_measure = portfolio.handel.measures.first()
    assert other_measure is not None
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.create_event(
            user=None,
            data={
                "title": "",
                "starts_at": "morgen",
                "ends_at": END,
                "format": "online",
                "postcode": "4623",
                "capacity": 0,
                "registration_opens_at": "2031-03-10T10:00",
                "registration_closes_at": "2031-03-09T10:00",
                "lab": portfolio.handwerk.slug,
                "measures": [other_measure.slug],
                "reminder_offsets": [-5],
                "questions": [{"label": "", "kind": "quiz"}],
            },
        )
    assert messages(error) == {
        "title": ["Enter the title."],
        "capacity": ["Enter a number from 1 to 100000."],
        "starts_at": ["“morgen” is not a date and time such as 2025-02-18 09:30."],
        "reminder_offsets": ["Enter a number from 1 to 86400."],
        "measures": [
            f"“{other_measure.slug}” is not a measure of the lab “Digitale Koproduktion im Handwerk”."
        ],
        "questions[0].label": ["Enter the question."],
        "questions[0].kind": ["Choose text, choice or yes_no."],
        "registration_closes_at": ["Registration must close after it opens."],
        "postcode": ["Enter a German postcode of five digits, such as 46236."],
        "online_url": ["Give the link for taking part online."],
    }
    with pytest.raises(ValidationError) as error:
        services.create_event(
            user=None, data=event_data(ends_at="2031-03-14T07:00", reserved_seats=3, capacity=2)
        )
    assert messages(error) == {
        "ends_at": ["The end must not be before the start."],
        "reserved_seats": ["There cannot be more seats for organisers than the capacity."],
    }
    with pytest.raises(ValidationError) as error:
        services.create_event(user=None, data=event_data(slug="kalender"))
    assert messages(error) == {"slug": ["“kalender” is reserved; choose another short name."]}
    with pytest.raises(ValidationError) as error:
        services.create_event(user=None, data=event_data(farbe="rot"))
    assert messages(error) == {"farbe": ["Unknown field."]}
    assert snapshot() == before


def test_editing_records_the_changes_and_refuses_a_stale_revision(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    event = events_portfolio.fruehstueck
    revision = event.revision
    updated = services.update_event(
        user=user_of(portfolio, "coordinator"),
        event=event,
        data={"agenda": "1. Begrüßung", "minutes": "Es kamen alle."},
        expected_revision=revision,
    )
    assert updated.revision == revision + 1
    latest = versions_of(updated).first()
    assert latest is not None
    assert {change["field"] for change in latest.changes} == {"agenda", "minutes"}
    before = snapshot()
    with pytest.raises(EditConflict):
        services.update_event(user=None, event=event, data={"agenda": "x"}, expected_revision=revision)
    assert snapshot() == before


def test_questions_keep_their_ids_and_are_removed_when_left_out(events_portfolio: EventsWorld) -> None:
    event = events_portfolio.fruehstueck
    [food] = event.questions.all()
    services.update_event(
        user=None,
        event=event,
        data={
            "questions": [
                {"label": "Parkplatz?", "kind": "yes_no"},
                {"id": food.pk, "label": "Essen", "kind": "text"},
            ]
        },
    )
    parking, kept = event.questions.all()
    assert (parking.label, parking.position) == ("Parkplatz?", 0)
    assert (kept.pk, kept.label, kept.kind, kept.choices, kept.position) == (food.pk, "Essen", "text", [], 1)
    services.update_event(user=None, event=event, data={"questions": [{"id": kept.pk, "label": "Essen"}]})
    assert list(Question.objects.filter(event=event).values_list("pk", flat=True)) == [kept.pk]
    with pytest.raises(ValidationError) as error:
        services.update_event(user=None, event=event, data={"questions": [{"id": 999999, "label": "X"}]})
    assert messages(error) == {"questions[0].id": ["This event has no question 999999."]}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_edit_publish_and_cancel_the_crafts_lab_event(
    role: str, portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    user = user_of(portfolio, role)
    allowed = role in ("coordinator", "administrator")
    for action in (
        lambda: services.update_event(user=user, event=events_portfolio.crafts_draft, data={"agenda": "neu"}),
        lambda: services.publish_event(user=user, event=events_portfolio.crafts_draft),
        lambda: services.cancel_event(user=user, event=events_portfolio.fruehstueck),
    ):
        before = snapshot()
        if allowed:
            action()
            assert snapshot() != before
        else:
            with pytest.raises(PermissionDenied):
                action()
            assert snapshot() == before


def test_the_trade_lab_event_is_not_the_crafts_coordinators(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.update_event(
            user=user_of(portfolio, "coordinator"), event=events_portfolio.trade_draft, data={"agenda": "x"}
        )
    assert snapshot() == before


def test_publishing_lists_the_event_once(events_portfolio: EventsWorld) -> None:
    event = services.publish_event(user=None, event=events_portfolio.crafts_draft)
    assert event.status == Event.Status.PUBLISHED and event.published_at is not None
    published_at = event.published_at
    assert services.publish_event(user=None, event=event).published_at == published_at


def test_cancelling_tells_every_active_registration_and_cannot_be_undone(
    events_portfolio: EventsWorld, django_capture_on_commit_callbacks: Any
) -> None:
    event = events_portfolio.fruehstueck
    waiting = register_person(event, email="w@example.org")
    third = register_person(event, email="t@example.org")
    with django_capture_on_commit_callbacks() as callbacks:
        cancelled = services.cancel_event(user=None, event=event)
    assert cancelled.status == Event.Status.CANCELLED and cancelled.cancelled_at is not None
    told = {events_portfolio.anna.pk, events_portfolio.clara.pk, waiting.pk, third.pk}
    assert [(notice, set(ids)) for notice, ids in notices(callbacks)] == [(Notice.EVENT_CANCELLED, told)]
    assert services.cancel_event(user=None, event=event).cancelled_at == cancelled.cancelled_at
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.publish_event(user=None, event=event)
    assert messages(error) == {"status": ["A cancelled event cannot be published again."]}
    assert snapshot() == before


def test_an_event_that_is_over_cannot_be_cancelled() -> None:
    past = make_event(starts_at=timezone.now() - dt.timedelta(days=2))
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.cancel_event(user=None, event=past)
    assert messages(error) == {"status": ["The event is over; it cannot be cancelled any more."]}
    assert snapshot() == before


def test_only_an_event_without_registrations_is_deleted(events_portfolio: EventsWorld) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.delete_event(user=None, event=events_portfolio.fruehstueck)
    assert messages(error) == {
        "event": ["People have registered for this event; cancel it instead of deleting it."]
    }
    assert snapshot() == before
    draft = events_portfolio.crafts_draft
    services.delete_event(user=None, event=draft)
    assert not Event.objects.filter(pk=draft.pk).exists()
    assert versions_of(draft).first().action == "deleted"  # type: ignore[union-attr]


# Series -------------------------------------------------------------------------------------------


def test_series_are_created_edited_and_recorded(portfolio: Portfolio, crm: Crm) -> None:
    coordinator = user_of(portfolio, "coordinator")
    series = series_services.create_series(
        user=coordinator,
        data={
            "title": "Digitalisierungsausbau in Unternehmen",
            "lab": portfolio.handwerk,
            "organisers": [crm.tischlerei],
        },
    )
    assert series.slug == "digitalisierungsausbau-in-unternehmen" and series.is_public
    assert list(series.organisers.all()) == [crm.tischlerei]
    hidden = series_services.set_series_public(user=coordinator, series=series, public=False)
    assert not hidden.is_public and hidden.revision == 2
    assert [version.action for version in versions_of(series)] == ["changed", "created"]
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        series_services.update_series(
            user=coordinator, series=series, data={"title": " ", "slug": "ein slug"}
        )
    assert messages(error) == {
        "title": ["Enter the title."],
        "slug": ["Use only letters, digits and hyphens."],
    }
    assert snapshot() == before


@pytest.mark.parametrize("role", ["anonymous", "reader", "partner", "outsider"])
def test_others_may_not_change_a_series(
    role: str, portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    before = snapshot()
    with pytest.raises(PermissionDenied):
        series_services.update_series(
            user=user_of(portfolio, role), series=events_portfolio.series, data={"title": "X"}
        )
    with pytest.raises(PermissionDenied):
        series_services.cancel_series(user=user_of(portfolio, role), series=events_portfolio.series)
    assert snapshot() == before


def test_discontinuing_a_series_cancels_its_coming_events_only(events_portfolio: EventsWorld) -> None:
    series = events_portfolio.series
    past = make_event(series=series, starts_at=timezone.now() - dt.timedelta(days=30), title="Früher")
    cancelled = series_services.cancel_series(user=None, series=series)
    assert [event.pk for event in cancelled] == [events_portfolio.fruehstueck.pk]
    past.refresh_from_db()
    assert past.status == Event.Status.PUBLISHED
    assert EventSeries.objects.get(pk=series.pk).title == series.title
