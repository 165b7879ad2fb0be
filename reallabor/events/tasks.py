"""Background tasks of the events, run through Django's tasks API (the worker is `reallabor worker`).

- ``send_notice_mails(notice, ids)``: the e-mails of one notice for a batch of registrations (or
  invitations), enqueued by ``mail.send_notices`` after the commit. What could not be handed to
  the SMTP server for a temporary reason is tried again later (``mail.MAX_ATTEMPTS``); an
  address refused for good is recorded as bouncing and not tried again.
- ``events_tick``: the periodic work — offers not answered in time pass on
  (``waitlist.expire_offers``), unconfirmed registrations lapse
  (``registrations.lapse_unconfirmed``), reminders go out (``send_reminders``). django-tasks-db has
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


ALONG = 50
"""Up to this many other queued notice tasks are delivered along with the one a worker runs (over
the same SMTP connection): a burst of registrations, each queuing its own task, goes out in a few
runs instead of one connection and one task run per mail."""


def _along(current: Any) -> list[tuple[str, list[int], int]]:
    """Take (mark done) other notice tasks that wait in the database queue, for this run."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task_backends["default"], DatabaseBackend):
        return []
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            DBTaskResult.objects.ready()
            .filter(task_path=send_notice_mails.module_path)
            .exclude(id=current)
            .select_for_update(skip_locked=True)
            .order_by("-priority", "run_after", "enqueued_at")
            .values_list("id", "args_kwargs")[:ALONG]
        )
        taken = [pk for pk, _arguments in rows]
        DBTaskResult.objects.filter(id__in=taken, status=TaskResultStatus.READY).update(
            status=TaskResultStatus.SUCCESSFUL,
            started_at=now,
            finished_at=now,
            return_value={"delivered_with": str(current)},
        )
    groups = []
    for _pk, arguments in rows:
        kwargs = (arguments or {}).get("kwargs", {})
        groups.append(
            (str(kwargs.get("notice", "")), list(kwargs.get("ids", [])), int(kwargs.get("attempt", 1)))
        )
    return groups


@task(takes_context=True)
def send_notice_mails(
    context: TaskContext, *, notice: str, ids: list[int], attempt: int = 1
) -> dict[str, int]:
    """Send one notice's e-mails for these ids (see ``mail.deliver_notices``), and those of other
    notice tasks waiting in the queue (``ALONG``), over one SMTP connection."""
    groups = [(notice, ids, attempt), *_along(context.task_result.id)]
    totals = {"sent": 0, "bounced": 0, "failed": 0, "retry": 0, "skipped": 0, "tasks": len(groups)}
    connection = mailers.default
    try:
        connection.open()
    except OSError as error:
        logger.warning("events mail: no SMTP connection error=%s", type(error).__name__)
        groups_outcomes = [(group, mail.Outcome(retry=list(group[1]))) for group in groups]
    else:
        try:
            groups_outcomes = [
                (group, mail.deliver_notices(group[0], group[1], connection=connection)) for group in groups
            ]
        finally:
            with contextlib.suppress(OSError):
                connection.close()
    for (group_notice, _ids, group_attempt), outcome in groups_outcomes:
        totals["sent"] += len(outcome.sent)
        totals["bounced"] += len(outcome.bounced)
        totals["failed"] += len(outcome.failed)
        totals["retry"] += len(outcome.retry)
        totals["skipped"] += outcome.skipped
        if not outcome.retry:
            continue
        if group_attempt < mail.MAX_ATTEMPTS and _can_defer():
            send_notice_mails.using(run_after=timezone.now() + mail.RETRY_DELAY * group_attempt).enqueue(
                notice=group_notice, ids=outcome.retry, attempt=group_attempt + 1
            )
        else:
            logger.warning(
                "events notice given up notice=%s attempts=%d unsent=%d",
                group_notice,
                group_attempt,
                len(outcome.retry),
            )
    return totals


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
