"""The office's dashboard of the check (``/digitalcheck/auswertung/``): who sees it, what it shows,
that it is current after every change, small groups suppressed, constant queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import ROLES
from reallabor.assessment import dashboard, dashboard_data, selectors, services
from reallabor.assessment.models import DIMENSIONS, Response
from reallabor.assessment.tests import helpers
from reallabor.assessment.tests.conftest import Checks
from reallabor.assessment.tests.dashboard_helpers import add_results
from reallabor.core.cache import content_changed
from reallabor.offers.models import Recommendation
from reallabor.offers.tests.conftest import make_offer
from reallabor.taxonomy.models import TRADES_FAMILY, Term
from reallabor.taxonomy.services import set_local_wording

pytestmark = pytest.mark.django_db

URL = "/digitalcheck/auswertung/"
STATUSES = dict(zip(ROLES, (302, 403, 403, 200, 200, 403), strict=True))


def office(checks: Checks) -> Client:
    return checks.portfolio.client("administrator")


def page(checks: Checks, query: str = "", **headers: Any) -> str:
    """The page as the office sees it, in English unless the headers ask otherwise."""
    headers = {"accept-language": "en", **headers}
    response = office(checks).get(f"{URL}?{query}" if query else URL, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def test_the_url() -> None:
    assert reverse("assessment:dashboard") == URL


@pytest.mark.parametrize("role", ROLES)
def test_only_the_office_sees_the_dashboard(checks: Checks, role: str) -> None:
    checks.submitted()
    response = checks.portfolio.client(role).get(URL)
    assert response.status_code == STATUSES[role]
    if role == "anonymous":
        assert "/konto/anmelden/" in response["Location"] or "login" in response["Location"]


def test_a_business_member_and_a_partner_member_get_403(checks: Checks) -> None:
    result = checks.submitted()
    services.share_with(user=None, response=result, organisation=checks.chamber)
    client = Client()
    client.force_login(checks.member)
    assert client.get(URL).status_code == 403
    assert checks.portfolio.client("partner").get(URL).status_code == 403  # member of the chamber


def test_an_empty_dashboard(checks: Checks) -> None:
    html = page(checks)
    assert "No business matches" in html
    assert "No offer has been recommended" in html


def test_groups_and_suppression(checks: Checks) -> None:
    trades = list(
        Term.objects.filter(vocabulary__family=TRADES_FAMILY, parent__isnull=False).order_by("code")[:3]
    )
    add_results(6, prefix="big", trade=trades[0], band="5-9", district="Kirchhellen")
    add_results(5, prefix="mid", trade=trades[1], band="5-9", district="Kirchhellen")
    add_results(2, prefix="small", trade=trades[2], band="1-4", district="Boy")
    html = page(checks)
    assert ">13<" in html  # every business in the overview
    assert trades[0].label in html and trades[2].label in html
    # trades: 6, 5 shown? the 2 would be 13 - 11: the group of 5 is hidden too (secondary suppression)
    data = dashboard_data.cells()
    board = dashboard.build(
        data.cells,
        dashboard_data.period_cells(dashboard.Filters()),
        dashboard.Filters(),
        trade_label=str,
        band_label=str,
        district_label=str,
        dimension_labels={},
    )
    shown = {row.key: row.summary.count for row in board.by_trade.rows if row.summary is not None}
    assert shown == {str(trades[0].pk): 6}
    assert board.by_trade.other is not None and board.by_trade.other.count == 7
    assert "fewer than 5" in html
    assert "not shown, so that a smaller group cannot be worked out" in html
    # the district Boy (2 businesses) never shows its number; with only one other district, that
    # one is hidden too (else 13 − 11 would give Boy away): only the total remains
    districts = {row.key: row for row in board.by_district.rows}
    assert districts["Boy"].summary is None and districts["Boy"].hidden == "few"
    assert districts["Kirchhellen"].summary is None and districts["Kirchhellen"].hidden == "protects"
    assert board.by_district.other is not None and board.by_district.other.count == 13


def test_the_means_and_gaps(checks: Checks) -> None:
    add_results(5, prefix="a", scores=(10, 20, 30, 40, 50, 60), gaps=(5, 0, 30, 20, 10, 40))
    add_results(5, prefix="b", scores=(20, 20, 30, 40, 50, 70), gaps=None)
    data = dashboard_data.cells()
    total = dashboard.summarise(data.cells)
    assert total.count == 10
    assert total.mean_overall == Decimal("36.7")  # (35 × 5 + 38.3… × 5) / 10 of the stored rounded values
    assert total.mean_dimensions[0] == Decimal("15.0")
    assert total.with_gaps == 5
    assert total.top_gaps == (0, 0, 5, 5, 0, 5)  # 6 (40), 3 (30), 4 (20)
    html = page(checks)
    assert "Most frequent gaps" in html and "Development over time" in html


def test_the_cells_agree_with_the_latest_results(checks: Checks) -> None:
    """The SQL (latest result per organisation, the three largest gaps) against the selectors and
    the pure module, for results submitted through the services (re-takes included)."""
    example = helpers.example()
    checks.submitted(example)
    second = helpers.example()
    second["relevance"] = {"1": 5, "2": 1, "3": 5, "4": 2, "5": 5, "6": 1}
    checks.submitted(second)  # a re-take: only this one counts
    checks.submitted(example, organisation=checks.other_business)
    latest = selectors.latest_results()
    data = dashboard_data.build_cells()
    total = dashboard.summarise(data.cells)
    assert total.count == len(latest) == 2
    assert total.overall_sum == sum(result.overall for result in latest.values()) * 10
    expected = [0] * 6
    responses = Response.objects.filter(uuid__in=[result.uuid for result in latest.values()])
    for response in responses:
        flags = dashboard.top_gap_flags([response.gaps()[d] for d in DIMENSIONS])
        for index, flag in enumerate(flags):
            expected[index] += flag
    assert total.top_gaps == tuple(expected)
    periods = dashboard_data.period_cells(dashboard.Filters())
    assert sum(cell.count for cell in periods) == 3  # every submitted check over time


def test_submitting_deleting_and_moving_change_the_dashboard(checks: Checks) -> None:
    add_results(5, prefix="base", district="Boy")
    first = dashboard.summarise(dashboard_data.cells().cells)
    assert first.count == 5
    page(checks)  # cached now
    result = checks.submitted()
    assert dashboard.summarise(dashboard_data.cells().cells).count == 6
    assert ">6<" in page(checks)
    services.set_context(user=None, response=result, data={"district": "Boy"})
    boy = dashboard.summarise(
        dashboard.filtered(dashboard_data.cells().cells, dashboard.Filters(district="Boy"))
    )
    assert boy.count == 6
    services.delete_response(user=None, response=result)
    assert dashboard.summarise(dashboard_data.cells().cells).count == 5
    assert ">5<" in page(checks)


def test_linking_and_importing_change_the_dashboard(checks: Checks) -> None:
    add_results(5, prefix="base")
    anonymous = services.start_check(user=None)
    file = helpers.example()
    services.save_answers(user=None, response=anonymous, data={"answers": file["answers"]})
    services.submit_check(user=None, response=anonymous)
    assert dashboard.summarise(dashboard_data.cells().cells).count == 5  # no organisation: not counted
    services.link_to_organisation(user=None, response=anonymous, organisation=checks.business)
    assert dashboard.summarise(dashboard_data.cells().cells).count == 6
    services.import_check(user=None, data={**helpers.example(), "organisation": checks.other_business.slug})
    assert dashboard.summarise(dashboard_data.cells().cells).count == 7


def test_filters(checks: Checks) -> None:
    trade = (
        Term.objects.filter(vocabulary__family=TRADES_FAMILY, parent__isnull=False).order_by("code").first()
    )
    assert trade is not None
    add_results(5, prefix="k", trade=trade, band="5-9", district="Kirchhellen")
    add_results(7, prefix="b", band="1-4", district="Boy")
    assert ">5<" in page(checks, f"trade={trade.code}")
    assert ">7<" in page(checks, "district=Boy")
    html = page(checks, "district=Boy&band=5-9")
    assert "No business matches" in html
    add_results(3, prefix="s", band="5-9", district="Boy")
    html = page(checks, "district=Boy&band=5-9")
    assert "Fewer than 5 businesses match the filters" in html
    assert ">3<" not in html


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("trade=nope", "trade"),
        ("band=7-8", "band"),
        ("district=%00", "district"),
        ("trade=" + "x" * 3000, "trade"),
        ("district=Boy&district=Eigen", "district"),
    ],
)
def test_bad_filters_name_the_field_and_filter_nothing(checks: Checks, query: str, field: str) -> None:
    add_results(5, prefix="k", district="Kirchhellen")
    html = page(checks, query)
    assert f'id="id_{field}_error"' in html  # the message under the field
    assert html.count('class="error"') == 1
    assert ">5<" in html  # the unfiltered dashboard


def test_htmx_gets_the_results_only(checks: Checks) -> None:
    add_results(5, prefix="k")
    html = page(checks, "", **{"HX-Request": "true"})
    assert html.lstrip().startswith('<div id="dashboard-results"')
    assert "<html" not in html


def test_offers_recommended_and_taken_up(checks: Checks) -> None:
    from reallabor.offers import services as offer_services

    offer = make_offer("Digitalbonus Probe", provider=checks.chamber.slug)
    untouched = make_offer("Niemals empfohlen", provider=checks.chamber.slug)
    for organisation in (checks.business, checks.other_business):
        Recommendation.objects.create(
            organisation=organisation, offer=offer, recommended_at=timezone.now(), rank=1, score=Decimal(10)
        )
    offer_services.record_uptake(user=None, organisation=checks.business, offer=offer)
    counts = dashboard_data.offer_counts()
    assert [(item.slug, item.recommended, item.taken_up, item.uptake_share) for item in counts] == [
        (offer.slug, 2, 1, 50)
    ]
    html = page(checks)
    assert offer.title in html and untouched.title not in html
    # the page is cached now; recording an uptake shows at once
    offer_services.record_uptake(user=None, organisation=checks.other_business, offer=untouched)
    assert untouched.title in page(checks)


def test_periods_by_quarter(checks: Checks) -> None:
    add_results(5, prefix="q1", submitted_at=dt.datetime(2025, 2, 1, 12, tzinfo=dt.UTC))
    add_results(2, prefix="q3", submitted_at=dt.datetime(2025, 8, 1, 12, tzinfo=dt.UTC))
    add_results(5, prefix="boy", district="Boy", submitted_at=dt.datetime(2025, 8, 2, 12, tzinfo=dt.UTC))
    rows = dashboard.period_rows(dashboard_data.period_cells(dashboard.Filters()))
    assert [(row.period, row.count) for row in rows] == [("2025-Q1", 5), ("2025-Q3", 7)]
    rows = dashboard.period_rows(dashboard_data.period_cells(dashboard.Filters(district="Boy")))
    assert [(row.period, row.count) for row in rows] == [("2025-Q3", 5)]
    html = page(checks)
    assert "2025-Q1" in html and "2025-Q3" in html


def test_quarters_are_the_citys(checks: Checks) -> None:
    """Just after midnight on New Year's Day in Bottrop is still the old year in UTC."""
    berlin = timezone.get_current_timezone()
    add_results(5, prefix="ny", submitted_at=dt.datetime(2025, 1, 1, 0, 30, tzinfo=berlin))
    add_results(5, prefix="eve", submitted_at=dt.datetime(2024, 12, 31, 23, 30, tzinfo=berlin))
    rows = dashboard.period_rows(dashboard_data.period_cells(dashboard.Filters()))
    assert [(row.period, row.count) for row in rows] == [("2024-Q4", 5), ("2025-Q1", 5)]
    assert [
        label
        for label, _end in dashboard_data.quarters(
            dt.datetime(2024, 11, 1, tzinfo=berlin), dt.datetime(2025, 7, 1, tzinfo=berlin)
        )
    ] == ["2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3"]


