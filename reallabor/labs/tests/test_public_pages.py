"""The public pages: portfolio overview, labs, measures, their filters, drafts, bad input and speed."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any, cast

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from conftest import Portfolio
from reallabor.accounts.models import User
from reallabor.core.testing.factories import (
    OrganisationFactory,
    UserFactory,
    add_member,
    make_lab,
    make_measure,
)
from reallabor.core.testing.seed import (
    FACHKRAEFTE,
    FAIRTRADE,
    HALLOBOT,
    HANDEL,
    HANDWERK,
    INTEGRATION,
    KOOPERATION,
    SDG8,
    SEED_OVERVIEW,
)
from reallabor.labs import services
from reallabor.labs.models import Lab, LabMembership, Measure
from reallabor.labs.selectors import tag_items
from reallabor.labs.views.public import lab_measure_list_context
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.services import tags_of

SEED_TABLE = SEED_OVERVIEW


def t(text: str) -> str:
    """What the interface shows for an English source text: its translation into the default language.

    The interface is German by default; until a text is translated the English source shows.
    """
    with translation.override(django_settings.LANGUAGE_CODE):
        return translation.gettext(text)


PROFILE_ROWS = [
    "Activities",
    "Coordination",
    "Financing",
    "Participating actors",
    "Target group(s)",
    "Added value",
    "Results",
]


def new_user() -> User:
    return cast(User, UserFactory())


def new_organisation() -> Organisation:
    return cast(Organisation, OrganisationFactory())


# A small HTML reader: enough to look at tables and lists the way a person reads them. ------------------


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self, *, hidden: bool = False) -> str:
        """The visible text, whitespace collapsed; with ``hidden`` also what only screen readers get."""
        parts: list[str] = []

        def walk(node: Node) -> None:
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                elif hidden or "visually-hidden" not in child.attrs.get("class", "").split():
                    walk(child)

        walk(self)
        return " ".join("".join(parts).split())

    def iter(self) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        return [
            node
            for node in self.iter()
            if (tag is None or node.tag == tag)
            and (cls is None or cls in node.attrs.get("class", "").split())
            and all(node.attrs.get(name.rstrip("_")) == value for name, value in attrs.items())
        ]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag} class={cls} {attrs}> in <{self.tag}>"
        return found[0]

    def children_by_tag(self, tag: str) -> list[Node]:
        return [child for child in self.children if isinstance(child, Node) and child.tag == tag]


class _Reader(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(node)
        if tag not in self.VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, {name: value or "" for name, value in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(response: Any) -> Node:
    reader = _Reader()
    reader.feed(response.content.decode() if hasattr(response, "content") else response)
    return reader.root


def ok(client: Client, url: str, **headers: str) -> Any:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, f"{url}: HTTP {response.status_code}"
    return response


def portfolio_table(response: Any) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """The full portfolio table as lab → [(measure, [labels])]."""
    table = parse(response).find("table", cls="portfolio")
    result = []
    for body in table.children_by_tag("tbody"):
        rows = body.children_by_tag("tr")
        lab = rows[0].find("th").find("a").text()
        measures = []
        for row in rows:
            cells = row.children_by_tag("td")
            if len(cells) == 2:
                measures.append((cells[0].find("a").text(), [li.text() for li in cells[1].find_all("li")]))
        result.append((lab, measures))
    return result


def split_table(response: Any) -> list[tuple[str, list[str]]]:
    """A split view (labs and measures, or labs and tags) as lab → [entries]."""
    table = parse(response).find("table", cls="portfolio")
    result = []
    for row in table.find("tbody").children_by_tag("tr"):
        lab = row.find("th").find("a").text()
        result.append((lab, [li.text() for li in row.find("td").find_all("li")]))
    return result


def measure_titles(response: Any) -> list[str]:
    """The titles in the measure list (one row header per measure)."""
    doc = parse(response)
    tables = doc.find_all("table", cls="measures")
    if not tables:
        return []
    return [th.find("a").text() for th in tables[0].find_all("th", scope="row")]


def badges(node: Node) -> list[str]:
    return [badge.text() for badge in node.find_all("span", cls="badge--draft")]


# The portfolio overview ---------------------------------------------------------------------------------


def test_portfolio_is_the_seed_table(portfolio: Portfolio) -> None:
    response = ok(portfolio.client("anonymous"), reverse("labs:portfolio"))
    assert portfolio_table(response) == SEED_TABLE
    headers = [
        th.text() for th in parse(response).find("table", cls="portfolio").find("thead").find_all("th")
    ]
    assert headers == [t("Real-world lab"), t("Measure(s)"), t("Megatrend/SDG")]
    assert all(th.attrs["scope"] == "col" for th in parse(response).find("thead").find_all("th"))


def test_portfolio_fachkraefte_row(portfolio: Portfolio) -> None:
    response = ok(portfolio.client("anonymous"), reverse("labs:portfolio"))
    fachkraefte = dict(portfolio_table(response))[FACHKRAEFTE]
    assert fachkraefte == [
        (
            INTEGRATION,
            [
                "MT »demografischer Wandel«",
                "MT »Migration«",
                "SDG 8 »Menschenwürdige Arbeit und Wirtschaftswachstum«",
                "SDG 10 »Weniger Ungleichheiten«",
            ],
        )
    ]


def test_sdgs_carry_their_goal_colour_as_a_swatch(portfolio: Portfolio) -> None:
    response = ok(portfolio.client("anonymous"), reverse("labs:portfolio"))
    table = parse(response).find("table", cls="portfolio")
    sdg8 = next(li for li in table.find_all("li", cls="tag") if li.text() == SDG8)
    swatch = sdg8.find("svg", cls="swatch")
    assert swatch.attrs["aria-hidden"] == "true"
    assert swatch.find("rect").attrs["fill"] == "#A21942"
    # The text itself is not coloured (contrast): no style attribute anywhere (CSP forbids them).
    assert "style=" not in response.content.decode()
    megatrend = next(li for li in table.find_all("li", cls="tag") if li.text() == "MT »Migration«")
    assert not megatrend.find_all("svg")


def test_portfolio_split_views(portfolio: Portfolio) -> None:
    client = portfolio.client("anonymous")
    measures = split_table(ok(client, reverse("labs:portfolio") + "?view=measures"))
    assert measures == [(lab, [title for title, _labels in rows]) for lab, rows in SEED_TABLE]
    tags = split_table(ok(client, reverse("labs:portfolio") + "?view=tags"))
    assert tags == [
        (
            HANDEL,
            [
                "MT »Faires Handeln«",
                "SDG 11 »Nachhaltige Städte und Gemeinden«",
                "SDG 12 »Nachhaltige/r Konsum und Produktion«",
                "MT »Digitalisierung« (durch die Covid-19-Pandemie gestärkt)",
            ],
        ),
        (HANDWERK, ["MT »Digitalisierung«", SDG8]),
        (
            FACHKRAEFTE,
            ["MT »demografischer Wandel«", "MT »Migration«", SDG8, "SDG 10 »Weniger Ungleichheiten«"],
        ),
    ]
    headers = [th.text() for th in parse(ok(client, "/portfolio/?view=tags")).find("thead").find_all("th")]
    assert headers == [t("Real-world lab"), t("Megatrend/SDG")]


def test_lab_tags_are_the_union_in_measure_order_without_duplicates(db: None) -> None:
    lab = make_lab(name="Union")
    make_measure(lab, title="First", tags=[{"term": "sdg:8"}, {"term": "sdg:11"}])
    make_measure(lab, title="Second", tags=[{"term": "sdg:11"}, {"term": "sdg:10"}, {"term": "sdg:8.5"}])
    client = Client()
    tags = split_table(ok(client, reverse("labs:portfolio") + "?view=tags"))
    assert [label.split(" »")[0] for label in tags[0][1]] == ["SDG 8", "SDG 11", "SDG 10", "SDG 8.5"]
    page = parse(ok(client, lab.get_absolute_url()))
    union = [li.text().split(" »")[0] for li in page.find("section", id="lab-tags").find_all("li", cls="tag")]
    assert union == ["SDG 8", "SDG 11", "SDG 10", "SDG 8.5"]


@pytest.mark.parametrize(
    ("query", "labs"),
    [
        ("sdg=8", [HANDWERK, FACHKRAEFTE]),
        ("sdg=11", [HANDEL]),
        ("megatrend=digitalisierung", [HANDEL, HANDWERK]),
        ("megatrend=migration", [FACHKRAEFTE]),
        ("status=running", [HANDEL, HANDWERK, FACHKRAEFTE]),
        ("status=planned", []),
        ("lab=fachkraeftesicherung", [FACHKRAEFTE]),
        ("q=WLAN", [HANDEL]),
        ("sdg=8&megatrend=digitalisierung", [HANDWERK]),
    ],
)
def test_portfolio_filters(portfolio: Portfolio, query: str, labs: list[str]) -> None:
    response = ok(portfolio.client("anonymous"), f"{reverse('labs:portfolio')}?{query}")
    if labs:
        assert [lab for lab, _measures in portfolio_table(response)] == labs
    else:
        assert not parse(response).find_all("table", cls="portfolio")
        assert t("No real-world lab matches these filters.") in response.content.decode()


def test_portfolio_filter_keeps_only_matching_measures(portfolio: Portfolio) -> None:
    response = ok(portfolio.client("anonymous"), reverse("labs:portfolio") + "?megatrend=digitalisierung")
    assert [(lab, [title for title, _labels in rows]) for lab, rows in portfolio_table(response)] == [
        (HANDEL, [HALLOBOT]),
        (HANDWERK, [KOOPERATION]),
    ]


def test_portfolio_is_paginated_by_labs(db: None) -> None:
    for number in range(27):
        make_lab(name=f"Lab {number:02d}", position=number)
    client = Client()
    first = split_table(ok(client, reverse("labs:portfolio") + "?view=measures"))
    assert [lab for lab, _ in first] == [f"Lab {number:02d}" for number in range(25)]
    second = split_table(ok(client, reverse("labs:portfolio") + "?view=measures&page=2"))
    assert [lab for lab, _ in second] == ["Lab 25", "Lab 26"]
    assert t("No measures yet") in ok(client, reverse("labs:portfolio") + "?page=2").content.decode()


# The measure list -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("", [FAIRTRADE, HALLOBOT, KOOPERATION, INTEGRATION]),
        ("sdg=8", [KOOPERATION, INTEGRATION]),
        ("megatrend=digitalisierung", [HALLOBOT, KOOPERATION]),
        ("status=running", [FAIRTRADE, HALLOBOT, KOOPERATION, INTEGRATION]),
        ("status=completed", []),
        ("lab=hybride-formen-des-handels", [FAIRTRADE, HALLOBOT]),
        ("q=WLAN", [HALLOBOT]),
        ("q=handwerk+digitalisierungsstands", [KOOPERATION]),
        ("sdg=8&status=running&lab=fachkraeftesicherung", [INTEGRATION]),
    ],
)
def test_measure_list_filters(portfolio: Portfolio, query: str, titles: list[str]) -> None:
    response = ok(portfolio.client("anonymous"), f"{reverse('labs:measure-list')}?{query}")
    assert measure_titles(response) == titles


def test_measure_list_rows_show_lab_status_and_tags(portfolio: Portfolio) -> None:
    response = ok(portfolio.client("anonymous"), reverse("labs:measure-list") + "?sdg=8")
    table = parse(response).find("table", cls="measures")
    assert [th.text() for th in table.find("thead").find_all("th")] == [
        t("Measure"),
        t("Real-world lab"),
        t("Status"),
        t("Megatrend/SDG"),
    ]
    row = table.find("tbody").children_by_tag("tr")[0]
    cells = [cell.text() for cell in row.children if isinstance(cell, Node)]
    assert cells[:3] == [KOOPERATION, HANDWERK, t("Running")]
    assert [li.text() for li in row.find_all("li")] == ["MT »Digitalisierung«", SDG8]


def test_an_sdg_goal_finds_measures_tagged_with_its_targets(portfolio: Portfolio) -> None:
    services.update_measure(
        user=None,
        measure=Measure.objects.get(slug="fairtrade-town"),
        data={"tags": [{"term": "sdg:8.9"}]},
    )
    response = ok(portfolio.client("anonymous"), reverse("labs:measure-list") + "?sdg=8")
    assert measure_titles(response) == [FAIRTRADE, KOOPERATION, INTEGRATION]


def test_measure_list_filter_form_has_labels_and_keeps_values(portfolio: Portfolio) -> None:
    response = ok(
        portfolio.client("anonymous"), reverse("labs:measure-list") + "?sdg=8&status=running&q=Hand"
    )
    form = parse(response).find("form", cls="filters")
    assert form.attrs["method"] == "get"
    assert form.attrs["hx-get"] == reverse("labs:measure-list")
    assert form.attrs["hx-target"] == "#measure-results"
    assert form.attrs["hx-push-url"] == "true"
    labels = {label.attrs["for"]: label.text() for label in form.find_all("label")}
    controls = form.find_all("select") + form.find_all("input", type="search")
    assert {control.attrs["id"] for control in controls} <= set(labels)
    assert labels["filter-lab"] == t("Real-world lab")
    assert labels["filter-sdg"] == t("SDG")
    assert form.find("select", id="filter-sdg").find("option", selected="").attrs["value"] == "8"
    assert form.find("select", id="filter-status").find("option", selected="").attrs["value"] == "running"
    assert form.find("input", id="filter-q").attrs["value"] == "Hand"


def test_htmx_filter_request_gets_only_the_results(portfolio: Portfolio) -> None:
    client = portfolio.client("anonymous")
    response = ok(client, reverse("labs:measure-list") + "?sdg=8", HX_Request="true")
    content = response.content.decode()
    assert "<html" not in content
    assert "<form" not in content
    assert measure_titles(response) == [KOOPERATION, INTEGRATION]
    assert "HX-Request" in response["Vary"]
    # A history restore needs the whole page.
    restore = ok(
        client, reverse("labs:measure-list") + "?sdg=8", HX_Request="true", HX_History_Restore_Request="true"
    )
    assert "<html" in restore.content.decode()
    # The same for the portfolio.
    fragment = ok(client, reverse("labs:portfolio") + "?sdg=8", HX_Request="true")
    assert "<html" not in fragment.content.decode()
    assert [lab for lab, _ in portfolio_table(fragment)] == [HANDWERK, FACHKRAEFTE]


def test_measure_list_is_paginated(db: None) -> None:
    lab = make_lab(name="Many")
    for number in range(27):
        make_measure(lab, title=f"Measure {number:02d}")
    client = Client()
    first = ok(client, reverse("labs:measure-list"))
    assert measure_titles(first) == [f"Measure {number:02d}" for number in range(25)]
    nav = parse(first).find("nav", cls="pagination-nav")
    assert nav.find("a", rel="next").attrs["href"] == "?page=2"
    second = ok(client, reverse("labs:measure-list") + "?page=2&status=planned")
    assert measure_titles(second) == ["Measure 25", "Measure 26"]
    assert parse(second).find("a", rel="prev").attrs["href"] == "?page=1&status=planned"


# Labs ---------------------------------------------------------------------------------------------------


def test_lab_list(portfolio: Portfolio) -> None:
    response = ok(portfolio.client("anonymous"), reverse("labs:lab-list"))
    names = [card.find("h2").find("a").text() for card in parse(response).find_all("li", cls="card")]
    assert names == [HANDEL, HANDWERK, FACHKRAEFTE]
    filtered = ok(portfolio.client("anonymous"), reverse("labs:lab-list") + "?q=Handel")
    assert [card.find("h2").text() for card in parse(filtered).find_all("li", cls="card")] == [HANDEL]


def test_lab_page(portfolio: Portfolio) -> None:
    response = ok(portfolio.client("anonymous"), portfolio.handwerk.get_absolute_url())
    page = parse(response)
    main = page.find("main")
    assert main.find("h1").text() == HANDWERK
    facts = {
        div.find("dt").text(): div.find("dd").text()
        for div in main.find("dl", cls="facts").children_by_tag("div")
    }
    assert facts == {
        t("Phase"): t("Continued"),
        t("Funding period"): "01.01.2020 – 30.06.2022",
        t("Coordinating organisation"): "Stadt Bottrop – Amt für Wirtschaftsförderung und Standortmanagement",
    }
    headings = [h2.text() for h2 in main.find_all("h2")]
    assert headings == [
        t("Background and aims"),
        t("Measures"),
        t("Megatrends and SDGs"),
        t("Participating organisations"),
        t("Outlook"),
    ]
    assert "FabLab" in main.find("div", cls="prose").text()
    measures = main.find("div", id="measure-list")
    assert [h3.find("a").text() for h3 in measures.find_all("h3")] == [KOOPERATION]
    assert f"{t('Status')}: {t('Running')}" in measures.text()
    assert [li.text() for li in main.find("section", id="lab-tags").find_all("li", cls="tag")] == [
        "MT »Digitalisierung«",
        SDG8,
    ]
    organisations = main.find("ul", cls="organisations").text()
    assert f"Handwerkskammer Münster ({t('Partner')})" in organisations
    assert f"Hochschule Ruhr West ({t('Scientific partner')})" in organisations
    # Organisations are internal records: the public gets their names, not links.
    assert not main.find("ul", cls="organisations").find_all("a")


def test_lab_measure_list_partial(portfolio: Portfolio) -> None:
    """The edit views re-render the measure list after a reorder with this context and partial."""
    request = RequestFactory().get("/")
    request.user = portfolio.users["administrator"]  # type: ignore[assignment]
    context = lab_measure_list_context(request, portfolio.handel)
    html = render_to_string("labs/lab_detail.html#measure-list", context, request=request)
    fragment = parse(html)
    assert fragment.find("div", id="measure-list")
    assert [h3.find("a").text() for h3 in fragment.find_all("h3")] == [FAIRTRADE, HALLOBOT]
    assert "<h1" not in html
    forms = fragment.find_all(
        "form",
        action=reverse(
            "labs:measure-move", kwargs={"lab_slug": "hybride-formen-des-handels", "slug": "fairtrade-town"}
        ),
    )
    assert len(forms) == 1
    assert forms[0].find("input", name="direction").attrs["value"] == "down"
    assert forms[0].attrs["hx-post"] == forms[0].attrs["action"]
    assert forms[0].attrs["hx-target"] == "#measure-list"
    assert forms[0].find("input", name="csrfmiddlewaretoken")


# Measures -------------------------------------------------------------------------------------------------


def profile_rows(response: Any) -> dict[str, Node]:
    """The profile sheet's rows in their order, by their English names (``PROFILE_ROWS``)."""
    english = {t(name): name for name in PROFILE_ROWS}
    table = parse(response).find("table", cls="profile")
    return {
        english.get(row.find("th").text(), row.find("th").text()): row.find("td")
        for row in table.find_all("tr")
    }


