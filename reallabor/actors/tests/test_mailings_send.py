"""Sending mailings for real: a real SMTP server on the loopback interface (aiosmtpd), the worker
task run in-process, and what arrived read back from the server.

The world: a people segment of companies with
- anna (Tischlerei, tagged with the target group »Handwerksbetriebe«, newsletter consent),
- dora (a fashion shop without target-group tags, newsletter consent),
- bernd (Tischlerei, no consent), emil (consent, bounced address), fritz (consent withdrawn),
  gustav (consent, no e-mail address), hanna (consent for another purpose only).
The mailing is about a measure with added values for craft businesses, retail and companies.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.tasks import TaskResultStatus
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from conftest import Portfolio
from reallabor.actors.models import Consent, Mailing, MailingRecipient, Person, Purpose, Segment
from reallabor.actors.services import mailings as services
from reallabor.actors.tasks import deliver_mailing
from reallabor.core.testing.actors import Crm, affiliate, give_consent, make_person
from reallabor.core.testing.factories import make_measure
from reallabor.labs.models import Measure
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import TARGET_GROUP_FAMILY, Tag, Term

pytestmark = pytest.mark.django_db

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
LINK = re.compile(r"https?://[^\s\"<>]+/abmelden/[^/\s\"<>]+/")


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    """Messages and pages in English (the msgids), so assertions hold once German arrives."""
    settings.LANGUAGE_CODE = "en"


# --- a real SMTP server on the loopback interface ------------------------------------------------


class Inbox:
    """aiosmtpd handler that keeps every message it receives; refuses the addresses in ``refuse``."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.recipients: list[list[str]] = []
        self.refuse: set[str] = set()
        self.connections = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.recipients.append(list(envelope.rcpt_tos))
        self.raw.append(bytes(envelope.original_content))
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> EmailMessage:
        found = [message for message in self.messages if message["To"] == address]
        assert len(found) == 1, [message["To"] for message in self.messages]
        return found[0]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def smtp_settings(port: int) -> dict[str, Any]:
    options = {"host": "127.0.0.1", "port": port, "timeout": 10}
    return {
        "MAILERS": {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}}
    }


def start_server(inbox: Inbox, port: int | None = None) -> Controller:
    for _attempt in range(5):
        controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
        try:
            controller.start()
        except (OSError, RuntimeError):  # the port was taken in the meantime
            if port:
                raise
            continue
        return controller
    pytest.fail("could not start the SMTP server on the loopback interface")


@pytest.fixture
def smtp_inbox() -> Iterator[Inbox]:
    """An SMTP server on 127.0.0.1 that Django's SMTP backend sends to for the test's duration."""
    inbox = Inbox()
    controller = start_server(inbox)
    try:
        with override_settings(**smtp_settings(controller.port)):
            yield inbox
    finally:
        controller.stop()


def text_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


# --- the world -----------------------------------------------------------------------------------


@dataclass
class World:
    crm: Crm
    portfolio: Portfolio
    segment: Segment
    measure: Measure
    mailing: Mailing
    dora: Person
    emil: Person
    fritz: Person
    gustav: Person
    hanna: Person

    @property
    def anna(self) -> Person:
        return self.crm.anna

    @property
    def bernd(self) -> Person:
        return self.crm.bernd


def target_group(code: str) -> Term:
    return Term.objects.get(
        vocabulary__family=TARGET_GROUP_FAMILY, vocabulary__retired_at__isnull=True, code=code
    )


