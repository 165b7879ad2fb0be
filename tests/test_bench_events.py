"""The events' benchmark (``bench.events``, part ``pages``) runs small on the test database.

No timings are asserted: only that every row measures something next to the floor, that the
registrations really arrive, and that the pages' query counts do not grow with the participants.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench import settings as bench_settings
from bench.events import add_participants, measure_event_pages, published_event, time_registration_requests
from bench.generate import Counts, generate
from reallabor.events.models import Registration

pytestmark = pytest.mark.django_db

SMALL = Counts(labs=2, measures=6, organisations=20, members=2, people=20, interactions=20)


@pytest.fixture
def bench_urls(settings: Any) -> None:
    """The project's URLs plus the floor view, and the floor's template, as ``python -m bench`` has them."""
    settings.ROOT_URLCONF = bench_settings.ROOT_URLCONF
    settings.TEMPLATES = bench_settings.TEMPLATES


def test_participants_are_written_in_bulk_as_confirmed_registrations_with_distinct_codes() -> None:
    generate(SMALL, seed=9)
    event = published_event("Frühstück")

    add_participants(event, 30)

    registrations = Registration.objects.filter(event=event)
    assert registrations.count() == 30
    assert (
        registrations.filter(
            status=Registration.Status.REGISTERED, address_confirmed_at__isnull=False
        ).count()
        == 30
    )
    assert len(set(registrations.values_list("code", flat=True))) == 30


@pytest.mark.usefixtures("bench_urls")
def test_registration_requests_are_timed_next_to_the_floor_and_each_registers_someone() -> None:
    generate(SMALL, seed=10)

    floor, request = time_registration_requests(repeat=3, warmup=1)

    assert floor.value is not None and floor.value > 0
    assert request.error == "", request
    assert request.value is not None and request.target == pytest.approx(3 * floor.value)
    assert "× floor" in request.note and " queries" in request.note
    assert "5 registrations stored" in request.note  # the probe, the warm-up and three timed


@pytest.mark.usefixtures("bench_urls")
def test_the_event_pages_are_timed_next_to_the_floor_with_constant_query_counts() -> None:
    generate(SMALL, seed=11)

    rows = measure_event_pages((12, 3), repeat=2, warmup=1)

    assert [row.what for row in rows] == [
        "floor (anonymous)",
        "floor (administrator)",
        "event page as anonymous",
        "participants page as administrator",
        "event page as anonymous",
        "participants page as administrator",
    ]
    for row in rows:
        assert row.error == "", row
        assert row.value is not None and row.value > 0
        assert row.runs == 2
    assert [row.size for row in rows[2:]] == ["12 participants"] * 2 + ["3 participants"] * 2
    assert rows[2].target is not None and rows[4].target is None
    assert all(" queries" in row.note for row in rows)