def test_measure_page(portfolio: Portfolio) -> None:
    measure = Measure.objects.get(slug="kooperation-digitalisierung-handwerk")
    response = ok(portfolio.client("anonymous"), measure.get_absolute_url())
    main = parse(response).find("main")
    assert main.find("h1").text() == KOOPERATION
    facts = {
        div.find("dt").text(): div.find("dd").text()
        for div in main.find("dl", cls="facts").children_by_tag("div")
    }
    assert facts == {
        t("Real-world lab"): HANDWERK,
        t("Status"): t("Running"),
        t("Period"): t("since %(date)s") % {"date": "01.01.2021"},
    }
    groups = {
        section.find("h3").text(): [li.text() for li in section.find_all("li")]
        for section in main.find_all("section", cls="tag-group")
    }
    assert groups == {"Megatrends": ["MT »Digitalisierung«"], "UN-Nachhaltigkeitsziele (SDGs)": [SDG8]}
    rows = profile_rows(response)
    assert list(rows) == PROFILE_ROWS
    assert "Bottroper Handwerksfrühstück (18.02.2025)" in rows["Activities"].text()
    assert "Handwerkskammer Münster" in rows["Coordination"].text()
    assert "Bottrop 2018+" in rows["Financing"].text()
    assert "Kreishandwerkerschaft Emscher-Lippe-West" in rows["Participating actors"].text()
    assert rows["Target group(s)"].text() == "Handwerksbetriebe"
    assert rows["Added value"].text() == t("No information yet")
    assert "18.02.2025:" in rows["Results"].text()
    assert "Handwerksfrühstück zur Fachkräftesicherung" in rows["Results"].text()
    # "7. Bottroper Handwerksfrühstück …" is Markdown for a list that starts at 7: it keeps its number.
    assert rows["Results"].find("ol").attrs["start"] == "7"


