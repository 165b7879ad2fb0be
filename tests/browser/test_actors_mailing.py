"""The office writes a mailing for a segment about a measure with its added value ("Mehrwert"),
previews it, sends a test to itself and then the mailing. The background worker (django-tasks-db's
``db_worker``, one batch run) delivers it to a real SMTP server on the loopback interface
(aiosmtpd); what arrived is read back, and the unsubscribe link is followed in the browser.

The world: the joinery (target group "Handwerksbetriebe") with Anna (newsletter consent) and Bernd
(no consent); a wool shop without target groups with Wilma (newsletter consent). The measure has
an added value for craft businesses and one for retail.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import Locator, Page, expect

from reallabor.actors.models import Consent, Mailing, MailingRecipient, Person, Purpose, Segment
from reallabor.core.testing.actors import affiliate, give_consent, make_crm, make_person
from reallabor.core.testing.factories import make_measure
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import TARGET_GROUP_FAMILY, Tag, Term
from tests.browser.conftest import PHONE
from tests.browser.support import (
    MAIN_NAVIGATION,
    Site,
    assert_accessible_as_served,
    either,
    field_label,
    has_horizontal_overflow,
    overflowing_elements,
)

pytestmark = pytest.mark.browser

SUBJECT = "Digitale Auftragsplanung für Ihren Betrieb"
CRAFT_VALUE = "Weniger Papierkram im Betrieb."
RETAIL_VALUE = "Schneller an Ersatzteile kommen."
MEASURE = "Digitale Auftragsplanung"
SEGMENT = "Unternehmen im Testviertel"


# --- a real SMTP server on the loopback interface ------------------------------------------------


class Inbox:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.raw.append(bytes(envelope.original_content))
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    """An SMTP server on 127.0.0.1 that the application sends to while the test runs."""
    handler = Inbox()
    for _attempt in range(5):
        controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
        try:
            controller.start()
        except (OSError, RuntimeError):  # the port was taken in the meantime
            continue
        break
    else:
        pytest.fail("could not start the SMTP server on the loopback interface")
    options = {"host": "127.0.0.1", "port": controller.port, "timeout": 10}
    try:
        with override_settings(
            MAILERS={
                "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}
            }
        ):
            yield handler
    finally:
        controller.stop()


@pytest.fixture
def worker_backend(site: Site) -> Iterator[None]:
    """Tasks stored in the database until a worker runs them (as in production), and links in the
    mails that point at the live server."""
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
        BASE_URL=site.url,
    ):
        yield


def run_worker() -> None:
    """One run of the background worker: it works off the stored tasks and stops."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def text_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def unsubscribe_link(message: EmailMessage) -> str:
    header = str(message["List-Unsubscribe"]).strip()
    assert header.startswith("<") and header.endswith(">"), header
    return header[1:-1]


# --- the world -----------------------------------------------------------------------------------


@dataclass
class World:
    anna: Person
    bernd: Person
    wilma: Person


def make_world(site: Site) -> World:
    crm = make_crm(site)
    crm.anna.salutation = "Frau"
    crm.anna.save(update_fields=["salutation"])
    wool = Organisation.objects.create(
        name="Wollladen Masche",
        slug="wollladen-masche",
        kind=Organisation.Kind.COMPANY,
        name_key="wollladenmasche",
    )
    Organisation.objects.filter(pk__in=[wool.pk, crm.tischlerei.pk]).update(district="Testviertel")
    wilma = make_person(first_name="Wilma", last_name="Wolle", email="wilma@wollladen.example")
    affiliate(wilma, wool, "Inhaberin")
    give_consent(wilma)
    Tag.objects.create(
        term=Term.objects.get(
            vocabulary__family=TARGET_GROUP_FAMILY,
            vocabulary__retired_at__isnull=True,
            code="handwerksbetriebe",
        ),
        content_type=ContentType.objects.get_for_model(Organisation),
        object_id=crm.tischlerei.pk,
        priority=Tag.Priority.PRIMARY,
    )
    make_measure(
        site.handwerk,
        title=MEASURE,
        slug="digitale-auftragsplanung",
        target_groups=[
            {
                "term": {"family": TARGET_GROUP_FAMILY, "code": "handwerksbetriebe"},
                "added_value": CRAFT_VALUE,
            },
            {"term": {"family": TARGET_GROUP_FAMILY, "code": "einzelhandel"}, "added_value": RETAIL_VALUE},
        ],
    )
    Segment.objects.create(
        name=SEGMENT,
        subject=Segment.Subject.PEOPLE,
        criteria={"kinds": ["company"], "districts": ["Testviertel"]},
    )
    return World(anna=crm.anna, bernd=crm.bernd, wilma=wilma)