def make_world(portfolio: Portfolio, crm: Crm) -> World:
    modehaus = Organisation.objects.create(
        name="Modehaus Beispiel",
        slug="modehaus-beispiel",
        kind=Organisation.Kind.COMPANY,
        district="Testviertel",
        name_key="modehausbeispiel",
    )
    Organisation.objects.filter(pk=crm.tischlerei.pk).update(district="Testviertel")
    Tag.objects.create(
        term=target_group("handwerksbetriebe"),
        content_type=ContentType.objects.get_for_model(Organisation),
        object_id=crm.tischlerei.pk,
        priority=Tag.Priority.PRIMARY,
    )
    crm.anna.salutation = "Frau"
    crm.anna.save(update_fields=["salutation"])
    dora = make_person(first_name="Dora", last_name="Mode", email="dora@modehaus.example")
    emil = make_person(
        first_name="Emil", last_name="Prall", email="emil@modehaus.example", email_bounced_at=timezone.now()
    )
    fritz = make_person(first_name="Fritz", last_name="Zurück", email="fritz@modehaus.example")
    gustav = make_person(first_name="Gustav", last_name="Ohnepost", email="")
    hanna = make_person(first_name="Hanna", last_name="Fotos", email="hanna@modehaus.example")
    for person in (dora, emil, fritz, gustav, hanna):
        affiliate(person, modehaus)
    for person in (dora, emil, fritz, gustav):
        give_consent(person)
    Consent.objects.filter(person=fritz).update(withdrawn_at=timezone.now())
    give_consent(hanna, Purpose.PHOTOS)
    segment = Segment.objects.create(
        name="Unternehmen",
        subject=Segment.Subject.PEOPLE,
        criteria={"kinds": ["company"], "districts": ["Testviertel"]},
    )
    measure = make_measure(
        portfolio.handwerk,
        title="Digitale Auftragsplanung",
        slug="digitale-auftragsplanung",
        target_groups=[
            {
                "term": {"family": TARGET_GROUP_FAMILY, "code": "handwerksbetriebe"},
                "added_value": "Weniger **Papierkram** im Betrieb.",
            },
            {
                "term": {"family": TARGET_GROUP_FAMILY, "code": "einzelhandel"},
                "added_value": "Schneller an Ersatzteile kommen.",
            },
            {"term": {"family": TARGET_GROUP_FAMILY, "code": "gastronomie"}, "added_value": ""},
        ],
    )
    mailing = services.create_mailing(
        user=portfolio.users["coordinator"],
        data={
            "subject": "Digitale Auftragsplanung für Ihren Betrieb",
            "body": "Wir laden Sie ein:\n\n- Vortrag\n- [Anmeldung](https://www.bottrop.de/anmeldung)\n",
            "segment": str(segment.uuid),
            "measures": ["digitale-koproduktion-im-handwerk/digitale-auftragsplanung"],
        },
    )
    return World(crm, portfolio, segment, measure, mailing, dora, emil, fritz, gustav, hanna)


@pytest.fixture
def world(portfolio: Portfolio, crm: Crm) -> World:
    return make_world(portfolio, crm)


def send(world: World, capture: CaptureOnCommit) -> int:
    with capture(execute=True):
        return services.send_mailing(user=world.portfolio.users["coordinator"], mailing=world.mailing)


def statuses(mailing: Mailing) -> dict[str, str]:
    return dict(MailingRecipient.objects.filter(mailing=mailing).values_list("email", "status"))


# --- the journey ---------------------------------------------------------------------------------