def test_profile_sheet_says_when_a_row_is_empty(db: None) -> None:
    lab = make_lab(name="Empty")
    measure = make_measure(lab, title="Nothing yet")
    rows = profile_rows(ok(Client(), measure.get_absolute_url()))
    assert list(rows) == PROFILE_ROWS
    assert {name: cell.text() for name, cell in rows.items()} == dict.fromkeys(
        PROFILE_ROWS, t("No information yet")
    )


def test_financing_in_euros_german_style_and_added_value_per_target_group(portfolio: Portfolio) -> None:
    response = ok(portfolio.client("anonymous"), Measure.objects.get(slug="hallobot").get_absolute_url())
    rows = profile_rows(response)
    assert "WiFi4EU (Europäische Union), 15.000,00 €" in rows["Financing"].text()
    assert "15.000,00\u00a0€" in response.content.decode()  # the amount and its unit never part
    assert rows["Results"].text() == t("No information yet")
    integration = Measure.objects.get(slug="integration-gefluechteter")
    rows = profile_rows(ok(portfolio.client("anonymous"), integration.get_absolute_url()))
    values = rows["Added value"]
    assert [dt.text() for dt in values.find_all("dt")] == ["Unternehmen", "Geflüchtete"]
    assert "Win-win" in values.find_all("dd")[1].text()