def _queries(checks: Checks, django_assert_max_num_queries: Any, query: str = "") -> int:
    client = office(checks)
    client.get(f"{URL}?{query}")  # the session and the caches warm
    with django_assert_max_num_queries(20) as context:
        assert client.get(f"{URL}?{query}").status_code == 200
    return len(context.captured_queries)


def test_the_query_counts_stay_constant(checks: Checks, django_assert_max_num_queries: Any) -> None:
    make_offer("Digitalbonus Probe", provider=checks.chamber.slug)
    add_results(5, prefix="few", district="Boy")
    warm_few = _queries(checks, django_assert_max_num_queries)
    dashboard_data.results_changed()
    cold_client = office(checks)
    with django_assert_max_num_queries(30) as context:
        cold_client.get(URL)
    cold_few = len(context.captured_queries)
    add_results(40, prefix="many", district="Eigen")
    add_results(30, prefix="more", band="1-4", district="Boy")
    assert _queries(checks, django_assert_max_num_queries) == warm_few
    dashboard_data.results_changed()
    cold_client = office(checks)
    with django_assert_max_num_queries(30) as context:
        cold_client.get(URL)
    assert len(context.captured_queries) == cold_few
    assert _queries(checks, django_assert_max_num_queries, "district=Boy") == warm_few
    print(f"dashboard queries: warm {warm_few}, first after a change {cold_few}")


