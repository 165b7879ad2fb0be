"""Background tasks of the actors app, run through Django's tasks API (the worker is
`reallabor worker`, django-tasks-db's ``db_worker``).

``deliver_mailing`` sends a queued mailing in batches:

1. It claims a batch of queued recipients in one transaction: those no longer reachable
   (consent withdrawn or expired, address bounced, person erased since the mailing was queued)
   become ``skipped``, the others ``sending`` with ``claimed_at`` – committed *before* the first
   byte goes to the SMTP server. ``select_for_update(skip_locked=True)`` and the status change
   mean a second worker never takes the same recipients.
2. It sends the batch over one SMTP connection.
3. It records the outcome in one transaction: ``sent`` (with ``sent_at``), ``failed`` (the
   server refused this message; with the error), or back to ``queued`` for those it never got to
   (the connection could not be opened or broke before them).

A worker that dies between 1 and 3 leaves its batch in ``sending``; so does a connection that
breaks in the middle of a message (the error is noted). Those deliveries are unconfirmed: the
server may or may not have accepted the message. Like a careful mailing tool we prefer a missed
message to a message received twice, so a later run never sends them again on its own; the
mailing's page reports them as "unconfirmed – maybe delivered", and only when the office asks
for it (``services.mailings.resume_mailing(resend_unconfirmed=True)``) are they queued again.
When no recipient is left waiting the mailing is ``sent``.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import mailers
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reallabor.actors.filters import reachable_people
from reallabor.actors.mail import Recipient, build_message
from reallabor.actors.models import Mailing, MailingRecipient, Person
from reallabor.actors.services.mailings import (
    AddedValueBlock,
    mailing_blocks,
    recipient_groups,
    sample_recipient,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
Status = MailingRecipient.Status

# Errors that concern one message (the server refused this recipient or this message): the
# others of the batch still go out. Anything else (the connection broke) stops the batch.
MESSAGE_ERRORS: tuple[type[BaseException], ...] = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
    ValueError,  # an address Django cannot use, a header with a line break
)


class DeliveryStopped(Exception):
    """The SMTP server could not be reached; the mailing waits for ``resume_mailing``."""


def _claim_batch(mailing: Mailing) -> list[MailingRecipient] | None:
    """Take up to BATCH_SIZE queued recipients for this run (``sending``) and skip those no longer
    reachable; None when nobody is waiting any more."""
    with transaction.atomic():
        waiting = (
            MailingRecipient.objects.filter(mailing=mailing, status=Status.QUEUED)
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", "person_id")[:BATCH_SIZE]
        )
        rows = list(waiting)
        if not rows:
            return None
        person_ids = [person for _pk, person in rows if person is not None]
        reachable = set(
            reachable_people(
                Person.objects.filter(pk__in=person_ids, anonymised_at__isnull=True), mailing.purpose
            ).values_list("pk", flat=True)
        )
        skipped = [pk for pk, person in rows if person not in reachable]
        if skipped:
            MailingRecipient.objects.filter(pk__in=skipped, status=Status.QUEUED).update(
                status=Status.SKIPPED,
                error=_("No valid consent or usable address when it was due to go out."),
            )
        claimed = [pk for pk, person in rows if person in reachable]
        MailingRecipient.objects.filter(pk__in=claimed, status=Status.QUEUED).update(
            status=Status.SENDING, claimed_at=timezone.now(), error=""
        )
    return list(
        MailingRecipient.objects.filter(pk__in=claimed, status=Status.SENDING)
        .select_related("person")
        .order_by("pk")
    )


def _unconfirmed_note(error: BaseException) -> str:
    return (
        _("The connection broke while this message was being handed over; it may have arrived. %(error)s")
        % {"error": f"{type(error).__name__}: {error}"}
    )[:500]


def _send_batch(mailing: Mailing, blocks: Sequence[AddedValueBlock], batch: list[MailingRecipient]) -> int:
    """Send the claimed batch over one SMTP connection; returns how many went out."""
    groups = recipient_groups(row.person_id for row in batch if row.person_id is not None)
    connection = mailers.default
    sent: list[int] = []
    failed: dict[int, str] = {}
    unconfirmed: dict[int, str] = {}
    attempted: set[int] = set()
    try:
        connection.open()
        for row in batch:
            assert row.person is not None  # rows without a person were skipped when claimed
            recipient = Recipient.of(
                row.person, email=row.email, groups=groups.get(row.person.pk, frozenset())
            )
            attempted.add(row.pk)
            try:
                message = build_message(mailing, blocks, recipient)
                connection.send_messages([message])
            except MESSAGE_ERRORS as error:
                failed[row.pk] = f"{type(error).__name__}: {error}"[:500]
            except smtplib.SMTPResponseException as error:  # refused by the server: not delivered
                failed[row.pk] = f"{type(error).__name__}: {error}"[:500]
                raise DeliveryStopped(str(error)) from error
            except OSError as error:  # the connection broke (smtplib's errors are OSErrors)
                unconfirmed[row.pk] = _unconfirmed_note(error)
                raise DeliveryStopped(str(error)) from error
            else:
                sent.append(row.pk)
    except OSError as error:  # could not connect at all
        raise DeliveryStopped(str(error)) from error
    finally:
        with contextlib.suppress(OSError):
            connection.close()
        _record(sent, failed, unconfirmed, [row.pk for row in batch if row.pk not in attempted])
    return len(sent)


def _record(
    sent: list[int], failed: dict[int, str], unconfirmed: dict[int, str], unattempted: list[int]
) -> None:
    """Store the outcome of a batch: sent, failed with the error, unconfirmed (stays ``sending``,
    with the error), and back to the queue what was never handed to the SMTP server."""
    now = timezone.now()
    with transaction.atomic():
        if sent:
            MailingRecipient.objects.filter(pk__in=sent).update(status=Status.SENT, sent_at=now, error="")
        for pk, error in failed.items():
            MailingRecipient.objects.filter(pk=pk).update(status=Status.FAILED, error=error)
        for pk, error in unconfirmed.items():
            MailingRecipient.objects.filter(pk=pk).update(error=error)
        if unattempted:
            MailingRecipient.objects.filter(pk__in=unattempted).update(
                status=Status.QUEUED, claimed_at=None, error=""
            )


def _finish(mailing: Mailing) -> None:
    if not MailingRecipient.objects.filter(mailing=mailing, status=Status.QUEUED).exists():
        Mailing.objects.filter(
            pk=mailing.pk, status__in=[Mailing.Status.QUEUED, Mailing.Status.SENDING]
        ).update(status=Mailing.Status.SENT, sent_at=timezone.now())


@task
def deliver_mailing(*, mailing_uuid: str) -> dict[str, int]:
    """Send a queued mailing to its waiting recipients; returns how many went out, failed and
    were skipped in this run. Running it again sends only what is still waiting."""
    mailing = Mailing.objects.filter(uuid=mailing_uuid).first()
    if mailing is None or mailing.status not in (Mailing.Status.QUEUED, Mailing.Status.SENDING):
        return {"sent": 0}
    Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.QUEUED).update(status=Mailing.Status.SENDING)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        blocks = mailing_blocks(mailing)  # the target groups' names in the mailing's language
        while (batch := _claim_batch(mailing)) is not None:
            if batch:
                sent += _send_batch(mailing, blocks, batch)
    _finish(mailing)
    logger.info("mailing delivered task=deliver_mailing mailing=%s sent=%d", mailing.pk, sent)
    return {"sent": sent}


@task
def send_test_mail(*, mailing_uuid: str, to: str, language: str) -> int:
    """The test of a mailing, to one address (the office's own), addressed like the sample
    recipient; not logged as a recipient."""
    mailing = Mailing.objects.filter(uuid=mailing_uuid).first()
    if mailing is None:
        return 0
    with translation.override(language or settings.LANGUAGE_CODE):
        person = sample_recipient(mailing)
        recipient: Any
        if person is None:
            recipient = Recipient(email=to)
        else:
            groups = recipient_groups([person.pk]).get(person.pk, frozenset())
            recipient = Recipient.of(person, email=to, groups=groups)
        message = build_message(mailing, mailing_blocks(mailing), recipient, test=True)
    sent = message.send()
    logger.info("test mail sent task=send_test_mail mailing=%s", mailing.pk)
    return sent
