"""The office looks at the network: the drawing shows the nodes, a click highlights a node's
neighbours, the page is accessible, and without JavaScript the lists carry the same graph."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from reallabor.actors.models import Affiliation, Person
from reallabor.actors.network import NetworkFilter
from reallabor.actors.network_data import network_for
from reallabor.organisations.models import Organisation
from tests.browser.conftest import PHONE
from tests.browser.support import (
    Site,
    assert_accessible,
    either,
    has_horizontal_overflow,
    overflowing_elements,
)

pytestmark = pytest.mark.browser

HANDWERK = "Digitale Koproduktion im Handwerk"


def _with_a_person(site: Site) -> None:
    """A person working at an organisation of the crafts lab (people are drawn for the office)."""
    person = Person.objects.create(first_name="Anna", last_name="Schreiner", email="anna@example.org")
    Affiliation.objects.create(
        person=person, organisation=Organisation.objects.get(slug="kreishandwerkerschaft-emscher-lippe-west")
    )


def _expected_neighbours(site: Site, label: str) -> tuple[set[str], int]:
    """The labels of the node's neighbours and the number of its connections (a neighbour may be
    connected twice, e.g. taking part in a lab and coordinating it)."""
    network = network_for(site.user("coordinator"), NetworkFilter())
    node = next(node for node in network.nodes if node.label == label)
    connections = network.connections()[node.id]
    return {network.node(other).label for _edge, other in connections}, len(connections)


def test_clicking_a_node_highlights_its_neighbours(new_page: Callable[..., Page], site: Site) -> None:
    _with_a_person(site)
    page = new_page(role="coordinator")
    page.goto(reverse("actors:network"))
    expect(page.get_by_role("heading", level=1)).to_have_text(either("Netzwerk", "Network"))

    drawing = page.locator("svg.network-svg")
    expect(drawing).to_be_visible()
    expected_count = len(network_for(site.user("coordinator"), NetworkFilter()).nodes)
    expect(drawing.locator(".network-node")).to_have_count(expected_count)
    expect(drawing.locator(".network-node[data-label='Anna Schreiner']")).to_have_count(1)

    neighbours, connections = _expected_neighbours(site, HANDWERK)
    assert len(neighbours) >= 3
    lab = drawing.locator(f".network-node[data-label='{HANDWERK}']")
    lab.locator("rect").click()
    expect(lab).to_have_class("network-node network-node--lab is-selected")
    highlighted = drawing.locator(".network-node.is-neighbour")
    expect(highlighted).to_have_count(len(neighbours))
    assert {
        label for label in highlighted.evaluate_all("nodes => nodes.map(n => n.dataset.label)")
    } == neighbours
    expect(drawing.locator(".network-edge.is-active")).to_have_count(connections)

    # The panel names the node with a link to its page and lists its neighbours.
    panel = page.locator("#network-selection")
    expect(panel.get_by_role("link", name=HANDWERK)).to_have_attribute(
        "href", site.handwerk.get_absolute_url()
    )
    expect(panel.get_by_role("listitem")).to_have_count(len(neighbours))

    # A neighbour's button moves the highlighting there; Escape clears it.
    first = sorted(neighbours)[0]
    panel.get_by_role("button", name=first, exact=True).click()
    expect(drawing.locator(".network-node.is-selected")).to_have_attribute("data-label", first)
    page.keyboard.press("Escape")
    expect(drawing.locator(".is-selected, .is-neighbour")).to_have_count(0)
    expect(panel).to_be_empty()

    # Zooming changes the view box; “whole network” restores it.
    original = drawing.get_attribute("viewBox")
    page.get_by_role("button", name=either("Vergrößern", "Zoom in")).click()
    assert drawing.get_attribute("viewBox") != original
    page.get_by_role("button", name=either("Ganzes Netzwerk", "Whole network")).click()
    assert drawing.get_attribute("viewBox") == original


def test_filtering_swaps_the_results(new_page: Callable[..., Page], site: Site) -> None:
    page = new_page(role="reader")
    page.goto(reverse("actors:network"))
    page.get_by_label(either("Reallabor", "Labor", "Lab", exact=True)).select_option(label=HANDWERK)
    expect(page).to_have_url(re.compile(rf"\?lab={site.handwerk.slug}&"))
    network = network_for(site.user("reader"), NetworkFilter(lab=f"lab:{site.handwerk.slug}"))
    expect(page.locator("svg.network-svg .network-node")).to_have_count(len(network.nodes))
    expect(page.locator("#network-status")).to_contain_text(str(len(network.nodes)))
    # The script works on the new drawing too.
    page.locator(f".network-node[data-label='{HANDWERK}'] rect").click()
    expect(page.locator(".network-node.is-neighbour").first).to_be_visible()


def test_network_page_is_accessible(new_page: Callable[..., Page], site: Site) -> None:
    _with_a_person(site)
    page = new_page(role="coordinator", bypass_csp=True)
    page.goto(reverse("actors:network"))
    expect(page.locator("svg.network-svg")).to_be_visible()
    assert_accessible(page)
    page.locator(f".network-node[data-label='{HANDWERK}'] rect").click()
    expect(page.locator("#network-selection").get_by_role("link", name=HANDWERK)).to_be_visible()
    assert_accessible(page)


def test_without_javascript_the_lists_carry_the_graph(new_page: Callable[..., Page], site: Site) -> None:
    page = new_page(role="partner", javascript=False)
    page.goto(reverse("actors:network"))
    expect(page.locator("svg.network-svg .network-node").first).to_be_attached()
    expect(page.locator("[data-network-controls]")).to_be_hidden()
    clusters = page.locator("details.network-cluster")
    expect(clusters.first).to_have_attribute("open", "")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name=either("Lücken", "Gaps"))).to_be_visible()
    expect(main.get_by_role("link", name="Hybride Formen des Handels").first).to_be_visible()


def test_on_a_phone_nothing_sticks_out(new_page: Callable[..., Page], site: Site) -> None:
    page = new_page(role="coordinator", viewport=PHONE)
    page.goto(reverse("actors:network"))
    expect(page.locator("svg.network-svg")).to_be_visible()
    assert not has_horizontal_overflow(page), overflowing_elements(page)