def test_send_through_the_worker_over_smtp_end_to_end(
    world: World, smtp_inbox: Inbox, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    client = world.portfolio.client("coordinator")
    confirm = client.get(reverse("actors:mailing-send", kwargs={"uuid": world.mailing.uuid}))
    assert confirm.status_code == 200
    assert "Send to 2 recipients" in confirm.content.decode()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("actors:mailing-send", kwargs={"uuid": world.mailing.uuid}))
    assert response.status_code == 302
    # Frozen and queued; the worker gets it once the transaction has committed.
    assert statuses(world.mailing) == {
        "anna@tischlerei-beispiel.example": "queued",
        "dora@modehaus.example": "queued",
    }
    world.mailing.refresh_from_db()
    assert world.mailing.status == Mailing.Status.QUEUED
    assert smtp_inbox.messages == []
    assert len(callbacks) == 1
    callbacks[0]()  # the worker runs the task (immediate backend)

    # Exactly the consenting recipients, one message each, over one connection.
    assert sorted(smtp_inbox.recipients) == [["anna@tischlerei-beispiel.example"], ["dora@modehaus.example"]]
    assert smtp_inbox.connections == 1
    world.mailing.refresh_from_db()
    assert world.mailing.status == Mailing.Status.SENT
    assert world.mailing.sent_at is not None
    assert statuses(world.mailing) == {
        "anna@tischlerei-beispiel.example": "sent",
        "dora@modehaus.example": "sent",
    }
    assert services.recipient_counts(world.mailing) == {
        "total": 2,
        "queued": 0,
        "sending": 0,
        "sent": 2,
        "failed": 0,
        "skipped": 0,
    }

    anna = smtp_inbox.to("anna@tischlerei-beispiel.example")
    assert anna["Subject"] == "Digitale Auftragsplanung für Ihren Betrieb"
    assert settings.OFFICE_NAME in anna["From"]
    assert anna["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert anna.get_content_type() == "multipart/alternative"
    text, html = text_part(anna), html_part(anna)
    # The personal salutation, the message, only the craft businesses' added value, the footer.
    assert text.startswith("Dear Ms Schreiner,")
    assert "- [Anmeldung](https://www.bottrop.de/anmeldung)" in text
    assert "Weniger **Papierkram** im Betrieb." in text
    assert "Schneller an Ersatzteile" not in text
    assert settings.OFFICE_NAME in text
    assert "<strong>Papierkram</strong>" in html
    assert '<a href="https://www.bottrop.de/anmeldung"' in html
    assert "Schneller an Ersatzteile" not in html
    assert "Dear Ms Schreiner," in html
    # Inline-styled, nothing loaded from elsewhere.
    assert "<link" not in html and "<script" not in html and "<img" not in html
    assert re.search(r"""(src|href)=["']https?://(?!www\.bottrop\.de|localhost)""", html) is None
    # Dora's shop has no target group: she gets every added value.
    dora = text_part(smtp_inbox.to("dora@modehaus.example"))
    assert dora.startswith("Hello Dora Mode,")
    assert "Weniger **Papierkram** im Betrieb." in dora and "Schneller an Ersatzteile kommen." in dora

    # The unsubscribe link: in the header (one line, not folded into encoded words), text and HTML.
    raw = smtp_inbox.raw[smtp_inbox.messages.index(anna)].decode()
    header = re.search(r"^List-Unsubscribe: <(\S+)>\r?$", raw, re.MULTILINE)
    assert header, raw[:1500]
    link = header.group(1)
    assert link.startswith(settings.BASE_URL + "/abmelden/")
    assert link in text
    assert f'href="{link}"' in html

    # Following it withdraws anna's newsletter consent, and only that.
    visitor = Client()
    path = urlsplit(link).path
    page = visitor.get(path)
    assert page.status_code == 200
    assert "withdraw your consent" in page.content.decode()
    assert Consent.objects.valid().filter(person=world.anna, purpose=Purpose.NEWSLETTER).exists()
    done = visitor.post(path)
    assert done.status_code == 200
    assert "You have been unsubscribed" in done.content.decode()
    withdrawn = Consent.objects.get(person=world.anna, purpose=Purpose.NEWSLETTER)
    assert withdrawn.withdrawn_at is not None
    assert withdrawn.withdrawal_note == f"unsubscribe link, mailing {world.mailing.uuid}"
    assert Consent.objects.valid().filter(person=world.dora).exists()
    again = visitor.get(path)
    assert "You are already unsubscribed" in again.content.decode()

    # A second run of the worker sends nothing twice.
    result = deliver_mailing.enqueue(mailing_uuid=str(world.mailing.uuid))
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"sent": 0}
    assert len(smtp_inbox.messages) == 2


