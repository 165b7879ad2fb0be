"""A partner logs in, edits a measure of their lab and tags it; another lab's measure stays closed."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.conf import settings
from playwright.sync_api import Locator, Page, expect

from reallabor.history.services import versions_of
from reallabor.labs.services import measure_state
from reallabor.taxonomy.models import Term
from tests.browser.support import Site, either, log_in

pytestmark = pytest.mark.browser

HALLOBOT = "HalloBot – Onlineplattform und Digitalisierungsangebot"
NEW_SUMMARY = "Freies WLAN, Veranstaltungen und hallo-bot.de – jetzt auch mit Sprechstunde im Rathaus."
NEW_ACTIVITY = "Digital-Sprechstunde im Rathaus"
SDG_9 = "SDG 9 »Industrie, Innovationen und Infrastruktur«"

EDIT_MEASURE = either("Maßnahme bearbeiten", "Edit measure")
EDIT_TAGS = either("Schlagworte bearbeiten", "Edit tags")
HISTORY = either("Verlauf", "History", exact=True)
ANY_EDIT_LINK = re.compile(r"bearbeiten|edit", re.IGNORECASE)
SAVE = either("Speichern", "Save", exact=True)
NOT_ALLOWED = either("Dazu sind Sie nicht berechtigt", "You are not allowed to do this")


def last_row(container: Locator) -> Locator:
    """The last row of a formset (a fieldset per row): the empty one for a new entry."""
    rows = container.get_by_role("group")
    expect(rows.first).to_be_visible()
    return rows.nth(rows.count() - 1)


def test_partner_logs_in_edits_and_tags_a_measure_of_their_lab(page: Page, site: Site) -> None:
    partner = site.user("partner")
    log_in(page, partner.email)

    # To the measure through the lab's page.
    page.goto(site.handel.get_absolute_url())
    page.get_by_role("main").get_by_role("link", name=HALLOBOT, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HALLOBOT)
    page.get_by_role("main").get_by_role("link", name=EDIT_MEASURE).click()
    expect(page).to_have_url(re.compile(r"/massnahmen/hallobot/bearbeiten/$"))

    # The summary, in the form of the measure's main facts.
    facts = page.get_by_role("form", name=either("Titel, Status und Zeitraum", "Title, status and period"))
    summary = facts.get_by_role(
        "textbox", name=either("Kurzbeschreibung", "Summary", exact=True, ignore_case=True)
    )
    summary.fill(NEW_SUMMARY)
    facts.get_by_role("button", name=SAVE).click()
    expect(page.get_by_role("status").first).to_contain_text(either("gespeichert", "saved"))
    expect(summary).to_have_value(NEW_SUMMARY)

    # A new activity, through the section's own form (htmx opens it in place).
    activities = page.get_by_role("region", name=either("Aktivitäten", "Activities", exact=True))
    activities.get_by_role("link", name=either("Bearbeiten", "Edit")).click()
    editor = page.get_by_role("region", name=either("Aktivitäten", "Activities"))
    new_row = last_row(editor)
    new_row.get_by_role("textbox", name=either("Titel", "Title", exact=True, ignore_case=True)).fill(
        NEW_ACTIVITY
    )
    editor.get_by_role("button", name=SAVE).click()
    activities = page.get_by_role("region", name=either("Aktivitäten", "Activities", exact=True))
    expect(activities).to_contain_text(NEW_ACTIVITY)
    expect(activities.get_by_role("status")).to_contain_text(either("gespeichert", "saved"))
    expect(page).to_have_url(re.compile(r"/bearbeiten/$"))  # edited in place, not on a page of its own

    # SDG 9 through the tag editor, next to the megatrend the measure already has.
    page.get_by_role("main").get_by_role("link", name=EDIT_TAGS).first.click()
    sdg_9 = Term.objects.get(vocabulary__family="sdg", vocabulary__retired_at__isnull=True, code="9")
    term = last_row(page.get_by_role("main")).get_by_role(
        "combobox", name=either("Begriff", "Term", exact=True, ignore_case=True)
    )
    expect(term.locator(f"option[value='{sdg_9.pk}']")).to_have_text(SDG_9)
    term.select_option(str(sdg_9.pk))
    page.get_by_role("main").get_by_role(
        "button", name=either("Schlagworte speichern", "Save tags", exact=True)
    ).click()
    expect(page.get_by_role("main").get_by_role("status").first).to_contain_text(
        either("gespeichert", "saved")
    )

    # The measure page shows all three changes.
    page.goto(site.measure_url(site.measure("hallobot")))
    main = page.get_by_role("main")
    expect(main).to_contain_text(NEW_SUMMARY)
    activities_row = main.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=either("Aktivitäten", "Activities", exact=True))
    )
    expect(activities_row).to_contain_text(NEW_ACTIVITY)
    expect(activities_row).to_contain_text("Freies WLAN in der Innenstadt")  # the old rows are kept
    expect(main).to_contain_text(SDG_9)
    expect(main).to_contain_text("Digitalisierung")

    # … and its history, each change by the partner.
    main.get_by_role("link", name=HISTORY).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(HALLOBOT)
    history = page.get_by_role("main")
    expect(history).to_contain_text(NEW_SUMMARY)
    expect(history).to_contain_text(NEW_ACTIVITY)
    expect(history).to_contain_text(SDG_9)
    expect(history.get_by_role("listitem").filter(has_text=str(partner))).to_have_count(3)

    # What the page shows is what was stored.
    measure = site.measure("hallobot")
    state = measure_state(measure)
    assert state["summary"] == NEW_SUMMARY
    assert [activity["title"] for activity in state["activities"]][-1] == NEW_ACTIVITY
    assert len(state["activities"]) == 4
    assert versions_of(measure).filter(user=partner).count() == 3


def test_partner_cannot_edit_a_measure_of_another_lab(new_page: Callable[..., Page], site: Site) -> None:
    page = new_page(role="partner")
    measure = site.measure("kooperation-digitalisierung-handwerk")
    before = measure_state(measure)
    revision = measure.revision

    # Visible (it is published), but without any editing link.
    page.goto(site.measure_url(measure))
    expect(page.get_by_role("heading", level=1)).to_have_text(measure.title)
    expect(page.get_by_role("main").get_by_role("link", name=ANY_EDIT_LINK)).to_have_count(0)
    expect(page.get_by_role("main").get_by_role("link", name=HISTORY)).to_have_count(0)

    # The editing pages answer 403 with an explanation.
    edit_url = site.measure_url(measure, "labs:measure-edit")
    for url in [
        edit_url,
        f"{edit_url}activities/",
        site.measure_url(measure, "labs:measure-tags"),
        site.measure_url(measure, "labs:measure-history"),
    ]:
        response = page.goto(url)
        assert response is not None and response.status == 403, f"{url}: HTTP {response and response.status}"
        expect(page.get_by_role("heading", level=1)).to_contain_text(NOT_ALLOWED)

    # A forged POST with a valid CSRF token is refused as well …
    csrf_token = next(c["value"] for c in page.context.cookies() if c["name"] == settings.CSRF_COOKIE_NAME)
    forged = page.request.post(
        site.url + edit_url,
        form={
            "csrfmiddlewaretoken": csrf_token,
            "expected_revision": str(revision),
            "title": "Übernommen",
            "summary": "Von einem anderen Labor geändert.",
            "status": "stopped",
        },
        headers={"X-CSRFToken": csrf_token, "Referer": site.url + site.measure_url(measure)},
    )
    assert forged.status == 403
    assert NOT_ALLOWED.search(forged.text()), "refused, but not by the permission check (CSRF?)"

    # … and nothing changed.
    measure.refresh_from_db()
    assert measure.revision == revision
    assert measure_state(measure) == before
