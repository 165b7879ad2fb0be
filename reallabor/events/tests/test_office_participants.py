"""The participants page: the lists and counts, registering and cancelling on someone's behalf,
inviting a segment; refusals change nothing; the number of queries does not grow."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import Portfolio
from reallabor.actors.models import Person
from reallabor.core.testing.actors import Crm
from reallabor.core.testing.events import EventsWorld, make_event, make_registration, register_person
from reallabor.events.models import Event, Invitation, Registration
from reallabor.events.tests.helpers import snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

REFUSED = ("anonymous", "reader", "partner", "outsider")
S = Registration.Status


def en(portfolio: Portfolio, role: str) -> Client:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def participants_url(event: Event) -> str:
    return reverse("events:event-participants", kwargs={"slug": event.slug})


def test_the_page_shows_every_group_and_the_counts(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    event = events_portfolio.fruehstueck
    third = register_person(event, first_name="Dora", last_name="Dritte", organisation_name="Bäckerei <Kurz>")
    first_waiting = register_person(event, first_name="Emil", last_name="Erster")
    register_person(event, first_name="Frida", last_name="Zweite")
    from reallabor.events.services.registrations import cancel_registration

    cancel_registration(user=None, registration=events_portfolio.clara)  # Emil gets an offer
    page = en(portfolio, "coordinator").get(participants_url(event)).content.decode()
    assert "Bäckerei &lt;Kurz&gt;" in page  # escaped
    assert third.email in page
    first_waiting.refresh_from_db()
    assert first_waiting.status == S.OFFERED
    assert "Seat offered (1)" in page
    assert "Waiting list (1)" in page
    assert "Cancelled, declined or lapsed (1)" in page
    assert "Registered (2)" in page
    assert "Checked in</dt><dd>0 / 2" in page


def test_the_waiting_list_is_in_its_order(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    event = events_portfolio.fruehstueck
    register_person(event, last_name="Dritte")
    names = [register_person(event, last_name=f"Wartend {number}").last_name for number in (3, 1, 2)]
    page = en(portfolio, "coordinator").get(participants_url(event)).content.decode()
    waiting = page[page.index("Waiting list (3)") :]
    assert [waiting.index(name) for name in names] == sorted(waiting.index(name) for name in names)


def test_the_number_of_queries_does_not_grow(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    event = make_event(title="Großes Treffen", capacity=None)
    client = en(portfolio, "coordinator")
    client.get(participants_url(event))  # warm the caches
    make_registration(event)
    with CaptureQueriesContext(connection) as few:
        assert client.get(participants_url(event)).status_code == 200
    for number in range(40):
        make_registration(event, status=S.WAITING if number % 4 == 0 else S.REGISTERED, reserved=number == 1)
    with CaptureQueriesContext(connection) as many:
        response = client.get(participants_url(event))
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(few.captured_queries) <= 15


# Registering on someone's behalf ------------------------------------------------------------------


def on_behalf(**overrides: Any) -> dict[str, Any]:
    data = {
        "first_name": "Gerd",
        "last_name": "Gast",
        "email": "gerd@example.org",
        "organisation_name": "Malerbetrieb Gast",
        "organisation": "",
    }
    data.update(overrides)
    return data


def test_staff_register_someone_with_an_organiser_seat(
    portfolio: Portfolio, crm: Crm, events_portfolio: EventsWorld
) -> None:
    event = events_portfolio.fruehstueck
    register_person(event)  # the last free seat
    client = en(portfolio, "coordinator")
    url = reverse("events:participant-add", kwargs={"slug": event.slug})
    response = client.post(url, on_behalf(reserved="on", organisation=crm.tischlerei.slug), follow=True)
    assert "Gerd Gast is registered." in response.content.decode()
    registration = Registration.objects.get(event=event, email="gerd@example.org")
    assert (registration.status, registration.reserved, registration.source) == (S.REGISTERED, True, "staff")
    assert registration.organisation == crm.tischlerei
    assert registration.is_confirmed
    other = client.post(url, on_behalf(email="hanna@example.org", last_name="Hanna"), follow=True)
    assert "Gerd Hanna is on the waiting list." in other.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "kein-at"}, "email", "Enter a valid email address."),
        ({"last_name": ""}, "last_name", "This field is required."),
        ({"first_name": ""}, "first_name", "This field is required."),
        ({"organisation": "Niemand AG"}, "organisation", "There is no organisation “Niemand AG”"),
        ({"email": "ANNA@example.org"}, "email", "is already registered with this e-mail address."),
    ],
)
def test_registering_on_behalf_form_errors(
    portfolio: Portfolio,
    crm: Crm,
    events_portfolio: EventsWorld,
    overrides: dict[str, str],
    field: str,
    message: str,
) -> None:
    event = events_portfolio.fruehstueck
    if "ANNA" in overrides.get("email", ""):
        overrides = {"email": crm.anna.email.upper()}
    before = snapshot()
    response = en(portfolio, "coordinator").post(
        reverse("events:participant-add", kwargs={"slug": event.slug}), on_behalf(**overrides)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert snapshot() == before


def test_registering_for_a_cancelled_event_is_refused(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    event = events_portfolio.fruehstueck
    client = en(portfolio, "coordinator")
    client.post(reverse("events:event-cancel", kwargs={"slug": event.slug}))
    before = snapshot()
    response = client.post(reverse("events:participant-add", kwargs={"slug": event.slug}), on_behalf())
    assert response.status_code == 200
    assert "This event has been cancelled." in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("role", [*REFUSED, "coordinator-other-lab"])
def test_participant_writes_are_refused_to_others(
    portfolio: Portfolio, crm: Crm, events_portfolio: EventsWorld, role: str
) -> None:
    other_lab = role == "coordinator-other-lab"
    client = en(portfolio, "coordinator" if other_lab else role)
    event = events_portfolio.trade_invitation if other_lab else events_portfolio.fruehstueck
    registration = (
        register_person(event, user=portfolio.users["administrator"]) if other_lab else events_portfolio.anna
    )
    before = snapshot()
    urls = [
        (reverse("events:participant-add", kwargs={"slug": event.slug}), on_behalf()),
        (reverse("events:participant-cancel", kwargs={"slug": event.slug, "uuid": registration.uuid}), {}),
        (reverse("events:event-invite", kwargs={"slug": event.slug}), {"segment": str(crm.segment.uuid)}),
    ]
    for url, data in urls:
        assert client.post(url, data).status_code in (302, 403)
    assert snapshot() == before


# Cancelling on someone's behalf -----------------------------------------------------------------------


def test_staff_cancel_a_registration_and_the_seat_moves_on(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    event = events_portfolio.fruehstueck
    register_person(event)
    waiting = register_person(event, last_name="Wartet")
    client = en(portfolio, "coordinator")
    url = reverse(
        "events:participant-cancel", kwargs={"slug": event.slug, "uuid": events_portfolio.anna.uuid}
    )
    assert "Cancel the registration of" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "was cancelled" in response.content.decode()
    events_portfolio.anna.refresh_from_db()
    waiting.refresh_from_db()
    assert events_portfolio.anna.status == S.CANCELLED
    assert waiting.status == S.OFFERED
    before = snapshot()
    again = client.post(url, follow=True)  # cancelled already: says so, changes nothing
    assert again.status_code == 200
    assert snapshot() == before


def test_a_registration_of_another_event_is_not_found(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    url = reverse(
        "events:participant-cancel",
        kwargs={"slug": events_portfolio.office_event.slug, "uuid": events_portfolio.anna.uuid},
    )
    before = snapshot()
    assert en(portfolio, "coordinator").post(url).status_code == 404
    assert snapshot() == before


# Invitations -------------------------------------------------------------------------------------------


def test_inviting_a_segment_says_who_was_left_out(
    portfolio: Portfolio, crm: Crm, events_portfolio: EventsWorld
) -> None:
    event = events_portfolio.office_event
    client = en(portfolio, "coordinator")
    url = reverse("events:event-invite", kwargs={"slug": event.slug})
    response = client.post(url, {"segment": str(crm.segment.uuid)}, follow=True)
    page = response.content.decode()
    assert Invitation.objects.filter(event=event).count() == 1
    assert Invitation.objects.get(event=event).person == crm.anna
    assert "1 person was invited." in page
    assert "1 person of the segment was left out: no consent or no usable e-mail address." in page
    again = client.post(url, {"segment": str(crm.segment.uuid)}, follow=True).content.decode()
    assert "0 people were invited." in again
    assert "1 person had been invited before." in again
    assert Invitation.objects.filter(event=event).count() == 1


def test_inviting_needs_a_known_segment(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    url = reverse("events:event-invite", kwargs={"slug": events_portfolio.office_event.slug})
    before = snapshot()
    for value in ("", "kein-uuid", "00000000-0000-4000-8000-000000000000"):
        response = en(portfolio, "coordinator").post(url, {"segment": value})
        assert response.status_code == 200
        assert response.context["invite_form"].errors["segment"]
    assert snapshot() == before
    assert Person.objects.exists()


def test_inviting_a_segment_whose_criteria_no_longer_hold_names_the_segment(
    portfolio: Portfolio, crm: Crm, events_portfolio: EventsWorld
) -> None:
    """A saved segment naming a need that was since removed: a message on the field, no 500."""
    from reallabor.actors.models import Segment

    Segment.objects.filter(pk=crm.segment.pk).update(
        criteria={"kinds": ["company"], "needs": ["gibt-es-nicht"]}
    )
    url = reverse("events:event-invite", kwargs={"slug": events_portfolio.office_event.slug})
    before = snapshot()
    response = en(portfolio, "coordinator").post(url, {"segment": str(crm.segment.uuid)})
    assert response.status_code == 200
    assert "gibt-es-nicht" in " ".join(response.context["invite_form"].errors["segment"])
    assert snapshot() == before