def test_one_click_unsubscribe_from_a_mail_client_needs_no_csrf_token(
    world: World, smtp_inbox: Inbox, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    send(world, django_capture_on_commit_callbacks)
    link = smtp_inbox.to("dora@modehaus.example")["List-Unsubscribe"].strip("<>")
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        urlsplit(link).path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert not Consent.objects.valid().filter(person=world.dora, purpose=Purpose.NEWSLETTER).exists()
    assert Consent.objects.valid().filter(person=world.anna, purpose=Purpose.NEWSLETTER).exists()


def test_consent_withdrawn_after_queueing_is_skipped(
    world: World, smtp_inbox: Inbox, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.send_mailing(user=world.portfolio.users["coordinator"], mailing=world.mailing) == 2
    Consent.objects.filter(person=world.dora).update(withdrawn_at=timezone.now())
    callbacks[0]()
    assert smtp_inbox.recipients == [["anna@tischlerei-beispiel.example"]]
    assert statuses(world.mailing) == {
        "anna@tischlerei-beispiel.example": "sent",
        "dora@modehaus.example": "skipped",
    }
    world.mailing.refresh_from_db()
    assert world.mailing.status == Mailing.Status.SENT


def test_a_refused_recipient_fails_with_the_error_and_the_others_go_out(
    world: World, smtp_inbox: Inbox, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    smtp_inbox.refuse = {"anna@tischlerei-beispiel.example"}
    send(world, django_capture_on_commit_callbacks)
    assert smtp_inbox.recipients == [["dora@modehaus.example"]]
    anna = MailingRecipient.objects.get(mailing=world.mailing, person=world.anna)
    assert anna.status == MailingRecipient.Status.FAILED
    assert "SMTPRecipientsRefused" in anna.error and "No such user here" in anna.error
    assert services.recipient_counts(world.mailing)["sent"] == 1


def test_smtp_server_down_keeps_the_queue_and_resume_sends_each_once(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    port = free_port()  # nothing listens here yet
    with override_settings(**smtp_settings(port)):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.send_mailing(user=world.portfolio.users["coordinator"], mailing=world.mailing)
        callbacks[0]()
        # The task failed (visible in the task results); nobody was handed to a server.
        assert statuses(world.mailing) == {
            "anna@tischlerei-beispiel.example": "queued",
            "dora@modehaus.example": "queued",
        }
        world.mailing.refresh_from_db()
        assert world.mailing.status == Mailing.Status.SENDING

        inbox = Inbox()
        controller = start_server(inbox, port)
        try:
            client = world.portfolio.client("coordinator")
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(reverse("actors:mailing-resume", kwargs={"uuid": world.mailing.uuid}))
            assert response.status_code == 302
            # Another run (a second worker taking the same task) finds nothing left to send.
            assert deliver_mailing.enqueue(mailing_uuid=str(world.mailing.uuid)).return_value == {"sent": 0}
        finally:
            controller.stop()
    assert sorted(inbox.recipients) == [["anna@tischlerei-beispiel.example"], ["dora@modehaus.example"]]
    world.mailing.refresh_from_db()
    assert world.mailing.status == Mailing.Status.SENT
    with pytest.raises(ValidationError, match="still being sent"):
        services.resume_mailing(user=world.portfolio.users["administrator"], mailing=world.mailing)


# --- refused sends -------------------------------------------------------------------------------


def test_a_segment_without_consenting_recipients_is_refused_with_a_message(
    world: World, smtp_inbox: Inbox, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    Consent.objects.filter(purpose=Purpose.NEWSLETTER).update(withdrawn_at=timezone.now())
    client = world.portfolio.client("coordinator")
    url = reverse("actors:mailing-send", kwargs={"uuid": world.mailing.uuid})
    page = client.get(url).content.decode()
    assert "Nobody in this segment has consented to “Newsletter”" in page
    assert 'type="submit"' not in page.split("<main", 1)[1].split("</main>", 1)[0]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url)
    assert response.status_code == 400
    assert (
        "Nobody in this segment has consented to “Newsletter”, so nothing can be sent."
        in response.content.decode()
    )
    assert "7 people are in the segment" in response.content.decode()
    assert callbacks == []
    assert not MailingRecipient.objects.exists()
    world.mailing.refresh_from_db()
    assert world.mailing.status == Mailing.Status.DRAFT
    assert world.mailing.queued_at is None
    assert smtp_inbox.messages == []


def test_an_empty_segment_says_so(world: World) -> None:
    world.segment.criteria = {"districts": ["Nirgendwo"]}
    world.segment.save()
    with pytest.raises(ValidationError) as caught:
        services.send_mailing(user=world.portfolio.users["coordinator"], mailing=world.mailing)
    assert caught.value.message_dict == {"segment": ["Nobody is in this segment, so nothing can be sent."]}
    assert not MailingRecipient.objects.exists()


def test_a_mailing_without_segment_cannot_be_sent(world: World) -> None:
    world.mailing.segment = None
    world.mailing.save()
    with pytest.raises(ValidationError) as caught:
        services.send_mailing(user=world.portfolio.users["coordinator"], mailing=world.mailing)
    assert list(caught.value.message_dict) == ["segment"]


def test_sending_twice_is_refused_and_changes_nothing(
    world: World, smtp_inbox: Inbox, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    assert send(world, django_capture_on_commit_callbacks) == 2
    rows = list(MailingRecipient.objects.order_by("pk").values())
    with (
        pytest.raises(ValidationError, match="cannot be sent twice") as caught,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        services.send_mailing(user=world.portfolio.users["coordinator"], mailing=world.mailing)
    assert caught.value.code == "conflict"
    assert callbacks == []
    assert list(MailingRecipient.objects.order_by("pk").values()) == rows
    assert len(smtp_inbox.messages) == 2
    # The page says so too.
    response = world.portfolio.client("administrator").post(
        reverse("actors:mailing-send", kwargs={"uuid": world.mailing.uuid}), follow=True
    )
    assert "cannot be sent twice" in response.content.decode()
    assert list(MailingRecipient.objects.order_by("pk").values()) == rows


# --- the unsubscribe link ------------------------------------------------------------------------


def consents() -> list[Any]:
    return list(Consent.objects.order_by("pk").values())


def tampered(token: str) -> list[str]:
    body, _sep, signature = token.rpartition(":")
    return [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # a changed signature
        token[5:],  # cut off at the front
        f"{body}:{signature[::-1]}",
        token.upper(),
        "nonsense",
        "WyJhYmMiXQ:1abc:def",
        "x" * 600,
    ]


def test_a_tampered_or_unknown_token_is_a_400_page_and_changes_nothing(world: World, client: Client) -> None:
    token = services.unsubscribe_token(
        person_uuid=world.anna.uuid, purpose=Purpose.NEWSLETTER, mailing_uuid=world.mailing.uuid
    )
    before = consents()
    for bad in tampered(token):
        url = reverse("actors:mailing-unsubscribe", kwargs={"token": bad})
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 400, bad
            assert "This link is invalid or was changed" in response.content.decode()
    # Signed for another purpose, then relabelled: the purpose is part of the signature.
    photos = services.unsubscribe_token(
        person_uuid=world.anna.uuid, purpose=Purpose.PHOTOS, mailing_uuid=world.mailing.uuid
    )
    assert services.read_unsubscribe_token(photos).purpose == Purpose.PHOTOS  # type: ignore[union-attr]
    assert consents() == before
    # The good token still works.
    assert client.post(reverse("actors:mailing-unsubscribe", kwargs={"token": token})).status_code == 200
    assert consents() != before


def test_an_erased_person_and_a_test_link_get_a_friendly_page(world: World, client: Client) -> None:
    gone = services.unsubscribe_token(
        person_uuid=world.dora.uuid, purpose=Purpose.NEWSLETTER, mailing_uuid=world.mailing.uuid
    )
    world.dora.delete()
    before = consents()
    url = reverse("actors:mailing-unsubscribe", kwargs={"token": gone})
    assert "We no longer keep your contact data" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 200
    assert "We no longer keep your contact data" in response.content.decode()
    test = services.unsubscribe_token(
        person_uuid=None, purpose=Purpose.NEWSLETTER, mailing_uuid=world.mailing.uuid
    )
    url = reverse("actors:mailing-unsubscribe", kwargs={"token": test})
    assert "changes nothing" in client.post(url).content.decode()
    assert consents() == before


# --- test send -----------------------------------------------------------------------------------


def test_a_test_send_goes_to_oneself_marked_and_unlogged(
    world: World, smtp_inbox: Inbox, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    client = world.portfolio.client("coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("actors:mailing-test-send", kwargs={"uuid": world.mailing.uuid}), follow=True
        )
    assert "A test was sent to coordinator@example.org" in response.content.decode()
    assert smtp_inbox.recipients == [["coordinator@example.org"]]
    message = smtp_inbox.messages[0]
    assert message["Subject"] == "[Test] Digitale Auftragsplanung für Ihren Betrieb"
    text = text_part(message)
    assert "[Test] This is a test of the mailing" in text
    assert "Hello Dora Mode," in text  # addressed like the sample recipient (the first by name)
    assert not MailingRecipient.objects.exists()
    world.mailing.refresh_from_db()
    assert world.mailing.status == Mailing.Status.DRAFT
    # Its unsubscribe link changes nothing.
    before = consents()
    link = LINK.search(text)
    assert link
    assert "changes nothing" in Client().post(urlsplit(link.group(0)).path).content.decode()
    assert consents() == before


# --- scale: the queries of sending do not grow with the recipients --------------------------------


def test_send_mailing_takes_the_same_queries_for_many_recipients(
    world: World, django_assert_max_num_queries: Any, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    organisation = world.crm.tischlerei
    many = [Person(first_name="P", last_name=f"Person {n}", email=f"p{n}@example.org") for n in range(300)]
    Person.objects.bulk_create(many)
    added = list(
        Person.objects.filter(
            email__startswith="p", email__endswith="@example.org", last_name__startswith="Person"
        )
    )
    from reallabor.actors.models import Affiliation, ConsentText

    text = ConsentText.objects.get(purpose=Purpose.NEWSLETTER)
    Affiliation.objects.bulk_create(
        [Affiliation(person=person, organisation=organisation) for person in added]
    )
    Consent.objects.bulk_create(
        [
            Consent(
                person=person, purpose=Purpose.NEWSLETTER, source="form", given_at=timezone.now(), text=text
            )
            for person in added
        ]
    )
    with django_assert_max_num_queries(12), django_capture_on_commit_callbacks(execute=False):
        count = services.send_mailing(user=world.portfolio.users["coordinator"], mailing=world.mailing)
    assert count == 302
    assert MailingRecipient.objects.filter(mailing=world.mailing, status="queued").count() == 302
    assert set(MailingRecipient.objects.values_list("email", flat=True)) >= {
        "p0@example.org",
        "p299@example.org",
    }