def test_target_tags_show_their_goal(portfolio: Portfolio) -> None:
    measure = Measure.objects.get(slug="integration-gefluechteter")
    services.update_measure(user=None, measure=measure, data={"tags": [{"term": "sdg:8.5"}]})
    main = parse(ok(portfolio.client("anonymous"), measure.get_absolute_url())).find("main")
    target = main.find("section", cls="tag-group").find("li").text()
    assert target.startswith("SDG 8.5 »")
    assert target.endswith(f"({t('goal')}: {SDG8})")


def test_markdown_cannot_run_script(portfolio: Portfolio) -> None:
    services.update_lab(
        user=None,
        lab=portfolio.handel,
        data={
            "background": '<script>alert("x")</script>\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)>',
            "outlook": "**Bold** and [a link](https://example.org)",
        },
    )
    measure = Measure.objects.get(slug="hallobot")
    services.update_measure(
        user=None,
        measure=measure,
        data={
            "activities": [{"title": "Evil", "text": "<script>alert(2)</script> [x](javascript:alert(3))"}]
        },
    )
    for url in (portfolio.handel.get_absolute_url(), measure.get_absolute_url()):
        response = ok(portfolio.client("anonymous"), url)
        main = parse(response).find("main")
        assert not main.find_all("script")
        assert not main.find_all("img")
        for node in main.iter():
            assert not [name for name in node.attrs if name.startswith("on")]
            assert not node.attrs.get("href", "").strip().lower().startswith("javascript")
        # What was meant as code is shown as text.
        assert "&lt;script&gt;" in response.content.decode()
    content = ok(portfolio.client("anonymous"), portfolio.handel.get_absolute_url()).content.decode()
    assert "<strong>Bold</strong>" in content
    assert 'href="https://example.org"' in content


