"""The development of a series (charts and table) and an event's feedback page: numbers, who sees
what, constant queries."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import ROLES, Portfolio
from reallabor.core.testing.events import EventsWorld, make_event, make_registration
from reallabor.events.models import Event, EventSeries, Feedback, Registration
from reallabor.events.tests.helpers import snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def client_for(portfolio: Portfolio, role: str) -> Client:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def past_event(series: EventSeries, days_ago: int, **data: Any) -> Event:
    event = make_event(series=series, lab=series.lab, title=f"Frühstück vor {days_ago} Tagen", **data)
    starts = timezone.now() - dt.timedelta(days=days_ago)
    Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    event.refresh_from_db()
    return event


def attend(
    event: Event, name: str, organisation: str = "", *, came: bool = True, **fields: Any
) -> Registration:
    return make_registration(
        event,
        first_name=name,
        last_name="Muster",
        email=f"{name.lower()}.{event.pk}@example.org",
        organisation_name=organisation,
        checked_in_at=event.starts_at if came else None,
        **fields,
    )


def development_url(series: EventSeries) -> str:
    return reverse("events:series-development", kwargs={"slug": series.slug})


def feedback_url(event: Event) -> str:
    return reverse("events:event-feedback", kwargs={"slug": event.slug})


@pytest.fixture
def history(events_portfolio: EventsWorld) -> tuple[Event, Event]:
    """Two past editions of the Handwerksfrühstück: 4 registered (3 came), then 2 registered (1 came)
    and a walk-in; the Tischlerei came both times, the Bäckerei once."""
    series = events_portfolio.series
    first = past_event(series, 60)
    attend(first, "Anna", "Tischlerei Beispiel")
    attend(first, "Berta", "Bäckerei Korn")
    attend(first, "Carl", "Bäckerei Korn")
    attend(first, "Dora", came=False)
    second = past_event(series, 30)
    anna = attend(second, "Anna", "Tischlerei Beispiel")
    attend(second, "Emil", came=False)
    attend(second, "Fritz", "Dachdeckerei", source=Registration.Source.WALK_IN)
    Feedback.objects.create(
        registration=anna, rating=4, text="Sehr gut, Herr Korn war super.", next_topic="KI"
    )
    Feedback.objects.create(
        registration=Registration.objects.get(event=second, first_name="Fritz"),
        rating=2,
        next_topic="Förderung",
    )
    return first, second


def test_the_development_shows_charts_and_the_numbers(
    events_portfolio: EventsWorld, portfolio: Portfolio, history: tuple[Event, Event]
) -> None:
    _first, second = history
    response = client_for(portfolio, "coordinator").get(development_url(events_portfolio.series))
    assert response.status_code == 200
    page = text(response)
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg"') == 2
    for chart in re.findall(r"<svg .*?</svg>", response.content.decode(), flags=re.S):
        ET.fromstring(chart)  # noqa: S314 - our own output
    assert 'id="series-counts-chart"' in page and 'id="series-rates-chart"' in page
    table = page.split('id="series-table"')[1]
    rows = re.findall(r"<tr>(.*?)</tr>", table)
    cells = [re.findall(r'<td class="number">(.*?)</td>', row) for row in rows[1:]]
    # registrations, walk-ins, waiting, attendees, attendance rate, no-show rate, new, returning, rating
    assert cells[0][:8] == ["4", "0", "0", "3", "75 %", "25 %", "2", "0"]
    assert cells[1][:8] == ["2", "1", "0", "2", "50 %", "50 %", "1", "1"]
    assert cells[0][8] == "– (0)"
    assert f'<a href="{feedback_url(second)}">3.0 (2)</a>' in cells[1][8]
    assert "Average rating" in page
    assert "Sehr gut" not in page  # the texts are on the feedback page only


def test_readers_see_the_numbers_without_the_feedback(
    events_portfolio: EventsWorld, portfolio: Portfolio, history: tuple[Event, Event]
) -> None:
    page = text(client_for(portfolio, "reader").get(development_url(events_portfolio.series)))
    assert "series-counts-chart" in page
    assert "Average rating" not in page and "rueckmeldungen" not in page


def test_a_series_without_past_events(events_portfolio: EventsWorld, portfolio: Portfolio) -> None:
    page = text(client_for(portfolio, "coordinator").get(development_url(events_portfolio.series)))
    assert "No event of this series has taken place yet." in page
    assert "<svg" not in page


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_development(events_portfolio: EventsWorld, portfolio: Portfolio, role: str) -> None:
    before = snapshot()
    status = client_for(portfolio, role).get(development_url(events_portfolio.series)).status_code
    expected = {"anonymous": 302, "reader": 200, "partner": 403, "coordinator": 200, "administrator": 200}
    assert status == expected.get(role, 403)
    assert snapshot() == before


def test_unknown_series_is_not_found(portfolio: Portfolio) -> None:
    assert (
        client_for(portfolio, "administrator").get("/veranstaltungen/reihen/nichts/entwicklung/").status_code
        == 404
    )


def test_the_development_takes_the_same_queries_for_more_events(
    events_portfolio: EventsWorld, portfolio: Portfolio, history: tuple[Event, Event]
) -> None:
    client = client_for(portfolio, "coordinator")
    url = development_url(events_portfolio.series)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    few = count()
    for days in (90, 120, 150, 180):
        event = past_event(events_portfolio.series, days)
        for name in ("Gerd", "Hilde", "Ina"):
            registration = attend(event, name, f"Firma {name}")
            Feedback.objects.create(registration=registration, rating=5)
    assert count() == few


# --- the feedback page ---------------------------------------------------------------------------------


def test_the_feedback_page(
    events_portfolio: EventsWorld, portfolio: Portfolio, history: tuple[Event, Event]
) -> None:
    _first, second = history
    page = text(client_for(portfolio, "coordinator").get(feedback_url(second)))
    assert "Average rating 3.0 of 5, from 2 answers." in page
    assert "Sehr gut, Herr Korn war super." in page and "(rating 4)" in page
    topics = page.split('id="feedback-topics"')[1].split("</ul>")[0]
    assert "<li>KI</li>" in topics and "<li>Förderung</li>" in topics
    distribution = page.split('id="feedback-distribution"')[1].split("</table>")[0]
    assert '<th scope="row">4</th><td class="number">1</td><td class="number">50 %</td>' in distribution
    assert '<th scope="row">3</th><td class="number">0</td><td class="number">0 %</td>' in distribution
    assert "Muster" not in page and "Anna" not in page  # no names


def test_an_event_without_feedback(events_portfolio: EventsWorld, portfolio: Portfolio) -> None:
    page = text(client_for(portfolio, "coordinator").get(feedback_url(events_portfolio.fruehstueck)))
    assert "Nobody has given feedback on this event yet." in page


@pytest.mark.parametrize("role", ROLES)
def test_only_the_office_reads_the_feedback(
    events_portfolio: EventsWorld, portfolio: Portfolio, history: tuple[Event, Event], role: str
) -> None:
    _first, second = history
    response = client_for(portfolio, role).get(feedback_url(second))
    expected = {"anonymous": 302, "coordinator": 200, "administrator": 200}
    assert response.status_code == expected.get(role, 403)
    if response.status_code != 200:
        assert "Sehr gut" not in response.content.decode()


def test_the_coordinator_of_another_lab_does_not_read_its_feedback(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    event = events_portfolio.trade_invitation
    registration = attend(event, "Hanna", came=True)
    Feedback.objects.create(registration=registration, rating=1, text="Geheim")
    response = client_for(portfolio, "coordinator").get(feedback_url(event))
    assert response.status_code == 403 and "Geheim" not in response.content.decode()
    assert "Geheim" in client_for(portfolio, "administrator").get(feedback_url(event)).content.decode()


def test_the_feedback_page_takes_the_same_queries_for_more_answers(
    events_portfolio: EventsWorld, portfolio: Portfolio, history: tuple[Event, Event]
) -> None:
    _first, second = history
    client = client_for(portfolio, "coordinator")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(feedback_url(second)).status_code == 200
        return len(captured.captured_queries)

    few = count()
    for number in range(10):
        registration = attend(second, f"Gast{number}")
        Feedback.objects.create(registration=registration, rating=number % 5 + 1, text=f"Text {number}")
    assert count() == few


@pytest.mark.parametrize(
    ("role", "linked"),
    [("anonymous", False), ("reader", True), ("partner", False), ("coordinator", True),
     ("administrator", True), ("outsider", False)],
)  # fmt: skip
def test_the_series_page_links_its_development_for_those_who_may_see_it(
    events_portfolio: EventsWorld, portfolio: Portfolio, role: str, linked: bool
) -> None:
    series = events_portfolio.series
    development = reverse("events:series-development", kwargs={"slug": series.slug})
    page = portfolio.client(role).get(reverse("events:series-detail", kwargs={"slug": series.slug}))
    assert page.status_code == 200
    assert (development in page.content.decode()) is linked
    assert portfolio.client(role).get(development).status_code == (
        200 if linked else (302 if role == "anonymous" else 403)
    )
