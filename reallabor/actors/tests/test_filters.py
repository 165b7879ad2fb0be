"""Criteria applied to organisations and people (actors.filters), every criterion on both."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from conftest import Portfolio
from reallabor.actors.criteria import Criteria, CriteriaError, parse_criteria
from reallabor.actors.filters import (
    check_criteria,
    organisations_matching,
    people_matching,
    reachable_people,
    segment_count,
    segment_organisations,
    segment_people,
)
from reallabor.actors.models import Person, Purpose, Segment
from reallabor.core.testing.actors import affiliate, give_consent, make_person
from reallabor.labs.models import LabOrganisation
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import Tag, Term

pytestmark = pytest.mark.django_db


def term(family: str, code: str) -> Term:
    return Term.objects.get(vocabulary__family=family, vocabulary__retired_at__isnull=True, code=code)


def tag(obj: Any, family: str, code: str) -> Tag:
    return Tag.objects.create(content_object=obj, term=term(family, code), priority="primary")


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


@dataclass
class World:
    """Four organisations and five people beside the demo data (tests restrict to them).

    baeckerei: company, WZ 10 (section c), 10–19, Kirchhellen, alliance member, lab »Handel«,
      needs skilled workers, motivation new customers, contacted 10 days ago.
    dachdecker: company, WZ 43 (section f), trade a-04 (list a), 1–4, Eigen, no alliance,
      needs digitalisation, contacted 400 days ago.
    hochschule: science/university, Mitte, applied to the alliance, lab »Handwerk«, never contacted.
    kita: civil society/day-care centre, Kirchhellen, former alliance member, motivation image.

    ben: at the Bäckerei (owner), newsletter consent, own need succession, contacted 3 days ago.
    dora: formerly at the Dachdecker, now at the Hochschule, photos consent, never contacted.
    emil: no organisation, lives in Kirchhellen, newsletter consent withdrawn, contacted 50 days ago.
    frida: at the Bäckerei, newsletter consent expired, no e-mail address.
    gert: at the Bäckerei, anonymised.
    """

    portfolio: Portfolio
    baeckerei: Organisation
    dachdecker: Organisation
    hochschule: Organisation
    kita: Organisation
    ben: Person
    dora: Person
    emil: Person
    frida: Person
    gert: Person

    @property
    def organisations(self) -> Any:
        return Organisation.objects.filter(
            pk__in=[self.baeckerei.pk, self.dachdecker.pk, self.hochschule.pk, self.kita.pk]
        )

    @property
    def people(self) -> Any:
        return Person.objects.filter(
            pk__in=[self.ben.pk, self.dora.pk, self.emil.pk, self.frida.pk, self.gert.pk],
            anonymised_at__isnull=True,
        )


def make_world(portfolio: Portfolio) -> World:
    baeckerei = Organisation.objects.create(
        name="Bäckerei Korn (fiktiv)",
        slug="baeckerei-korn",
        kind="company",
        sector=term("wz2008", "10"),
        headcount_band="10-19",
        founding_year=1921,
        street="Hauptstraße 1",
        postcode="46244",
        city="Bottrop",
        district="Kirchhellen",
        quarter="Kirchhellen-Mitte",
        email="info@baeckerei-korn.example",
        phone="+49 2045 1234-0",
        website="https://baeckerei-korn.example",
        alliance_status="member",
        alliance_since=dt.date(2021, 3, 1),
        last_contact_at=days_ago(10),
    )
    dachdecker = Organisation.objects.create(
        name="Dachdecker Hoch (fiktiv)",
        slug="dachdecker-hoch",
        kind="company",
        sector=term("wz2008", "43"),
        trade=term("trades", "a-04"),
        headcount_band="1-4",
        district="Eigen",
        city="Bottrop",
        last_contact_at=days_ago(400),
    )
    hochschule = Organisation.objects.create(
        name="Hochschule Ruhr (fiktiv)",
        slug="hochschule-ruhr",
        kind="science",
        sub_kind="university",
        district="Mitte",
        city="Bottrop",
        alliance_status="applicant",
    )
    kita = Organisation.objects.create(
        name="Kita Sonnenschein (fiktiv)",
        slug="kita-sonnenschein",
        kind="civil_society",
        sub_kind="day_care",
        district="Kirchhellen",
        city="Bottrop",
        alliance_status="former",
    )
    LabOrganisation.objects.create(lab=portfolio.handel, organisation=baeckerei)
    LabOrganisation.objects.create(lab=portfolio.handwerk, organisation=hochschule)
    tag(baeckerei, "needs", "skilled-workers")
    tag(baeckerei, "motivations", "new-customers")
    tag(dachdecker, "needs", "digitalisation")
    tag(kita, "motivations", "image")

    ben = make_person(
        first_name="Ben", last_name="Korn", email="ben@baeckerei-korn.example", function="Inhaber"
    )
    dora = make_person(first_name="Dora", last_name="Hoch", email="dora@hochschule.example")
    emil = make_person(
        first_name="Emil", last_name="Allein", email="emil@example.org", district="Kirchhellen"
    )
    frida = make_person(first_name="Frida", last_name="Mehl", email="")
    gert = make_person(first_name="Gert", last_name="Weg", email="gert@example.org")
    affiliate(ben, baeckerei, "Inhaber", is_primary=True)
    affiliate(dora, dachdecker, "Bürokraft", start_date=dt.date(2015, 1, 1), end_date=dt.date(2020, 12, 31))
    affiliate(dora, hochschule, "Referentin", start_date=dt.date(2021, 1, 1))
    affiliate(frida, baeckerei, "Verkauf")
    affiliate(gert, baeckerei, "Fahrer")
    give_consent(ben, Purpose.NEWSLETTER)
    give_consent(dora, Purpose.PHOTOS)
    give_consent(emil, Purpose.NEWSLETTER, withdrawn_at=days_ago(1))
    give_consent(frida, Purpose.NEWSLETTER, given_at=days_ago(800), expires_at=days_ago(70))
    give_consent(gert, Purpose.NEWSLETTER)
    tag(ben, "needs", "succession")
    Person.objects.filter(pk=ben.pk).update(last_contact_at=days_ago(3))
    Person.objects.filter(pk=emil.pk).update(last_contact_at=days_ago(50))
    Person.objects.filter(pk=gert.pk).update(anonymised_at=timezone.now(), first_name="", last_name="–")
    return World(portfolio, baeckerei, dachdecker, hochschule, kita, ben, dora, emil, frida, gert)


@pytest.fixture
def world(portfolio: Portfolio) -> World:
    return make_world(portfolio)


def orgs(world: World, **criteria: Any) -> set[str]:
    found = organisations_matching(parse_criteria(criteria), world.organisations)
    return {organisation.slug for organisation in found}


def people(world: World, **criteria: Any) -> set[str]:
    found = people_matching(parse_criteria(criteria), world.people)
    return {person.first_name for person in found}


ALL_ORGS = {"baeckerei-korn", "dachdecker-hoch", "hochschule-ruhr", "kita-sonnenschein"}


ORGANISATION_CASES: list[tuple[dict[str, Any], set[str]]] = [
    ({}, ALL_ORGS),
    ({"q": "korn"}, {"baeckerei-korn"}),
    ({"kinds": ["company"]}, {"baeckerei-korn", "dachdecker-hoch"}),
    ({"kinds": ["science", "civil_society"]}, {"hochschule-ruhr", "kita-sonnenschein"}),
    ({"sub_kinds": ["day_care"]}, {"kita-sonnenschein"}),
    ({"sectors": ["10"]}, {"baeckerei-korn"}),
    ({"sectors": ["c"]}, {"baeckerei-korn"}),  # a section includes its divisions
    ({"sectors": ["f"]}, {"dachdecker-hoch"}),
    ({"sectors": ["c", "43"]}, {"baeckerei-korn", "dachdecker-hoch"}),
    ({"sectors": ["g"]}, set()),
    ({"trades": ["a-04"]}, {"dachdecker-hoch"}),
    ({"trades": ["a"]}, {"dachdecker-hoch"}),  # a list includes its trades
    ({"trades": ["b1"]}, set()),
    ({"districts": ["Kirchhellen"]}, {"baeckerei-korn", "kita-sonnenschein"}),
    ({"districts": ["Kirchhellen", "Eigen"]}, {"baeckerei-korn", "kita-sonnenschein", "dachdecker-hoch"}),
    ({"headcount_bands": ["1-4", "10-19"]}, {"baeckerei-korn", "dachdecker-hoch"}),
    ({"needs": ["skilled-workers"]}, {"baeckerei-korn"}),
    ({"needs": ["skilled-workers", "digitalisation"]}, {"baeckerei-korn", "dachdecker-hoch"}),
    ({"needs": ["succession"]}, set()),  # only Ben (a person) needs it
    ({"motivations": ["image"]}, {"kita-sonnenschein"}),
    ({"labs": ["hybride-formen-des-handels"]}, {"baeckerei-korn"}),
    (
        {"labs": ["hybride-formen-des-handels", "digitale-koproduktion-im-handwerk"]},
        {"baeckerei-korn", "hochschule-ruhr"},
    ),
    ({"alliance": ["member"]}, {"baeckerei-korn"}),
    ({"alliance": ["none"]}, {"dachdecker-hoch"}),
    ({"alliance": ["applicant", "former"]}, {"hochschule-ruhr", "kita-sonnenschein"}),
    ({"contacted_within_days": 30}, {"baeckerei-korn"}),
    ({"contacted_within_days": 500}, {"baeckerei-korn", "dachdecker-hoch"}),
    ({"not_contacted_for_days": 30}, {"dachdecker-hoch", "hochschule-ruhr", "kita-sonnenschein"}),
    ({"not_contacted_for_days": 365, "kinds": ["company"]}, {"dachdecker-hoch"}),
    ({"contacted_within_days": 500, "not_contacted_for_days": 30}, {"dachdecker-hoch"}),
    ({"kinds": ["company"], "districts": ["Kirchhellen"], "needs": ["skilled-workers"]}, {"baeckerei-korn"}),
    ({"consent": "newsletter"}, ALL_ORGS),  # consent is about people only
]


def test_organisation_criteria(world: World, subtests: pytest.Subtests) -> None:
    for criteria, expected in ORGANISATION_CASES:
        with subtests.test(criteria=criteria):
            assert orgs(world, **criteria) == expected


PERSON_CASES: list[tuple[dict[str, Any], set[str]]] = [
    ({}, {"Ben", "Dora", "Emil", "Frida"}),  # the anonymised Gert never matches
    ({"q": "ben korn"}, {"Ben"}),
    ({"q": "example.org"}, {"Emil"}),
    ({"kinds": ["company"]}, {"Ben", "Frida"}),  # Dora left the Dachdecker
    ({"kinds": ["science"]}, {"Dora"}),
    ({"sub_kinds": ["university"]}, {"Dora"}),
    ({"sectors": ["c"]}, {"Ben", "Frida"}),
    ({"sectors": ["f"]}, set()),
    ({"trades": ["a"]}, set()),  # only through a current affiliation
    ({"districts": ["Kirchhellen"]}, {"Ben", "Frida", "Emil"}),  # own district or the organisation's
    ({"districts": ["Mitte"]}, {"Dora"}),
    ({"headcount_bands": ["10-19"]}, {"Ben", "Frida"}),
    ({"needs": ["succession"]}, {"Ben"}),  # their own
    ({"needs": ["skilled-workers"]}, {"Ben", "Frida"}),  # their organisation's
    ({"needs": ["digitalisation"]}, set()),
    ({"motivations": ["new-customers"]}, {"Ben", "Frida"}),
    ({"labs": ["digitale-koproduktion-im-handwerk"]}, {"Dora"}),
    ({"alliance": ["member"]}, {"Ben", "Frida"}),
    ({"alliance": ["none"]}, set()),  # Emil has no organisation at all
    ({"alliance": ["applicant"]}, {"Dora"}),
    ({"contacted_within_days": 7}, {"Ben"}),  # the person's own last contact
    ({"contacted_within_days": 60}, {"Ben", "Emil"}),
    ({"not_contacted_for_days": 30}, {"Dora", "Emil", "Frida"}),
    ({"consent": "newsletter"}, {"Ben"}),  # Emil withdrew, Frida's expired
    ({"consent": "photos"}, {"Dora"}),
    ({"consent": "matching"}, set()),
    ({"kinds": ["company"], "consent": "newsletter"}, {"Ben"}),
]


def test_person_criteria(world: World, subtests: pytest.Subtests) -> None:
    for criteria, expected in PERSON_CASES:
        with subtests.test(criteria=criteria):
            assert people(world, **criteria) == expected


UNKNOWN_CODES: list[tuple[dict[str, Any], str]] = [
    ({"sectors": ["zz"]}, "sectors"),
    ({"sectors": ["c", "999"]}, "sectors"),
    ({"trades": ["a-99"]}, "trades"),
    ({"trades": ["16"]}, "trades"),  # a sector code is no trade
    ({"needs": ["world-peace"]}, "needs"),
    ({"motivations": ["skilled-workers"]}, "motivations"),  # a need is no motivation
]


def test_unknown_codes_raise_an_error_naming_the_field(world: World, subtests: pytest.Subtests) -> None:
    for criteria, field in UNKNOWN_CODES:
        with subtests.test(criteria=criteria):
            parsed = parse_criteria(criteria)
            for apply in (
                lambda c: check_criteria(c, user=None),
                lambda c: organisations_matching(c, world.organisations),
                lambda c: people_matching(c, world.people),
            ):
                with pytest.raises(CriteriaError) as caught:
                    apply(parsed)
                assert set(caught.value.errors) == {field}
                assert criteria[field][-1] in caught.value.errors[field]


def test_an_unknown_lab_is_refused_by_the_check_and_matches_nothing(world: World) -> None:
    criteria = parse_criteria({"labs": ["kein-labor"]})
    with pytest.raises(CriteriaError) as caught:
        check_criteria(criteria, user=None)
    assert set(caught.value.errors) == {"labs"}
    assert not organisations_matching(criteria, world.organisations).exists()


def test_check_criteria_names_every_bad_field(world: World) -> None:
    with pytest.raises(CriteriaError) as caught:
        check_criteria(Criteria(sectors=("zz",), needs=("x",), labs=("y",)), user=None)
    assert set(caught.value.errors) == {"sectors", "needs", "labs"}
    assert "zz" in caught.value.errors["sectors"]


def test_known_codes_pass_the_check(world: World) -> None:
    check_criteria(
        Criteria(
            sectors=("c", "43"),
            trades=("a", "b1-05"),
            needs=("skilled-workers",),
            motivations=("image",),
            labs=("hybride-formen-des-handels",),
        ),
        user=None,
    )


def test_a_section_costs_one_query_whatever_its_divisions(
    world: World, django_assert_num_queries: Any
) -> None:
    queryset = world.organisations
    # The content version and the sector terms (cached until the content changes), the organisations.
    with django_assert_num_queries(3):
        assert {o.slug for o in organisations_matching(Criteria(sectors=("c",)), queryset)} == {
            "baeckerei-korn"
        }


def test_reachable_people_need_an_address_and_a_valid_consent(world: World) -> None:
    everybody = Person.objects.filter(pk__in=[world.ben.pk, world.dora.pk, world.emil.pk, world.frida.pk])
    assert {p.first_name for p in reachable_people(everybody, Purpose.NEWSLETTER)} == {"Ben"}
    assert {p.first_name for p in reachable_people(everybody, Purpose.PHOTOS)} == {"Dora"}
    Person.objects.filter(pk=world.ben.pk).update(email_bounced_at=timezone.now())
    assert not reachable_people(everybody, Purpose.NEWSLETTER).exists()


def test_segments_reflect_the_current_data(world: World) -> None:
    segment = Segment.objects.create(
        name="Kirchhellen", subject=Segment.Subject.ORGANISATIONS, criteria={"districts": ["Kirchhellen"]}
    )
    mine = set(world.organisations.values_list("pk", flat=True))
    assert {o.slug for o in segment_organisations(segment, user=None) if o.pk in mine} == {
        "baeckerei-korn",
        "kita-sonnenschein",
    }
    before = segment_count(segment)
    Organisation.objects.filter(pk=world.dachdecker.pk).update(district="Kirchhellen")
    assert segment_count(segment) == before + 1
    # The people an organisation segment reaches: those currently at its organisations.
    reached = {
        p.first_name
        for p in segment_people(segment, user=None)
        if p.pk in {world.ben.pk, world.dora.pk, world.frida.pk}
    }
    assert reached == {"Ben", "Frida"}


def test_an_organisation_segment_with_a_consent_reaches_only_consenting_people(world: World) -> None:
    segment = Segment(
        subject=Segment.Subject.ORGANISATIONS,
        criteria={"districts": ["Kirchhellen"], "consent": "newsletter"},
    )
    assert {p.first_name for p in segment_people(segment, user=None)} == {"Ben"}


def test_a_people_segment_counts_people(world: World) -> None:
    segment = Segment(subject=Segment.Subject.PEOPLE, criteria={"needs": ["skilled-workers"]})
    assert {p.first_name for p in segment_people(segment, user=None)} >= {"Ben", "Frida"}
    assert segment_count(segment) == segment_people(segment, user=None).count()


# Criteria together ------------------------------------------------------------------------------------
# people_matching starts from one criterion's set of people (pk IN …) and checks the others person by
# person (EXISTS); which one it starts from depends on the criteria given. The results must not.


def _disjoint_pairs(cases: list[tuple[dict[str, Any], set[str]]]) -> list[tuple[dict[str, Any], set[str]]]:
    pairs = []
    for index, (first, first_expected) in enumerate(cases):
        for second, second_expected in cases[index + 1 :]:
            if first and second and not set(first) & set(second):
                pairs.append(({**first, **second}, first_expected & second_expected))
    return pairs


def test_two_person_criteria_together_find_the_people_meeting_both(world: World) -> None:
    wrong = [
        (criteria, found, expected)
        for criteria, expected in _disjoint_pairs(PERSON_CASES)
        if (found := people(world, **criteria)) != expected
    ]
    assert wrong == []


def test_two_organisation_criteria_together_find_the_organisations_meeting_both(world: World) -> None:
    wrong = [
        (criteria, found, expected)
        for criteria, expected in _disjoint_pairs(ORGANISATION_CASES)
        if (found := orgs(world, **criteria)) != expected
    ]
    assert wrong == []


def test_criteria_on_people_may_hold_through_different_organisations(world: World) -> None:
    """Hanna works at the Bäckerei (a company in the alliance) and at the Kita (motivated by its
    image): she is a company's person motivated by image, though neither organisation is both."""
    hanna = make_person(first_name="Hanna", last_name="Doppel", email="hanna@example.org")
    affiliate(hanna, world.baeckerei, "Buchhaltung")
    affiliate(hanna, world.kita, "Elternbeirat")
    give_consent(hanna, Purpose.NEWSLETTER)
    everybody = Person.objects.filter(pk__in=[*world.people.values_list("pk", flat=True), hanna.pk])

    def found(**criteria: Any) -> set[str]:
        return {person.first_name for person in people_matching(parse_criteria(criteria), everybody)}

    assert found(kinds=["company"], motivations=["image"]) == {"Hanna"}
    assert found(alliance=["member"], motivations=["image"], consent="newsletter") == {"Hanna"}
    assert found(labs=["hybride-formen-des-handels"], sub_kinds=["day_care"]) == set()  # one organisation
    assert found(labs=["hybride-formen-des-handels"], motivations=["image"]) == {"Hanna"}
    assert found(districts=["Kirchhellen"], kinds=["civil_society"], needs=["skilled-workers"]) == {"Hanna"}
    assert found(q="hanna", kinds=["company"], motivations=["image"]) == {"Hanna"}
    # Her affiliation at the Kita ends: the image motivation no longer reaches her.
    hanna.affiliations.filter(organisation=world.kita).update(
        end_date=timezone.localdate() - dt.timedelta(days=1)
    )
    assert found(kinds=["company"], motivations=["image"]) == set()
    assert found(kinds=["company"], needs=["skilled-workers"]) == {"Ben", "Frida", "Hanna"}


