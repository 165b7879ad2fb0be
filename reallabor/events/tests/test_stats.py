"""The series' development over time: examples, properties (Hypothesis) and the loading from the database."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reallabor.events.stats import EventFacts, RegistrationFact, event_stats, series_stats

STATUSES = ("registered", "waiting", "offered", "cancelled", "declined", "lapsed")
T0 = dt.datetime(2025, 1, 9, 7, 0, tzinfo=dt.UTC)


def fact(status: str = "registered", **fields: object) -> RegistrationFact:
    return RegistrationFact(status=status, **fields)  # type: ignore[arg-type]


def test_an_example_series() -> None:
    first = EventFacts(
        "a",
        "Januar",
        T0,
        (
            fact(checked_in=True, organisation="id:1"),
            fact(checked_in=True, organisation="id:2"),
            fact(confirmed=True),  # a no-show
            fact(confirmed=False),  # never confirmed, stayed away: neither
            fact("waiting"),
            fact("cancelled"),
            fact(source="walk_in", checked_in=True, organisation="name:baecker"),
        ),
    )
    second = EventFacts(
        "b",
        "Februar",
        T0 + dt.timedelta(days=28),
        (fact(checked_in=True, organisation="id:1"), fact(checked_in=True, organisation="id:3"), fact()),
    )
    january, february = series_stats([second, first])
    assert (january.key, january.registrations, january.walk_ins, january.waiting, january.attendees) == (
        "a",
        4,
        1,
        1,
        3,
    )
    assert january.attendance_rate == 2 / 4
    assert january.no_show_rate == 1 / 4
    assert (january.new_organisations, january.returning_organisations) == (3, 0)
    assert (february.registrations, february.attendees, february.attendance_rate) == (3, 2, 2 / 3)
    assert february.no_show_rate == 1 / 3
    assert (february.new_organisations, february.returning_organisations) == (1, 1)


def test_an_event_without_registrations_has_no_rates() -> None:
    stats = event_stats(EventFacts("x", "Leer", T0, ()), set())
    assert (stats.registrations, stats.attendees, stats.attendance_rate, stats.no_show_rate) == (
        0,
        0,
        None,
        None,
    )


# The machine is shared: generating the data may be slow, which says nothing about the code.
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

registration_facts = st.builds(
    RegistrationFact,
    status=st.sampled_from(STATUSES),
    source=st.sampled_from(("online", "staff", "invitation", "walk_in")),
    confirmed=st.booleans(),
    checked_in=st.booleans(),
    organisation=st.one_of(st.none(), st.sampled_from([f"id:{n}" for n in range(8)])),
)
series_facts = st.lists(
    st.builds(
        EventFacts,
        key=st.uuids().map(str),
        title=st.just("Treffen"),
        starts_at=st.integers(min_value=0, max_value=3650).map(lambda days: T0 + dt.timedelta(days=days)),
        registrations=st.lists(registration_facts, max_size=20).map(tuple),
    ),
    max_size=10,
    unique_by=lambda facts: facts.key,
)


@relaxed
@given(series_facts)
def test_rates_are_shares_and_never_add_up_to_more_than_everybody(events: list[EventFacts]) -> None:
    for stats in series_stats(events):
        assert stats.attendees <= sum(
            1 for fact in next(e for e in events if e.key == stats.key).registrations
        )
        if stats.registrations == 0:
            assert stats.attendance_rate is None and stats.no_show_rate is None
        else:
            assert stats.attendance_rate is not None and stats.no_show_rate is not None
            assert 0 <= stats.attendance_rate <= 1
            assert 0 <= stats.no_show_rate <= 1
            assert stats.attendance_rate + stats.no_show_rate <= 1 + 1e-9


@relaxed
@given(series_facts)
def test_every_organisation_is_new_exactly_once(events: list[EventFacts]) -> None:
    stats = series_stats(events)
    attended = {r.organisation for e in events for r in e.registrations if r.checked_in and r.organisation}
    assert sum(s.new_organisations for s in stats) == len(attended)
    for facts in events:
        one = next(s for s in stats if s.key == facts.key)
        distinct = {r.organisation for r in facts.registrations if r.checked_in and r.organisation}
        assert one.new_organisations + one.returning_organisations == len(distinct)


@relaxed
@given(series_facts, st.randoms(use_true_random=False))
def test_the_order_of_the_input_does_not_matter(events: list[EventFacts], shuffler: random.Random) -> None:
    shuffled = list(events)
    shuffler.shuffle(shuffled)
    assert series_stats(shuffled) == series_stats(events)
    assert [s.starts_at for s in series_stats(events)] == sorted(e.starts_at for e in events)


@relaxed
@given(series_facts)
def test_the_counts_match_the_registrations(events: list[EventFacts]) -> None:
    for stats, facts in zip(
        series_stats(events), sorted(events, key=lambda e: (e.starts_at, e.key)), strict=True
    ):
        registered = [r for r in facts.registrations if r.status == "registered"]
        assert stats.registrations + stats.walk_ins == len(registered)
        assert stats.waiting == sum(1 for r in facts.registrations if r.status == "waiting")
        assert stats.attendees == sum(1 for r in facts.registrations if r.checked_in)


@pytest.mark.django_db
def test_the_statistics_of_a_stored_series(django_assert_num_queries: object) -> None:
    from django.utils import timezone

    from reallabor.core.testing.events import make_event, make_registration, make_series
    from reallabor.events.selectors import series_statistics
    from reallabor.organisations.models import Organisation

    series = make_series(title="Handwerksfrühstück")
    baecker = Organisation.objects.create(name="Bäckerei Korn", slug="baeckerei-korn", kind="company")
    first = make_event(series=series, starts_at=timezone.now() - dt.timedelta(days=60))
    second = make_event(series=series, starts_at=timezone.now() - dt.timedelta(days=30))
    make_event(series=series)  # to come: not counted yet
    make_registration(first, organisation=baecker, checked_in_at=first.starts_at)
    make_registration(first, organisation_name="Dachdeckerei Ziegel", checked_in_at=first.starts_at)
    make_registration(first)  # a no-show
    make_registration(second, organisation_name="Bäckerei Korn GmbH", checked_in_at=second.starts_at)
    make_registration(second, organisation_name="Dachdeckerei Ziegel", checked_in_at=second.starts_at)
    with django_assert_num_queries(2):  # type: ignore[operator]
        january, february = series_statistics(series)
    assert (january.registrations, january.attendees, january.no_show_rate) == (3, 2, 1 / 3)
    # The bakery matched in January and typed in February is the same organisation: returning.
    assert (january.new_organisations, february.new_organisations, february.returning_organisations) == (
        2,
        0,
        2,
    )
