"""Segments: the services (create, update, delete, duplicate, counts, the criteria in words) and the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from conftest import ROLES, Portfolio
from reallabor.actors.models import Mailing, Segment
from reallabor.actors.services import segments as service
from reallabor.actors.tests.test_filters import World, make_world
from reallabor.core.testing.actors import Crm, make_person
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db

WRITERS = ("coordinator", "administrator")
NOT_WRITERS = ("anonymous", "reader", "partner", "outsider")


@pytest.fixture
def world(portfolio: Portfolio, crm: Crm) -> World:
    """The world of test_filters with the Bäckerei and the Kita in »Testheide«, a district no other
    test data has (counts are over all data)."""
    built = make_world(portfolio)
    Organisation.objects.filter(pk__in=[built.baeckerei.pk, built.kita.pk]).update(district="Testheide")
    return built


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
    counts = service.segment_counts(segment)
    assert (counts.members, counts.people, counts.reachable, counts.purpose) == (2, 2, 1, "newsletter")
    assert counts.error == ""


def test_counts_of_an_organisation_segment(world: World) -> None:
    segment = Segment.objects.create(
        name="Testheide",
        subject="organisations",
        criteria={"districts": ["Testheide"], "consent": "newsletter"},
    )
    counts = service.segment_counts(segment)
    # Bäckerei and Kita; at them: Ben (consent) only, because the criterion consent applies to the people.
    assert (counts.members, counts.people, counts.reachable) == (2, 1, 1)
    assert service.segment_counts(segment, with_people=False).people is None


def test_counts_name_codes_that_no_longer_exist(world: World) -> None:
    segment = Segment.objects.create(name="Alt", subject="people", criteria={"needs": ["vanished"]})
    counts = service.segment_counts(segment)
    assert counts.members is None
    assert "Bedarfe" in counts.error and "vanished" in counts.error


def test_counts_take_a_constant_number_of_queries(world: World, django_assert_num_queries: Any) -> None:
    segment = Segment.objects.create(
        name="Alle Betriebe", subject="organisations", criteria={"kinds": ["company"], "sectors": ["c"]}
    )
    # The sector terms and the organisations; the terms again and the people there; the reachable ones.
    with django_assert_num_queries(5):
        first = service.segment_counts(segment)
    for number in range(20):
        Organisation.objects.create(
            name=f"Bäckerei {number}", slug=f"b-{number}", kind="company", sector=world.baeckerei.sector
        )
        make_person(last_name=f"P{number}")
    with django_assert_num_queries(5):
        second = service.segment_counts(segment)
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


# Pages -------------------------------------------------------------------------------------------------


def english(portfolio: Portfolio, role: str) -> Any:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_list_shows_live_counts_with_constant_queries_per_segment(
    portfolio: Portfolio, world: World, django_assert_max_num_queries: Any
) -> None:
    client = english(portfolio, "coordinator")
    Segment.objects.create(name="Testheide", subject="organisations", criteria={"districts": ["Testheide"]})
    url = reverse("actors:segment-list")
    client.get(url)  # warm caches (content types, sessions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Testheide" in content and "Handwerksbetriebe" in content
    for number in range(10):
        Organisation.objects.create(
            name=f"Kita {number}", slug=f"kita-{number}", kind="civil_society", district="Testheide"
        )
    with django_assert_max_num_queries(len(first)):
        response = client.get(url)
    assert response.status_code == 200


def test_the_list_shows_the_count_of_each_segment(portfolio: Portfolio, world: World) -> None:
    Segment.objects.create(name="Testheide", subject="organisations", criteria={"districts": ["Testheide"]})
    expected = service.segment_counts(Segment.objects.get(name="Testheide"))
    content = english(portfolio, "administrator").get(reverse("actors:segment-list")).content.decode()
    row = content[content.index(">Testheide</a>") :].split("</tr>")[0]
    assert f"<td>{expected.members}</td>" in row
    assert f"<td>{expected.reachable}</td>" in row


def test_create_a_segment_on_the_page(portfolio: Portfolio, crm: Crm) -> None:
    client = english(portfolio, "coordinator")
    response = client.post(
        reverse("actors:segment-create"),
        {
            "name": "Tischlereien",
            "subject": "organisations",
            "kinds": ["company"],
            "trades": ["a"],
            "sectors": ["c"],
            "not_contacted_for_days": "90",
            "consent": "",
        },
    )
    segment = Segment.objects.get(name="Tischlereien")
    assert response.status_code == 302
    assert response["Location"] == segment.get_absolute_url()
    assert segment.criteria == {
        "kinds": ["company"],
        "sectors": ["c"],
        "trades": ["a"],
        "not_contacted_for_days": 90,
    }


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"subject": "people"}, "name", "This field is required."),
        ({"name": "Handwerksbetriebe", "subject": "people"}, "name", "There is already a segment named"),
        ({"name": "X", "subject": "people", "sectors": ["zz"]}, "sectors", "Select a valid choice."),
        ({"name": "X", "subject": "people", "kinds": ["pirates"]}, "kinds", "Select a valid choice."),
        (
            {"name": "X", "subject": "people", "contacted_within_days": "bald"},
            "contacted_within_days",
            "Enter a whole number.",
        ),
        (
            {"name": "X", "subject": "people", "contacted_within_days": "-3"},
            "contacted_within_days",
            "greater than or equal to 0",
        ),
        ({"name": "X", "subject": "people", "labs": ["kein-labor"]}, "labs", "Select a valid choice."),
        ({"name": "X", "subject": "bots"}, "subject", "Select a valid choice."),
    ],
)
def test_bad_input_on_the_page_names_the_field_and_saves_nothing(
    portfolio: Portfolio, crm: Crm, data: dict[str, Any], field: str, message: str
) -> None:
    before = segments_digest()
    response = english(portfolio, "coordinator").post(reverse("actors:segment-create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert segments_digest() == before


def test_counting_again_without_javascript_saves_nothing(portfolio: Portfolio, world: World) -> None:
    before = segments_digest()
    response = english(portfolio, "coordinator").post(
        reverse("actors:segment-create"),
        {"subject": "people", "needs": ["skilled-workers"], "districts": ["Testheide"], "preview": "1"},
    )
    assert response.status_code == 200
    assert "name" not in response.context["form"].errors
    assert response.context["counts"].members == 2
    assert "<strong>2</strong> people match" in response.content.decode()
    assert segments_digest() == before


def test_a_list_query_string_prefills_the_new_segment(portfolio: Portfolio, world: World) -> None:
    response = english(portfolio, "coordinator").get(
        reverse("actors:segment-create")
        + "?subject=people&kind=company&district=Testheide&page=2&needs=skilled-workers"
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial == {
        "subject": "people",
        "kinds": ["company"],
        "districts": ["Testheide"],
        "needs": ["skilled-workers"],
    }
    content = response.content.decode()
    assert 'value="company"' in content and 'id="id_kinds_0" checked' in content
    assert response.context["counts"].members == 2  # Ben and Frida


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("sectors=zz", {"Sector (WZ 2008)"}),
        ("consent=spam&contacted_within_days=x", {"Valid consent", "Last contact"}),
    ],
)
def test_a_prefill_with_bad_values_says_what_is_wrong(
    portfolio: Portfolio, crm: Crm, query: str, named: set[str]
) -> None:
    response = english(portfolio, "coordinator").get(reverse("actors:segment-create") + "?" + query)
    assert response.status_code == 200
    assert dict(response.context["count_errors"]).keys() == named


def test_the_live_count_fragment(portfolio: Portfolio, world: World) -> None:
    client = english(portfolio, "coordinator")
    url = reverse("actors:segment-count")
    response = client.get(
        url
        + "?subject=people&needs=skilled-workers&districts=Testheide&name=&csrfmiddlewaretoken=x&consent=&contacted_within_days=",
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert "<strong>2</strong> people match;" in content
    assert "1 of them can be reached by e-mail with a valid consent for “Newsletter”" in content
    content = client.get(url + "?subject=organisations&districts=Testheide").content.decode()
    assert "organisations match." in content and "work there now" in content


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("subject=bots", "The segment holds"),
        ("sectors=zz", "Sector (WZ 2008)"),
        ("contacted_within_days=soon", "Last contact"),
        ("consent=spam", "Valid consent"),
        ("labs=%00", "Lab"),
    ],
)
def test_the_live_count_names_bad_criteria(portfolio: Portfolio, crm: Crm, query: str, named: str) -> None:
    response = english(portfolio, "coordinator").get(reverse("actors:segment-count") + "?" + query)
    assert response.status_code == 200
    assert named in response.content.decode()
    assert response.context["counts"] is None


def test_the_detail_page(portfolio: Portfolio, world: World) -> None:
    segment = Segment.objects.create(
        name="Fachkräfte",
        subject="people",
        criteria={"needs": ["skilled-workers"], "kinds": ["company"], "districts": ["Testheide"]},
    )
    response = english(portfolio, "administrator").get(segment.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "Skilled workers" in content and "Company" in content
    assert [person.first_name for person in response.context["members"]] == ["Ben", "Frida"]
    assert "<strong>2</strong> people match;" in content
    assert reverse("actors:segment-export", kwargs={"uuid": segment.uuid, "fmt": "xlsx"}) in content
    assert (
        response.context["full_list_url"]
        == reverse("actors:person-list") + "?kinds=company&districts=Testheide&needs=skilled-workers"
    )


def test_the_detail_page_of_an_organisation_segment_lists_organisations(
    portfolio: Portfolio, world: World
) -> None:
    segment = Segment.objects.create(
        name="Testheide", subject="organisations", criteria={"districts": ["Testheide"]}
    )
    response = english(portfolio, "coordinator").get(segment.get_absolute_url())
    names = [organisation.name for organisation in response.context["members"]]
    assert "Bäckerei Korn (fiktiv)" in names and "Kita Sonnenschein (fiktiv)" in names
    assert "?kind=people" in response.content.decode()


def test_the_detail_page_shows_at_most_fifty_members(portfolio: Portfolio, crm: Crm) -> None:
    for number in range(55):
        make_person(last_name=f"Muster{number:02d}", district="Testheide-Süd")
    segment = Segment.objects.create(
        name="Testheide-Süd", subject="people", criteria={"districts": ["Testheide-Süd"]}
    )
    response = english(portfolio, "coordinator").get(segment.get_absolute_url())
    assert len(response.context["members"]) == 50
    assert "Show all 55 in the list" in response.content.decode()


def test_a_segment_with_vanished_codes_explains_itself(portfolio: Portfolio, crm: Crm) -> None:
    segment = Segment.objects.create(
        name="Alt", subject="people", criteria={"needs": ["vanished"], "kinds": ["x"]}
    )
    response = english(portfolio, "coordinator").get(segment.get_absolute_url())
    assert response.status_code == 200
    assert "Edit its criteria" in response.content.decode()
    assert response.context["members"] == []


def test_edit_a_segment_on_the_page(portfolio: Portfolio, crm: Crm) -> None:
    client = english(portfolio, "coordinator")
    url = reverse("actors:segment-edit", kwargs={"uuid": crm.segment.uuid})
    response = client.get(url)
    assert response.context["form"].initial["kinds"] == ["company"]
    response = client.post(url, {"name": "Betriebe", "subject": "people", "kinds": ["company", "science"]})
    assert response.status_code == 302
    crm.segment.refresh_from_db()
    assert (crm.segment.name, crm.segment.criteria) == ("Betriebe", {"kinds": ["company", "science"]})


def test_duplicate_on_the_page(portfolio: Portfolio, crm: Crm) -> None:
    response = english(portfolio, "administrator").post(
        reverse("actors:segment-duplicate", kwargs={"uuid": crm.segment.uuid})
    )
    copy = Segment.objects.get(name="Handwerksbetriebe (copy)")
    assert response.status_code == 302
    assert response["Location"] == reverse("actors:segment-edit", kwargs={"uuid": copy.uuid})


def test_delete_on_the_page(portfolio: Portfolio, crm: Crm) -> None:
    client = english(portfolio, "coordinator")
    url = reverse("actors:segment-delete", kwargs={"uuid": crm.segment.uuid})
    assert "Einladung zum Handwerksfrühstück" in client.get(url).content.decode()
    before = segments_digest()
    response = client.post(url)
    assert response.status_code == 409
    assert "cannot be deleted" in response.content.decode()
    assert segments_digest() == before
    free = Segment.objects.create(name="Frei", subject="people")
    response = client.post(reverse("actors:segment-delete", kwargs={"uuid": free.uuid}))
    assert response.status_code == 302
    assert not Segment.objects.filter(pk=free.pk).exists()


def _writes(crm: Crm) -> list[tuple[str, dict[str, Any]]]:
    kwargs = {"uuid": crm.segment.uuid}
    return [
        (reverse("actors:segment-create"), {"name": "Neu", "subject": "people"}),
        (reverse("actors:segment-edit", kwargs=kwargs), {"name": "Anders", "subject": "people"}),
        (reverse("actors:segment-duplicate", kwargs=kwargs), {}),
        (reverse("actors:segment-delete", kwargs=kwargs), {}),
    ]


@pytest.mark.parametrize("role", NOT_WRITERS)
def test_denied_writes_on_the_pages_change_nothing(portfolio: Portfolio, crm: Crm, role: str) -> None:
    Mailing.objects.all().delete()  # so that a delete would succeed if it were allowed
    client = portfolio.client(role)
    before = segments_digest()
    for url, data in _writes(crm):
        response = client.post(url, data)
        assert response.status_code == (302 if role == "anonymous" else 403), url
        if role == "anonymous":
            assert response["Location"].startswith(reverse("accounts:login"))
    assert segments_digest() == before


@pytest.mark.parametrize("role", WRITERS)
def test_allowed_writes_on_the_pages(portfolio: Portfolio, crm: Crm, role: str) -> None:
    Mailing.objects.all().delete()
    client = portfolio.client(role)
    for url, data in _writes(crm):
        before = segments_digest()
        assert client.post(url, data).status_code == 302, url
        assert segments_digest() != before


def test_unknown_segments_are_404(portfolio: Portfolio, crm: Crm) -> None:
    client = portfolio.client("coordinator")
    for name in ("actors:segment-detail", "actors:segment-edit", "actors:segment-delete"):
        assert (
            client.get(reverse(name, kwargs={"uuid": "00000000-0000-0000-0000-000000000000"})).status_code
            == 404
        )
    assert client.get("/segmente/kein-uuid/").status_code == 404


def test_duplicate_needs_post(portfolio: Portfolio, crm: Crm) -> None:
    response = portfolio.client("coordinator").get(
        reverse("actors:segment-duplicate", kwargs={"uuid": crm.segment.uuid})
    )
    assert response.status_code == 405


def test_every_role_in_the_order_of_the_matrix() -> None:
    assert set(WRITERS) | set(NOT_WRITERS) == set(ROLES)
