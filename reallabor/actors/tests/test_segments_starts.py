"""Where a people count starts changes only its speed, never who matches.

``actors.filters`` starts from the set of people it estimates cheapest (``actors.sizes``) and
checks the others person by person. These tests build a small random world and compare, for
criteria Hypothesis makes up, every possible start with a plain reference: the criteria checked
person by person in Python, as the documentation of the criteria says.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Portfolio
from reallabor.actors import filters, sizes
from reallabor.actors.criteria import Criteria, parse_criteria
from reallabor.actors.models import Affiliation, Consent, Person, Purpose, Segment
from reallabor.core.testing.actors import affiliate, give_consent, make_person
from reallabor.labs.models import LabOrganisation
from reallabor.organisations.models import SUB_KINDS, Organisation
from reallabor.taxonomy.models import (
    MOTIVATIONS_FAMILY,
    NEEDS_FAMILY,
    SECTOR_FAMILY,
    TRADES_FAMILY,
    Tag,
    Term,
)

pytestmark = pytest.mark.django_db

KINDS = ["company", "science", "multiplier", "civil_society"]
SECTORS = ["10", "16", "43", "47"]  # divisions of the sections c, c, f, g
TRADES = ["a-04", "a-12", "b1-05"]
DISTRICTS = ["Kirchhellen", "Eigen", "Mitte", ""]
BANDS = ["1-4", "5-9", "10-19", ""]
ALLIANCE = ["member", "applicant", "former", ""]
NEEDS = ["skilled-workers", "digitalisation", "succession"]
MOTIVATIONS = ["image", "new-customers"]


def term(family: str, code: str) -> Term:
    return Term.objects.get(vocabulary__family=family, vocabulary__retired_at__isnull=True, code=code)


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


@dataclass
class Sample:
    organisations: list[int]
    people: list[int]
    labs: list[str]


def make_sample(portfolio: Portfolio, seed: int = 4, organisations: int = 14, people: int = 30) -> Sample:
    """Organisations and people with every attribute the criteria ask about, chosen at random
    (but the same every time): people at several organisations, affiliations that ended or have
    not begun, own and organisations' needs, consents given, withdrawn and expired, anonymised."""
    pick = random.Random(seed)
    labs = [portfolio.handel, portfolio.handwerk]
    made: list[Organisation] = []
    for number in range(organisations):
        kind = pick.choice(KINDS)
        organisation = Organisation.objects.create(
            name=f"Probe {number}",
            slug=f"probe-{number}",
            kind=kind,
            sub_kind=pick.choice(["", *SUB_KINDS.get(kind, ())]),
            sector=pick.choice([None, *(term(SECTOR_FAMILY, code) for code in SECTORS)]),
            trade=pick.choice([None, None, *(term(TRADES_FAMILY, code) for code in TRADES)]),
            headcount_band=pick.choice(BANDS),
            district=pick.choice(DISTRICTS),
            alliance_status=pick.choice(ALLIANCE),
            last_contact_at=pick.choice([None, days_ago(5), days_ago(50), days_ago(400)]),
        )
        for lab in labs:
            if pick.random() < 0.3:
                LabOrganisation.objects.create(lab=lab, organisation=organisation)
        for code in pick.sample(NEEDS, pick.randint(0, 2)):
            Tag.objects.create(content_object=organisation, term=term(NEEDS_FAMILY, code), priority="primary")
        for code in pick.sample(MOTIVATIONS, pick.randint(0, 1)):
            Tag.objects.create(
                content_object=organisation, term=term(MOTIVATIONS_FAMILY, code), priority="primary"
            )
        made.append(organisation)
    today = timezone.localdate()
    people_made: list[Person] = []
    for number in range(people):
        person = make_person(first_name=f"P{number}", last_name="Probe", district=pick.choice(DISTRICTS))
        for _ in range(pick.choice([0, 1, 1, 2, 3])):
            start, end = pick.choice(
                [
                    (None, None),
                    (today - dt.timedelta(days=300), None),
                    (None, today - dt.timedelta(days=1)),  # ended
                    (today + dt.timedelta(days=10), None),  # not begun
                    (today - dt.timedelta(days=30), today + dt.timedelta(days=30)),
                ]
            )
            affiliate(person, pick.choice(made), "Mitarbeit", start_date=start, end_date=end)
        for code in pick.sample(NEEDS, pick.randint(0, 1)):
            Tag.objects.create(content_object=person, term=term(NEEDS_FAMILY, code), priority="primary")
        for code in pick.sample(MOTIVATIONS, pick.randint(0, 1)):
            Tag.objects.create(content_object=person, term=term(MOTIVATIONS_FAMILY, code), priority="primary")
        state = pick.choice(["none", "valid", "valid", "withdrawn", "expired"])
        if state == "valid":
            give_consent(person, Purpose.NEWSLETTER)
        elif state == "withdrawn":
            give_consent(person, Purpose.NEWSLETTER, withdrawn_at=days_ago(1))
        elif state == "expired":
            give_consent(person, Purpose.NEWSLETTER, given_at=days_ago(800), expires_at=days_ago(3))
        if pick.random() < 0.3:
            give_consent(person, Purpose.PHOTOS)
        contact = pick.choice([None, 3, 40, 500])
        anonymised = timezone.now() if pick.random() < 0.1 else None
        Person.objects.filter(pk=person.pk).update(
            last_contact_at=days_ago(contact) if contact is not None else None, anonymised_at=anonymised
        )
        people_made.append(person)
    return Sample([o.pk for o in made], [p.pk for p in people_made], [lab.slug for lab in labs])