def test_the_offices_offer_list_links_to_the_dashboard(checks: Checks) -> None:
    html = checks.portfolio.client("coordinator").get(reverse("offers:offer-office-list")).content.decode()
    assert f'href="{URL}"' in html


def test_other_changes_of_content_keep_the_computed_numbers(checks: Checks) -> None:
    add_results(6, prefix="kept", district="Boy")
    client = office(checks)
    client.get(URL)

    def reads_results() -> bool:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return any("assessment_response" in query["sql"] for query in captured.captured_queries)

    content_changed()  # e.g. a registration, a person's or a lab's change
    assert not reads_results()
    dashboard_data.results_changed()
    assert reads_results()
    assert not reads_results()


def test_a_trade_worded_anew_shows_on_the_dashboard(checks: Checks) -> None:
    trade = (
        Term.objects.filter(vocabulary__family=TRADES_FAMILY, parent__isnull=False).order_by("code").first()
    )
    assert trade is not None
    add_results(5, prefix="w", trade=trade)
    german = {"accept-language": "de"}  # the local wording shows in German
    assert "Werkstatt der Zukunft" not in page(checks, **german)
    set_local_wording(
        user=checks.portfolio.users["administrator"], term=trade, local_name="Werkstatt der Zukunft"
    )
    assert "Werkstatt der Zukunft" in page(checks, **german)
