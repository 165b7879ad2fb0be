"""The follow-up pages: "my open follow-ups" as one form, completing and reopening in place (htmx)
with the outcome announced in a live region that stays on the page, and the same without
JavaScript. (Adding follow-ups and the grouping of the list: test_interactions_views.py.)"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from conftest import Portfolio
from reallabor.accounts.models import User
from reallabor.actors.models import FollowUp, Interaction
from reallabor.actors.services import followups as services
from reallabor.core.testing.actors import Crm

pytestmark = pytest.mark.django_db

FOLLOW_UPS = reverse("actors:followup-list")
LIVE_REGION = '<div id="follow-up-status" class="visually-hidden" role="status"></div>'
TITLE = "Angebot Digitalberatung schicken"


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def client_of(portfolio: Portfolio, role: str) -> Any:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def coordinator(portfolio: Portfolio) -> User:
    user = portfolio.users["coordinator"]
    assert user is not None
    return user


def add(crm: Crm, portfolio: Portfolio, title: str, days: int) -> FollowUp:
    return services.add_follow_up(
        user=None,
        interaction=crm.interaction,
        title=title,
        due_date=timezone.localdate() + dt.timedelta(days=days),
        assignee=coordinator(portfolio),
    )


def complete_url(follow_up: FollowUp) -> str:
    return reverse("actors:followup-complete", kwargs={"uuid": follow_up.uuid})


def reopen_url(follow_up: FollowUp) -> str:
    return reverse("actors:followup-reopen", kwargs={"uuid": follow_up.uuid})


def list_form(html: str) -> str:
    """The form around the list (the page's other forms: log out, language)."""
    match = re.search(
        r'<form method="post" hx-target="closest li" hx-swap="outerHTML">.*?</form>', html, re.S
    )
    assert match, html
    return match.group(0)


# The page -----------------------------------------------------------------------------------------------


def test_the_list_is_one_form_whose_buttons_post_to_their_item(portfolio: Portfolio, crm: Crm) -> None:
    later = add(crm, portfolio, "Fotos schicken", 3)
    html = client_of(portfolio, "coordinator").get(FOLLOW_UPS).content.decode()
    form = list_form(html)
    assert form.count("csrfmiddlewaretoken") == 1
    assert f'<input type="hidden" name="next" value="{FOLLOW_UPS}">' in form
    assert '<input type="hidden" name="context" value="list">' in form
    for follow_up in (crm.follow_up, later):
        url = complete_url(follow_up)
        button = (
            f'<button type="submit" class="button--small" formaction="{url}" hx-post="{url}" '
            f'aria-label="Done: {follow_up.title}">Done</button>'
        )
        assert button in form
        assert f'id="follow-up-{follow_up.uuid}"' in form
    assert form.count("<button") == 2
    interaction = reverse("actors:interaction-detail", kwargs={"uuid": crm.interaction.uuid})
    assert f'<a href="{interaction}">{crm.interaction.subject}</a> – {crm.tischlerei.name}' in form
    # The live region is on the page, outside the items that htmx swaps.
    assert html.count(LIVE_REGION) == 1 and LIVE_REGION not in form


def test_texts_are_escaped_in_the_items(portfolio: Portfolio, crm: Crm) -> None:
    add(crm, portfolio, 'Angebot "<b>fett</b>" & mehr', 1)
    html = client_of(portfolio, "coordinator").get(FOLLOW_UPS).content.decode()
    assert "<b>fett" not in html
    assert "<strong>Angebot &quot;&lt;b&gt;fett&lt;/b&gt;&quot; &amp; mehr</strong>" in html
    assert 'aria-label="Done: Angebot &quot;&lt;b&gt;fett&lt;/b&gt;&quot; &amp; mehr"' in html


def test_items_say_when_they_are_due_and_for_whom(portfolio: Portfolio, crm: Crm) -> None:
    overdue = add(crm, portfolio, "Rückruf", 0)
    FollowUp.objects.filter(pk=overdue.pk).update(due_date=timezone.localdate() - dt.timedelta(days=2))
    html = client_of(portfolio, "coordinator").get(FOLLOW_UPS).content.decode()
    who = str(coordinator(portfolio))
    for days in (-2, 7):
        day = (timezone.localdate() + dt.timedelta(days=days)).strftime("%m/%d/%Y")
        assert f'<span class="meta">– due {day}, {who}</span>' in html
    item = re.search(
        rf'<li class="follow-up follow-up--overdue" id="follow-up-{overdue.uuid}">.*?</li>', html, re.S
    )
    assert item and '<span class="badge badge--draft">overdue</span>' in item.group(0)
    assert html.count("follow-up--overdue") == 1


def test_pages_of_fifty(portfolio: Portfolio, crm: Crm) -> None:
    for number in range(55):
        add(crm, portfolio, f"Aufgabe {number:02}", 1)
    client = client_of(portfolio, "coordinator")
    first = client.get(FOLLOW_UPS)
    assert first.context["count"] == 56 and first.context["has_next"]
    assert sum(len(group["follow_ups"]) for group in first.context["groups"]) == 50
    second = client.get(f"{FOLLOW_UPS}?page=2")
    titles = [item.title for group in second.context["groups"] for item in group["follow_ups"]]
    assert titles == [*(f"Aufgabe {number:02}" for number in range(50, 55)), TITLE]
    html = second.content.decode()
    assert f'<input type="hidden" name="next" value="{FOLLOW_UPS}?page=2">' in html
    assert client.get(f"{FOLLOW_UPS}?page=9").context["groups"] == []


def test_the_page_needs_a_constant_number_of_queries(
    portfolio: Portfolio, crm: Crm, django_assert_num_queries: Any
) -> None:
    client = client_of(portfolio, "coordinator")
    client.get(FOLLOW_UPS)
    # Session, user, their lab roles (of the office?), the page of follow-ups, both counts in one.
    with django_assert_num_queries(5):
        client.get(FOLLOW_UPS)
    for number in range(60):
        interaction = Interaction.objects.create(
            kind=Interaction.Kind.CALL,
            occurred_at=timezone.now() - dt.timedelta(days=40),
            subject=f"Anruf {number}",
            organisation=crm.tischlerei if number % 2 else None,
            staff=coordinator(portfolio),
        )
        FollowUp.objects.create(
            interaction=interaction,
            title=f"Aufgabe {number}",
            due_date=timezone.localdate() + dt.timedelta(days=number - 30),
            assignee=coordinator(portfolio),
        )
    with django_assert_num_queries(5):
        response = client.get(FOLLOW_UPS)
    assert response.context["count"] == 61 and response.context["overdue_count"] == 30


# Completing and reopening ---------------------------------------------------------------------------------


def test_from_the_list_htmx_swaps_the_item_and_announces_in_the_live_region(
    portfolio: Portfolio, crm: Crm
) -> None:
    client = client_of(portfolio, "coordinator")
    follow_up = crm.follow_up
    data = {"next": FOLLOW_UPS, "context": "list"}
    html = client.post(complete_url(follow_up), data, HTTP_HX_REQUEST="true").content.decode()
    assert html.startswith(f'<li class="follow-up follow-up--done" id="follow-up-{follow_up.uuid}">')
    item, _sep, rest = html.partition("</li>")
    assert '<span class="badge">done</span>' in item
    today = timezone.localdate().strftime("%m/%d/%Y")
    assert f"; done on {today} ({coordinator(portfolio)})" in item
    url = reopen_url(follow_up)
    assert (
        f'<button type="submit" class="button--small button--secondary" formaction="{url}" hx-post="{url}" '
        f'aria-label="Reopen: {TITLE}">Reopen</button>'
    ) in item
    assert "status" not in item and "<form" not in item
    assert rest.strip() == f'<div id="follow-up-status" hx-swap-oob="innerHTML">“{TITLE}” is done.</div>'
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None

    html = client.post(complete_url(follow_up), data, HTTP_HX_REQUEST="true").content.decode()
    assert f"“{TITLE}” is already done.</div>" in html and "follow-up--done" in html

    html = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert html.startswith(f'<li class="follow-up" id="follow-up-{follow_up.uuid}">')
    assert f'aria-label="Done: {TITLE}">Done</button>' in html
    assert f"“{TITLE}” is open again.</div>" in html
    follow_up.refresh_from_db()
    assert follow_up.done_at is None


def test_without_javascript_the_list_posts_and_comes_back_with_a_message(
    portfolio: Portfolio, crm: Crm
) -> None:
    client = client_of(portfolio, "coordinator")
    other = add(crm, portfolio, "Fotos schicken", 3)
    response = client.post(complete_url(other), {"next": f"{FOLLOW_UPS}?page=1", "context": "list"})
    assert response.status_code == 302 and response["Location"] == f"{FOLLOW_UPS}?page=1"
    page = client.get(response["Location"]).content.decode()
    assert "“Fotos schicken” is done." in page and "Fotos schicken</strong>" not in page
    other.refresh_from_db()
    assert other.done_by == coordinator(portfolio)


def test_on_the_interactions_page_the_item_is_swapped_and_announced_out_of_band(
    portfolio: Portfolio, crm: Crm
) -> None:
    client = client_of(portfolio, "coordinator")
    detail = client.get(crm.interaction.get_absolute_url()).content.decode()
    assert detail.count(LIVE_REGION) == 1
    assert f'aria-label="Done: {TITLE}">Done</button>' in detail
    assert ": " + TITLE + "</span>" not in detail  # no visually hidden half of the name any more
    html = client.post(complete_url(crm.follow_up), HTTP_HX_REQUEST="true").content.decode()
    item, _sep, rest = html.partition("</li>")
    assert item.lstrip().startswith(
        f'<li class="follow-up follow-up--done" id="follow-up-{crm.follow_up.uuid}"'
    )
    assert f'aria-label="Reopen: {TITLE}">Reopen</button>' in item and "status" not in item
    assert rest.strip() == f'<div id="follow-up-status" hx-swap-oob="innerHTML">“{TITLE}” is done.</div>'


def test_the_timeline_has_the_live_region_once(portfolio: Portfolio, crm: Crm) -> None:
    html = client_of(portfolio, "coordinator").get(crm.tischlerei.get_absolute_url()).content.decode()
    assert html.count(LIVE_REGION) == 1
    assert f'aria-label="Done: {TITLE}">Done</button>' in html
