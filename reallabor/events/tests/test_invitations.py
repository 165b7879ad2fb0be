"""Invitations for the people of a segment: only those with consent and a working address, once each."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import Portfolio
from reallabor.actors.models import Person
from reallabor.core.testing.actors import Crm, give_consent, make_person
from reallabor.core.testing.events import EventsWorld
from reallabor.events.models import Event, Invitation
from reallabor.events.services import invitations
from reallabor.events.services.notifications import Notice
from reallabor.events.tests.helpers import messages, snapshot
from reallabor.events.tests.test_registrations import notices

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_the_segment_is_invited_with_consent_only_and_never_twice(
    events_portfolio: EventsWorld, portfolio: Portfolio, crm: Crm, django_capture_on_commit_callbacks: Any
) -> None:
    # The segment reaches the people at companies: anna (newsletter consent) and bernd (none).
    event = events_portfolio.trade_invitation
    admin = portfolio.users["administrator"]
    with django_capture_on_commit_callbacks() as callbacks:
        first = invitations.invite_segment(user=admin, event=event, segment=crm.segment)
    assert [invitation.person for invitation in first] == [crm.anna]
    assert first[0].created_by == admin and first[0].sent_at is None
    assert notices(callbacks) == [(Notice.INVITED, [first[0].pk])]
    give_consent(crm.bernd)
    second = invitations.invite_segment(user=admin, event=event, segment=crm.segment)
    assert [invitation.person for invitation in second] == [crm.bernd]
    assert invitations.invite_segment(user=admin, event=event, segment=crm.segment) == []
    assert invitations.mark_invitations_sent(invitation_ids=[first[0].pk, second[0].pk]) == 2
    assert invitations.mark_invitations_sent(invitation_ids=[first[0].pk]) == 0


def test_bounced_and_anonymised_people_are_not_invited(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    bounced = make_person(email="weg@example.org")
    anonymised = make_person(email="anon@example.org")
    for person in (bounced, anonymised):
        give_consent(person)
    Person.objects.filter(pk=bounced.pk).update(email_bounced_at="2025-01-01T00:00Z")
    Person.objects.filter(pk=anonymised.pk).update(anonymised_at="2025-01-01T00:00Z")
    assert (
        invitations.invite_people(
            user=None, event=events_portfolio.office_event, people=[bounced, anonymised]
        )
        == []
    )


def test_inviting_is_the_office_s_and_not_for_cancelled_events(
    events_portfolio: EventsWorld, portfolio: Portfolio, crm: Crm
) -> None:
    for user in (
        AnonymousUser(),
        portfolio.users["reader"],
        portfolio.users["partner"],
        portfolio.users["outsider"],
    ):
        before = snapshot()
        with pytest.raises(PermissionDenied):
            invitations.invite_segment(
                user=user, event=events_portfolio.trade_invitation, segment=crm.segment
            )
        assert snapshot() == before
    with pytest.raises(PermissionDenied):  # the trade lab's event is not the crafts coordinator's
        invitations.invite_people(
            user=portfolio.users["coordinator"], event=events_portfolio.trade_invitation, people=[crm.anna]
        )
    Event.objects.filter(pk=events_portfolio.office_event.pk).update(status=Event.Status.CANCELLED)
    events_portfolio.office_event.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        invitations.invite_people(user=None, event=events_portfolio.office_event, people=[crm.anna])
    assert messages(error) == {"event": ["This event has been cancelled."]}
    assert not Invitation.objects.exists()