# The reference: the criteria checked one by one in Python --------------------------------------------


def _codes(family: str, codes: tuple[str, ...]) -> set[int]:
    """A code and the codes below it (a section's divisions, a list's trades)."""
    terms = Term.objects.filter(vocabulary__family=family, vocabulary__retired_at__isnull=True)
    return {t.pk for t in terms if t.code in codes or (t.parent is not None and t.parent.code in codes)}


class Reference:
    """Everything about the sample in memory, and the criteria as the documentation says."""

    def __init__(self, sample: Sample) -> None:
        self.organisations = {o.pk: o for o in Organisation.objects.filter(pk__in=sample.organisations)}
        self.labs: dict[int, set[str]] = {}
        for pk, slug in LabOrganisation.objects.filter(organisation__in=sample.organisations).values_list(
            "organisation_id", "lab__slug"
        ):
            self.labs.setdefault(pk, set()).add(slug)
        self.tags: dict[tuple[str, int], set[int]] = {}
        for model in (Organisation, Person):
            content_type = ContentType.objects.get_for_model(model)
            for object_id, term_id in Tag.objects.filter(content_type=content_type).values_list(
                "object_id", "term_id"
            ):
                self.tags.setdefault((model.__name__, object_id), set()).add(term_id)
        self.people = {p.pk: p for p in Person.objects.filter(pk__in=sample.people)}
        current = Affiliation.objects.current().filter(person__in=sample.people)
        self.at: dict[int, set[int]] = {}
        for person_id, organisation_id in current.values_list("person_id", "organisation_id"):
            self.at.setdefault(person_id, set()).add(organisation_id)
        self.consents: dict[str, set[int]] = {}
        for person_id, purpose in Consent.objects.valid().values_list("person_id", "purpose"):
            self.consents.setdefault(purpose, set()).add(person_id)

    def organisation_fields(self, criteria: Criteria, o: Organisation) -> bool:
        statuses = {"" if status == "none" else status for status in criteria.alliance}
        return (
            (not criteria.kinds or o.kind in criteria.kinds)
            and (not criteria.sub_kinds or o.sub_kind in criteria.sub_kinds)
            and (not criteria.sectors or o.sector_id in _codes(SECTOR_FAMILY, criteria.sectors))
            and (not criteria.trades or o.trade_id in _codes(TRADES_FAMILY, criteria.trades))
            and (not criteria.headcount_bands or o.headcount_band in criteria.headcount_bands)
            and (not criteria.labs or bool(self.labs.get(o.pk, set()) & set(criteria.labs)))
            and (not criteria.alliance or o.alliance_status in statuses)
        )

    def tagged(self, model: str, pk: int, family: str, codes: tuple[str, ...]) -> bool:
        return bool(self.tags.get((model, pk), set()) & _codes(family, codes))

    def contacted(self, criteria: Criteria, last: dt.datetime | None) -> bool:
        now = timezone.now()
        if criteria.contacted_within_days is not None and (
            last is None or last < now - dt.timedelta(days=criteria.contacted_within_days)
        ):
            return False
        return criteria.not_contacted_for_days is None or (
            last is None or last < now - dt.timedelta(days=criteria.not_contacted_for_days)
        )

    def organisation(self, criteria: Criteria, o: Organisation) -> bool:
        """An organisation of an organisation segment: every criterion on the organisation itself."""
        return (
            self.organisation_fields(criteria, o)
            and (not criteria.districts or o.district in criteria.districts)
            and (not criteria.needs or self.tagged("Organisation", o.pk, NEEDS_FAMILY, criteria.needs))
            and (
                not criteria.motivations
                or self.tagged("Organisation", o.pk, MOTIVATIONS_FAMILY, criteria.motivations)
            )
            and self.contacted(criteria, o.last_contact_at)
        )

    def person(self, criteria: Criteria, p: Person) -> bool:
        """A person of a people segment: each criterion themselves or through any current organisation."""
        if p.anonymised_at is not None:
            return False
        at = [self.organisations[pk] for pk in self.at.get(p.pk, set())]
        on_organisations = any(
            getattr(criteria, name)
            for name in ("kinds", "sub_kinds", "sectors", "trades", "headcount_bands", "labs", "alliance")
        )

        def own_or_at(family: str, codes: tuple[str, ...]) -> bool:
            return self.tagged("Person", p.pk, family, codes) or any(
                self.tagged("Organisation", o.pk, family, codes) for o in at
            )

        return (
            (not on_organisations or any(self.organisation_fields(criteria, o) for o in at))
            and (
                not criteria.districts
                or p.district in criteria.districts
                or any(o.district in criteria.districts for o in at)
            )
            and (not criteria.needs or own_or_at(NEEDS_FAMILY, criteria.needs))
            and (not criteria.motivations or own_or_at(MOTIVATIONS_FAMILY, criteria.motivations))
            and (not criteria.consent or p.pk in self.consents.get(criteria.consent, set()))
            and self.contacted(criteria, p.last_contact_at)
        )

    def reached(self, criteria: Criteria) -> set[int]:
        """The people an organisation segment reaches: currently at one of its organisations."""
        chosen = {pk for pk, o in self.organisations.items() if self.organisation(criteria, o)}
        return {
            p.pk
            for p in self.people.values()
            if p.anonymised_at is None
            and self.at.get(p.pk, set()) & chosen
            and (not criteria.consent or p.pk in self.consents.get(criteria.consent, set()))
        }


