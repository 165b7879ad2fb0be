"""Segment pages: the list, the form with its live count, the segment's page and its fragments
(counts and members, loaded with htmx), and the writes on the pages for every role."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import Portfolio
from reallabor.actors.models import Mailing, Segment
from reallabor.actors.services import segments as service
from reallabor.actors.tests.test_filters import World
from reallabor.actors.tests.test_segments import NOT_WRITERS, WRITERS, make_testheide, segments_digest
from reallabor.core.testing.actors import Crm, affiliate, make_person
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(portfolio: Portfolio, crm: Crm) -> World:
    return make_testheide(portfolio)


def english(portfolio: Portfolio, role: str) -> Any:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


HTMX = {"HX-Request": "true"}


MEMBER_TABLES = (
    '"actors_person"',
    '"actors_affiliation"',
    '"actors_consent"',
    '"organisations_organisation"',
)


def counted(queries: Any) -> list[str]:
    """The queries that read the actors a segment counts (what a page must not do while it is rendered)."""
    return [query["sql"] for query in queries if any(table in query["sql"] for table in MEMBER_TABLES)]


def test_the_list_counts_nothing_itself_and_takes_constant_queries(
    portfolio: Portfolio, world: World, django_assert_max_num_queries: Any
) -> None:
    client = english(portfolio, "coordinator")
    Segment.objects.create(name="Testheide", subject="organisations", criteria={"districts": ["Testheide"]})
    url = reverse("actors:segment-list")
    client.get(url)  # warm caches (content types, sessions)

    with CaptureQueriesContext(connection) as first:
        response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Testheide" in content and "Handwerksbetriebe" in content
    assert counted(first.captured_queries) == []
    for number in range(10):
        Organisation.objects.create(
            name=f"Kita {number}", slug=f"kita-{number}", kind="civil_society", district="Testheide"
        )
        Segment.objects.create(
            name=f"Segment {number}", subject="people", criteria={"districts": ["Testheide"]}
        )
    with django_assert_max_num_queries(len(first)):
        response = client.get(url)
    assert response.status_code == 200


def test_each_row_of_the_list_loads_its_counts(portfolio: Portfolio, world: World) -> None:
    segment = Segment.objects.create(
        name="Testheide", subject="organisations", criteria={"districts": ["Testheide"]}
    )
    expected = service.segment_counts(segment, user=None)
    client = english(portfolio, "administrator")
    content = client.get(reverse("actors:segment-list")).content.decode()
    row = content[content.index(">Testheide</a>") :].split("</tr>")[0]
    counts_url = reverse("actors:segment-counts", kwargs={"uuid": segment.uuid})
    # htmx swaps the row for one with the counts; without JavaScript the row links to them.
    before_row = content[: content.index(">Testheide</a>")]
    opening = before_row[before_row.rindex("<tr") :]
    assert f'hx-get="{counts_url}?row=1"' in opening and 'hx-trigger="load"' in opening
    assert f'<a href="{counts_url}">Count now' in row

    fragment = client.get(counts_url + "?row=1", headers=HTMX).content.decode()
    assert fragment.strip().startswith("<tr>") and fragment.strip().endswith("</tr>")
    assert "hx-get" not in fragment
    assert ">Testheide</a>" in fragment
    cells = fragment.split("</th>")[1]
    assert f"<td>{expected.members}</td>" in cells and f"<td>{expected.reachable}</td>" in cells
    assert "<td>0</td>" in cells  # no mailing uses it


def test_the_counts_fragment_as_a_page_of_its_own(portfolio: Portfolio, world: World) -> None:
    segment = Segment.objects.create(
        name="Testheide", subject="organisations", criteria={"districts": ["Testheide"]}
    )
    url = reverse("actors:segment-counts", kwargs={"uuid": segment.uuid})
    client = english(portfolio, "coordinator")
    page = client.get(url)
    content = page.content.decode()
    assert page.status_code == 200 and "<html" in content
    assert "Who matches “Testheide” now" in content
    assert "<strong>2</strong> organisations match." in content and "2 people work there now" in content
    assert segment.get_absolute_url() in content
    fragment = client.get(url, headers=HTMX).content.decode()
    assert "<html" not in fragment and "<strong>2</strong> organisations match." in fragment
    # ``row`` asks for the list's row only from htmx; the page is the same without it.
    assert "<html" in client.get(url + "?row=1").content.decode()


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
    query = "?subject=people&kind=company&district=Testheide&page=2&needs=skilled-workers"
    client = english(portfolio, "coordinator")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("actors:segment-create") + query)
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
    # The page does not count: the count area loads the counts of the form's values once shown.
    assert response.context["counts"] is None and response.context["count_later"]
    assert not any("COUNT(" in query["sql"] for query in queries.captured_queries)
    count_area = content[content.index('id="segment-count"') :].split(">")[0]
    assert 'hx-trigger="load"' in count_area and 'hx-include="closest form"' in count_area
    assert "Not counted yet" in content
    # What htmx sends: the form's values.
    fragment = client.get(
        reverse("actors:segment-count")
        + "?name=&subject=people&kinds=company&districts=Testheide&needs=skilled-workers",
        headers=HTMX,
    )
    assert fragment.context["counts"].members == 2  # Ben and Frida


def test_the_edit_page_does_not_count_either(portfolio: Portfolio, world: World) -> None:
    segment = Segment.objects.create(
        name="Testheide", subject="people", criteria={"districts": ["Testheide"]}
    )
    with CaptureQueriesContext(connection) as queries:
        response = english(portfolio, "coordinator").get(
            reverse("actors:segment-edit", kwargs={"uuid": segment.uuid})
        )
    assert response.status_code == 200
    assert response.context["count_later"] and response.context["counts"] is None
    assert not any("COUNT(" in query["sql"] for query in queries.captured_queries)


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
    client = english(portfolio, "administrator")
    response = client.get(segment.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "Skilled workers" in content and "Company" in content
    assert reverse("actors:segment-export", kwargs={"uuid": segment.uuid, "fmt": "xlsx"}) in content
    assert (
        response.context["full_list_url"]
        == reverse("actors:person-list") + "?kinds=company&districts=Testheide&needs=skilled-workers"
    )
    # The counts and the members load once the page is shown; without JavaScript, links lead there.
    counts_url = reverse("actors:segment-counts", kwargs={"uuid": segment.uuid})
    members_url = reverse("actors:segment-members", kwargs={"uuid": segment.uuid})
    for url in (counts_url, members_url):
        assert f'hx-get="{url}" hx-trigger="load"' in content
        assert f'<a href="{url}">' in content
    assert 'id="segment-counts" aria-live="polite"' in content

    counts = client.get(counts_url, headers=HTMX).content.decode()
    assert "<strong>2</strong> people match;" in counts
    members = client.get(members_url, headers=HTMX)
    assert [person.first_name for person in members.context["members"]] == ["Ben", "Frida"]
    fragment = members.content.decode()
    assert "<html" not in fragment and fragment.strip().startswith('<div id="segment-members">')
    assert "Ben Korn" in fragment and "Bäckerei Korn (fiktiv)" in fragment and "(Inhaber)" in fragment


def test_the_detail_page_counts_nothing_and_takes_constant_queries(
    portfolio: Portfolio, world: World, django_assert_max_num_queries: Any
) -> None:
    segment = Segment.objects.create(
        name="Fachkräfte", subject="people", criteria={"needs": ["skilled-workers"], "kinds": ["company"]}
    )
    client = english(portfolio, "administrator")
    client.get(segment.get_absolute_url())  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as first:
        assert client.get(segment.get_absolute_url()).status_code == 200
    assert counted(first.captured_queries) == []
    for number in range(10):
        person = make_person(last_name=f"Fachkraft {number}")
        affiliate(person, world.baeckerei, "Geselle")
    Mailing.objects.create(subject="Hallo", segment=segment, purpose="newsletter", body="…")
    with django_assert_max_num_queries(len(first)):
        assert client.get(segment.get_absolute_url()).status_code == 200


def test_the_members_of_an_organisation_segment_are_organisations(portfolio: Portfolio, world: World) -> None:
    segment = Segment.objects.create(
        name="Testheide", subject="organisations", criteria={"districts": ["Testheide"]}
    )
    response = english(portfolio, "coordinator").get(segment.get_absolute_url())
    assert "?kind=people" in response.content.decode()
    members = english(portfolio, "coordinator").get(
        reverse("actors:segment-members", kwargs={"uuid": segment.uuid}), headers=HTMX
    )
    names = [organisation.name for organisation in members.context["members"]]
    assert names == ["Bäckerei Korn (fiktiv)", "Kita Sonnenschein (fiktiv)"]


def test_the_members_come_fifty_a_page_without_counting_them_all(
    portfolio: Portfolio, crm: Crm, django_assert_max_num_queries: Any
) -> None:
    for number in range(55):
        make_person(last_name=f"Muster{number:02d}", district="Testheide-Süd")
    segment = Segment.objects.create(
        name="Testheide-Süd", subject="people", criteria={"districts": ["Testheide-Süd"]}
    )
    client = english(portfolio, "coordinator")
    url = reverse("actors:segment-members", kwargs={"uuid": segment.uuid})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert not any("COUNT(" in query["sql"] for query in queries.captured_queries)
    content = response.content.decode()
    assert "<html" in content and "Members of “Testheide-Süd”" in content  # a page of its own
    assert [person.last_name for person in response.context["members"]] == [
        f"Muster{n:02d}" for n in range(50)
    ]
    assert f'href="{url}?page=2" rel="next"' in content and 'rel="prev"' not in content
    assert "Members 1 to 50" in content

    with django_assert_max_num_queries(len(queries.captured_queries)):
        second = client.get(url + "?page=2", headers=HTMX)
    assert [person.last_name for person in second.context["members"]] == [
        f"Muster{n:02d}" for n in range(50, 55)
    ]
    second_content = second.content.decode()
    assert f'href="{url}?page=1" rel="prev"' in second_content and 'rel="next"' not in second_content
    assert "Members 51 to 55" in second_content


@pytest.mark.parametrize("page", ["0", "-1", "x", "%00", "1.5", "99999999999999999999"])
def test_a_bad_page_number_is_no_error(portfolio: Portfolio, crm: Crm, page: str) -> None:
    url = reverse("actors:segment-members", kwargs={"uuid": crm.segment.uuid}) + "?page=" + page
    response = english(portfolio, "coordinator").get(url)
    assert response.status_code == 200
    assert response.context["page_number"] in (1, 1000)


def test_a_segment_with_vanished_codes_explains_itself(portfolio: Portfolio, crm: Crm) -> None:
    segment = Segment.objects.create(
        name="Alt", subject="people", criteria={"needs": ["vanished"], "kinds": ["x"]}
    )
    client = english(portfolio, "coordinator")
    response = client.get(segment.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "Edit its criteria" in content
    assert reverse("actors:segment-members", kwargs={"uuid": segment.uuid}) not in content
    members = client.get(reverse("actors:segment-members", kwargs={"uuid": segment.uuid}), headers=HTMX)
    assert members.status_code == 200
    assert members.context["members"] == [] and "Edit its criteria" in members.content.decode()
    counts = client.get(reverse("actors:segment-counts", kwargs={"uuid": segment.uuid}), headers=HTMX)
    assert (
        counts.status_code == 200 and "Kind of organisation: Unknown value(s): x." in counts.content.decode()
    )


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
