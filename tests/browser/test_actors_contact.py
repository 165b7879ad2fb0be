"""The office records a contact: from an organisation's page a call with a participant and a
follow-up, seen on the organisation's timeline; the follow-up completed in "Meine offenen
Aufgaben" (htmx swaps the item in place, on a phone too); and the same pages without JavaScript.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from reallabor.actors.models import FollowUp, Interaction
from reallabor.core.testing.actors import Crm, make_crm
from reallabor.organisations.models import Organisation
from tests.browser.conftest import PHONE
from tests.browser.support import (
    MAIN_NAVIGATION,
    Site,
    assert_accessible_as_served,
    either,
    field_label,
    has_horizontal_overflow,
    is_same_document,
    mark_document,
    overflowing_elements,
    select_by_text,
)

pytestmark = pytest.mark.browser

SUBJECT = "Telefonat zur Betriebsnachfolge"
FOLLOW_UP = "Kontakt zur Nachfolgebörse herstellen"
TIMELINE = either("Kontakte", "Interactions", exact=True)
RECORD = either("Einen Kontakt erfassen", "Record an interaction", exact=True)
MY_FOLLOW_UPS = either("Meine offenen Aufgaben", "My open follow-ups", exact=True)
MESSAGES = ".messages"


def german_date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def follow_up_item(scope: Page | Locator, title: str) -> Locator:
    page = scope if isinstance(scope, Page) else scope.page
    return scope.get_by_role("listitem").filter(has=page.get_by_text(title, exact=True))


def action_name(title: str, *actions: str) -> re.Pattern[str]:
    """“Erledigt: <title>”: the visible word and the title that only screen readers hear, exactly
    (no space before the colon)."""
    verbs = "|".join(re.escape(action) for action in actions)
    return re.compile(rf"^(?:{verbs}): {re.escape(title)}$")


def done_button(scope: Page | Locator, title: str) -> Locator:
    """The button that completes a follow-up: its name carries the title for screen readers."""
    return scope.get_by_role("button", name=action_name(title, "Erledigt", "Done"))


def reopen_button(scope: Page | Locator, title: str) -> Locator:
    return scope.get_by_role("button", name=action_name(title, "Wieder öffnen", "Reopen"))


def open_my_follow_ups(page: Page) -> None:
    """Through the navigation, as the office gets there: Akteure → Meine offenen Aufgaben."""
    navigation = page.get_by_role("navigation", name=MAIN_NAVIGATION)
    actors = navigation.get_by_role("link", name=either("Akteure", "Actors", exact=True))
    if not actors.is_visible():
        page.get_by_role("button", name=either("Menü", "Navigation", "Menu")).click()
    actors.click()
    page.get_by_role("main").get_by_role("link", name=MY_FOLLOW_UPS).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MY_FOLLOW_UPS)


def test_recording_a_contact_with_a_follow_up_and_completing_it(
    new_page: Callable[..., Page], site: Site
) -> None:
    crm = make_crm(site)
    coordinator = site.user("coordinator")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    interactions_before = Interaction.objects.count()

    page = new_page(role="coordinator")
    page.goto(crm.tischlerei.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(crm.tischlerei.name)
    assert_accessible_as_served(page)
    timeline = page.get_by_role("region", name=TIMELINE)
    expect(timeline.get_by_role("link", name=crm.interaction.subject)).to_be_visible()
    timeline.get_by_role("link", name=RECORD).click()

    # The form knows the organisation and offers the people working there.
    expect(page.get_by_role("heading", level=1)).to_have_text(RECORD)
    expect(page.get_by_role("main")).to_contain_text(crm.tischlerei.name)
    participants = page.get_by_role("group", name=either("Teilnehmende", "Participants", exact=True))
    expect(participants.get_by_role("checkbox")).to_have_count(2)
    assert_accessible_as_served(page)

    # Without a subject nothing is recorded, and the field says why.
    select_by_text(page.get_by_label(field_label("Art", "Kind")), either("Anruf", "Call", exact=True))
    participants.get_by_label(crm.anna.name).check()
    page.get_by_label(either("Aufgabe: was ist zu tun", "Follow-up: what to do")).fill(FOLLOW_UP)
    page.get_by_label(either("Aufgabe: fällig am", "Follow-up: due")).fill(tomorrow.isoformat())
    page.get_by_role("button", name=either("Erfassen", "Record", exact=True)).click()
    subject = page.get_by_label(either("Betreff", "Subject"))
    expect(page.locator(".field--error").filter(has=subject)).to_contain_text(
        either("erforderlich", "required")
    )
    assert Interaction.objects.count() == interactions_before
    assert_accessible_as_served(page)

    # The choices made so far survive the error; add the subject and record.
    expect(participants.get_by_label(crm.anna.name)).to_be_checked()
    subject.fill(SUBJECT)
    page.get_by_label(either("Notizen", "Notes")).fill("Die Inhaberin sucht eine Nachfolge für 2027.")
    page.get_by_role("button", name=either("Erfassen", "Record", exact=True)).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    expect(page.locator(MESSAGES)).to_contain_text(
        either("Der Kontakt wurde erfasst.", "The interaction was recorded.")
    )
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name=crm.anna.name)).to_be_visible()
    expect(main.get_by_role("link", name=crm.bernd.name)).to_have_count(0)
    follow_ups = page.get_by_role("region", name=either("Aufgaben", "Follow-ups", exact=True))
    expect(follow_up_item(follow_ups, FOLLOW_UP)).to_contain_text(german_date(tomorrow))
    assert_accessible_as_served(page)

    interaction = Interaction.objects.get(subject=SUBJECT)
    assert interaction.kind == Interaction.Kind.CALL
    assert interaction.organisation == crm.tischlerei
    assert interaction.staff == coordinator
    assert list(interaction.participants.all()) == [crm.anna]
    follow_up = FollowUp.objects.get(interaction=interaction)
    assert (follow_up.title, follow_up.due_date, follow_up.assignee) == (FOLLOW_UP, tomorrow, coordinator)
    assert follow_up.done_at is None
    tischlerei = Organisation.objects.get(pk=crm.tischlerei.pk)
    assert tischlerei.last_contact_at == interaction.occurred_at

    # Back on the organisation's page the call heads the timeline, with its follow-up.
    main.get_by_role("link", name=crm.tischlerei.name).click()
    entries = page.get_by_role("region", name=TIMELINE).locator("ul.timeline > li")
    expect(entries).to_have_count(2)
    expect(entries.first.get_by_role("link", name=SUBJECT)).to_be_visible()
    expect(entries.first).to_contain_text(FOLLOW_UP)
    expect(entries.nth(1).get_by_role("link", name=crm.interaction.subject)).to_be_visible()

    # On the road: the coordinator completes it on her phone, in place.
    phone = new_page(role="coordinator", viewport=PHONE)
    phone.goto("/")
    open_my_follow_ups(phone)
    assert_fits(phone)
    expect(phone.get_by_role("main")).to_contain_text(either("2 offene Aufgaben", "2 open follow-ups"))
    assert_accessible_as_served(phone)
    mark_document(phone)
    # The live region stays on the page (one swapped in with its text is not read out reliably):
    # a mark on it survives the swap of the item.
    status = phone.get_by_role("main").get_by_role("status")
    expect(status).to_have_count(1)
    expect(status).to_be_empty()
    status.evaluate("region => { region.dataset.kept = 'yes'; }")
    item = follow_up_item(phone.get_by_role("main"), FOLLOW_UP)
    with phone.expect_response(lambda response: response.request.method == "POST") as posted:
        done_button(item, FOLLOW_UP).click()
    assert posted.value.request.headers.get("hx-request") == "true", "completing should be sent by htmx"
    item = follow_up_item(phone.get_by_role("main"), FOLLOW_UP)
    expect(reopen_button(item, FOLLOW_UP)).to_be_visible()
    expect(item).to_contain_text(either("erledigt", "done"))
    expect(item.get_by_role("status")).to_have_count(0)
    expect(status).to_have_text(either(f"„{FOLLOW_UP}“ ist erledigt.", f"“{FOLLOW_UP}” is done."))
    expect(status).to_have_attribute("data-kept", "yes")
    assert is_same_document(phone), "completing reloaded the page instead of swapping the item"
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None and follow_up.done_by == coordinator
    assert_accessible_as_served(phone)
    assert_fits(phone)

    # A slip of the finger: reopened in place, then done again.
    reopen_button(item, FOLLOW_UP).click()
    expect(done_button(item, FOLLOW_UP)).to_be_visible()
    expect(status).to_have_text(either(f"„{FOLLOW_UP}“ ist wieder offen.", f"“{FOLLOW_UP}” is open again."))
    follow_up.refresh_from_db()
    assert follow_up.done_at is None
    done_button(item, FOLLOW_UP).click()
    expect(reopen_button(item, FOLLOW_UP)).to_be_visible()
    assert is_same_document(phone)

    # The list holds open follow-ups only: after a reload the done one is gone.
    phone.reload()
    main = phone.get_by_role("main")
    expect(main).to_contain_text(either("1 offene Aufgabe", "1 open follow-up"))
    expect(main.get_by_text(FOLLOW_UP, exact=True)).to_have_count(0)
    expect(done_button(main, crm.follow_up.title)).to_be_visible()
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None

    # The organisation's timeline shows it done as well.
    page.reload()
    first = page.get_by_role("region", name=TIMELINE).locator("ul.timeline > li").first
    expect(reopen_button(first, FOLLOW_UP)).to_be_visible()


def assert_fits(page: Page) -> None:
    assert not has_horizontal_overflow(page), overflowing_elements(page)


def test_without_javascript_follow_ups_are_added_and_completed_by_plain_forms(
    new_page: Callable[..., Page], site: Site
) -> None:
    crm: Crm = make_crm(site)
    coordinator = site.user("coordinator")
    due = timezone.localdate() + dt.timedelta(days=14)
    page = new_page(role="coordinator", javascript=False)

    # Adding a follow-up on the interaction's page: the form posts and the page comes back.
    page.goto(crm.interaction.get_absolute_url())
    follow_ups = page.get_by_role("region", name=either("Aufgaben", "Follow-ups", exact=True))
    form = follow_ups.get_by_role("group", name=either("Eine Aufgabe hinzufügen", "Add a follow-up"))
    form.get_by_label(either("Was ist zu tun", "What to do")).fill("Muster der Auftragsplanung zeigen")
    form.get_by_label(field_label("Fällig am", "Due")).fill(due.isoformat())
    form.get_by_role("button", name=either("Aufgabe hinzufügen", "Add follow-up", exact=True)).click()
    expect(page.locator(MESSAGES)).to_contain_text(
        either("Die Aufgabe wurde hinzugefügt.", "The follow-up was added.")
    )
    follow_ups = page.get_by_role("region", name=either("Aufgaben", "Follow-ups", exact=True))
    expect(follow_up_item(follow_ups, "Muster der Auftragsplanung zeigen")).to_contain_text(german_date(due))
    added = FollowUp.objects.get(title="Muster der Auftragsplanung zeigen")
    assert (added.interaction, added.assignee, added.due_date) == (crm.interaction, coordinator, due)

    # Completing one in "Meine offenen Aufgaben": back to the same list, with the message.
    page.goto("/")
    open_my_follow_ups(page)
    main = page.get_by_role("main")
    expect(main).to_contain_text(either("2 offene Aufgaben", "2 open follow-ups"))
    done_button(main, crm.follow_up.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MY_FOLLOW_UPS)
    expect(page.locator(MESSAGES)).to_contain_text(
        either(f"„{crm.follow_up.title}“ ist erledigt.", f"“{crm.follow_up.title}” is done.")
    )
    main = page.get_by_role("main")
    expect(main.get_by_text(crm.follow_up.title, exact=True)).to_have_count(0)
    expect(main).to_contain_text(either("1 offene Aufgabe", "1 open follow-up"))
    crm.follow_up.refresh_from_db()
    assert crm.follow_up.done_at is not None and crm.follow_up.done_by == coordinator

    done_button(main, "Muster der Auftragsplanung zeigen").click()
    expect(page.get_by_role("main")).to_contain_text(
        either("Sie haben keine offenen Aufgaben.", "You have no open follow-ups.")
    )
    assert not FollowUp.objects.filter(done_at__isnull=True).exists()


def test_the_contact_pages_fit_a_phone(new_page: Callable[..., Page], site: Site) -> None:
    """The office on the road: the organisation, the person, the interaction, the form to record
    one and the open follow-ups, at 360 px without sideways scrolling (tables scroll inside
    their frames, their hidden texts for screen readers included)."""
    crm = make_crm(site)
    phone = new_page(role="coordinator", viewport=PHONE)
    phone.goto(crm.tischlerei.get_absolute_url())
    assert_fits(phone)
    phone.get_by_role("main").get_by_role("link", name=crm.anna.name).first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(crm.anna.name)
    assert_fits(phone)
    assert_accessible_as_served(phone)
    timeline = phone.get_by_role("region", name=TIMELINE)
    timeline.get_by_role("link", name=crm.interaction.subject).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(crm.interaction.subject)
    assert_fits(phone)
    phone.get_by_role("navigation", name=either("Brotkrümelnavigation", "Breadcrumbs")).get_by_role(
        "link", name=TIMELINE
    ).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(TIMELINE)
    assert_fits(phone)
    assert_accessible_as_served(phone)
    phone.get_by_role("main").get_by_role("link", name=RECORD).first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(RECORD)
    assert_fits(phone)
    open_my_follow_ups(phone)
    assert_fits(phone)