SETS: dict[str, dict[str, Any]] = {
    "labs": {"labs": ["hybride-formen-des-handels"], "kinds": ["company"]},
    "organisations": {"alliance": ["member", "applicant"]},
    "districts": {"districts": ["Kirchhellen", "Mitte"]},
    "needs": {"needs": ["succession", "skilled-workers"]},
    "motivations": {"motivations": ["image", "new-customers"]},
    "consent": {"consent": "newsletter"},
}


def test_each_set_of_people_is_the_same_to_start_from_and_to_check(world: World) -> None:
    """Each criterion's two forms (``pk IN (ids)``, ``exists``) hold for exactly the same people."""
    from reallabor.actors.filters import START_ORDER, _people_sets

    assert set(SETS) == set(START_ORDER)
    for name, criteria in SETS.items():
        sets = _people_sets(parse_criteria(criteria))
        assert list(sets) == [name]
        within = {person.first_name for person in world.people.filter(pk__in=sets[name].ids)}
        checked = {person.first_name for person in world.people.filter(sets[name].exists)}
        assert within == checked, name
        assert within, f"{name}: the test data should hold somebody"


FUSED_CASES: list[tuple[dict[str, Any], set[str]]] = [
    ({"kinds": ["company"], "motivations": ["image"]}, {"Hanna"}),  # through two organisations
    ({"kinds": ["civil_society"], "needs": ["skilled-workers"]}, {"Hanna"}),
    ({"kinds": ["company"], "needs": ["skilled-workers"]}, {"Ben", "Frida", "Hanna"}),  # through one
    ({"alliance": ["member"], "needs": ["succession"]}, {"Ben"}),  # his own need
    ({"kinds": ["company"], "needs": ["digitalisation"]}, set()),  # Ida and Dora left the Dachdecker
    ({"kinds": ["civil_society"], "needs": ["digitalisation"]}, {"Ida"}),  # her own need, at the Kita
    ({"sub_kinds": ["university"], "needs": ["digitalisation"]}, set()),
    (
        {"alliance": ["former", "member"], "motivations": ["image", "new-customers"]},
        {"Ben", "Frida", "Hanna", "Ida"},
    ),
]


