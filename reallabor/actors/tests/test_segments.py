"""Segments: the services (create, update, delete, duplicate, counts, the criteria in words).

The pages are tested in test_segments_pages.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from conftest import ROLES, Portfolio
from reallabor.actors.models import Mailing, Purpose, Segment
from reallabor.actors.services import segments as service
from reallabor.actors.tests.test_filters import World, make_world
from reallabor.core.testing.actors import Crm, affiliate, give_consent, make_person
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db

WRITERS = ("coordinator", "administrator")
NOT_WRITERS = ("anonymous", "reader", "partner", "outsider")


def make_testheide(portfolio: Portfolio) -> World:
    """The world of test_filters with the Bäckerei and the Kita in »Testheide«, a district no other
    test data has (counts are over all data)."""
    built = make_world(portfolio)
    Organisation.objects.filter(pk__in=[built.baeckerei.pk, built.kita.pk]).update(district="Testheide")
    return built


@pytest.fixture
def world(portfolio: Portfolio, crm: Crm) -> World:
    return make_testheide(portfolio)


def acting(portfolio: Portfolio, role: str) -> Any:
    return portfolio.users[role] or AnonymousUser()


def segments_digest() -> list[dict[str, Any]]:
    return [dict(row) for row in Segment.objects.order_by("pk").values()]


# Services ----------------------------------------------------------------------------------------------


def test_create_segment_stores_normalised_criteria(portfolio: Portfolio, crm: Crm) -> None:
    user = portfolio.users["coordinator"]
    segment = service.create_segment(
        user=user,
        data={
            "name": "  Handwerk in Kirchhellen ",
            "subject": "organisations",
            "description": "Für das Frühstück",
            "criteria": {"kinds": "company", "trades": ["a", "a"], "districts": ["Kirchhellen"], "q": ""},
        },
    )
    assert segment.name == "Handwerk in Kirchhellen"
    assert segment.criteria == {"kinds": ["company"], "trades": ["a"], "districts": ["Kirchhellen"]}
    assert segment.created_by == user
    assert segment.subject == "organisations"


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"subject": "people"}, {"name"}),
        ({"name": "  ", "subject": "people"}, {"name"}),
        ({"name": "x" * 201, "subject": "people"}, {"name"}),
        ({"name": "handwerksbetriebe", "subject": "people"}, {"name"}),  # taken (case-insensitive)
        ({"name": "Neu", "subject": "firms"}, {"subject"}),
        ({"name": "Neu", "subject": "people", "criteria": ["kinds"]}, {"criteria"}),
        ({"name": "Neu", "subject": "people", "criteria": {"colour": "blue"}}, {"criteria.colour"}),
        ({"name": "Neu", "subject": "people", "criteria": {"sectors": ["zz"]}}, {"criteria.sectors"}),
        (
            {
                "name": "Neu",
                "subject": "people",
                "criteria": {"needs": ["world-peace"], "kinds": ["pirates"]},
            },
            {"criteria.kinds"},  # the codes are checked once the shape is right
        ),
        (
            {"name": "", "subject": "x", "criteria": {"trades": ["a-99"], "labs": ["kein-labor"]}},
            {"name", "subject", "criteria.trades", "criteria.labs"},
        ),
        ({"name": "Neu", "subject": "people", "owner": "me"}, {"owner"}),
    ],
)
def test_create_segment_names_every_bad_field_and_writes_nothing(
    portfolio: Portfolio, crm: Crm, data: dict[str, Any], errors: set[str]
) -> None:
    before = segments_digest()
    with pytest.raises(ValidationError) as caught:
        service.create_segment(user=portfolio.users["administrator"], data=data)
    assert set(caught.value.message_dict) == errors
    assert segments_digest() == before


def test_update_segment_changes_the_given_fields_and_replaces_the_criteria(
    portfolio: Portfolio, crm: Crm
) -> None:
    segment = service.update_segment(
        user=portfolio.users["coordinator"],
        segment=crm.segment,
        data={"criteria": {"districts": ["Mitte"]}, "description": "neu"},
    )
    segment.refresh_from_db()
    assert segment.name == "Handwerksbetriebe"
    assert segment.criteria == {"districts": ["Mitte"]}
    assert segment.description == "neu"
    other = Segment.objects.create(name="Andere", subject="people")
    with pytest.raises(ValidationError) as caught:
        service.update_segment(user=None, segment=other, data={"name": "HANDWERKSBETRIEBE"})
    assert "name" in caught.value.message_dict
    # Keeping its own name is no clash.
    service.update_segment(user=None, segment=segment, data={"name": "Handwerksbetriebe"})


def test_a_segment_a_mailing_uses_cannot_be_deleted(portfolio: Portfolio, crm: Crm) -> None:
    with pytest.raises(ValidationError) as caught:
        service.delete_segment(user=portfolio.users["administrator"], segment=crm.segment)
    assert caught.value.code == "in_use"
    assert "Einladung zum Handwerksfrühstück" in caught.value.messages[0]
    assert Segment.objects.filter(pk=crm.segment.pk).exists()
    Mailing.objects.all().delete()
    service.delete_segment(user=portfolio.users["administrator"], segment=crm.segment)
    assert not Segment.objects.filter(pk=crm.segment.pk).exists()


def test_duplicate_segment_copies_under_a_free_name(portfolio: Portfolio, crm: Crm) -> None:
    user = portfolio.users["coordinator"]
    first = service.duplicate_segment(user=user, segment=crm.segment)
    second = service.duplicate_segment(user=user, segment=crm.segment)
    assert first.name == "Handwerksbetriebe (Kopie)"
    assert second.name == "Handwerksbetriebe (Kopie 2)"
    assert (first.subject, first.criteria) == (crm.segment.subject, crm.segment.criteria)
    assert first.uuid != crm.segment.uuid


@pytest.mark.parametrize("role", NOT_WRITERS)
def test_only_the_office_manages_segments(portfolio: Portfolio, crm: Crm, role: str) -> None:
    user = acting(portfolio, role)
    before = segments_digest()
    attempts = [
        lambda: service.create_segment(user=user, data={"name": "X", "subject": "people"}),
        lambda: service.update_segment(user=user, segment=crm.segment, data={"name": "X"}),
        lambda: service.delete_segment(
            user=user, segment=Segment.objects.create(name="Frei", subject="people")
        ),
        lambda: service.duplicate_segment(user=user, segment=crm.segment),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    Segment.objects.filter(name="Frei").delete()
    assert segments_digest() == before


@pytest.mark.parametrize("role", WRITERS)
def test_the_office_manages_segments(portfolio: Portfolio, crm: Crm, role: str) -> None:
    user = portfolio.users[role]
    segment = service.create_segment(user=user, data={"name": "X", "subject": "people"})
    segment = service.update_segment(user=user, segment=segment, data={"name": "Y"})
    copy = service.duplicate_segment(user=user, segment=segment)
    service.delete_segment(user=user, segment=segment)
    assert list(Segment.objects.filter(name__in=["X", "Y", "Y (Kopie)"]).values_list("pk", flat=True)) == [
        copy.pk
    ]


def test_counts_of_a_people_segment(world: World) -> None:
    segment = Segment.objects.create(
        name="Bäckerei", subject="people", criteria={"needs": ["skilled-workers"], "districts": ["Testheide"]}
    )
    counts = service.segment_counts(segment, user=None)
    assert (counts.members, counts.people, counts.reachable, counts.purpose) == (2, 2, 1, "newsletter")
    assert counts.error == ""


def test_counts_of_an_organisation_segment(world: World) -> None:
    segment = Segment.objects.create(
        name="Testheide",
        subject="organisations",
        criteria={"districts": ["Testheide"], "consent": "newsletter"},
    )
    counts = service.segment_counts(segment, user=None)
    # Bäckerei and Kita; at them: Ben (consent) only, because the criterion consent applies to the people.
    assert (counts.members, counts.people, counts.reachable) == (2, 1, 1)
    assert service.segment_counts(segment, user=None, with_people=False).people is None


def test_with_a_consent_criterion_the_reachable_are_those_with_a_working_address(world: World) -> None:
    """Everybody a segment with a consent criterion counts has a valid consent: the reachable ones
    are those of them with an e-mail address that has not bounced."""
    ida = make_person(first_name="Ida", last_name="Ohne", email="")
    jan = make_person(
        first_name="Jan", last_name="Zurück", email="jan@example.org", email_bounced_at=timezone.now()
    )
    for person in (ida, jan):
        affiliate(person, world.baeckerei, "Verkauf")
        give_consent(person, Purpose.NEWSLETTER)
    segment = Segment.objects.create(
        name="Testheide-Post",
        subject="people",
        criteria={"districts": ["Testheide"], "consent": "newsletter"},
    )
    counts = service.segment_counts(segment, user=None)
    # Ben, Ida and Jan (Frida's consent has expired, Gert is anonymised); only Ben can be written to.
    assert (counts.members, counts.people, counts.reachable, counts.purpose) == (3, 3, 1, "newsletter")


def test_counts_name_codes_that_no_longer_exist(world: World) -> None:
    segment = Segment.objects.create(name="Alt", subject="people", criteria={"needs": ["vanished"]})
    counts = service.segment_counts(segment, user=None)
    assert counts.members is None
    assert "Bedarfe" in counts.error and "vanished" in counts.error


def test_counts_take_a_constant_number_of_queries(world: World, django_assert_num_queries: Any) -> None:
    segment = Segment.objects.create(
        name="Alle Betriebe", subject="organisations", criteria={"kinds": ["company"], "sectors": ["c"]}
    )
    # The content version and the sector terms (cached until the content changes) and the
    # organisations; the version again (outside a request it is read every time), and the people
    # there with the reachable ones among them in the same query.
    with django_assert_num_queries(5):
        first = service.segment_counts(segment, user=None)
    for number in range(20):
        Organisation.objects.create(
            name=f"Bäckerei {number}", slug=f"b-{number}", kind="company", sector=world.baeckerei.sector
        )
        make_person(last_name=f"P{number}")
    with django_assert_num_queries(4):  # the terms from the cache
        second = service.segment_counts(segment, user=None)
    assert first.members is not None
    assert second.members == first.members + 20


@translation.override("en")
def test_describe_criteria_in_words(world: World) -> None:
    criteria = service.parse_criteria(
        {
            "q": "Korn",
            "kinds": ["company"],
            "sectors": ["c", "43"],
            "trades": ["a"],
            "needs": ["skilled-workers", "vanished"],
            "labs": ["hybride-formen-des-handels"],
            "alliance": ["none"],
            "headcount_bands": ["1-4"],
            "contacted_within_days": 30,
            "not_contacted_for_days": 1,
            "consent": "newsletter",
        }
    )
    lines = dict(service.describe_criteria(criteria))
    assert lines["Text"] == "“Korn”"
    assert lines["Kind of organisation"] == "Company"
    assert lines["Sector (WZ 2008)"].startswith("C ")
    assert "43 " in lines["Sector (WZ 2008)"]
    assert lines["Trade"].startswith("A ")
    assert lines["Needs"].endswith("vanished (no longer exists)")
    assert lines["Lab"] == "Hybride Formen des Handels"
    assert lines["Wirtschaftsallianz"] == "not a member"
    assert lines["Headcount"] == "1–4 employees"
    assert lines["Last contact"] == "contacted within the last 30 days"
    assert lines["No contact"] == "not contacted for 1 day (or never)"
    assert lines["Valid consent"] == "Newsletter"


def test_every_role_in_the_order_of_the_matrix() -> None:
    assert set(WRITERS) | set(NOT_WRITERS) == set(ROLES)
