"""The e-mails to participants: one multipart message (plain text and HTML) per registration.

**The outbox.** Every e-mail to send is a row of ``models.NoticeMail``, written by
``services.notifications.schedule`` in the same transaction as the change it tells about (a
rollback drops it). After the commit ``send_notices(notice, ids)`` makes sure one delivery task
(``tasks.send_notice_mails``) waits in the queue; the task, and the periodic tick for whatever a
lost task left behind, run ``deliver_outbox``:

1. ``claim_batch`` takes up to ``BATCH_SIZE`` due pending rows: one conditional UPDATE sets a
   claim token and a lease (``CLAIM_LEASE``) on rows nobody holds, so two workers never hold the
   same row (on PostgreSQL the candidates are also picked with ``SKIP LOCKED``).
2. The batch is loaded in a constant number of queries; the messages are built in the default
   language (``settings.LANGUAGE_CODE``: the participant has no account) and sent over one SMTP
   connection (kept open for the following batches).
3. Each row is marked ``sent`` right after the SMTP server accepted its message (committed at
   once). A temporary failure (4xx, no connection, a connection that broke) leaves the row
   ``pending`` with ``next_attempt_at`` later (``RETRY_DELAY`` × attempts) until
   ``MAX_ATTEMPTS``, then ``failed``; a permanent refusal at RCPT (5xx) marks it ``bounced`` and
   records the address on the person (``services.contacts.record_bounce``). An exception in the
   middle of a batch (a crash) releases the rows not yet sent: they stay pending for the next
   run (the one that was being sent counts an attempt, so a message that cannot be built does
   not block the outbox forever). A worker killed outright leaves its claims until the lease
   runs out; the row being handed over at that moment may then go out twice — we prefer a
   duplicate notice to a lost one.

- A notice whose moment has passed is not sent (an offer already answered, a registration
  cancelled before its confirmation went out): ``STILL_TRUE``; nor is one to an address that
  bounced (``Person.email_bounced_at``): the row is ``skipped``.
- Invitations go only to people who still have a valid consent for the invitation's purpose
  (``Invitation.purpose``) and an address that does not bounce, and are marked sent
  (``services.invitations.mark_invitations_sent``).

``deliver_notices(notice, ids)`` sends a notice for registrations (or invitations) directly,
without the outbox (used by tests and by tools).

The confirmation (``registered``, and ``seat_given``) carries the event's calendar file
(``calendar.event_ics``), the check-in QR code as an inline PNG (``qr.qr_png``) and the
6-character code in the text. The HTML part is inline-styled and loads nothing from elsewhere;
links start with ``settings.BASE_URL`` (``links``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.message
import email.policy
import logging
import smtplib
import uuid
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from reallabor.actors.filters import reachable_q
from reallabor.actors.mail import MailingMessage, salutation_line, sender
from reallabor.actors.models import Person, Purpose
from reallabor.events import calendar, links, qr
from reallabor.events.models import Event, Invitation, NoticeMail, Registration
from reallabor.events.services.notifications import Notice

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
MAX_ATTEMPTS = 4
RETRY_DELAY = dt.timedelta(minutes=10)
CLAIM_LEASE = dt.timedelta(minutes=15)
"""A claimed row nobody marked (a worker killed outright) is taken up again after this long."""
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
QR_CID = "checkin-qr@reallabor"
REMINDER = "reminder"

Status = Registration.Status

# Is the notice still true when the task runs? (Otherwise it is not sent.)
STILL_TRUE: dict[str, Callable[[Registration], bool]] = {
    Notice.CONFIRM_ADDRESS: lambda r: r.status in Registration.ACTIVE and not r.is_confirmed,
    Notice.REGISTERED: lambda r: r.status == Status.REGISTERED,
    Notice.WAITING: lambda r: r.status == Status.WAITING,
    Notice.OFFERED: lambda r: r.status == Status.OFFERED,
    Notice.SEAT_GIVEN: lambda r: r.status == Status.REGISTERED,
    Notice.CHANGED: lambda r: r.status in Registration.ACTIVE,
}


def send_notices(notice: str, ids: list[int]) -> None:
    """Called after the commit by ``services.notifications`` (the e-mails wait in the outbox):
    make sure a delivery task waits in the queue (with the immediate backend of the tests, the
    outbox is delivered now)."""
    from reallabor.events.tasks import request_delivery

    request_delivery()


# ---------------------------------------------------------------------------------------------
# Messages


class EventMessage(MailingMessage):
    """A participant's message; ``inline_images`` are added next to the HTML part
    (multipart/related) and shown in it through ``cid:`` links."""

    def __init__(self, *args: Any, inline_images: Sequence[tuple[str, bytes, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.inline_images = list(inline_images)

    def message(self, *, policy: Any = email.policy.default) -> Any:
        message = super().message(policy=policy)
        if self.inline_images:
            for part in message.walk():
                if part.get_content_type() == "text/html":
                    for cid, data, filename in self.inline_images:
                        part.add_related(data, "image", "png", cid=f"<{cid}>", filename=filename)
                    break
        return message


def _calendar_part(data: bytes, filename: str) -> email.message.MIMEPart:
    part = email.message.MIMEPart(policy=email.policy.default)
    part.set_content(
        data.decode("utf-8"),
        subtype="calendar",
        charset="utf-8",
        disposition="attachment",
        filename=filename,
        params={"method": "PUBLISH"},
    )
    return part


@dataclass
class Mail:
    """What one e-mail says, before it is rendered (plain data for the templates)."""

    subject: str
    salutation: str
    paragraphs: list[str]
    actions: list[dict[str, str]] = field(default_factory=list)
    event: dict[str, str] | None = None
    code: str = ""
    qr: bool = False
    notes: list[str] = field(default_factory=list)
    reason: str = ""


def local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value, BERLIN)


def when(value: dt.datetime) -> str:
    """„Dienstag, 1. Dezember 2026, 08:00“ (in the active language)."""
    moment = local(value)
    return _("%(weekday)s, %(date)s, %(time)s") % {
        "weekday": formats.date_format(moment, "l"),
        "date": formats.date_format(moment, "DATE_FORMAT"),
        "time": formats.time_format(moment, "TIME_FORMAT"),
    }


def event_time(event: Event) -> str:
    start, end = local(event.starts_at), local(event.ends_at)
    if start.date() == end.date():
        return _("%(weekday)s, %(date)s, %(start)s – %(end)s") % {
            "weekday": formats.date_format(start, "l"),
            "date": formats.date_format(start, "DATE_FORMAT"),
            "start": formats.time_format(start, "TIME_FORMAT"),
            "end": formats.time_format(end, "TIME_FORMAT"),
        }
    return f"{when(event.starts_at)} – {when(event.ends_at)}"


def event_details(event: Event, *, online: bool = True) -> dict[str, str]:
    """Title, time, place, online link (only for those who hold a seat) and the event page."""
    details = {"title": event.title, "when": event_time(event), "url": links.event_url(event)}
    if event.format != Event.Format.ONLINE and event.address:
        details["where"] = event.address
    if event.format != Event.Format.IN_PERSON:
        details["online"] = event.online_url if online and event.online_url else ""
        if not details["online"]:
            details["where_online"] = _("Online; you will receive the link with your confirmation.")
    if event.accessibility_notes:
        details["accessibility"] = event.accessibility_notes
    return details


def _salute(registration: Registration) -> str:
    person = registration.person
    return salutation_line(person.salutation, registration.first_name, registration.last_name)


def _manage(registration: Registration, label: str | None = None) -> dict[str, str]:
    return {
        "label": label or _("See, change or cancel your registration"),
        "url": links.registration_url(registration, "manage"),
    }


def _confirmation(registration: Registration, *, given: bool = False) -> Mail:
    event = registration.event
    title = event.title
    if given:
        subject = _("You have a seat: %(event)s") % {"event": title}
        first = _(
            "A seat has become free for “%(event)s” shortly before the start, and it is yours: "
            "you are now registered."
        ) % {"event": title}
    else:
        subject = _("Registration confirmed: %(event)s") % {"event": title}
        first = _("Your seat for “%(event)s” is confirmed. We look forward to seeing you.") % {"event": title}
    notes = [
        _(
            "At the entrance, show the QR code in this e-mail or tell us your check-in code "
            "%(code)s. The attached calendar file adds the event to your calendar."
        )
        % {"code": registration.code},
    ]
    deadline = event.starts_at - dt.timedelta(hours=event.change_cutoff_hours)
    if deadline > timezone.now():
        notes.append(
            _("You can change or cancel your registration with your personal link until %(deadline)s.")
            % {"deadline": when(deadline)}
        )
    notes.append(_("If you cannot come, please cancel so someone from the waiting list can take your seat."))
    return Mail(
        subject=subject,
        salutation=_salute(registration),
        paragraphs=[first],
        actions=[_manage(registration)],
        event=event_details(event),
        code=registration.code,
        qr=True,
        notes=notes,
    )


def _position(registration: Registration, queues: dict[int, list[int]]) -> int:
    queue = queues.get(registration.event_id, [])
    return queue.index(registration.pk) + 1 if registration.pk in queue else 0


def compose(notice: str, registration: Registration, *, queues: dict[int, list[int]]) -> Mail:
    """The e-mail of ``notice`` for a registration (in the active language)."""
    event = registration.event
    title = event.title
    values = {"event": title}
    salutation = _salute(registration)
    if notice == Notice.REGISTERED:
        return _confirmation(registration)
    if notice == Notice.SEAT_GIVEN:
        return _confirmation(registration, given=True)
    if notice == Notice.CONFIRM_ADDRESS:
        paragraphs = [_("Thank you for registering for “%(event)s”.") % values]
        deadline = when(registration.confirm_by) if registration.confirm_by else ""
        if registration.status == Status.WAITING:
            paragraphs.append(
                _(
                    "The event is fully booked; you are on the waiting list at position %(position)s. "
                    "Please confirm your e-mail address by %(deadline)s, otherwise your place on the "
                    "list lapses."
                )
                % {"position": _position(registration, queues), "deadline": deadline}
            )
        else:
            paragraphs.append(
                _(
                    "We are holding your seat until %(deadline)s. Please confirm your e-mail address "
                    "by then, otherwise the registration lapses and the seat goes to someone else."
                )
                % {"deadline": deadline}
            )
        return Mail(
            subject=_("Please confirm your e-mail address: %(event)s") % values,
            salutation=salutation,
            paragraphs=paragraphs,
            actions=[
                {
                    "label": _("Confirm e-mail address"),
                    "url": links.registration_url(registration, "confirm"),
                }
            ],
            event=event_details(event, online=False),
            notes=[
                _("If you did not register, please ignore this e-mail: nothing happens without your click.")
            ],
        )
    if notice == Notice.WAITING:
        return Mail(
            subject=_("Waiting list: %(event)s") % values,
            salutation=salutation,
            paragraphs=[
                _("The event “%(event)s” is fully booked.") % values,
                _(
                    "You are on the waiting list at position %(position)s. If a seat becomes free, "
                    "we will offer it to you by e-mail."
                )
                % {"position": _position(registration, queues)},
            ],
            actions=[_manage(registration, _("See your registration or leave the waiting list"))],
            event=event_details(event, online=False),
        )
    if notice == Notice.OFFERED:
        expires = when(registration.offer_expires_at) if registration.offer_expires_at else ""
        return Mail(
            subject=_("A seat is free for you: %(event)s") % values,
            salutation=salutation,
            paragraphs=[
                _("A seat has become free for “%(event)s” and we are holding it for you until %(expires)s.")
                % {"event": title, "expires": expires},
                _(
                    "Please accept or decline it. Without an answer it goes to the next person on the "
                    "waiting list."
                ),
            ],
            actions=[
                {"label": _("Accept the seat"), "url": links.registration_url(registration, "accept_offer")},
                {
                    "label": _("Decline the seat"),
                    "url": links.registration_url(registration, "decline_offer"),
                },
            ],
            event=event_details(event, online=False),
        )
    if notice == Notice.OFFER_EXPIRED:
        return Mail(
            subject=_("Seat offer expired: %(event)s") % values,
            salutation=salutation,
            paragraphs=[
                _(
                    "You did not answer the offer of a seat for “%(event)s” in time, so it went to the "
                    "next person and you are no longer on the waiting list."
                )
                % values,
                _("You are welcome to register again on the event page."),
            ],
            actions=[{"label": _("Event page"), "url": links.event_url(event)}],
        )
    if notice == Notice.CHANGED:
        details = [registration.name]
        if registration.organisation_name:
            details.append(registration.organisation_name)
        return Mail(
            subject=_("Registration changed: %(event)s") % values,
            salutation=salutation,
            paragraphs=[
                _("Your registration for “%(event)s” has been changed.") % values,
                _("Registered as: %(details)s") % {"details": ", ".join(details)},
            ],
            actions=[_manage(registration)],
            event=event_details(event, online=registration.holds_seat),
        )
    if notice == Notice.CANCELLED:
        return Mail(
            subject=_("Registration cancelled: %(event)s") % values,
            salutation=salutation,
            paragraphs=[
                _("Your registration for “%(event)s” has been cancelled.") % values,
                _("If that was a mistake, you can register again on the event page."),
            ],
            actions=[{"label": _("Event page"), "url": links.event_url(event)}],
        )
    if notice == Notice.LAPSED:
        return Mail(
            subject=_("Registration lapsed: %(event)s") % values,
            salutation=salutation,
            paragraphs=[
                _(
                    "You did not confirm your e-mail address in time, so your registration for "
                    "“%(event)s” has lapsed and the place went to someone else."
                )
                % values,
                _("You are welcome to register again on the event page."),
            ],
            actions=[{"label": _("Event page"), "url": links.event_url(event)}],
        )
    if notice == Notice.EVENT_CANCELLED:
        return Mail(
            subject=_("Event cancelled: %(event)s") % values,
            salutation=salutation,
            paragraphs=[
                _("We are sorry: the event “%(event)s” on %(when)s has been cancelled.")
                % {"event": title, "when": event_time(event)},
                _("Your registration is void; you need not do anything."),
            ],
            notes=[_("The attached calendar file removes the event from your calendar.")],
        )
    raise ValueError(f"unknown notice {notice!r}")


def compose_reminder(registration: Registration) -> Mail:
    event = registration.event
    mail = Mail(
        subject=_("Reminder: %(event)s on %(date)s")
        % {"event": event.title, "date": formats.date_format(local(event.starts_at), "DATE_FORMAT")},
        salutation=_salute(registration),
        paragraphs=[
            _("This is a reminder of “%(event)s”, for which you are registered.") % {"event": event.title}
        ],
        actions=[_manage(registration)],
        event=event_details(event),
        code=registration.code,
        notes=[
            _(
                "At the entrance, tell us your check-in code %(code)s or show the QR code of your confirmation."
            )
            % {"code": registration.code},
            _("If you cannot come, please cancel so someone from the waiting list can take your seat."),
        ],
    )
    return mail


def compose_invitation(invitation: Invitation) -> Mail:
    event = invitation.event
    person = invitation.person
    return Mail(
        subject=_("Invitation: %(event)s") % {"event": event.title},
        salutation=salutation_line(person.salutation, person.first_name, person.last_name),
        paragraphs=[
            _("We would like to invite you to “%(event)s”.") % {"event": event.title},
            _("Please register with your personal link; it takes less than a minute."),
        ],
        actions=[{"label": _("Register with your personal link"), "url": links.invitation_url(invitation)}],
        event=event_details(event, online=False),
        reason=_(
            "You receive this invitation because you agreed to hear from us about our offers and events "
            "(%(purpose)s)."
        )
        % {"purpose": Purpose(invitation.purpose).label},
    )


def render(mail: Mail) -> tuple[str, str]:
    context = {
        "mail": mail,
        "office": settings.OFFICE_NAME,
        "city": settings.CITY_NAME,
        "base_url": settings.BASE_URL,
        "qr_cid": QR_CID if mail.qr else "",
    }
    return (
        render_to_string("events/email/notice.txt", context),
        render_to_string("events/email/notice.html", context),
    )


def build_message(
    mail: Mail,
    to: str,
    *,
    ics: tuple[bytes, str] | None = None,
    qr_text: str = "",
) -> EventMessage:
    text, html = render(mail)
    images = [(QR_CID, qr.qr_png(qr_text), "check-in.png")] if mail.qr and qr_text else []
    message = EventMessage(
        subject=mail.subject,
        body=text,
        from_email=sender(),
        to=[to],
        headers={"Auto-Submitted": "auto-generated"},
        inline_images=images,
    )
    message.attach_alternative(html, "text/html")
    if ics is not None:
        message.attach(_calendar_part(*ics))
    return message


def registration_message(
    notice: str, registration: Registration, *, queues: dict[int, list[int]]
) -> EventMessage:
    event = registration.event
    if notice == REMINDER:
        mail = compose_reminder(registration)
    else:
        mail = compose(notice, registration, queues=queues)
    ics: tuple[bytes, str] | None = None
    if notice in (Notice.REGISTERED, Notice.SEAT_GIVEN, REMINDER):
        ics = (calendar.event_ics(event, registration=registration), calendar.filename(event))
    elif notice == Notice.EVENT_CANCELLED:
        ics = (calendar.event_ics(event), calendar.filename(event))
    qr_text = links.check_in_url(registration) if mail.qr else ""
    return build_message(mail, registration.email, ics=ics, qr_text=qr_text)


# ---------------------------------------------------------------------------------------------
# Delivery

# Errors of one message (an address Django cannot use, a header with a line break, the server
# refusing this message): the others of the batch still go out.
MESSAGE_ERRORS: tuple[type[BaseException], ...] = (smtplib.SMTPNotSupportedError, ValueError)


@dataclass
class Outcome:
    sent: list[int] = field(default_factory=list)
    bounced: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    skipped: int = 0


def _permanent(error: smtplib.SMTPRecipientsRefused) -> bool:
    return bool(error.recipients) and all(code >= 500 for code, _msg in error.recipients.values())


def send_all(
    messages: Sequence[tuple[int, str, Callable[[], EmailMultiAlternatives]]],
    *,
    connection: Any = None,
) -> tuple[Outcome, list[str]]:
    """Send ``(key, address, build)`` over one connection (``connection``: one the caller opened
    and closes); returns the outcome by key and the addresses refused for good."""
    outcome = Outcome()
    refused: list[str] = []
    if not messages:
        return outcome, refused
    own = connection is None
    if own:
        connection = mailers.default
    pending = [key for key, _address, _build in messages]
    try:
        if own:
            connection.open()
        for key, address, build in messages:
            try:
                connection.send_messages([build()])
            except smtplib.SMTPRecipientsRefused as error:
                if _permanent(error):
                    outcome.bounced.append(key)
                    refused.append(address)
                else:
                    outcome.retry.append(key)
            except smtplib.SMTPResponseException as error:
                (outcome.failed if error.smtp_code >= 500 else outcome.retry).append(key)
                logger.warning("events mail refused key=%s code=%s", key, error.smtp_code)
            except MESSAGE_ERRORS as error:
                outcome.failed.append(key)
                logger.warning("events mail not sendable key=%s error=%s", key, type(error).__name__)
            else:
                outcome.sent.append(key)
            pending.remove(key)
    except OSError as error:  # no connection, or it broke: the rest waits for another attempt
        logger.warning("events mail connection failed error=%s", type(error).__name__)
        outcome.retry.extend(pending)
    finally:
        if own:
            with contextlib.suppress(OSError):
                connection.close()
    return outcome, refused


def record_refused(addresses: Sequence[str]) -> None:
    from reallabor.events.services.contacts import record_bounce

    for address in sorted(set(addresses)):
        try:
            record_bounce(email=address)
        except Exception:  # an address Django could send to but the service finds odd
            logger.exception("events bounce not recorded")


def _registrations(ids: Sequence[int]) -> list[Registration]:
    return list(
        Registration.objects.filter(pk__in=list(ids)).select_related("event", "person").order_by("pk")
    )


def _queues(rows: Sequence[Registration]) -> dict[int, list[int]]:
    """The waiting lists of the events of these waiting registrations (one query)."""
    events = {row.event_id for row in rows if row.status == Status.WAITING}
    queues: dict[int, list[int]] = {}
    if events:
        waiting = (
            Registration.objects.filter(event_id__in=events, status=Status.WAITING)
            .order_by("event_id", "waiting_since", "pk")
            .values_list("event_id", "pk")
        )
        for event_id, pk in waiting:
            queues.setdefault(event_id, []).append(pk)
    return queues


def deliverable(registration: Registration) -> bool:
    return bool(registration.email) and registration.person.email_bounced_at is None


def deliver_notices(notice: str, ids: Sequence[int], *, connection: Any = None) -> Outcome:
    """Send the notice's e-mails for these registrations (or invitations); see the module.
    ``connection``: an SMTP connection the caller opened (else one is opened for the batch)."""
    with translation.override(settings.LANGUAGE_CODE):
        if notice == Notice.INVITED:
            return _deliver_invitations(ids, connection=connection)
        rows = _registrations(ids)
        still_true = STILL_TRUE.get(notice, lambda _r: True)
        chosen = [row for row in rows if still_true(row) and deliverable(row)]
        queues = _queues(chosen) if notice in (Notice.WAITING, Notice.CONFIRM_ADDRESS) else {}

        def builder(row: Registration) -> Callable[[], EmailMultiAlternatives]:
            return lambda: registration_message(notice, row, queues=queues)

        outcome, refused = send_all(
            [(row.pk, row.email, builder(row)) for row in chosen], connection=connection
        )
    outcome.skipped = len(ids) - len(chosen)
    record_refused(refused)
    logger.info(
        "events notice delivered notice=%s sent=%d bounced=%d failed=%d retry=%d skipped=%d",
        notice,
        len(outcome.sent),
        len(outcome.bounced),
        len(outcome.failed),
        len(outcome.retry),
        outcome.skipped,
    )
    return outcome


def _deliver_invitations(ids: Sequence[int], *, connection: Any = None) -> Outcome:
    from reallabor.events.services.invitations import mark_invitations_sent

    rows = list(
        Invitation.objects.filter(pk__in=list(ids), sent_at__isnull=True)
        .select_related("event", "person")
        .order_by("pk")
    )
    reachable = reachable_invitees(rows)
    rows = [row for row in rows if row.pk in reachable]
    rows = [row for row in rows if row.event.status != Event.Status.CANCELLED]

    def builder(row: Invitation) -> Callable[[], EmailMultiAlternatives]:
        return lambda: build_message(compose_invitation(row), row.person.email)

    outcome, refused = send_all(
        [(row.pk, row.person.email, builder(row)) for row in rows], connection=connection
    )
    outcome.skipped = len(ids) - len(rows)
    if outcome.sent:
        mark_invitations_sent(invitation_ids=outcome.sent)
    record_refused(refused)
    logger.info(
        "events invitations delivered sent=%d bounced=%d retry=%d skipped=%d",
        len(outcome.sent),
        len(outcome.bounced),
        len(outcome.retry),
        outcome.skipped,
    )
    return outcome


def reachable_invitees(invitations: Sequence[Invitation]) -> set[int]:
    """The ids of the invitations whose person may get them now: a valid consent for the
    invitation's purpose, an address that does not bounce, not erased (one query per purpose)."""
    by_purpose: dict[str, list[Invitation]] = {}
    for invitation in invitations:
        by_purpose.setdefault(invitation.purpose, []).append(invitation)
    allowed: set[int] = set()
    for purpose, group in by_purpose.items():
        people = set(
            Person.objects.filter(
                reachable_q(purpose),
                pk__in=[invitation.person_id for invitation in group],
                anonymised_at__isnull=True,
            ).values_list("pk", flat=True)
        )
        allowed.update(invitation.pk for invitation in group if invitation.person_id in people)
    return allowed