# Criteria made up by Hypothesis -------------------------------------------------------------------------


def _some(values: list[str]) -> st.SearchStrategy[list[str] | None]:
    return st.none() | st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True)


def criteria_strategy(labs: list[str]) -> st.SearchStrategy[Criteria]:
    raw = st.fixed_dictionaries(
        {
            "kinds": _some(KINDS),
            "sub_kinds": st.none() | st.none() | _some(["university", "chamber", "day_care", "club"]),
            "sectors": _some(["c", "f", "10", "43", "47"]),
            "trades": st.none() | _some(["a", "a-04", "b1"]),
            "districts": _some(["Kirchhellen", "Eigen", "Mitte"]),
            "headcount_bands": _some(["1-4", "5-9", "10-19"]),
            "needs": _some(NEEDS),
            "motivations": _some(MOTIVATIONS),
            "labs": st.none() | st.none() | _some(labs),
            "alliance": _some(["member", "applicant", "former", "none"]),
            "contacted_within_days": st.none() | st.sampled_from([10, 100, 1000]),
            "not_contacted_for_days": st.none() | st.none() | st.sampled_from([10, 100]),
            "consent": st.none() | st.sampled_from(["newsletter", "photos"]),
        }
    )
    return raw.map(lambda data: parse_criteria({k: v for k, v in data.items() if v is not None}))


def starts(criteria: Criteria, sets: dict[str, Any]) -> list[str | None]:
    """Every start ``filters._conditions`` can take for these sets."""
    return [None, *sets, *([filters.CONTACT] if criteria.contacted_within_days is not None else [])]


