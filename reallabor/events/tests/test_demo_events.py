"""The demo events: seven Handwerksfrühstück editions with different hosts, participation that adds up,
attendance in the actors' timeline, upcoming events; loading twice adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reallabor.actors.models import Interaction
from reallabor.core.demo import actors, bottrop
from reallabor.core.demo import events as demo_events
from reallabor.events.models import Event, EventSeries, Feedback, Registration
from reallabor.events.selectors import series_statistics
from reallabor.events.services.seats import count_seats

pytestmark = pytest.mark.django_db


def test_the_demo_events() -> None:
    """One test: loading the demo takes a while, every check reads the same data."""
    bottrop.load()
    actors.load()
    demo = demo_events.load()
    _seven_past_editions_of_the_handwerksfruehstueck_with_different_hosts(demo)
    _the_series_statistics_are_plausible(demo)
    _attendance_is_in_the_actors_timeline(demo)
    _upcoming_events(demo)
    _loading_twice_adds_nothing(demo)


def _seven_past_editions_of_the_handwerksfruehstueck_with_different_hosts(demo: dict[str, int]) -> None:
    now = timezone.now()
    series = EventSeries.objects.get(slug=demo_events.FRUEHSTUECK_SLUG)
    past = list(series.events.filter(starts_at__lt=now).select_related("host"))
    assert len(past) == 7
    hosts = [event.host for event in past]
    assert all(host is not None and host.kind == "company" and host.trade_id for host in hosts)
    assert len({host.pk for host in hosts if host}) == 7, "a different craft business each time"
    upcoming = series.events.get(starts_at__gt=now)
    assert upcoming.host not in hosts
    for event in past:
        assert event.status == Event.Status.PUBLISHED
        assert event.minutes.startswith("## Protokoll")
        assert event.registrations.filter(source=Registration.Source.WALK_IN).exists()
        assert (
            event.registrations.filter(checked_in_at__lt=event.starts_at - dt.timedelta(hours=1)).count() == 0
        )
        assert not event.registrations.filter(created_at__gt=event.ends_at).exclude(source="walk_in").exists()
    assert Registration.objects.filter(event__in=past, status=Registration.Status.WAITING).exists()
    assert Feedback.objects.filter(registration__event__in=past).count() >= 20
    assert Feedback.objects.filter(registration__event__in=past).exclude(next_topic="").exists()


def _the_series_statistics_are_plausible(demo: dict[str, int]) -> None:
    series = EventSeries.objects.get(slug=demo_events.FRUEHSTUECK_SLUG)
    stats = series_statistics(series)
    assert len(stats) == 7
    for row in stats:
        assert 10 <= row.registrations <= 17  # a waiting person who came anyway counts
        assert row.walk_ins >= 1
        assert row.attendance_rate is not None and 0.5 <= row.attendance_rate <= 1
        assert row.no_show_rate is not None and row.no_show_rate < 0.5
    assert stats[0].returning_organisations == 0
    assert sum(row.returning_organisations for row in stats[1:]) > 10, "regulars come back"
    assert sum(row.new_organisations for row in stats[1:]) > 10


def _attendance_is_in_the_actors_timeline(demo: dict[str, int]) -> None:
    for event in Event.objects.filter(starts_at__lt=timezone.now()):
        interaction = event.attendance_interaction
        assert interaction is not None
        assert interaction.kind == Interaction.Kind.EVENT
        assert interaction.occurred_at == event.starts_at
        attendees = set(
            event.registrations.filter(checked_in_at__isnull=False).values_list("person", flat=True)
        )
        assert set(interaction.participants.values_list("pk", flat=True)) == attendees
        assert attendees


def _upcoming_events(demo: dict[str, int]) -> None:
    now = timezone.now()
    upcoming = list(Event.objects.filter(starts_at__gt=now).order_by("starts_at"))
    assert len(upcoming) >= 4
    assert all(event.status == Event.Status.PUBLISHED for event in upcoming)
    fruehstueck = Event.objects.get(series__slug=demo_events.FRUEHSTUECK_SLUG, starts_at__gt=now)
    seats = count_seats(fruehstueck)
    assert seats.free == 0 and seats.waiting == 3 and seats.taken == 18 == (fruehstueck.capacity or 0) - 2
    open_events = [
        event for event in upcoming if event.visibility == "public" and count_seats(event).has_free_seat
    ]
    assert len(open_events) >= 2
    invitation = [event for event in upcoming if event.visibility == Event.Visibility.INVITATION]
    assert len(invitation) == 1
    assert not Registration.objects.filter(event__in=upcoming, checked_in_at__isnull=False).exists()
    assert not Registration.objects.filter(event__in=upcoming, address_confirmed_at__isnull=True).exists()
    titles = {series.title for series in EventSeries.objects.all()}
    assert {"Treffen der Wirtschaftsallianz", "Digitalisierungsausbau in Unternehmen"} <= titles
    assert Event.objects.filter(
        title="Austauschtreffen: Geflüchtete beschäftigen", starts_at__lt=now
    ).exists()


def _loading_twice_adds_nothing(demo: dict[str, int]) -> None:
    assert demo["events"] == 17
    counts = (Event.objects.count(), Registration.objects.count(), Interaction.objects.count())
    assert demo_events.load()["events"] == 0
    assert (Event.objects.count(), Registration.objects.count(), Interaction.objects.count()) == counts
