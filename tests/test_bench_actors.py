"""The actors' benchmark (``bench.actors``) runs on a small generated portfolio and gives rows.

No timings are asserted: only that every part runs, measures something and leaves the data as
it found it (the import and the near-duplicates are rolled back). The mailing part really
delivers a sample to an SMTP server on the loopback interface, in a process of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench import settings as bench_settings
from bench.actors import (
    BROAD_SEGMENTS,
    IMPORT_HEADERS,
    import_csv,
    measure_pages,
    time_duplicates,
    time_import,
    time_mailing,
    time_segment_counts,
)
from bench.generate import Counts, generate
from bench.pages import ACTOR_PAGE_KEYS
from reallabor.actors.models import Mailing, MailingRecipient, Person, Segment
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db

SMALL = Counts(labs=2, measures=6, organisations=60, members=2, people=200, interactions=600)


@pytest.fixture
def bench_urls(settings: Any) -> None:
    """The project's URLs plus the floor view, and the floor's template, as ``python -m bench`` has them."""
    settings.ROOT_URLCONF = bench_settings.ROOT_URLCONF
    settings.TEMPLATES = bench_settings.TEMPLATES


@pytest.mark.usefixtures("bench_urls")
def test_the_actor_pages_are_requested_as_an_administrator_next_to_the_floor() -> None:
    generate(SMALL, seed=7)

    rows = measure_pages(repeat=2, warmup=1)

    assert [row["page"] for row in rows] == ["floor", *ACTOR_PAGE_KEYS]
    for row in rows:
        assert row["user"] == "administrator"
        assert (row["status"], row["error"]) == (200, ""), row
        assert row["samples"] == 2
        assert row["queries"] > 0
        assert row["median_ms"] > 0


def test_counts_import_duplicates_and_mailing_each_give_a_row_and_leave_the_data_as_it_was(
    tmp_path: Path,
) -> None:
    generate(SMALL, seed=8)
    organisations, people = Organisation.objects.count(), Person.objects.count()

    counts = time_segment_counts(runs=2)
    saved = Segment.objects.order_by("name").values_list("name", flat=True)
    assert [row.what for row in counts] == [
        *(f"segment count: {name}" for name in saved),
        *(f"segment count: broad: {name}" for name, _criteria in BROAD_SEGMENTS),
    ]
    assert all(row.value is not None and row.runs == 2 and row.ok is not None for row in counts)

    content, description = import_csv(40)
    text = content.decode("cp1252")
    assert text.splitlines()[0] == ";".join(IMPORT_HEADERS)
    assert len(text.splitlines()) == 41 == description["rows"] + 1
    import_row, progress_row = time_import(content, tmp_path / "import.csv", description)
    assert import_row.error == ""
    assert import_row.value is not None
    assert "written: " in import_row.note and "Imported 40 rows" in import_row.note
    assert progress_row.value is not None and progress_row.value >= 2  # checking and writing
    assert (Organisation.objects.count(), Person.objects.count()) == (organisations, people)

    duplicates = time_duplicates(near_duplicates=6, runs=1)
    assert duplicates.value is not None
    assert duplicates.note.startswith("6 near-duplicates added (rolled back): 6 groups")
    assert Organisation.objects.count() == organisations

    queued, delivered = time_mailing(wanted=10, sample=5)
    assert queued.value is not None and int(queued.size.split()[0]) >= 10
    assert delivered.error == ""
    assert delivered.size.startswith("5 of ")
    assert delivered.note.startswith("5 arrived")
    mailing = Mailing.objects.get()
    assert MailingRecipient.objects.filter(mailing=mailing, status="sent").count() == 5
