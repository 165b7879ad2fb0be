"""The tables of facts per person (``actors.facts``): their counts are the reference's, and their
triggers keep them equal to tables filled from scratch after any write, on SQLite. PostgreSQL has
no such tables; the counts there take the usual way (the rest of the segment tests)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Portfolio
from reallabor.actors import facts
from reallabor.actors.criteria import Criteria
from reallabor.actors.models import Affiliation, Consent, Person, Purpose, Segment
from reallabor.actors.services.segments import count_criteria
from reallabor.actors.tests.test_segments_starts import (
    Reference,
    Sample,
    criteria_strategy,
    days_ago,
    make_sample,
)
from reallabor.core.testing.actors import affiliate, give_consent, make_person
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db
SQLITE = connection.vendor == "sqlite"


def rows() -> list[list[tuple[Any, ...]]]:
    with connection.cursor() as cursor:
        found = []
        for table in facts.TABLES:
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1, 2")  # noqa: S608 - our own names
            found.append(list(cursor.fetchall()))
        return found


def assert_current() -> None:
    """The triggers left the table as filling it from scratch does."""
    kept = rows()
    facts.rebuild()
    assert kept == rows()


@pytest.fixture
def sample(portfolio: Portfolio) -> Sample:
    made = make_sample(portfolio, seed=7, organisations=10, people=24)
    Person.objects.exclude(pk__in=made.people).delete()  # the counts are over everybody
    return made


def covered(criteria: Criteria, subject: str) -> Criteria:
    """The criteria without those the table does not hold."""
    return dataclasses.replace(
        criteria,
        q="",
        needs=(),
        motivations=(),
        labs=(),
        contacted_within_days=None,
        not_contacted_for_days=None,
        districts=criteria.districts if subject == Segment.Subject.ORGANISATIONS else (),
    )


def expected(reference: Reference, subject: str, criteria: Criteria, purpose: str) -> tuple[int, int]:
    if subject == Segment.Subject.ORGANISATIONS:
        people = reference.reached(criteria)
    else:
        people = {pk for pk, p in reference.people.items() if reference.person(criteria, p)}
    reachable = {
        pk
        for pk in people
        if reference.people[pk].email
        and reference.people[pk].email_bounced_at is None
        and pk in reference.consents.get(purpose, set())
    }
    return len(people), len(reachable)


def test_every_trigger_exists_after_the_migrations() -> None:
    if SQLITE:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            names = {name for (name,) in cursor.fetchall()}
        assert set(facts.trigger_names()) <= names
        assert len(facts.trigger_names()) == sum(len(names) for names in facts.TRIGGER_TABLES.values())
    else:
        assert facts.count(Segment.Subject.PEOPLE, Criteria(kinds=("company",)), "newsletter") is None


@pytest.mark.skipif(not SQLITE, reason="the table exists on SQLite only; PostgreSQL counts the usual way")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_counts_are_the_references(sample: Sample, data: st.DataObject) -> None:
    reference = Reference(sample)
    subject = data.draw(st.sampled_from([Segment.Subject.PEOPLE, Segment.Subject.ORGANISATIONS]))
    criteria = covered(data.draw(criteria_strategy(sample.labs)), subject)
    purpose = data.draw(st.sampled_from([Purpose.NEWSLETTER, Purpose.PHOTOS]))
    counted = facts.count(subject, criteria, purpose)
    if not facts.covers(subject, criteria):
        assert counted is None
        return
    assert counted == expected(reference, subject, criteria, purpose), (subject, criteria)


@pytest.mark.skipif(not SQLITE, reason="the table exists on SQLite only; PostgreSQL counts the usual way")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), steps=st.integers(1, 12))
def test_the_triggers_keep_the_table_current_through_any_write(sample: Sample, seed: int, steps: int) -> None:
    pick = random.Random(seed)
    today = timezone.localdate()
    for _ in range(steps):
        people = list(Person.objects.values_list("pk", flat=True))
        organisations = list(
            Organisation.objects.filter(pk__in=sample.organisations).values_list("pk", flat=True)
        )
        affiliations = list(Affiliation.objects.values_list("pk", flat=True))
        consents = list(Consent.objects.values_list("pk", flat=True))
        step = pick.choice(
            ["kind", "band", "alliance", "end", "move", "unlink", "link", "withdraw", "forget", "consent",
             "address", "bounce", "anonymise", "delete", "new"]
        )  # fmt: skip
        if step == "kind":
            Organisation.objects.filter(pk=pick.choice(organisations)).update(
                kind=pick.choice(["company", "science"])
            )
        elif step == "band":
            organisation = Organisation.objects.get(pk=pick.choice(organisations))
            organisation.headcount_band = pick.choice(["1-4", "5-9", ""])
            organisation.save()
        elif step == "alliance":
            Organisation.objects.filter(pk=pick.choice(organisations)).update(alliance_status="member")
        elif step == "end" and affiliations:
            yesterday = today - dt.timedelta(days=1)
            begun = Q(start_date__isnull=True) | Q(start_date__lte=yesterday)
            Affiliation.objects.filter(begun, pk=pick.choice(affiliations)).update(end_date=yesterday)
        elif step == "move" and affiliations and people:
            Affiliation.objects.filter(pk=pick.choice(affiliations)).update(person_id=pick.choice(people))
        elif step == "unlink" and affiliations:
            Affiliation.objects.filter(pk=pick.choice(affiliations)).delete()
        elif step == "link" and people:
            affiliate(
                Person.objects.get(pk=pick.choice(people)),
                Organisation.objects.get(pk=pick.choice(organisations)),
            )
        elif step == "withdraw" and consents:
            Consent.objects.filter(pk=pick.choice(consents)).update(withdrawn_at=timezone.now())
        elif step == "forget" and consents:
            Consent.objects.filter(pk=pick.choice(consents)).delete()
        elif step == "consent" and people:
            expires = pick.choice([None, days_ago(-30), days_ago(2)])
            given = days_ago(60) if expires is not None else days_ago(1)
            give_consent(
                Person.objects.get(pk=pick.choice(people)),
                Purpose.NEWSLETTER,
                given_at=given,
                expires_at=expires,
            )
        elif step == "address" and people:
            Person.objects.filter(pk=pick.choice(people)).update(email=pick.choice(["", "neu@example.org"]))
        elif step == "bounce" and people:
            Person.objects.filter(pk=pick.choice(people)).update(email_bounced_at=timezone.now())
        elif step == "anonymise" and people:
            Person.objects.filter(pk=pick.choice(people)).update(anonymised_at=timezone.now())
        elif step == "delete" and people:
            Person.objects.filter(pk=pick.choice(people)).delete()
        elif step == "new":
            make_person(email=pick.choice(["", "neu@example.org"]))
    assert_current()
    reference = Reference(
        Sample(sample.organisations, list(Person.objects.values_list("pk", flat=True)), sample.labs)
    )
    for criteria in (Criteria(kinds=("company",), consent="newsletter"), Criteria(alliance=("none",)),
                     Criteria(headcount_bands=("1-4", "5-9")), Criteria(consent="newsletter")):  # fmt: skip
        for subject in (Segment.Subject.PEOPLE, Segment.Subject.ORGANISATIONS):
            assert facts.count(subject, criteria, Purpose.NEWSLETTER) == expected(
                reference, subject, criteria, Purpose.NEWSLETTER
            ), (subject, criteria)


def test_a_broad_count_reads_the_table_once(portfolio: Portfolio, django_assert_num_queries: Any) -> None:
    company = Organisation.objects.create(name="Werk", slug="werk", kind="company", headcount_band="1-4")
    anna = make_person(email="anna@example.org")
    affiliate(anna, company)
    give_consent(anna, Purpose.NEWSLETTER)
    criteria = Criteria(kinds=("company",), headcount_bands=("1-4",), consent="newsletter")
    # On SQLite one query over the table; on PostgreSQL the usual way: the sets' estimates, the count.
    with django_assert_num_queries(1 if SQLITE else 2):
        counts = count_criteria(Segment.Subject.PEOPLE, criteria)
    assert (counts.people, counts.reachable) == (1, 1)
