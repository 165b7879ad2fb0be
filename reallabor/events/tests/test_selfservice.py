"""The personal links (views.selfservice): seeing, changing and cancelling a registration,
confirming the address, answering an offer, the feedback; damaged and expired links."""

from __future__ import annotations

import datetime as dt
import time
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Portfolio
from reallabor.core.testing.events import EventsWorld, make_event, make_registration, register_person
from reallabor.events.models import Event, Feedback, Registration
from reallabor.events.services import registrations as registration_services
from reallabor.events.services.tokens import Purpose, registration_token
from reallabor.events.tests.helpers import snapshot

pytestmark = pytest.mark.django_db

NAMES = {
    Purpose.MANAGE: "events:registration-manage",
    Purpose.CONFIRM: "events:registration-confirm",
    Purpose.ACCEPT_OFFER: "events:registration-accept",
    Purpose.DECLINE_OFFER: "events:registration-decline",
    Purpose.FEEDBACK: "events:registration-feedback",
}


def client_for(portfolio: Portfolio, role: str = "anonymous") -> Client:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def link(registration: Registration, purpose: Purpose = Purpose.MANAGE, name: str | None = None) -> str:
    return reverse(name or NAMES[purpose], kwargs={"token": registration_token(registration, purpose)})


def cancel_link(registration: Registration) -> str:
    return link(registration, Purpose.MANAGE, "events:registration-cancel")


def offered(event: Event) -> tuple[Registration, Registration]:
    """``first`` cancelled its seat, ``second`` (waiting) was offered it."""
    first = register_person(event)
    second = register_person(event)
    registration_services.cancel_registration(user=None, registration=first)
    second.refresh_from_db()
    assert second.status == Registration.Status.OFFERED
    return first, second


def set_start(event: Event, starts: dt.datetime) -> Event:
    Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    return Event.objects.get(pk=event.pk)


# The registration page -----------------------------------------------------------------------------


