"""The delivery states of a mailing's recipients against a real SMTP server on the loopback
interface (aiosmtpd): ``sending`` is committed before the worker talks to the server, a crash or a
broken connection leaves the recipients unconfirmed ("maybe delivered"), a resume never sends them
again on its own, and the office's explicit choice does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.tasks import TaskResultStatus
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from conftest import Portfolio
from reallabor.actors import tasks
from reallabor.actors.models import Mailing, MailingRecipient
from reallabor.actors.services import mailings as services
from reallabor.actors.tests.test_mailings_send import (
    Inbox,
    World,
    make_world,
    smtp_settings,
    start_server,
    statuses,
)
from reallabor.core.testing.actors import Crm

pytestmark = pytest.mark.django_db

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
ANNA = "anna@tischlerei-beispiel.example"
DORA = "dora@modehaus.example"


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def world(portfolio: Portfolio, crm: Crm) -> World:
    return make_world(portfolio, crm)


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


class DroppingInbox(Inbox):
    """Receives the message for the addresses in ``drop`` and then closes the connection before
    answering: the message arrived, but the sender never learns it."""

    def __init__(self) -> None:
        super().__init__()
        self.drop: set[str] = set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        if self.drop & set(envelope.rcpt_tos):
            server.transport.close()
        return answer


def queue(world: World, capture: CaptureOnCommit) -> None:
    """Send the mailing, without running the worker yet."""
    with capture(execute=False):
        services.send_mailing(user=world.portfolio.users["coordinator"], mailing=world.mailing)


def row(world: World, email: str) -> MailingRecipient:
    return MailingRecipient.objects.get(mailing=world.mailing, email=email)


def age(recipient: MailingRecipient) -> None:
    """Let time pass: the recipient was taken up longer ago than a run can last."""
    MailingRecipient.objects.filter(pk=recipient.pk).update(
        claimed_at=timezone.now() - services.UNCONFIRMED_AFTER - dt.timedelta(minutes=1)
    )


def resume(world: World, capture: CaptureOnCommit, **data: str) -> str:
    client = world.portfolio.client("coordinator")
    with capture(execute=True):
        response = client.post(
            reverse("actors:mailing-resume", kwargs={"uuid": world.mailing.uuid}), data, follow=True
        )
    assert response.status_code == 200
    return str(response.content.decode())


def detail(world: World) -> str:
    response = world.portfolio.client("coordinator").get(world.mailing.get_absolute_url())
    return str(response.content.decode())


def test_the_batch_is_marked_sending_before_the_server_is_contacted(
    world: World, smtp_inbox: Inbox, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    queue(world, django_capture_on_commit_callbacks)
    before = timezone.now()
    batch = tasks._claim_batch(world.mailing)
    assert batch is not None and sorted(r.email for r in batch) == [ANNA, DORA]
    # Committed as "sending" with the time, and nothing went to the server yet.
    for email in (ANNA, DORA):
        claimed = row(world, email)
        assert claimed.status == MailingRecipient.Status.SENDING
        assert claimed.claimed_at is not None and claimed.claimed_at >= before
    assert smtp_inbox.messages == []
    assert services.recipient_counts(world.mailing)["sending"] == 2
    assert services.delivery_state(world.mailing) == services.DeliveryState(
        waiting=0, in_flight=2, unconfirmed=0
    )
    assert tasks._claim_batch(world.mailing) is None  # nobody else takes them
    assert tasks._send_batch(world.mailing, services.mailing_blocks(world.mailing), batch) == 2
    assert statuses(world.mailing) == {ANNA: "sent", DORA: "sent"}
    assert sorted(smtp_inbox.recipients) == [[ANNA], [DORA]]


def test_a_crash_leaves_recipients_unconfirmed_and_a_resume_does_not_send_them_again(
    world: World,
    smtp_inbox: Inbox,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tasks, "BATCH_SIZE", 1)
    queue(world, django_capture_on_commit_callbacks)
    Mailing.objects.filter(pk=world.mailing.pk).update(status=Mailing.Status.SENDING)
    crashed = tasks._claim_batch(world.mailing)  # the worker took one up, then died
    assert crashed is not None and len(crashed) == 1
    lost = crashed[0].email
    other = DORA if lost == ANNA else ANNA

    # Right after the crash the office cannot tell it from a worker still busy with it.
    assert services.delivery_state(world.mailing) == services.DeliveryState(1, 1, 0)
    page = detail(world)
    assert "Being sent" in page and "unconfirmed recipient" not in page

    age(crashed[0])
    assert services.delivery_state(world.mailing) == services.DeliveryState(1, 0, 1)
    page = detail(world)
    assert "Unconfirmed (maybe delivered)" in page
    assert "may or may not have arrived" in page
    assert 'name="resend_unconfirmed"' in page

    # Resume: the waiting one goes out, the unconfirmed one is reported and left alone.
    page = resume(world, django_capture_on_commit_callbacks)
    assert "The worker continues with the 1 waiting recipients." in page
    assert "1 recipient is unconfirmed" in page and "not sent again unless you choose so" in page
    assert smtp_inbox.recipients == [[other]]
    assert statuses(world.mailing) == {other: "sent", lost: "sending"}
    world.mailing.refresh_from_db()
    assert world.mailing.status == Mailing.Status.SENT
    # Another run changes nothing either.
    result = tasks.deliver_mailing.enqueue(mailing_uuid=str(world.mailing.uuid))
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == {"sent": 0}
    assert smtp_inbox.recipients == [[other]]

    # The mailing is sent; a plain resume is refused, the page still offers the choice.
    with pytest.raises(ValidationError, match="still being sent"):
        services.resume_mailing(user=world.portfolio.users["coordinator"], mailing=world.mailing)
    page = detail(world)
    assert 'name="resend_unconfirmed"' in page and "Resume delivery" in page

    # The office decides to send it again: exactly once more, to the unconfirmed one only.
    page = resume(world, django_capture_on_commit_callbacks, resend_unconfirmed="on")
    assert smtp_inbox.recipients == [[other], [lost]]
    assert statuses(world.mailing) == {ANNA: "sent", DORA: "sent"}
    world.mailing.refresh_from_db()
    assert world.mailing.status == Mailing.Status.SENT
    assert services.delivery_state(world.mailing) == services.DeliveryState(0, 0, 0)
    assert "Resume delivery" not in detail(world)
    with pytest.raises(ValidationError, match="nothing to send again"):
        services.resume_mailing(
            user=world.portfolio.users["coordinator"], mailing=world.mailing, resend_unconfirmed=True
        )


def test_a_recipient_being_sent_right_now_is_never_sent_again(
    world: World, smtp_inbox: Inbox, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    queue(world, django_capture_on_commit_callbacks)
    Mailing.objects.filter(pk=world.mailing.pk).update(status=Mailing.Status.SENDING)
    busy = tasks._claim_batch(world.mailing)  # another worker is handing these over right now
    assert busy is not None and len(busy) == 2
    page = resume(world, django_capture_on_commit_callbacks, resend_unconfirmed="on")
    assert "2 recipients are being sent right now." in page
    assert smtp_inbox.messages == []
    assert statuses(world.mailing) == {ANNA: "sending", DORA: "sending"}
    # The other worker finishes its batch: each got the message once.
    tasks._send_batch(world.mailing, services.mailing_blocks(world.mailing), busy)
    assert sorted(smtp_inbox.recipients) == [[ANNA], [DORA]]
    assert statuses(world.mailing) == {ANNA: "sent", DORA: "sent"}


def test_a_connection_broken_mid_message_leaves_it_unconfirmed(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    inbox = DroppingInbox()
    inbox.drop = {ANNA}
    controller = start_server(inbox)
    try:
        with override_settings(**smtp_settings(controller.port)):
            with django_capture_on_commit_callbacks(execute=False) as callbacks:
                services.send_mailing(user=world.portfolio.users["coordinator"], mailing=world.mailing)
            callbacks[0]()  # the worker: the connection breaks after anna's message arrived
            anna = row(world, ANNA)
            assert anna.status == MailingRecipient.Status.SENDING
            assert "may have arrived" in anna.error and "SMTPServerDisconnected" in anna.error
            assert [ANNA] in inbox.recipients  # it did arrive; the worker cannot know
            dora_before = row(world, DORA).status
            assert dora_before in ("queued", "sent")  # not reached yet, or sent before anna
            world.mailing.refresh_from_db()
            assert world.mailing.status == Mailing.Status.SENDING

            inbox.drop = set()
            resume(world, django_capture_on_commit_callbacks)
    finally:
        controller.stop()
    assert inbox.recipients.count([ANNA]) == 1
    assert inbox.recipients.count([DORA]) == 1
    assert statuses(world.mailing) == {ANNA: "sending", DORA: "sent"}
    world.mailing.refresh_from_db()
    assert world.mailing.status == Mailing.Status.SENT
    age(row(world, ANNA))
    assert services.delivery_state(world.mailing).unconfirmed == 1