# Drafts -----------------------------------------------------------------------------------------------------


@pytest.fixture
def drafts(portfolio: Portfolio) -> dict[str, Any]:
    """A draft measure in the published lab »Hybride Formen des Handels« and a draft lab with a measure."""
    draft_measure = make_measure(
        portfolio.handel, title="Lieferdienst Louise", slug="louise", is_published=False
    )
    draft_lab = make_lab(name="Kreislaufwirtschaft", slug="kreislaufwirtschaft", is_published=False)
    hidden_measure = make_measure(draft_lab, title="Reparaturcafé", slug="reparaturcafe", is_published=True)
    return {"measure": draft_measure, "lab": draft_lab, "measure_in_draft_lab": hidden_measure}


SEES_DRAFT_MEASURE = {
    "anonymous": False,
    "outsider": False,
    "coordinator": False,
    "partner": True,
    "reader": True,
    "administrator": True,
}
SEES_DRAFT_LAB = {
    "anonymous": False,
    "outsider": False,
    "coordinator": False,
    "partner": False,
    "reader": True,
    "administrator": True,
}


@pytest.mark.parametrize(
    "role", ["anonymous", "outsider", "coordinator", "partner", "reader", "administrator"]
)
def test_drafts_only_for_those_who_may_see_them(
    portfolio: Portfolio, drafts: dict[str, Any], role: str
) -> None:
    client = portfolio.client(role)
    sees_measure, sees_lab = SEES_DRAFT_MEASURE[role], SEES_DRAFT_LAB[role]

    titles = measure_titles(ok(client, reverse("labs:measure-list")))
    assert ("Lieferdienst Louise" in titles) is sees_measure
    assert ("Reparaturcafé" in titles) is sees_lab

    table = dict(portfolio_table(ok(client, reverse("labs:portfolio"))))
    assert ("Lieferdienst Louise" in [title for title, _ in table[HANDEL]]) is sees_measure
    assert ("Kreislaufwirtschaft" in table) is sees_lab

    cards = [
        card.find("h2").find("a").text()
        for card in parse(ok(client, reverse("labs:lab-list"))).find_all("li", cls="card")
    ]
    assert ("Kreislaufwirtschaft" in cards) is sees_lab

    for obj, sees in (
        (drafts["measure"], sees_measure),
        (drafts["lab"], sees_lab),
        (drafts["measure_in_draft_lab"], sees_lab),
    ):
        assert client.get(obj.get_absolute_url()).status_code == (200 if sees else 404)


def test_drafts_are_marked(portfolio: Portfolio, drafts: dict[str, Any]) -> None:
    client = portfolio.client("reader")
    table = parse(ok(client, reverse("labs:portfolio"))).find("table", cls="portfolio")
    draft_lab_body = next(
        body for body in table.children_by_tag("tbody") if "Kreislaufwirtschaft" in body.text()
    )
    assert badges(draft_lab_body.find("th")) == [t("Draft")]
    assert badges(draft_lab_body.find("td")) == []  # its measure itself is published
    louise = next(td for td in table.find_all("td") if "Lieferdienst Louise" in td.text())
    assert badges(louise) == [t("Draft")]
    published = next(td for td in table.find_all("td") if td.text() == HALLOBOT)
    assert badges(published) == []

    row = next(
        tr
        for tr in parse(ok(client, reverse("labs:measure-list"))).find_all("tr")
        if "Reparaturcafé" in tr.text()
    )
    assert badges(row) == [t("Draft")]  # the lab is a draft
    assert badges(parse(ok(client, drafts["measure"].get_absolute_url())).find("h1")) == [t("Draft")]
    assert badges(parse(ok(client, drafts["lab"].get_absolute_url())).find("h1")) == [t("Draft")]


def test_a_member_sees_the_drafts_of_their_lab(portfolio: Portfolio, drafts: dict[str, Any]) -> None:
    member = new_user()
    add_member(drafts["lab"], member, LabMembership.Role.PARTNER)
    client = Client()
    client.force_login(member)
    assert ok(client, drafts["lab"].get_absolute_url())
    assert "Reparaturcafé" in measure_titles(ok(client, reverse("labs:measure-list")))
    assert client.get(drafts["measure"].get_absolute_url()).status_code == 404


# Links for editors ------------------------------------------------------------------------------------------