# ---------------------------------------------------------------------------------------------
# The outbox (see the module's docstring)

Row = NoticeMail.Status


def due_q(now: dt.datetime) -> Q:
    """Pending rows whose time has come and that nobody holds."""
    return Q(status=Row.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def claim_batch(*, size: int | None = None, now: dt.datetime | None = None) -> list[NoticeMail]:
    """Claim up to ``size`` due rows for this run (with their registration or invitation, event
    and person loaded); [] when none is due."""
    now = now or timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        candidates = list(
            NoticeMail.objects.filter(due_q(now))
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[: size or BATCH_SIZE]
        )
        if not candidates:
            return []
        # The condition again: a row another worker claimed meanwhile is not taken.
        NoticeMail.objects.filter(due_q(now), id__in=candidates).update(
            claim=token, claimed_until=now + CLAIM_LEASE
        )
    return list(
        NoticeMail.objects.filter(claim=token, status=Row.PENDING)
        .select_related(
            "registration__event", "registration__person", "invitation__event", "invitation__person"
        )
        .order_by("id")
    )


@dataclass
class Delivery:
    """What ``deliver_outbox`` did (counts of rows)."""

    sent: int = 0
    bounced: int = 0
    failed: int = 0
    retry: int = 0
    skipped: int = 0
    batches: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _skip_reason(row: NoticeMail, reachable: set[int]) -> str:
    """Why the row is not sent now ("" = it is sent)."""
    if row.invitation is not None:
        invitation = row.invitation
        if invitation.sent_at is not None:
            return "already sent"
        if invitation.event.status == Event.Status.CANCELLED:
            return "event cancelled"
        if invitation.pk not in reachable:
            return "no valid consent for the purpose or no usable address"
        return ""
    registration = row.registration
    if registration is None:
        return "nothing to send"
    if not STILL_TRUE.get(row.notice, lambda _r: True)(registration):
        return "no longer true"
    if not deliverable(registration):
        return "no usable address"
    return ""


def _build(row: NoticeMail, queues: dict[int, list[int]]) -> EmailMultiAlternatives:
    if row.invitation is not None:
        return build_message(compose_invitation(row.invitation), row.invitation.person.email)
    assert row.registration is not None
    return registration_message(row.notice, row.registration, queues=queues)


def _address(row: NoticeMail) -> str:
    if row.invitation is not None:
        return row.invitation.person.email
    return row.registration.email if row.registration is not None else ""


def _error(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def _later(row: NoticeMail, error: str, *, now: dt.datetime) -> None:
    """A temporary failure: try again later, or give up after ``MAX_ATTEMPTS``."""
    attempts = row.attempts + 1
    values: dict[str, Any] = {"attempts": attempts, "last_error": error, "claim": None, "claimed_until": None}
    if attempts >= MAX_ATTEMPTS:
        values["status"] = Row.FAILED
        logger.warning("events notice given up row=%s attempts=%d", row.pk, attempts)
    else:
        values["next_attempt_at"] = now + RETRY_DELAY * attempts
    NoticeMail.objects.filter(pk=row.pk, claim=row.claim).update(**values)


def _finish(row: NoticeMail, status: str, error: str = "") -> None:
    NoticeMail.objects.filter(pk=row.pk, claim=row.claim).update(
        status=status, attempts=F("attempts") + 1, last_error=error, claim=None, claimed_until=None
    )


def _send_batch(batch: list[NoticeMail], connection: Any, opened: list[bool], result: Delivery) -> None:
    """Send a claimed batch over ``connection`` (opened on first use; ``opened`` says whether it
    is). Every row ends marked, or released pending (a crash)."""
    now = timezone.now()
    reachable = reachable_invitees([row.invitation for row in batch if row.invitation is not None])
    skipped: dict[str, list[int]] = {}
    chosen: list[NoticeMail] = []
    for row in batch:
        reason = _skip_reason(row, reachable)
        if reason:
            skipped.setdefault(reason, []).append(row.pk)
        else:
            chosen.append(row)
    for reason, pks in skipped.items():
        NoticeMail.objects.filter(pk__in=pks, claim=batch[0].claim).update(
            status=Row.SKIPPED, last_error=reason, claim=None, claimed_until=None
        )
        result.skipped += len(pks)
    waiting = [row.registration for row in chosen if row.notice in (Notice.WAITING, Notice.CONFIRM_ADDRESS)]
    queues = _queues([registration for registration in waiting if registration is not None])
    refused: list[str] = []
    invited: list[int] = []
    done: set[int] = set()
    current: NoticeMail | None = None
    try:
        if chosen and not opened[0]:
            try:
                connection.open()
            except OSError as error:
                logger.warning("events mail: no SMTP connection error=%s", type(error).__name__)
                for row in chosen:
                    _later(row, _error(error), now=now)
                    done.add(row.pk)
                result.retry += len(chosen)
                return
            opened[0] = True
        for row in chosen:
            current = row
            try:
                message = _build(row, queues)
                connection.send_messages([message])
            except smtplib.SMTPRecipientsRefused as error:
                if _permanent(error):
                    _finish(row, Row.BOUNCED, _error(error))
                    refused.append(_address(row))
                    result.bounced += 1
                else:
                    _later(row, _error(error), now=now)
                    result.retry += 1
            except smtplib.SMTPResponseException as error:
                logger.warning("events mail refused row=%s code=%s", row.pk, error.smtp_code)
                if error.smtp_code >= 500:
                    _finish(row, Row.FAILED, _error(error))
                    result.failed += 1
                else:
                    _later(row, _error(error), now=now)
                    result.retry += 1
            except MESSAGE_ERRORS as error:
                logger.warning("events mail not sendable row=%s error=%s", row.pk, type(error).__name__)
                _finish(row, Row.FAILED, _error(error))
                result.failed += 1
            except OSError as error:  # the connection broke: this row and the rest wait
                logger.warning("events mail connection failed error=%s", type(error).__name__)
                opened[0] = False
                with contextlib.suppress(OSError):
                    connection.close()
                for rest in chosen:
                    if rest.pk not in done:
                        _later(rest, _error(error), now=now)
                        done.add(rest.pk)
                        result.retry += 1
                return
            else:
                # Accepted by the SMTP server: marked sent at once (committed).
                NoticeMail.objects.filter(pk=row.pk, claim=row.claim).update(
                    status=Row.SENT,
                    sent_at=timezone.now(),
                    attempts=F("attempts") + 1,
                    last_error="",
                    claim=None,
                    claimed_until=None,
                )
                if row.invitation_id is not None:
                    invited.append(row.invitation_id)
                result.sent += 1
            done.add(row.pk)
        current = None
    except BaseException as error:
        # A crash: the row being sent counts an attempt; the others are released, still pending.
        if current is not None and current.pk not in done:
            _later(current, _error(error), now=now)
            done.add(current.pk)
        raise
    finally:
        unsent = [row.pk for row in chosen if row.pk not in done]
        if unsent:
            NoticeMail.objects.filter(pk__in=unsent, claim=batch[0].claim).update(
                claim=None, claimed_until=None
            )
        if invited:
            from reallabor.events.services.invitations import mark_invitations_sent

            mark_invitations_sent(invitation_ids=invited)
        record_refused(refused)


def deliver_outbox(*, connection: Any = None, max_batches: int | None = None) -> Delivery:
    """Send the due e-mails of the outbox, batch after batch over one SMTP connection, until
    none is due (or ``max_batches`` were sent)."""
    result = Delivery()
    own = connection is None
    if own:
        connection = mailers.default
    opened = [not own]
    try:
        with translation.override(settings.LANGUAGE_CODE):
            while max_batches is None or result.batches < max_batches:
                batch = claim_batch()
                if not batch:
                    break
                result.batches += 1
                _send_batch(batch, connection, opened, result)
    finally:
        if own and opened[0]:
            with contextlib.suppress(OSError):
                connection.close()
    if result.batches:
        logger.info(
            "events outbox delivered sent=%d bounced=%d failed=%d retry=%d skipped=%d",
            result.sent,
            result.bounced,
            result.failed,
            result.retry,
            result.skipped,
        )
    return result


def next_attempt() -> dt.datetime | None:
    """When the earliest pending row is due (None: the outbox is empty)."""
    row = NoticeMail.objects.filter(status=Row.PENDING).order_by("next_attempt_at").first()
    return row.next_attempt_at if row else None
