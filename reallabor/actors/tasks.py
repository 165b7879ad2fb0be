"""Background tasks of the actors app, run through Django's tasks API (the worker is
`reallabor worker`, django-tasks-db's ``db_worker``).

``deliver_mailing`` sends a queued mailing. It works in batches: it claims a batch of queued
recipients (one UPDATE from ``queued`` to a claim mark, so that a second worker or a restarted
one never takes them again), checks each one's consent once more, and sends the batch over one
SMTP connection. Each recipient ends as ``sent``, ``failed`` (with the error) or ``skipped``
(consent withdrawn or expired, address bounced or person erased since the mailing was queued). A
worker that dies in the middle of a batch leaves the claimed rows ``failed`` with a note saying
so: nobody gets the message twice. When no recipient is left waiting the mailing is ``sent``.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import uuid
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


def _interrupted_note(claim: str) -> str:
    return _(
        "Delivery was interrupted: this message may not have gone out. It is not sent again, "
        "so that nobody gets it twice. (run %(claim)s)"
    ) % {"claim": claim}


def _claim_batch(mailing: Mailing, claim: str) -> list[MailingRecipient] | None:
    """Take up to BATCH_SIZE queued recipients for this run and skip those no longer reachable;
    None when nobody is waiting any more."""
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
        note = _interrupted_note(claim)
        MailingRecipient.objects.filter(
            pk__in=[pk for pk, person in rows if person in reachable], status=Status.QUEUED
        ).update(status=Status.FAILED, error=note)
    return list(
        MailingRecipient.objects.filter(mailing=mailing, status=Status.FAILED, error=note)
        .select_related("person")
        .order_by("pk")
    )


def _send_batch(mailing: Mailing, blocks: Sequence[AddedValueBlock], batch: list[MailingRecipient]) -> int:
    """Send the claimed batch over one SMTP connection; returns how many went out."""
    groups = recipient_groups(row.person_id for row in batch if row.person_id is not None)
    connection = mailers.default
    sent: list[int] = []
    failed: dict[int, str] = {}
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
            except OSError as error:  # the connection broke (smtplib's errors are OSErrors)
                failed[row.pk] = f"{type(error).__name__}: {error}"[:500]
                raise DeliveryStopped(str(error)) from error
            else:
                sent.append(row.pk)
    except OSError as error:  # could not connect at all
        raise DeliveryStopped(str(error)) from error
    finally:
        with contextlib.suppress(OSError):
            connection.close()
        _record(sent, failed, [row.pk for row in batch if row.pk not in attempted])
    return len(sent)


def _record(sent: list[int], failed: dict[int, str], unattempted: list[int]) -> None:
    """Store the outcome of a batch: sent, failed with the error, and back to the queue what was
    never handed to the SMTP server."""
    now = timezone.now()
    with transaction.atomic():
        if sent:
            MailingRecipient.objects.filter(pk__in=sent).update(status=Status.SENT, sent_at=now, error="")
        for pk, error in failed.items():
            MailingRecipient.objects.filter(pk=pk).update(status=Status.FAILED, error=error)
        if unattempted:
            MailingRecipient.objects.filter(pk__in=unattempted).update(status=Status.QUEUED, error="")


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
    claim = uuid.uuid4().hex[:12]
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        blocks = mailing_blocks(mailing)  # the target groups' names in the mailing's language
        while (batch := _claim_batch(mailing, claim)) is not None:
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