def hrefs(response: Any) -> set[str]:
    return {a.attrs.get("href", "") for a in parse(response).find("main").find_all("a")}


def form_actions(response: Any) -> set[str]:
    return {form.attrs.get("action", "") for form in parse(response).find("main").find_all("form")}


def measure_url(measure: Measure, name: str, **extra: Any) -> str:
    return reverse(f"labs:{name}", kwargs={"lab_slug": measure.lab.slug, "slug": measure.slug, **extra})


SECTIONS = ["activities", "coordination", "financing", "actors", "target_groups", "results"]


@pytest.mark.parametrize("role", ["anonymous", "outsider", "reader", "coordinator"])
def test_no_editing_links_for_those_who_may_not_edit(portfolio: Portfolio, role: str) -> None:
    measure = Measure.objects.get(slug="hallobot")  # the coordinator coordinates another lab
    response = ok(portfolio.client(role), measure.get_absolute_url())
    assert not {href for href in hrefs(response) if "/bearbeiten/" in href or "/verlauf/" in href}
    assert form_actions(response) == set()
    lab_page = ok(portfolio.client(role), portfolio.handel.get_absolute_url())
    assert not {href for href in hrefs(lab_page) if "/bearbeiten/" in href or "/massnahmen-neu/" in href}
    assert form_actions(lab_page) == set()


def test_partner_gets_the_editing_links_of_their_lab(portfolio: Portfolio) -> None:
    measure = Measure.objects.get(slug="hallobot")
    response = ok(portfolio.client("partner"), measure.get_absolute_url())
    links = hrefs(response)
    assert measure_url(measure, "measure-edit") in links
    assert measure_url(measure, "measure-tags") in links
    assert measure_url(measure, "measure-history") in links
    for section in SECTIONS:
        assert measure_url(measure, "measure-edit-section", section=section) in links
    # Partners neither publish nor delete.
    assert measure_url(measure, "measure-delete") not in links
    assert form_actions(response) == set()
    # On the lab page: edit links of the measures, no lab management.
    lab_page = ok(portfolio.client("partner"), portfolio.handel.get_absolute_url())
    assert measure_url(measure, "measure-edit") in hrefs(lab_page)
    assert reverse("labs:lab-edit", kwargs={"slug": portfolio.handel.slug}) not in hrefs(lab_page)
    assert form_actions(lab_page) == set()


def test_coordinator_gets_lab_management_and_publishing(portfolio: Portfolio) -> None:
    lab = portfolio.handwerk
    measure = Measure.objects.get(slug="kooperation-digitalisierung-handwerk")
    make_measure(lab, title="Zweite Maßnahme", slug="zweite")
    response = ok(portfolio.client("coordinator"), lab.get_absolute_url())
    links = hrefs(response)
    for name in ("lab-edit", "lab-members", "lab-history"):
        assert reverse(f"labs:{name}", kwargs={"slug": lab.slug}) in links
    assert reverse("labs:measure-create", kwargs={"lab_slug": lab.slug}) in links
    main = parse(response).find("main")
    publish = main.find("form", action=reverse("labs:lab-publish", kwargs={"slug": lab.slug}))
    assert publish.attrs["method"] == "post"
    assert publish.find("input", name="published").attrs["value"] == "0"
    moves = main.find_all("form", action=measure_url(measure, "measure-move"))
    assert [form.find("input", name="direction").attrs["value"] for form in moves] == ["down"]
    second = Measure.objects.get(slug="zweite")
    assert [
        form.find("input", name="direction").attrs["value"]
        for form in main.find_all("form", action=measure_url(second, "measure-move"))
    ] == ["up"]
    assert main.find_all("form", action=measure_url(second, "measure-publish"))

    detail = ok(portfolio.client("coordinator"), measure.get_absolute_url())
    assert measure_url(measure, "measure-delete") in hrefs(detail)
    assert measure_url(measure, "measure-publish") in form_actions(detail)


def test_button_and_link_names_are_unique_per_measure(portfolio: Portfolio) -> None:
    """Several "Move up" buttons: each names its measure for screen readers; ids never repeat."""
    response = ok(portfolio.client("administrator"), portfolio.handel.get_absolute_url())
    main = parse(response).find("main")
    names = [button.text(hidden=True) for button in main.find_all("button")]
    assert f"{t('Move down')}: {FAIRTRADE}" in names
    assert f"{t('Move up')}: {HALLOBOT}" in names
    assert len(names) == len(set(names))
    ids = [node.attrs["id"] for node in parse(response).iter() if "id" in node.attrs]
    assert len(ids) == len(set(ids))


# Evidence files ---------------------------------------------------------------------------------------------


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_evidence_file_is_served_as_a_download(portfolio: Portfolio, media: Any) -> None:
    measure = Measure.objects.get(slug="fairtrade-town")
    upload = SimpleUploadedFile("Urkunde Fairtrade.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    services.update_measure(
        user=None,
        measure=measure,
        data={"results": [{"date": "2021-11-26", "text": "Auszeichnung", "evidence_file": upload}]},
    )
    result = measure.results.get()
    url = measure_url(measure, "result-evidence", result_id=result.pk)
    rows = profile_rows(ok(portfolio.client("anonymous"), measure.get_absolute_url()))
    assert rows["Results"].find("a").attrs["href"] == url
    response = portfolio.client("anonymous").get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Urkunde_Fairtrade.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 evidence"  # type: ignore[attr-defined]

    services.set_measure_published(user=None, measure=measure, published=False)
    assert portfolio.client("anonymous").get(url).status_code == 404
    assert portfolio.client("outsider").get(url).status_code == 404
    assert portfolio.client("reader").get(url).status_code == 200


