"""Personal links: each purpose its own signature; tampered, expired, wrong-purpose and gone links
each explain themselves."""

from __future__ import annotations

import time

import pytest
from django.core import signing

from reallabor.core.testing.events import EventsWorld
from reallabor.events.models import Invitation, Registration
from reallabor.events.services import tokens
from reallabor.events.services.tokens import LinkExpired, LinkGone, LinkTampered, Purpose

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

INVALID = "This link is not valid. Please use the complete link from your e-mail."


class PastSigner(signing.TimestampSigner):
    """Signs as if it were ``seconds`` ago: a genuine but old link."""

    def __init__(self, seconds: float, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.seconds = seconds

    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time() - self.seconds))


@pytest.mark.parametrize("purpose", list(Purpose))
def test_every_purpose_finds_its_registration(purpose: Purpose, events_portfolio: EventsWorld) -> None:
    token = tokens.registration_token(events_portfolio.anna, purpose)
    assert tokens.registration_from_token(token, purpose) == events_portfolio.anna


def test_a_link_for_one_purpose_does_not_work_for_another(events_portfolio: EventsWorld) -> None:
    token = tokens.registration_token(events_portfolio.anna, Purpose.FEEDBACK)
    for other in set(Purpose) - {Purpose.FEEDBACK}:
        with pytest.raises(LinkTampered) as error:
            tokens.registration_from_token(token, other)
        assert str(error.value) == INVALID


@pytest.mark.parametrize(
    "change",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        lambda token: ("x" if token[0] != "x" else "y") + token[1:],  # the content
        lambda token: token[: len(token) // 2],  # cut short
        lambda token: "",
        lambda token: "kein-token",
        lambda token: token * 10,
    ],
)
def test_tampered_links_are_refused(change: object, events_portfolio: EventsWorld) -> None:
    token = tokens.registration_token(events_portfolio.anna, Purpose.MANAGE)
    with pytest.raises(LinkTampered) as error:
        tokens.registration_from_token(change(token), Purpose.MANAGE)  # type: ignore[operator]
    assert str(error.value) == INVALID


def test_a_link_past_its_lifetime_has_expired(events_portfolio: EventsWorld) -> None:
    age = tokens.MAX_AGE[Purpose.CONFIRM].total_seconds()
    salt = "reallabor.events.registration.confirm"
    old = PastSigner(age + 60, salt=salt).sign_object(events_portfolio.anna.uuid.hex)
    with pytest.raises(LinkExpired) as error:
        tokens.registration_from_token(old, Purpose.CONFIRM)
    assert str(error.value) == "This link has expired. Please ask the office for a new one or register again."
    recent = PastSigner(age - 60, salt=salt).sign_object(events_portfolio.anna.uuid.hex)
    assert tokens.registration_from_token(recent, Purpose.CONFIRM) == events_portfolio.anna


def test_a_link_to_an_erased_registration_says_so(events_portfolio: EventsWorld) -> None:
    token = tokens.registration_token(events_portfolio.anna, Purpose.MANAGE)
    Registration.objects.filter(pk=events_portfolio.anna.pk).delete()
    with pytest.raises(LinkGone) as error:
        tokens.registration_from_token(token, Purpose.MANAGE)
    assert str(error.value) == "This registration no longer exists."


def test_invitation_links(events_portfolio: EventsWorld) -> None:
    from reallabor.actors.models import Person

    person = Person.objects.get(email=events_portfolio.anna.email)
    invitation = Invitation.objects.create(event=events_portfolio.trade_invitation, person=person)
    token = tokens.invitation_token(invitation)
    assert tokens.invitation_from_token(token) == invitation
    with pytest.raises(LinkTampered):
        tokens.invitation_from_token(token[:-2])
    with pytest.raises(LinkTampered):  # a registration's link is no invitation
        tokens.invitation_from_token(tokens.registration_token(events_portfolio.anna, Purpose.MANAGE))
    invitation.delete()
    with pytest.raises(LinkGone):
        tokens.invitation_from_token(token)


def test_an_unknown_purpose_is_a_programming_error(events_portfolio: EventsWorld) -> None:
    with pytest.raises(ValueError):
        tokens.registration_token(events_portfolio.anna, "unsubscribe")
    with pytest.raises(ValueError):
        tokens.registration_from_token("x", "unsubscribe")