def slash_safe(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern with its slashes escaped: Playwright hands a pattern to the browser as
    ``/source/flags``, where an unescaped slash (“Empfänger/innen”) ends it early."""
    return re.compile(pattern.pattern.replace("/", r"\/"), pattern.flags)


def facts_value(scope: Page | Locator, *term: str) -> str:
    """The value next to a term of the description lists in ``scope``."""
    pattern = either(*term, exact=True)
    for row in scope.locator("div:has(> dt)").all():
        if pattern.search(row.locator("dt").inner_text()):
            return row.locator("dd").inner_text().strip()
    raise AssertionError(f"no fact {term}")


# --- the journey ---------------------------------------------------------------------------------


def test_composing_previewing_testing_and_sending_a_mailing(
    new_page: Callable[..., Page], site: Site, inbox: Inbox, worker_backend: None
) -> None:
    world = make_world(site)
    coordinator = site.user("coordinator")
    page = new_page(role="coordinator")

    page.goto("/")
    page.get_by_role("navigation", name=MAIN_NAVIGATION).get_by_role(
        "link", name=either("Akteure", "Actors", exact=True)
    ).click()
    page.get_by_role("main").get_by_role("link", name=either("Mailings", exact=True)).click()
    assert_accessible_as_served(page)
    page.get_by_role("link", name=either("Neues Mailing", "New mailing", exact=True)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(either("Neues Mailing", "New mailing"))
    assert_accessible_as_served(page)

    page.get_by_label(field_label("Betreff", "Subject")).fill(SUBJECT)
    page.get_by_label(field_label("Nachricht", "Message")).fill(
        "Wir laden Sie zum **Handwerksfrühstück** ein.\n\n- Vortrag\n- Austausch\n"
    )
    page.get_by_label(field_label("Segment")).select_option(label=SEGMENT)
    page.get_by_role(
        "group", name=either("Maßnahmen, um die es in der Nachricht geht", "Measures the message is about")
    ).get_by_label(MEASURE, exact=True).check()
    page.get_by_role("button", name=either("Entwurf speichern", "Save draft", exact=True)).click()

    # The draft: whom it reaches, and the preview as the first recipient by name gets it.
    expect(page.get_by_role("heading", level=1)).to_contain_text(SUBJECT)
    expect(page.locator(".messages")).to_contain_text(
        either("Der Entwurf wurde gespeichert.", "The draft was saved.")
    )
    assert facts_value(page, "Personen im Segment", "People in the segment") == "3"
    assert (
        facts_value(
            page,
            "Davon erreichbar (gültige Einwilligung, funktionierende E-Mail-Adresse)",
            "Of those reachable (valid consent, working e-mail address)",
        )
        == "2"
    )
    mailing = Mailing.objects.get(subject=SUBJECT)
    assert mailing.status == Mailing.Status.DRAFT
    assert [measure.title for measure in mailing.measures.all()] == [MEASURE]

    plain = page.get_by_role("main").locator("pre")
    expect(plain).to_contain_text(either("Sehr geehrte Frau Schreiner,", "Dear Ms Schreiner,"))
    expect(plain).to_contain_text(CRAFT_VALUE)  # the joinery's target group's added value …
    expect(plain).not_to_contain_text(RETAIL_VALUE)  # … and not the others'
    frame = page.frame_locator("iframe")
    expect(frame.locator("strong", has_text="Handwerksfrühstück")).to_be_visible()
    expect(frame.locator("body")).to_contain_text(CRAFT_VALUE)
    assert_accessible_as_served(page)

    # The draft on a phone: the plain-text part wraps instead of widening the page.
    phone = new_page(role="coordinator", viewport=PHONE)
    phone.goto(page.url)
    expect(phone.get_by_role("main").locator("pre")).to_contain_text(CRAFT_VALUE)
    assert not has_horizontal_overflow(phone), overflowing_elements(phone)

    # A test to oneself, through the worker: only to the coordinator, marked, changing nothing.
    page.get_by_role(
        "button",
        name=either(f"Einen Test an {coordinator.email} senden", f"Send a test to {coordinator.email}"),
    ).click()
    expect(page.locator(".messages")).to_contain_text(coordinator.email)
    run_worker()
    assert [message["To"] for message in inbox.messages] == [coordinator.email]
    test_mail = inbox.messages[0]
    assert test_mail["Subject"] == f"[Test] {SUBJECT}"
    assert CRAFT_VALUE in text_part(test_mail)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT
    assert not MailingRecipient.objects.filter(mailing=mailing).exists()

    visitor = new_page()
    visitor.goto(urlsplit(unsubscribe_link(test_mail)).path)
    expect(visitor.get_by_role("main")).to_contain_text(
        either("Er meldet niemanden ab und ändert nichts.", "it unsubscribes nobody and changes nothing")
    )
    expect(visitor.get_by_role("main").get_by_role("button")).to_have_count(0)
    assert_accessible_as_served(visitor)

    # Sending: a confirmation that names the number of recipients.
    page.get_by_role("link", name=either("Senden …", "Send …", exact=True)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        either(f"„{SUBJECT}“ senden?", f"Send “{SUBJECT}”?")
    )
    assert_accessible_as_served(page)
    page.get_by_role(
        "button", name=slash_safe(either("An 2 Empfänger/innen senden", "Send to 2 recipients", exact=True))
    ).click()
    expect(page.locator(".messages")).to_contain_text(
        slash_safe(either("an 2 Empfänger/innen unterwegs", "on its way to 2 recipients"))
    )
    # Queued for the worker: nothing has gone out yet.
    assert len(inbox.messages) == 1
    delivery = page.locator("dl", has_text=either("Wartend", "Waiting"))
    assert facts_value(delivery, "Gesendet", "Sent") == "0"

    run_worker()
    page.reload()
    delivery = page.locator("dl", has_text=either("Wartend", "Waiting"))
    assert facts_value(delivery, "Gesendet", "Sent") == "2"
    assert facts_value(delivery, "Wartend", "Waiting") == "0"
    log = page.get_by_role("table", name=either("Wer das Mailing erhalten hat", "Who received the mailing"))
    received = log.get_by_role("rowheader")
    expect(received).to_have_count(2)  # in the order of the queue, which the database chooses
    assert sorted(received.all_inner_texts()) == sorted([world.anna.name, world.wilma.name])
    expect(log).not_to_contain_text(world.bernd.name)
    assert_accessible_as_served(page)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT

    # What arrived: one message each, with the added value for each recipient's target group.
    assert sorted(message["To"] for message in inbox.messages[1:]) == sorted(
        [world.anna.email, world.wilma.email]
    )
    (anna_mail,) = inbox.to(world.anna.email)
    (wilma_mail,) = inbox.to(world.wilma.email)
    assert anna_mail["Subject"] == SUBJECT
    assert anna_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    anna_text = text_part(anna_mail)
    assert re.match(r"(Sehr geehrte Frau Schreiner|Dear Ms Schreiner),", anna_text)
    assert CRAFT_VALUE in anna_text and RETAIL_VALUE not in anna_text
    assert "<strong>Handwerksfrühstück</strong>" in html_part(anna_mail)
    wilma_text = text_part(wilma_mail)  # a shop without target groups hears every added value
    assert CRAFT_VALUE in wilma_text and RETAIL_VALUE in wilma_text
    link = unsubscribe_link(anna_mail)
    assert link in anna_text and link.startswith(site.url)

    # Anna follows the link in her browser and unsubscribes; only her newsletter consent ends.
    anna = new_page()
    anna.goto(link)
    expect(anna.get_by_role("heading", level=1)).to_have_text(either("Abmelden", "Unsubscribe"))
    assert_accessible_as_served(anna)
    assert Consent.objects.valid().filter(person=world.anna, purpose=Purpose.NEWSLETTER).exists()
    anna.get_by_role("main").get_by_role("button", name=either("Abmelden", "Unsubscribe", exact=True)).click()
    expect(anna.get_by_role("status")).to_contain_text(
        either("Sie wurden abgemeldet", "You have been unsubscribed")
    )
    assert_accessible_as_served(anna)
    assert not Consent.objects.valid().filter(person=world.anna, purpose=Purpose.NEWSLETTER).exists()
    assert Consent.objects.valid().filter(person=world.wilma, purpose=Purpose.NEWSLETTER).exists()

    # The link again: already unsubscribed, nothing more to press.
    anna.goto(link)
    expect(anna.get_by_role("status")).to_contain_text(
        either("Sie sind bereits abgemeldet", "You are already unsubscribed")
    )
    expect(anna.get_by_role("main").get_by_role("button")).to_have_count(0)

    # A tampered link changes nothing and says so.
    tampered = link.rstrip("/")[:-3] + "xyz/"
    response = anna.goto(tampered)
    assert response is not None and response.status == 400
    assert_accessible_as_served(anna)
    assert Consent.objects.valid().filter(person=world.wilma, purpose=Purpose.NEWSLETTER).exists()