def test_evidence_404s(portfolio: Portfolio, media: Any) -> None:
    measure = Measure.objects.get(slug="kooperation-digitalisierung-handwerk")
    result = measure.results.first()
    assert result is not None and not result.evidence_file
    client = portfolio.client("anonymous")
    assert client.get(measure_url(measure, "result-evidence", result_id=result.pk)).status_code == 404
    assert client.get(measure_url(measure, "result-evidence", result_id=999999)).status_code == 404
    other = Measure.objects.get(slug="hallobot")
    assert client.get(measure_url(other, "result-evidence", result_id=result.pk)).status_code == 404


# Bad input and unknown objects -----------------------------------------------------------------------------

BAD_QUERIES = [
    "status=xyz",
    "sdg=xyz",
    "sdg=999",
    "megatrend=%00",
    "lab=gibt-es-nicht",
    "lab=../../etc",
    "q=%00%01%02",
    "q=" + "x" * 5000,
    "q=%27%22%3Cscript%3E",
    "page=abc",
    "page=0",
    "page=-1",
    "page=1.5",
    "page=99999",
    "page=99999999999999999999999",
    "page=%C2%B2",
    "page=%00",
    "view=xyz",
    "published=maybe",
    "sdg=8&sdg=10&status=running&status=bogus",
]


@pytest.mark.parametrize("path", ["/portfolio/", "/massnahmen/", "/labore/"])
def test_bad_parameters_never_fail(db: None, path: str) -> None:
    lab = make_lab(name="One")
    make_measure(lab, title="Only", tags=[{"term": "sdg:8"}])
    client = Client()
    failures = []
    for query in BAD_QUERIES:
        response = client.get(f"{path}?{query}")
        if response.status_code != 200:
            failures.append(f"{path}?{query[:50]}: HTTP {response.status_code}")
        elif "<script>" in response.content.decode().split("</head>", 1)[1]:
            failures.append(f"{path}?{query[:50]}: the input came back unescaped")
    assert not failures


def test_a_page_beyond_the_end_is_empty_and_offers_the_first(portfolio: Portfolio) -> None:
    for path in (reverse("labs:portfolio"), reverse("labs:measure-list"), reverse("labs:lab-list")):
        response = ok(portfolio.client("anonymous"), f"{path}?page=99999&sdg=8")
        assert t("There is nothing on this page.") in response.content.decode()
        link = next(
            a for a in parse(response).find("main").find_all("a") if a.text() == t("Go to the first page")
        )
        assert link.attrs["href"] == "?sdg=8"


@pytest.mark.parametrize(
    "path",
    [
        "/labore/gibt-es-nicht/",
        "/labore/hybride-formen-des-handels/massnahmen/gibt-es-nicht/",
        "/labore/fachkraeftesicherung/massnahmen/hallobot/",  # a measure under another lab
        "/labore/gibt-es-nicht/massnahmen/hallobot/",
        "/labore/hybride-formen-des-handels/massnahmen/hallobot/nachweise/1/",
    ],
)
def test_unknown_objects_are_404(portfolio: Portfolio, path: str) -> None:
    assert portfolio.client("anonymous").get(path).status_code == 404


# Query counts: constant whatever the amount of data ---------------------------------------------------------

SIGNED_IN = 2  # the session and the user
CONTENT_VERSION = 1  # the fragment cache's key (public and reader pages)
LAB_ROLES = 1  # a lab member's roles: their pages are not cached, and say what they may change
PAGE_QUERIES = {
    # page: (anonymous, signed-in lab member), the first request after a change (a cache miss)
    "home": (1, 1 + SIGNED_IN + LAB_ROLES),  # the navigation asks whether to show the actors
    "portfolio": (6 + CONTENT_VERSION, 6 + SIGNED_IN + LAB_ROLES),
    "portfolio-measures": (6 + CONTENT_VERSION, 6 + SIGNED_IN + LAB_ROLES),
    "portfolio-tags": (6 + CONTENT_VERSION, 6 + SIGNED_IN + LAB_ROLES),
    "portfolio-filtered": (6 + CONTENT_VERSION, 6 + SIGNED_IN + LAB_ROLES),
    "lab-list": (1 + CONTENT_VERSION, 1 + SIGNED_IN + LAB_ROLES),
    "lab": (5 + CONTENT_VERSION, 5 + SIGNED_IN + LAB_ROLES),
    "measure-list": (5 + CONTENT_VERSION, 5 + SIGNED_IN + LAB_ROLES),
    "measure-list-filtered": (5 + CONTENT_VERSION, 5 + SIGNED_IN + LAB_ROLES),
    "measure": (9 + CONTENT_VERSION, 9 + SIGNED_IN + LAB_ROLES),
}
CACHED_QUERIES = {"portfolio": 1, "lab-list": 1, "measure-list": 1, "lab": 2, "measure": 2}
"""Anonymous requests answered from the fragment cache: the content version (and the object's lookup)."""


def _grow(labs: int, measures_per_lab: int, start: int = 0) -> tuple[Lab, Measure]:
    """Labs with measures, tags, coordinators, actors and organisations, written through the services."""
    organisation = new_organisation()
    lab = measure = None
    for lab_number in range(start, start + labs):
        lab = make_lab(name=f"Lab {lab_number}", coordinator=organisation.slug)
        services.set_lab_organisation(user=None, lab=lab, organisation=new_organisation(), role="partner")
        for number in range(measures_per_lab):
            measure = make_measure(
                lab,
                title=f"Measure {lab_number}-{number}",
                status="running",
                coordinators=[organisation.slug],
                tags=[{"term": "sdg:8"}, {"term": f"sdg:{number % 17 + 1}"}, {"term": "sdg:8.5"}],
                activities=[{"title": f"Activity {number}", "text": "*Markdown*"}],
                financing=[{"source_kind": "programme", "source": "Bottrop 2018+", "amount": "1000"}],
                actors=[{"organisation": organisation.slug}, {"group_name": "Schulen"}],
                results=[{"date": "2024-01-01", "text": "Done"}],
            )
    assert lab is not None and measure is not None
    return lab, measure


