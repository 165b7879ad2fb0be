"""Invitations keep the consent purpose they were made under: the e-mail goes out only while the
person's consent for exactly that purpose is valid (checked again when sending), and the office
chooses the purpose when inviting a segment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from conftest import Portfolio
from reallabor.actors.models import Purpose
from reallabor.actors.services.consent import withdraw_consent
from reallabor.actors.tests.test_mailings_send import Inbox, smtp_settings, start_server
from reallabor.core.testing.actors import Crm, give_consent, make_person
from reallabor.core.testing.events import EventsWorld, make_event
from reallabor.events import mail
from reallabor.events.models import Invitation, NoticeMail
from reallabor.events.services import invitations
from reallabor.events.tests.helpers import snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    settings.LANGUAGE_CODE = "en"
    inbox = Inbox()
    controller = start_server(inbox)
    try:
        with override_settings(**smtp_settings(controller.port)):
            yield inbox
    finally:
        controller.stop()


def test_the_purpose_is_kept_on_the_invitation() -> None:
    event = make_event(visibility="invitation")
    person = make_person(email="fu@example.org")
    give_consent(person, Purpose.EVENT_FOLLOW_UP)
    assert invitations.invite_people(user=None, event=event, people=[person]) == []  # newsletter
    (invitation,) = invitations.invite_people(
        user=None, event=event, people=[person], purpose=Purpose.EVENT_FOLLOW_UP
    )
    assert invitation.purpose == Purpose.EVENT_FOLLOW_UP


def test_only_event_follow_up_consent_gets_no_newsletter_invitation(inbox: Inbox) -> None:
    event = make_event(visibility="invitation")
    person = make_person(email="follow@example.org")
    give_consent(person, Purpose.EVENT_FOLLOW_UP)
    # A newsletter invitation made while the person had that consent (here: written directly).
    invitation = Invitation.objects.create(event=event, person=person, purpose=Purpose.NEWSLETTER)
    NoticeMail.objects.create(invitation=invitation, notice="invited")
    result = mail.deliver_outbox()
    assert (result.sent, result.skipped) == (0, 1)
    assert inbox.messages == []
    invitation.refresh_from_db()
    assert invitation.sent_at is None
    assert mail.deliver_notices("invited", [invitation.pk]).sent == []
    # The same person invited for the purpose they agreed to is mailed.
    other = make_event(visibility="invitation")
    (followed,) = invitations.invite_people(
        user=None, event=other, people=[person], purpose=Purpose.EVENT_FOLLOW_UP
    )
    assert mail.deliver_outbox().sent == 1
    (message,) = inbox.messages
    assert message["To"] == "follow@example.org"
    assert "Event follow-up" in message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    followed.refresh_from_db()
    assert followed.sent_at is not None


def test_consent_withdrawn_between_invitation_and_sending_means_no_mail(inbox: Inbox) -> None:
    event = make_event(visibility="invitation")
    person = make_person(email="gone@example.org")
    give_consent(person, Purpose.NEWSLETTER)
    give_consent(person, Purpose.EVENT_FOLLOW_UP)  # another purpose does not stand in
    (invitation,) = invitations.invite_people(user=None, event=event, people=[person])
    withdraw_consent(user=None, person=person, purpose=Purpose.NEWSLETTER)
    assert mail.deliver_outbox().skipped == 1
    assert inbox.messages == []
    invitation.refresh_from_db()
    assert invitation.sent_at is None
    row = NoticeMail.objects.get(invitation=invitation)
    assert row.status == NoticeMail.Status.SKIPPED


def test_the_office_chooses_the_purpose_when_inviting_a_segment(
    events_portfolio: EventsWorld, portfolio: Portfolio, crm: Crm
) -> None:
    event = events_portfolio.trade_invitation
    give_consent(crm.bernd, Purpose.EVENT_FOLLOW_UP)  # anna: newsletter only
    client = portfolio.client("administrator")
    page = client.get(reverse("events:event-participants", kwargs={"slug": event.slug}))
    assert 'name="purpose"' in page.content.decode()
    url = reverse("events:event-invite", kwargs={"slug": event.slug})
    response = client.post(url, {"segment": str(crm.segment.uuid), "purpose": Purpose.EVENT_FOLLOW_UP})
    assert response.status_code == 302
    (invitation,) = Invitation.objects.filter(event=event)
    assert (invitation.person, invitation.purpose) == (crm.bernd, Purpose.EVENT_FOLLOW_UP)
    # An unknown purpose is refused on its field and changes nothing.
    before = snapshot()
    response = client.post(url, {"segment": str(crm.segment.uuid), "purpose": "spam"})
    assert response.status_code == 200
    assert "purpose" in response.context["invite_form"].errors
    assert snapshot() == before
