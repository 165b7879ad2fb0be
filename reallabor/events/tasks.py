"""Background tasks of the events, run through Django's tasks API (the worker is `reallabor worker`).

- ``send_notice_mails()``: delivers the outbox of the participants' e-mails (``mail.deliver_outbox``;
  the rows are written with the change they tell about, see ``mail``). ``request_delivery``
  (called after each commit that wrote rows) queues one unless one waits already. What could not
  be handed to the SMTP server for a temporary reason is tried again later (``mail.MAX_ATTEMPTS``,
  a delivery is queued for that time); an address refused for good is recorded as bouncing.
- ``events_tick``: the periodic work — offers not answered in time pass on
  (``waitlist.expire_offers``), unconfirmed registrations lapse
  (``registrations.lapse_unconfirmed``), reminders go out (``send_reminders``), and the outbox is
  delivered (e-mails whose delivery task got lost, and postponed ones that are due). django-tasks-db has
  no scheduler, so each tick enqueues the next one ``TICK_INTERVAL`` later (``ensure_tick``); at
  most one tick waits in the queue (a duplicate, e.g. from two workers finishing ticks at the same
  moment, is removed by the next tick). ``reallabor worker`` queues the first tick when it starts;
  ``reallabor events-tick`` does the same work once (for cron) — running both does no harm.

Reminders are idempotent: ``send_reminders`` claims each reminder
(``services.reminders.claim_reminder``: a unique row) in the same transaction in which it hands
the message to the SMTP server, so a restarted worker, a second worker or a second tick never
sends one twice (a failure rolls the claim back and a later tick tries again).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import mailers
from django.db import transaction
from django.tasks import TaskContext, task, task_backends
from django.utils import timezone, translation

from reallabor.events import mail
from reallabor.events.services.registrations import lapse_unconfirmed
from reallabor.events.services.reminders import claim_reminder, due_reminders
from reallabor.events.services.waitlist import expire_offers

logger = logging.getLogger(__name__)

TICK_INTERVAL = dt.timedelta(seconds=int(getattr(settings, "REALLABOR_EVENTS_TICK_SECONDS", 300)))


def _can_defer() -> bool:
    return bool(task_backends["default"].supports_defer)


def request_delivery() -> None:
    """Make sure a delivery of the outbox (``send_notice_mails``) waits in the queue; one that
    waits already and is due is enough (two requests at the same moment may queue two: the
    second finds nothing left to send). With a task backend that cannot run tasks later (the
    immediate backend of the tests) the outbox is delivered now."""
    if _can_defer():
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.models import DBTaskResult

        if isinstance(task_backends["default"], DatabaseBackend):
            # ``ready()``: READY and due (no ``run_after`` is stored as the largest date).
            waiting = DBTaskResult.objects.ready().filter(task_path=send_notice_mails.module_path)
            if waiting.exists():
                return
    send_notice_mails.enqueue()


def _schedule_retry() -> None:
    """Queue a delivery for when the earliest postponed e-mail is due (the tick would also)."""
    due = mail.next_attempt()
    if due is None or due <= timezone.now() or not _can_defer():
        return
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=send_notice_mails.module_path, status=TaskResultStatus.READY, run_after__lte=due
    )
    if not waiting.exists():
        send_notice_mails.using(run_after=due).enqueue()


@task
def send_notice_mails(**_legacy: Any) -> dict[str, int]:
    """Deliver the outbox (``mail.deliver_outbox``: due e-mails in batches over one SMTP
    connection); postponed ones get a delivery queued for their time."""
    result = mail.deliver_outbox()
    _schedule_retry()
    return result.as_dict()


# ---------------------------------------------------------------------------------------------
# Reminders


class ReminderStopped(Exception):
    """The SMTP server could not take the reminder now; a later tick tries again."""


def send_reminders(*, now: dt.datetime | None = None) -> int:
    """Send the reminders that are due (each at most once, ever); returns how many went out."""
    due = due_reminders(now=now)
    if not due:
        return 0
    sent = 0
    refused: list[str] = []
    connection = mailers.default
    try:
        with translation.override(settings.LANGUAGE_CODE):
            connection.open()
            for registration, offset in due:
                message = mail.registration_message(mail.REMINDER, registration, queues={})
                try:
                    with transaction.atomic():
                        if not claim_reminder(registration, offset, now=now):
                            continue  # another worker (or an earlier run) has it
                        try:
                            connection.send_messages([message])
                        except smtplib.SMTPRecipientsRefused as error:
                            if not mail._permanent(error):
                                raise ReminderStopped(str(error)) from error
                            refused.append(registration.email)  # the claim stays: not tried again
                            continue
                        except smtplib.SMTPResponseException as error:
                            if error.smtp_code < 500:
                                raise ReminderStopped(str(error)) from error
                            logger.warning("events reminder refused registration=%s", registration.pk)
                            continue
                        except OSError as error:
                            raise ReminderStopped(str(error)) from error
                except ReminderStopped as error:
                    logger.warning("events reminders stopped error=%s", error)
                    break
                sent += 1
    except OSError as error:
        logger.warning("events reminders: no SMTP connection error=%s", type(error).__name__)
    finally:
        with contextlib.suppress(OSError):
            connection.close()
    mail.record_refused(refused)
    logger.info("events reminders sent=%d due=%d bounced=%d", sent, len(due), len(refused))
    return sent


# ---------------------------------------------------------------------------------------------
# The periodic tick


def run_tick(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The events' periodic work, once (each part on its own: one failing does not stop the others)."""
    result: dict[str, int] = {}
    parts: list[tuple[str, Any]] = [
        ("offers_expired", lambda: len(expire_offers(now=now))),
        ("lapsed", lambda: len(lapse_unconfirmed(now=now))),
        ("reminders", lambda: send_reminders(now=now)),
        ("notices", lambda: mail.deliver_outbox().sent),
    ]
    for name, part in parts:
        try:
            result[name] = part()
        except Exception:
            logger.exception("events tick part failed part=%s", name)
            result[name] = -1
    return result


def ensure_tick(*, exclude: Any = None, delay: dt.timedelta = dt.timedelta(0)) -> bool:
    """Make sure one tick waits in the database queue (True when one was enqueued). Does nothing
    with a task backend that cannot run tasks later (the immediate backend of the tests)."""
    if not _can_defer():
        return False
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        pending = DBTaskResult.objects.filter(
            task_path=events_tick.module_path, status=TaskResultStatus.READY
        )
        if exclude is not None:
            pending = pending.exclude(id=exclude)
        waiting = list(pending.order_by("run_after", "enqueued_at").values_list("id", flat=True))
        if waiting:
            extra = waiting[1:]
            if extra:  # two ticks waiting: keep the first (those a worker holds are left alone)
                locked = list(
                    DBTaskResult.objects.filter(id__in=extra, status=TaskResultStatus.READY)
                    .select_for_update(skip_locked=True)
                    .values_list("id", flat=True)
                )
                DBTaskResult.objects.filter(id__in=locked).delete()
            return False
        events_tick.using(run_after=timezone.now() + delay).enqueue()
    return True


@task(takes_context=True)
def events_tick(context: TaskContext) -> dict[str, int]:
    """The periodic work; then the next tick is queued ``TICK_INTERVAL`` later."""
    try:
        return run_tick()
    finally:
        ensure_tick(exclude=context.task_result.id, delay=TICK_INTERVAL)