def test_manage_page_shows_the_registration(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    anna = events_portfolio.anna
    token = registration_token(anna, Purpose.MANAGE)
    response = client_for(portfolio).get(reverse("events:registration-manage", kwargs={"token": token}))
    assert response.status_code == 200
    page = response.content.decode()
    assert anna.name in page
    assert anna.code in page
    assert "<svg" in page  # the QR code for the check-in
    assert events_portfolio.fruehstueck.title in page
    assert "registered" in page
    assert reverse("events:registration-ics", kwargs={"token": token}) in page
    assert 'content="noindex"' in page


def test_waiting_list_position(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    event = make_event(title="Kleine Runde", capacity=1)
    register_person(event)
    register_person(event)
    third = register_person(event)
    assert third.status == Registration.Status.WAITING
    page = client_for(portfolio).get(link(third)).content.decode()
    assert "Place 2 on the waiting list" in page
    assert "<svg" not in page  # no ticket without a seat


def test_registration_ics_has_the_personal_details(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    anna = events_portfolio.anna
    response = client_for(portfolio).get(link(anna, name="events:registration-ics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert anna.code in response.content.decode()


def test_changing_the_details(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    anna = events_portfolio.anna
    question = events_portfolio.fruehstueck.questions.get()
    client = client_for(portfolio)
    response = client.post(
        link(anna),
        {
            "first_name": "Anna",
            "last_name": "Schreiner-Holz",
            "organisation_name": "Holzwerk",
            f"answer_{question.pk}": "vegan",
        },
    )
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.last_name == "Schreiner-Holz"
    assert anna.organisation_name == "Holzwerk"
    assert anna.answers == {str(question.pk): "vegan"}
    page = client.get(response["Location"]).content.decode()
    assert "Your changes have been saved." in page


def test_bad_changes_name_the_field_and_change_nothing(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    anna = events_portfolio.anna
    question = events_portfolio.fruehstueck.questions.get()
    before = snapshot()
    response = client_for(portfolio).post(
        link(anna), {"first_name": "", "last_name": "x" * 300, f"answer_{question.pk}": "Kuchen"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_first_name_error"' in page
    assert 'id="id_last_name_error"' in page
    assert "Kuchen is not one of the available choices" in page
    assert snapshot() == before


def test_changes_after_the_cutoff_are_refused(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    event = set_start(events_portfolio.fruehstueck, timezone.now() + dt.timedelta(hours=3))
    anna = Registration.objects.get(pk=events_portfolio.anna.pk)
    page = client_for(portfolio).get(link(anna)).content.decode()
    assert "Changes and cancellations were possible until" in page
    assert "/absagen/" not in page
    before = snapshot()
    response = client_for(portfolio).post(link(anna), {"first_name": "Anna", "last_name": "Anders"})
    assert response.status_code == 409
    assert snapshot() == before
    response = client_for(portfolio).post(cancel_link(anna))
    assert response.status_code == 409
    assert "Changes and cancellations were possible until" in response.content.decode()
    assert snapshot() == before
    assert event.pk == anna.event_id


# Cancelling ----------------------------------------------------------------------------------------


def test_cancel_asks_first_and_then_passes_the_seat_on(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    event = events_portfolio.fruehstueck
    third = register_person(event)
    waiting = register_person(event)
    assert waiting.status == Registration.Status.WAITING
    client = client_for(portfolio)
    before = snapshot()
    response = client.get(cancel_link(third))
    assert response.status_code == 200
    assert "Yes, cancel my registration" in response.content.decode()
    assert snapshot() == before  # GET never changes anything
    response = client.post(cancel_link(third))
    assert response.status_code == 302
    third.refresh_from_db()
    waiting.refresh_from_db()
    assert third.status == Registration.Status.CANCELLED
    assert waiting.status == Registration.Status.OFFERED
    page = client.get(response["Location"]).content.decode()
    assert "Your registration has been cancelled." in page
    # Cancelling again changes nothing and says why.
    before = snapshot()
    again = client.post(cancel_link(third))
    assert again.status_code == 409
    assert "no longer active" in again.content.decode()
    assert snapshot() == before


# Confirming, offers --------------------------------------------------------------------------------


def test_confirming_the_address(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    registration = register_person(events_portfolio.office_event, confirmed=False)
    assert not registration.is_confirmed
    url = link(registration, Purpose.CONFIRM)
    client = client_for(portfolio)
    before = snapshot()
    response = client.get(url)
    assert response.status_code == 200 and "Confirm my address" in response.content.decode()
    assert snapshot() == before
    response = client.post(url)
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.is_confirmed
    assert response["Location"].startswith("/anmeldung/")
    assert "Thank you: your e-mail address is confirmed." in client.get(response["Location"]).content.decode()
    # The link again: fine, nothing to do.
    again = client.get(url)
    assert again.status_code == 200 and "Your e-mail address is confirmed." in again.content.decode()


def test_lapsed_registration_cannot_be_confirmed(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    registration = register_person(events_portfolio.office_event, confirmed=False)
    Registration.objects.filter(pk=registration.pk).update(status=Registration.Status.LAPSED)
    before = snapshot()
    response = client_for(portfolio).post(link(registration, Purpose.CONFIRM))
    assert response.status_code == 409
    assert "lapsed" in response.content.decode()
    assert snapshot() == before


def test_accepting_an_offer(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    _first, second = offered(make_event(title="Kleine Runde", capacity=1))
    url = link(second, Purpose.ACCEPT_OFFER)
    client = client_for(portfolio)
    before = snapshot()
    assert client.get(url).status_code == 200
    assert snapshot() == before
    page = client.get(link(second)).content.decode()
    assert "A seat is free for you" in page
    response = client.post(url)
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == Registration.Status.REGISTERED


def test_declining_an_offer(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    _first, second = offered(make_event(title="Kleine Runde", capacity=1))
    url = link(second, Purpose.DECLINE_OFFER)
    before = snapshot()
    assert client_for(portfolio).get(url).status_code == 200
    assert snapshot() == before
    response = client_for(portfolio).post(url)
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == Registration.Status.DECLINED
    # Accepting afterwards: the offer is closed.
    before = snapshot()
    late = client_for(portfolio).post(link(second, Purpose.ACCEPT_OFFER))
    assert late.status_code == 409
    assert "This offer is no longer open" in late.content.decode()
    assert snapshot() == before


def test_expired_offer_is_refused(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    _first, second = offered(make_event(title="Kleine Runde", capacity=1))
    Registration.objects.filter(pk=second.pk).update(
        offer_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    before = snapshot()
    response = client_for(portfolio).post(link(second, Purpose.ACCEPT_OFFER))
    assert response.status_code == 409
    assert "This offer expired on" in response.content.decode()
    assert snapshot() == before


# Feedback ------------------------------------------------------------------------------------------


def _attended(portfolio: Portfolio) -> Registration:
    event = make_event(title="Vergangenes Frühstück")
    event = set_start(event, timezone.now() - dt.timedelta(days=1))
    return make_registration(event, checked_in_at=event.starts_at)


def test_feedback_after_the_event(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    registration = _attended(portfolio)
    url = link(registration, Purpose.FEEDBACK)
    client = client_for(portfolio)
    assert client.get(url).status_code == 200
    page = client.get(link(registration)).content.decode()
    assert "/rueckmeldung/" in page  # the registration page links the feedback
    response = client.post(url, {"rating": "4", "text": "Gute Gespräche", "next_topic": "KI im Handwerk"})
    assert response.status_code == 200
    assert "Thank you for your feedback" in response.content.decode()
    feedback = Feedback.objects.get(registration=registration)
    assert (feedback.rating, feedback.text, feedback.next_topic) == (4, "Gute Gespräche", "KI im Handwerk")
    again = client.get(url).content.decode()
    assert "KI im Handwerk" in again  # changing it shows what was given
    client.post(url, {"rating": "5"})
    feedback.refresh_from_db()
    assert feedback.rating == 5 and Feedback.objects.count() == 1


@pytest.mark.parametrize("rating", ["", "0", "6", "gut"])
def test_bad_feedback_names_the_rating(
    portfolio: Portfolio, events_portfolio: EventsWorld, rating: str
) -> None:
    registration = _attended(portfolio)
    before = snapshot()
    response = client_for(portfolio).post(link(registration, Purpose.FEEDBACK), {"rating": rating})
    assert response.status_code == 400
    assert 'id="id_rating"' in response.content.decode() and 'class="error"' in response.content.decode()
    assert snapshot() == before


def test_feedback_only_from_attendees_after_the_start(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    anna = events_portfolio.anna  # the event is in two weeks
    before = snapshot()
    response = client_for(portfolio).post(link(anna, Purpose.FEEDBACK), {"rating": "5"})
    assert response.status_code == 409
    assert "Feedback opens when the event begins." in response.content.decode()
    absent = make_registration(set_start(make_event(title="Gestern"), timezone.now() - dt.timedelta(days=1)))
    before = snapshot()
    response = client_for(portfolio).post(link(absent, Purpose.FEEDBACK), {"rating": "5"})
    assert response.status_code == 409
    assert "Only participants who were at the event can give feedback." in response.content.decode()
    assert snapshot() == before


# Links that do not work ----------------------------------------------------------------------------


@pytest.mark.parametrize("purpose", list(Purpose))
def test_damaged_link(portfolio: Portfolio, events_portfolio: EventsWorld, purpose: Purpose) -> None:
    token = registration_token(events_portfolio.anna, purpose)
    damaged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for method in ("get", "post"):
        before = snapshot()
        response = getattr(client_for(portfolio), method)(reverse(NAMES[purpose], kwargs={"token": damaged}))
        assert response.status_code == 400
        page = response.content.decode()
        assert "This link is damaged" in page
        assert "Copy the complete link" in page
        assert snapshot() == before


def test_link_for_another_purpose_is_damaged(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    token = registration_token(events_portfolio.anna, Purpose.CONFIRM)
    response = client_for(portfolio).get(reverse("events:registration-manage", kwargs={"token": token}))
    assert response.status_code == 400


def test_expired_link(
    portfolio: Portfolio, events_portfolio: EventsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_ago = time.time() - 60 * 60 * 24 * 40  # confirmation links live 30 days
    monkeypatch.setattr(time, "time", lambda: long_ago)  # the clock django.core.signing reads
    token = registration_token(events_portfolio.anna, Purpose.CONFIRM)
    monkeypatch.undo()
    response = client_for(portfolio).get(reverse("events:registration-confirm", kwargs={"token": token}))
    assert response.status_code == 410
    assert "This link has expired." in response.content.decode()


def test_link_of_a_removed_registration_is_gone(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    registration = register_person(events_portfolio.office_event)
    url = link(registration)
    Registration.objects.filter(pk=registration.pk).delete()
    response = client_for(portfolio).get(url)
    assert response.status_code == 410
    assert "This registration no longer exists." in response.content.decode()


@given(token=st.text(min_size=1, max_size=300))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_garbage_tokens_never_break_the_pages(portfolio: Portfolio, token: str) -> None:
    client = client_for(portfolio)
    for name in (
        *NAMES.values(),
        "events:registration-cancel",
        "events:registration-ics",
        "events:invitation",
    ):
        base = reverse(name, kwargs={"token": "TOKEN"})
        url = base.replace("TOKEN", quote(token, safe=""))
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in {400, 404, 405, 410}, (name, token, response.status_code)


def test_signed_in_users_use_the_link_as_the_participant(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    """The link is the key: a signed-in outsider holding it acts as the participant (no 403)."""
    registration = register_person(events_portfolio.office_event)
    response = client_for(portfolio, "outsider").post(cancel_link(registration))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