def _urls(lab: Lab, measure: Measure) -> dict[str, str]:
    return {
        "home": reverse("core:home"),
        "portfolio": reverse("labs:portfolio"),
        "portfolio-measures": reverse("labs:portfolio") + "?view=measures",
        "portfolio-tags": reverse("labs:portfolio") + "?view=tags",
        "portfolio-filtered": reverse("labs:portfolio") + "?sdg=8&status=running&q=Measure",
        "lab-list": reverse("labs:lab-list"),
        "lab": lab.get_absolute_url(),
        "measure-list": reverse("labs:measure-list"),
        "measure-list-filtered": reverse("labs:measure-list") + "?sdg=8&status=running&q=Measure",
        "measure": measure.get_absolute_url(),
    }


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "member"])
@pytest.mark.parametrize("page", list(PAGE_QUERIES))
def test_query_count_does_not_grow_with_the_data(
    db: None, django_assert_num_queries: Any, page: str, signed_in: bool
) -> None:
    client = Client()
    if signed_in:
        member = new_user()
        client.force_login(member)
    expected = PAGE_QUERIES[page][1 if signed_in else 0]

    lab, measure = _grow(labs=1, measures_per_lab=3)
    if signed_in:
        add_member(lab, member, LabMembership.Role.PARTNER)
    url = _urls(lab, measure)[page]
    with django_assert_num_queries(expected):
        small = client.get(url)
    assert small.status_code == 200

    _grow(labs=4, measures_per_lab=3, start=1)
    for extra in range(9):  # the same lab grows too
        make_measure(lab, title=f"Extra {extra}", tags=[{"term": "sdg:10"}, {"term": "sdg:8.5"}])
    services.set_lab_organisation(user=None, lab=lab, organisation=new_organisation(), role="science")
    with django_assert_num_queries(expected):
        large = client.get(url)
    assert large.status_code == 200
    assert len(large.content) > len(small.content) or page in ("measure",)


@pytest.mark.parametrize(
    "path", ["/portfolio/", "/massnahmen/", "/labore/", "/labore/fachkraeftesicherung/", "/"]
)
def test_public_pages_only_read(portfolio: Portfolio, path: str) -> None:
    client = portfolio.client("reader")
    assert client.post(path).status_code == 405
    assert client.head(path).status_code == 200


def test_tag_items_show_what_tags_show(portfolio: Portfolio) -> None:
    """The pages' light tag objects say exactly what ``Tag.display`` says, in the same order."""
    measures = list(Measure.objects.order_by("pk"))
    items = tag_items(measures, with_goals=True)
    for measure in measures:
        tags = list(tags_of(measure).order_by("position", "id"))
        assert [item.display for item in items[measure.pk]] == [tag.display for tag in tags]
        assert [item.colour for item in items[measure.pk]] == [tag.term.colour for tag in tags]
    assert "MT »Digitalisierung« (durch die Covid-19-Pandemie gestärkt)" in [
        item.display for item in items[Measure.objects.get(slug="hallobot").pk]
    ]


def main_html(response: Any) -> str:
    """The page's content (the frame around it carries a fresh CSRF token each time)."""
    content = response.content.decode()
    return content[content.index('<main id="main"') : content.index("</main>")]


@pytest.mark.parametrize("page", list(CACHED_QUERIES))
def test_public_fragments_come_from_the_cache_until_something_changes(
    db: None, django_assert_num_queries: Any, page: str
) -> None:
    lab, measure = _grow(labs=2, measures_per_lab=3)
    url = _urls(lab, measure)[page]
    client = Client()
    first = main_html(client.get(url))
    with django_assert_num_queries(CACHED_QUERIES[page]):
        again = main_html(client.get(url))
    assert again == first
    # A reader sees drafts: another cache scope.
    reader = new_user()
    reader.role = User.Role.READER
    reader.save()
    reading = Client()
    reading.force_login(reader)
    assert reading.get(url).status_code == 200
    # Any change through the services makes the cached fragments stale.
    services.update_measure(user=None, measure=measure, data={"title": "Renamed measure"})
    services.update_lab(user=None, lab=lab, data={"name": "Renamed lab"})
    changed = client.get(url).content.decode()
    assert "Renamed" in changed


def test_cached_pages_differ_by_scope(portfolio: Portfolio, drafts: dict[str, Any]) -> None:
    """The public, readers and members each get what they may see, also from the cache."""
    for _round in range(2):
        assert "Lieferdienst Louise" not in ok(portfolio.client("anonymous"), "/massnahmen/").content.decode()
        assert "Lieferdienst Louise" not in ok(portfolio.client("outsider"), "/massnahmen/").content.decode()
        assert "Lieferdienst Louise" in ok(portfolio.client("reader"), "/massnahmen/").content.decode()
        assert "Lieferdienst Louise" in ok(portfolio.client("partner"), "/massnahmen/").content.decode()
    hallobot = Measure.objects.get(slug="hallobot")
    edit = measure_url(hallobot, "measure-edit")
    for _round in range(2):
        assert edit not in ok(portfolio.client("anonymous"), hallobot.get_absolute_url()).content.decode()
        assert edit in ok(portfolio.client("partner"), hallobot.get_absolute_url()).content.decode()
        assert edit not in ok(portfolio.client("reader"), hallobot.get_absolute_url()).content.decode()