@pytest.fixture
def sample(portfolio: Portfolio) -> Sample:
    return make_sample(portfolio)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_start_finds_the_people_the_reference_finds(sample: Sample, data: st.DataObject) -> None:
    reference = Reference(sample)
    criteria = data.draw(criteria_strategy(sample.labs))
    expected = {pk for pk, p in reference.people.items() if reference.person(criteria, p)}
    people = Person.objects.filter(pk__in=sample.people, anonymised_at__isnull=True)
    # Whichever start the estimates choose ...
    chosen = set(filters.people_matching(criteria, people).values_list("pk", flat=True))
    assert chosen == expected, criteria
    # ... and every other one.
    sets = filters._people_sets(criteria)
    for first in starts(criteria, sets):
        conditions = filters._conditions(sets, first)
        found = set(people.filter(*conditions, filters._contact_q(criteria)).values_list("pk", flat=True))
        assert found == expected, (criteria, first)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_an_organisation_segment_reaches_the_people_the_reference_finds(
    sample: Sample, data: st.DataObject
) -> None:
    reference = Reference(sample)
    criteria = data.draw(criteria_strategy(sample.labs))
    organisations = filters.organisations_matching(
        criteria, Organisation.objects.filter(pk__in=sample.organisations)
    )
    assert set(organisations.values_list("pk", flat=True)) == {
        pk for pk, o in reference.organisations.items() if reference.organisation(criteria, o)
    }
    reached = filters.criteria_people(Segment.Subject.ORGANISATIONS, criteria).filter(pk__in=sample.people)
    assert set(reached.values_list("pk", flat=True)) == reference.reached(criteria), criteria


# The estimates ------------------------------------------------------------------------------------------


def test_the_estimates_follow_the_data_in_one_query(sample: Sample, django_assert_num_queries: Any) -> None:
    criteria = Criteria(
        kinds=("company",),
        districts=("Eigen",),
        needs=("succession",),
        consent="newsletter",
        contacted_within_days=100,
    )
    names = ["needs", "organisations", "districts", "consent", filters.CONTACT]
    succession = sorted(_codes(NEEDS_FAMILY, ("succession",)))
    terms = lambda family, codes: succession  # noqa: E731
    with django_assert_num_queries(1):
        found = sizes.estimates(criteria, names, terms=terms)
    with django_assert_num_queries(0):  # kept for a while: an estimate changes only the speed
        assert sizes.estimates(criteria, names, terms=terms) == found
    companies = Organisation.objects.filter(kind="company").count()
    assert found["organisations"] == companies * sizes.PER_ORGANISATION
    assert found["consent"] == Consent.objects.filter(purpose="newsletter").count()
    assert found["districts"] == (
        Organisation.objects.filter(district="Eigen").count() * sizes.PER_ORGANISATION
        + Person.objects.filter(district="Eigen").count()
    )
    assert found[filters.CONTACT] == Person.objects.filter(last_contact_at__gte=days_ago(100)).count()
    assert found["needs"] == Tag.objects.filter(term__in=_codes(NEEDS_FAMILY, ("succession",))).count() + (
        Tag.objects.filter(
            term__in=_codes(NEEDS_FAMILY, ("succession",)), content_type__model="organisation"
        ).count()
        * (sizes.PER_ORGANISATION - 1)
    )


def test_a_set_too_large_to_count_has_no_estimate(sample: Sample, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sizes, "CAP", 3)
    found = sizes.estimates(
        Criteria(kinds=("company",), consent="photos"), ["organisations", "consent"], terms=lambda *_: []
    )
    assert found == {"organisations": None, "consent": None}


def test_the_start_is_the_cheapest_set(portfolio: Portfolio, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two organisations in »Testheide« start before forty companies; a need starts as one set with
    the criteria on organisations; sets too large to count start in the fixed order."""
    for number in range(40):
        Organisation.objects.create(name=f"Firma {number}", slug=f"firma-{number}", kind="company")
    for number in range(2):
        Organisation.objects.create(
            name=f"Heide {number}", slug=f"heide-{number}", kind="company", district="Testheide"
        )
    near = Criteria(kinds=("company",), districts=("Testheide",))
    assert filters._start(near, filters._people_sets(near)) == "districts"
    needed = Criteria(alliance=("member",), needs=("succession",))
    assert filters._start(needed, filters._people_sets(needed)) == "needs"
    monkeypatch.setattr(sizes, "CAP", 1)
    cache.clear()
    broad = Criteria(kinds=("company",), districts=("Testheide",))
    assert filters._start(broad, filters._people_sets(broad)) == "organisations"