def test_a_need_starting_with_organisation_criteria_holds_for_the_people_in_both_sets(world: World) -> None:
    """A need or motivation starts together with the criteria on organisations (``_also_at``): the
    people in both sets, whether through the same organisation, through two (Hanna), or with their
    own need (Ben, Ida), and not through an affiliation that has ended (Ida, Dora)."""
    from reallabor.actors.filters import _also_at, _people_sets

    hanna = make_person(first_name="Hanna", last_name="Doppel")
    affiliate(hanna, world.baeckerei, "Buchhaltung")
    affiliate(hanna, world.kita, "Elternbeirat")
    ida = make_person(first_name="Ida", last_name="Früher")
    affiliate(ida, world.kita, "Leitung")
    affiliate(ida, world.dachdecker, "Büro", end_date=timezone.localdate() - dt.timedelta(days=1))
    tag(ida, "needs", "digitalisation")
    everybody = Person.objects.filter(pk__in=[*world.people.values_list("pk", flat=True), hanna.pk, ida.pk])

    def names(people: Any) -> set[str]:
        return {person.first_name for person in people}

    for criteria, expected in FUSED_CASES:
        sets = _people_sets(parse_criteria(criteria))
        start = sets["needs" if "needs" in criteria else "motivations"]
        fused = names(everybody.filter(pk__in=_also_at(start, sets["organisations"])))
        both = names(everybody.filter(pk__in=start.ids).filter(pk__in=sets["organisations"].ids))
        assert (fused, both) == (expected, expected), criteria
        assert names(people_matching(parse_criteria(criteria), everybody)) == expected, criteria
