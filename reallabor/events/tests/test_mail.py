"""Participants' e-mails, delivered to a real SMTP server on the loopback interface (aiosmtpd) and
read back: the parts, the calendar file (icalendar), the QR code (PNG), the personal links."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from email.message import EmailMessage
from typing import Any

import icalendar
import pytest
from django.test import override_settings
from django.utils import timezone

from reallabor.actors.models import Person, Purpose
from reallabor.actors.services.consent import withdraw_consent
from reallabor.actors.tests.test_mailings_send import Inbox, smtp_settings, start_server
from reallabor.core.testing.actors import give_consent, make_person
from reallabor.core.testing.events import make_event, register_person
from reallabor.events import mail
from reallabor.events.models import Invitation, NoticeMail, Registration
from reallabor.events.services import events as event_services
from reallabor.events.services import invitations as invitation_services
from reallabor.events.services import registrations as registration_services
from reallabor.events.services.tokens import Purpose as LinkPurpose
from reallabor.events.services.tokens import invitation_from_token, registration_from_token

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
BASE = "https://reallabor.example"


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.BASE_URL = BASE


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    inbox = Inbox()
    controller = start_server(inbox)
    try:
        with override_settings(**smtp_settings(controller.port)):
            yield inbox
    finally:
        controller.stop()


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def token_of(url: str, prefix: str) -> str:
    assert url.startswith(prefix), url
    return url[len(prefix) :].split("/")[0]


def parts(message: EmailMessage, content_type: str) -> list[EmailMessage]:
    return [part for part in message.walk() if part.get_content_type() == content_type]


def registered(event: Any, capture: Capture, **data: Any) -> Registration:
    with capture(execute=True):
        return register_person(event, **data)


def test_double_opt_in_then_confirmation_with_calendar_and_qr_code(
    inbox: Inbox, django_capture_on_commit_callbacks: Capture
) -> None:
    event = make_event(
        title="Handwerksfrühstück bei Holz",
        venue_name="Tischlerei Holz",
        street="Hauptstraße 1",
        postcode="46236",
    )
    with django_capture_on_commit_callbacks(execute=True):
        registration = register_person(
            event, confirmed=False, first_name="Ada", last_name="Hobel", email="ada@example.org"
        )
    first = inbox.to("ada@example.org")
    assert first["Subject"] == "Please confirm your e-mail address: Handwerksfrühstück bei Holz"
    assert first["From"].addresses[0].addr_spec == "reallabor@localhost"
    text = text_of(first)
    assert "Hello Ada Hobel," in text
    (confirm,) = [url for url in links_in(text) if url.startswith(f"{BASE}/anmeldung/")]
    assert confirm.endswith("/bestaetigen/")
    assert (
        registration_from_token(token_of(confirm, f"{BASE}/anmeldung/"), LinkPurpose.CONFIRM) == registration
    )
    assert confirm in html_of(first)
    assert parts(first, "text/calendar") == []

    with django_capture_on_commit_callbacks(execute=True):
        registration_services.confirm_address(registration=registration)
    assert len(inbox.messages) == 2
    second = inbox.messages[1]
    assert second["Subject"] == "Registration confirmed: Handwerksfrühstück bei Holz"
    text = text_of(second)
    registration.refresh_from_db()
    assert registration.code in text
    assert "Tischlerei Holz, Hauptstraße 1, 46236 Bottrop" in text
    (manage,) = [url for url in links_in(text) if url.startswith(f"{BASE}/anmeldung/")]
    assert registration_from_token(token_of(manage, f"{BASE}/anmeldung/"), LinkPurpose.MANAGE) == registration
    assert f"{BASE}/veranstaltungen/{event.slug}/" in text

    # The calendar file, parsed.
    (ics_part,) = parts(second, "text/calendar")
    assert ics_part.get_filename() == f"{event.slug}.ics"
    assert ics_part.get_content_disposition() == "attachment"
    assert ics_part.get_param("method") == "PUBLISH"
    ics = icalendar.Calendar.from_ical(ics_part.get_content())
    (vevent,) = ics.walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event.uuid}@reallabor"
    assert vevent.decoded("DTSTART") == event.starts_at
    assert str(vevent["URL"]) == f"{BASE}/veranstaltungen/{event.slug}/"
    assert registration.code in str(vevent["DESCRIPTION"])

    # The QR code: an inline PNG shown by the HTML part.
    (png,) = parts(second, "image/png")
    data = png.get_content()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    cid = png["Content-ID"].strip("<>")
    html = html_of(second)
    assert f'src="cid:{cid}"' in html
    assert registration.code in html
    assert (second.get_body(preferencelist=("related",)) or second).get_content_type() == "multipart/related"
    # Nothing loaded from elsewhere: every link in the HTML is ours or the cid.
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith((BASE, "cid:")), url


def test_online_event_link_goes_to_seat_holders_only(
    inbox: Inbox, django_capture_on_commit_callbacks: Capture
) -> None:
    event = make_event(format="online", online_url="https://meet.example.org/room", venue_name="", capacity=1)
    registered(event, django_capture_on_commit_callbacks, email="first@example.org")
    registered(event, django_capture_on_commit_callbacks, email="second@example.org")
    assert "https://meet.example.org/room" in text_of(inbox.to("first@example.org"))
    waiting = inbox.to("second@example.org")
    assert waiting["Subject"] == f"Waiting list: {event.title}"
    assert "https://meet.example.org/room" not in text_of(waiting)
    assert "position 1" in text_of(waiting)
    assert parts(waiting, "text/calendar") == []


def test_offer_has_accept_and_decline_links_and_its_deadline(
    inbox: Inbox, django_capture_on_commit_callbacks: Capture
) -> None:
    event = make_event(capacity=1)
    first = registered(event, django_capture_on_commit_callbacks, email="first@example.org")
    second = registered(event, django_capture_on_commit_callbacks, email="second@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        registration_services.cancel_registration(user=None, registration=first)
    cancelled = [m for m in inbox.messages if m["Subject"] == f"Registration cancelled: {event.title}"]
    assert [m["To"] for m in cancelled] == ["first@example.org"]
    offers = [m for m in inbox.messages if m["Subject"] == f"A seat is free for you: {event.title}"]
    assert [m["To"] for m in offers] == ["second@example.org"]
    text = text_of(offers[0])
    urls = [url for url in links_in(text) if url.startswith(f"{BASE}/anmeldung/")]
    assert [url.rsplit("/", 2)[-2] for url in urls] == ["platz-annehmen", "platz-ablehnen"]
    second.refresh_from_db()
    assert (
        registration_from_token(token_of(urls[0], f"{BASE}/anmeldung/"), LinkPurpose.ACCEPT_OFFER) == second
    )
    assert (
        registration_from_token(token_of(urls[1], f"{BASE}/anmeldung/"), LinkPurpose.DECLINE_OFFER) == second
    )
    assert second.offer_expires_at is not None
    assert mail.when(second.offer_expires_at) in text


def test_event_cancelled_goes_to_every_active_registration_with_a_cancelled_calendar_entry(
    inbox: Inbox, django_capture_on_commit_callbacks: Capture
) -> None:
    event = make_event(capacity=1)
    registered(event, django_capture_on_commit_callbacks, email="seat@example.org")
    registered(event, django_capture_on_commit_callbacks, email="waiting@example.org")
    gone = registered(event, django_capture_on_commit_callbacks, email="gone@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        registration_services.cancel_registration(user=None, registration=gone)
    before = len(inbox.messages)
    with django_capture_on_commit_callbacks(execute=True):
        event_services.cancel_event(user=None, event=event)
    news = inbox.messages[before:]
    assert sorted(m["To"] for m in news) == ["seat@example.org", "waiting@example.org"]
    for message in news:
        assert message["Subject"] == f"Event cancelled: {event.title}"
        (ics_part,) = parts(message, "text/calendar")
        (vevent,) = icalendar.Calendar.from_ical(ics_part.get_content()).walk("VEVENT")
        assert str(vevent["STATUS"]) == "CANCELLED"


@pytest.mark.parametrize(
    ("notice", "subject"),
    [
        ("changed", "Registration changed: {title}"),
        ("cancelled", "Registration cancelled: {title}"),
        ("lapsed", "Registration lapsed: {title}"),
        ("offer_expired", "Seat offer expired: {title}"),
        ("seat_given", "You have a seat: {title}"),
    ],
)
def test_each_notice_has_its_subject(inbox: Inbox, notice: str, subject: str) -> None:
    event = make_event()
    registration = register_person(event, email="ada@example.org", organisation_name="Holz GmbH")
    mail.deliver_notices(notice, [registration.pk])
    message = inbox.to("ada@example.org")
    assert message["Subject"] == subject.format(title=event.title)
    text = text_of(message)
    assert "Hello Teilnehmerin" in text
    assert ("Holz GmbH" in text) == (notice == "changed")
    assert bool(parts(message, "image/png")) == (notice == "seat_given")


def test_a_notice_no_longer_true_is_not_sent(
    inbox: Inbox, django_capture_on_commit_callbacks: Capture
) -> None:
    event = make_event()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        registration = register_person(event, email="ada@example.org")  # the confirmation waits
    registration_services.cancel_registration(user=None, registration=registration)
    for callback in callbacks:
        callback()
    # The outbox holds both e-mails; the confirmation is no longer true, the cancellation is sent.
    assert [m["Subject"] for m in inbox.messages] == [f"Registration cancelled: {event.title}"]
    rows = NoticeMail.objects.filter(registration=registration)
    assert {(row.notice, row.status) for row in rows if row.notice != "cancelled"} == {
        ("confirm_address", "skipped"),
        ("registered", "skipped"),
    }
    assert rows.get(notice="cancelled").status == "sent"


def test_invitations_only_to_people_who_still_consent(
    inbox: Inbox, django_capture_on_commit_callbacks: Capture
) -> None:
    event = make_event(visibility="invitation")
    keen = make_person(first_name="Kim", last_name="Keen", email="keen@example.org")
    gone = make_person(first_name="Gus", last_name="Gone", email="gone@example.org")
    for person in (keen, gone):
        give_consent(person, Purpose.NEWSLETTER)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitations = invitation_services.invite_people(user=None, event=event, people=[keen, gone])
    assert len(invitations) == 2
    withdraw_consent(user=None, person=gone, purpose=Purpose.NEWSLETTER)
    for callback in callbacks:
        callback()
    message = inbox.to("keen@example.org")
    assert [m["To"] for m in inbox.messages] == ["keen@example.org"]
    assert message["Subject"] == f"Invitation: {event.title}"
    (link,) = [url for url in links_in(text_of(message)) if url.startswith(f"{BASE}/einladung/")]
    invitation = invitation_from_token(token_of(link, f"{BASE}/einladung/"))
    assert invitation.person == keen
    assert Invitation.objects.get(person=keen).sent_at is not None
    assert Invitation.objects.get(person=gone).sent_at is None
    # Sent once: delivering the same notice again sends nothing.
    mail.deliver_notices("invited", [i.pk for i in invitations])
    assert len(inbox.messages) == 1


def test_a_refused_address_is_recorded_as_bouncing_and_not_tried_again(
    inbox: Inbox, django_capture_on_commit_callbacks: Capture
) -> None:
    inbox.refuse = {"nobody@example.org"}
    event = make_event()
    with django_capture_on_commit_callbacks(execute=True):
        bad = register_person(event, confirmed=False, email="nobody@example.org")
        good = register_person(event, confirmed=False, email="somebody@example.org")
    assert [m["To"] for m in inbox.messages] == ["somebody@example.org"]
    assert Person.objects.get(pk=bad.person_id).email_bounced_at is not None
    assert Person.objects.get(pk=good.person_id).email_bounced_at is None
    # The same batch again: the bouncing registration is not tried, the other one is.
    inbox.refuse = set()
    outcome = mail.deliver_notices("confirm_address", [bad.pk, good.pk])
    assert outcome.sent == [good.pk] and outcome.skipped == 1
    assert [m["To"] for m in inbox.messages] == ["somebody@example.org"] * 2


def test_a_batch_refused_then_retried_only_for_what_did_not_go_out(inbox: Inbox) -> None:
    """A temporary refusal (4xx) leaves the registration to a later attempt; a permanent one not."""
    event = make_event()
    soft = register_person(event, email="soft@example.org")
    hard = register_person(event, email="hard@example.org")
    fine = register_person(event, email="fine@example.org")

    async def handle_RCPT(server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address == "soft@example.org":
            return "451 4.7.1 Try again later"
        if address == "hard@example.org":
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    inbox.handle_RCPT = handle_RCPT  # type: ignore[method-assign,assignment]
    outcome = mail.deliver_notices("registered", [soft.pk, hard.pk, fine.pk])
    assert outcome.sent == [fine.pk]
    assert outcome.retry == [soft.pk]
    assert outcome.bounced == [hard.pk]
    assert Person.objects.get(pk=soft.person_id).email_bounced_at is None
    assert Person.objects.get(pk=hard.person_id).email_bounced_at is not None


def test_unreachable_server_leaves_everything_for_a_retry() -> None:
    event = make_event()
    registration = register_person(event, email="ada@example.org")
    with override_settings(**smtp_settings(1)):
        outcome = mail.deliver_notices("registered", [registration.pk])
    assert outcome.sent == [] and outcome.retry == [registration.pk]


@pytest.mark.parametrize("count", [3, 30])
def test_queries_per_batch_are_constant(
    inbox: Inbox, count: int, django_assert_max_num_queries: Any, django_capture_on_commit_callbacks: Capture
) -> None:
    event = make_event(capacity=None)
    ids = []
    with django_capture_on_commit_callbacks(execute=False):
        for number in range(count):
            ids.append(register_person(event, email=f"p{number}@example.org").pk)
    with django_assert_max_num_queries(2):
        outcome = mail.deliver_notices("registered", ids)
    assert len(outcome.sent) == count
    with django_assert_max_num_queries(3):
        mail.deliver_notices("waiting", ids)  # none waiting: not sent, still constant
    assert len(inbox.messages) == count


def test_the_outbox_goes_out_in_batches_over_one_connection(
    inbox: Inbox, django_capture_on_commit_callbacks: Capture
) -> None:
    event = make_event(capacity=None)
    with django_capture_on_commit_callbacks(execute=False):
        ids = [register_person(event, email=f"p{n}@example.org").pk for n in range(5)]
    original = mail.BATCH_SIZE
    mail.BATCH_SIZE = 2
    try:
        mail.send_notices("registered", ids)  # the immediate task backend of the tests runs them
    finally:
        mail.BATCH_SIZE = original
    assert sorted(m["To"] for m in inbox.messages) == sorted(f"p{n}@example.org" for n in range(5))
    assert inbox.connections == 1
    assert NoticeMail.objects.filter(notice="registered", status="sent").count() == 5
    assert not NoticeMail.objects.filter(status="pending").exists()


def test_german_by_default(inbox: Inbox, settings: Any) -> None:
    settings.LANGUAGE_CODE = "de"
    starts = timezone.make_aware(dt.datetime(2030, 12, 3, 8, 0), timezone.get_fixed_timezone(60))
    event = make_event(starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    registration = register_person(event, email="ada@example.org")
    mail.deliver_notices("registered", [registration.pk])
    message = inbox.to("ada@example.org")
    assert '<html lang="de">' in html_of(message)
    assert "Dezember 2030" in text_of(message)
    assert "Dienstag" in text_of(message)
