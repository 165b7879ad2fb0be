"""The public pages: the calendar, the event page, the series page, the calendar files and the
invitation link (reallabor/events/views/public.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Portfolio
from reallabor.core.testing.actors import Crm
from reallabor.core.testing.events import EventsWorld, make_event, make_registration, make_series
from reallabor.events.models import Event, Invitation, Registration
from reallabor.events.services import events as event_services
from reallabor.events.services.tokens import invitation_token
from reallabor.labs.models import Measure

pytestmark = pytest.mark.django_db


def client_for(portfolio: Portfolio, role: str = "anonymous") -> Client:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def calendar_url(**query: str) -> str:
    url = reverse("events:calendar")
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def event_url(event: Event) -> str:
    return reverse("events:event-detail", kwargs={"slug": event.slug})


def move_to_past(event: Event, *, days: int = 30) -> Event:
    """An event that took place (written directly: the services refuse to create past events)."""
    starts = timezone.now() - dt.timedelta(days=days)
    Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    event.refresh_from_db()
    return event


# The calendar --------------------------------------------------------------------------------------


def test_calendar_lists_the_public_upcoming_events_by_month(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    response = client_for(portfolio).get(calendar_url())
    assert response.status_code == 200
    page = response.content.decode()
    world = events_portfolio
    assert world.fruehstueck.title in page
    assert world.office_event.title in page
    for hidden in (world.crafts_draft, world.trade_invitation, world.trade_draft):
        assert hidden.title not in page
    month = timezone.localtime(world.fruehstueck.starts_at).strftime("%B %Y")
    assert month in page
    assert reverse("events:series-detail", kwargs={"slug": world.series.slug}) in page
    assert reverse("events:series-feed", kwargs={"slug": world.series.slug}) in page
    assert "1 seat free" in page  # 3 seats, anna and clara hold two


def test_calendar_shows_the_signed_in_what_they_may_see(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    world = events_portfolio
    partner = client_for(portfolio, "partner").get(calendar_url()).content.decode()
    assert world.trade_invitation.title in partner  # listed, by invitation: partners see it
    assert world.trade_draft.title in partner  # their lab's draft
    assert world.crafts_draft.title not in partner
    reader = client_for(portfolio, "reader").get(calendar_url()).content.decode()
    assert world.crafts_draft.title in reader
    assert "Draft" in reader


def test_past_events_are_on_the_second_tab(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    past = move_to_past(make_event(title="Allianz-Treffen im Frühjahr"))
    upcoming = client_for(portfolio).get(calendar_url()).content.decode()
    assert past.title not in upcoming
    response = client_for(portfolio).get(calendar_url(zeitraum="vergangen"))
    assert response.status_code == 200
    page = response.content.decode()
    assert past.title in page
    assert events_portfolio.fruehstueck.title not in page


@pytest.mark.parametrize("query", ["page=0", "page=abc", "page=99999999999", "zeitraum=%00", "page=-1"])
def test_calendar_survives_garbage_in_the_query(
    portfolio: Portfolio, events_portfolio: EventsWorld, query: str
) -> None:
    response = client_for(portfolio).get(f"{reverse('events:calendar')}?{query}")
    assert response.status_code == 200


def _many_events(count: int, crm: Crm) -> None:
    series = make_series(title=f"Reihe mit {count}")
    for number in range(count):
        event = make_event(title=f"Termin {number}", series=series, capacity=5, host=crm.tischlerei)
        make_registration(event)
        make_registration(event, status=Registration.Status.WAITING)


@pytest.mark.parametrize("role", ["anonymous", "coordinator"])
def test_calendar_queries_stay_constant(
    portfolio: Portfolio,
    events_portfolio: EventsWorld,
    crm: Crm,
    role: str,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(portfolio, role)
    client.get(calendar_url())  # sessions, caches
    with django_assert_max_num_queries(8) as few:
        assert client.get(calendar_url()).status_code == 200
    _many_events(25, crm)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(calendar_url()).content.decode()
    assert "Termin 24" in page


# The event page ------------------------------------------------------------------------------------


def test_event_page_shows_the_event(portfolio: Portfolio, events_portfolio: EventsWorld, crm: Crm) -> None:
    world = events_portfolio
    measure = Measure.objects.filter(lab=portfolio.handwerk, is_published=True).first()
    draft_measure = Measure.objects.filter(lab=portfolio.handwerk, is_published=False).first()
    event = event_services.update_event(
        user=None,
        event=world.fruehstueck,
        data={
            "description": "Wir sprechen über **Digitalisierung** im Handwerk.",
            "agenda": "- 8:00 Ankommen\n- 8:30 Impuls",
            "accessibility_notes": "Stufenloser Zugang über den Hof.",
            "street": "Werkstattweg 7",
            "postcode": "46236",
            "measures": [m for m in (measure, draft_measure) if m is not None],
            "organisers": [crm.tischlerei],
        },
    )
    response = client_for(portfolio).get(event_url(event))
    assert response.status_code == 200
    page = response.content.decode()
    assert event.title in page
    assert "<strong>Digitalisierung</strong>" in page
    assert "<li>8:30 Impuls</li>" in page
    assert "Stufenloser Zugang über den Hof." in page
    assert "Werkstattweg 7, 46236 Bottrop" in page
    assert crm.tischlerei.name in page
    assert world.series.title in page
    assert reverse("events:event-ics", kwargs={"slug": event.slug}) in page
    local_start = timezone.localtime(event.starts_at)
    assert local_start.strftime("%H:%M") in page
    if measure is not None:
        assert measure.title in page
    if draft_measure is not None:
        assert draft_measure.title not in page  # not published: not for the public
    assert 'name="first_name"' in page
    assert 'autocomplete="email"' in page and 'inputmode="email"' in page
    assert "vegetarisch" in page  # the event's question
    assert "1 seat free" in page


def test_online_link_only_with_the_confirmation(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    event = make_event(
        title="Digitalsprechstunde",
        format=Event.Format.ONLINE,
        online_url="https://konferenz.example.org/raum-42",
        lab=portfolio.handwerk,
    )
    public = client_for(portfolio).get(event_url(event)).content.decode()
    assert "raum-42" not in public
    assert "The link comes with your confirmation." in public
    office = client_for(portfolio, "coordinator").get(event_url(event)).content.decode()
    assert "https://konferenz.example.org/raum-42" in office
    edit = reverse("events:event-edit", kwargs={"slug": event.slug})
    assert edit in office and edit not in public


def test_full_event_offers_the_waiting_list(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    event = make_event(title="Kleine Runde", capacity=1)
    make_registration(event)
    make_registration(event, status=Registration.Status.WAITING)
    page = client_for(portfolio).get(event_url(event)).content.decode()
    assert "Fully booked" in page
    assert "1 person is waiting." in page
    assert "Join the waiting list" in page


@pytest.mark.parametrize(
    ("name", "expected"),
    [("crafts_draft", 404), ("trade_invitation", 404), ("trade_draft", 404), ("fruehstueck", 200)],
)
def test_event_page_visibility_for_the_public(
    portfolio: Portfolio, events_portfolio: EventsWorld, name: str, expected: int
) -> None:
    event = getattr(events_portfolio, name)
    assert client_for(portfolio).get(event_url(event)).status_code == expected
    assert client_for(portfolio).get(
        reverse("events:event-ics", kwargs={"slug": event.slug})
    ).status_code == (expected)


def test_unknown_slug_is_404(portfolio: Portfolio) -> None:
    assert client_for(portfolio).get("/veranstaltungen/gibt-es-nicht-2020-01-01/").status_code == 404
    assert client_for(portfolio).get("/veranstaltungen/reihen/gibt-es-nicht/").status_code == 404


def test_event_page_queries_stay_constant(
    portfolio: Portfolio, events_portfolio: EventsWorld, crm: Crm, django_assert_max_num_queries: Any
) -> None:
    event = make_event(title="Großes Treffen", capacity=600, host=crm.tischlerei, organisers=[crm.tischlerei])
    client = client_for(portfolio)
    client.get(event_url(event))
    with django_assert_max_num_queries(12) as few:
        assert client.get(event_url(event)).status_code == 200
    for _number in range(60):
        make_registration(event)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(event_url(event)).status_code == 200


def test_cancelled_event_says_so_and_has_no_form(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    event = event_services.cancel_event(user=None, event=events_portfolio.office_event)
    page = client_for(portfolio).get(event_url(event)).content.decode()
    assert "This event has been cancelled." in page
    assert 'name="first_name"' not in page


# Calendar files ------------------------------------------------------------------------------------


def test_add_to_calendar_download(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    event = events_portfolio.fruehstueck
    response = client_for(portfolio).get(reverse("events:event-ics", kwargs={"slug": event.slug}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert f'filename="{event.slug}.ics"' in response["Content-Disposition"]
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body and "Handwerksfrühstück bei der Tischlerei" in body.replace("\r\n ", "")


def test_series_page_and_feed_show_only_public_listed_events(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    world = events_portfolio
    hidden = make_event(
        title="Geschlossene Runde", series=world.series, lab=portfolio.handwerk, visibility="invitation"
    )
    draft = make_event(title="Noch geheim", series=world.series, published=False)
    response = client_for(portfolio).get(reverse("events:series-detail", kwargs={"slug": world.series.slug}))
    assert response.status_code == 200
    page = response.content.decode()
    assert world.fruehstueck.title in page
    assert hidden.title not in page and draft.title not in page
    feed = client_for(portfolio).get(reverse("events:series-feed", kwargs={"slug": world.series.slug}))
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    body = feed.content.decode().replace("\r\n ", "")
    assert body.count("BEGIN:VEVENT") == 1
    assert "X-WR-CALNAME:Bottroper Handwerksfrühstück" in body
    # The coordinator sees the series' other events on its page; the feed stays public.
    office_page = client_for(portfolio, "coordinator").get(
        reverse("events:series-detail", kwargs={"slug": world.series.slug})
    )
    assert hidden.title in office_page.content.decode()
    office_feed = client_for(portfolio, "coordinator").get(
        reverse("events:series-feed", kwargs={"slug": world.series.slug})
    )
    assert office_feed.content.decode().count("BEGIN:VEVENT") == 1


def test_private_series_is_not_public(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    series = make_series(title="Interner Kreis", is_public=False)
    for name in ("events:series-detail", "events:series-feed"):
        url = reverse(name, kwargs={"slug": series.slug})
        assert client_for(portfolio).get(url).status_code == 404
        assert client_for(portfolio, "coordinator").get(url).status_code == 200


# The invitation link -------------------------------------------------------------------------------


def _invitation(world: EventsWorld, crm: Crm) -> Invitation:
    return Invitation.objects.create(event=world.trade_invitation, person=crm.bernd)


def test_invitation_link_opens_the_event_by_invitation(
    portfolio: Portfolio, events_portfolio: EventsWorld, crm: Crm
) -> None:
    invitation = _invitation(events_portfolio, crm)
    url = reverse("events:invitation", kwargs={"token": invitation_token(invitation)})
    response = client_for(portfolio).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert events_portfolio.trade_invitation.title in page
    assert f'value="{crm.bernd.email}"' in page  # filled in
    assert f'action="{url}"' in page
    response = client_for(portfolio).post(
        url, {"first_name": crm.bernd.first_name, "last_name": crm.bernd.last_name, "email": crm.bernd.email}
    )
    assert response.status_code == 200
    assert "You are registered" in response.content.decode()
    registration = Registration.objects.get(event=events_portfolio.trade_invitation)
    assert registration.source == Registration.Source.INVITATION
    assert registration.is_confirmed  # the invitation went to this very address
    invitation.refresh_from_db()
    assert invitation.registration == registration


def test_invitation_event_refuses_the_public_form(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    event = events_portfolio.trade_invitation
    url = reverse("events:event-register", kwargs={"slug": event.slug})
    assert client_for(portfolio).post(url, {"first_name": "A", "last_name": "B"}).status_code == 404
    # The partner sees the event, but registers only by the link of an invitation.
    partner = client_for(portfolio, "partner")
    page = partner.get(event_url(event)).content.decode()
    assert "This event is by invitation only." in page
    response = partner.post(
        url, {"first_name": "Petra", "last_name": "Partner", "email": "petra@example.org"}
    )
    assert response.status_code == 400
    assert "This event is by invitation only." in response.content.decode()
    assert not Registration.objects.filter(event=event).exists()


@pytest.mark.parametrize("token", ["kaputt", "x" * 600, "eyJhIjoxfQ:abc:def"])
def test_damaged_invitation_link(portfolio: Portfolio, token: str) -> None:
    response = client_for(portfolio).get(reverse("events:invitation", kwargs={"token": token}))
    assert response.status_code == 400
    assert "This link is damaged" in response.content.decode()


def test_invitation_to_a_removed_invitation_is_gone(
    portfolio: Portfolio, events_portfolio: EventsWorld, crm: Crm
) -> None:
    invitation = _invitation(events_portfolio, crm)
    token = invitation_token(invitation)
    invitation.delete()
    response = client_for(portfolio).get(reverse("events:invitation", kwargs={"token": token}))
    assert response.status_code == 410


def test_past_events_are_paged(
    portfolio: Portfolio, events_portfolio: EventsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reallabor.events.views import public

    monkeypatch.setattr(public, "PER_PAGE", 2)
    for days in (10, 20, 30):
        move_to_past(make_event(title=f"Rückblick {days}"), days=days)
    first = client_for(portfolio).get(calendar_url(zeitraum="vergangen")).content.decode()
    assert "Rückblick 10" in first and "Rückblick 20" in first and "Rückblick 30" not in first
    assert 'rel="next"' in first and "Pages of the calendar" in first
    second = client_for(portfolio).get(calendar_url(zeitraum="vergangen", page="2")).content.decode()
    assert "Rückblick 30" in second and "Rückblick 10" not in second
    assert 'rel="prev"' in second
