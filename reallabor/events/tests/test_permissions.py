"""Every predicate and every visibility rule of the events, for every role."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from conftest import ROLES, Portfolio
from reallabor.core.testing.events import EventsWorld, make_event, make_series, register_person
from reallabor.events import permissions
from reallabor.events.models import Event, EventSeries, Registration

pytestmark = pytest.mark.django_db

ALL = {"fruehstueck", "crafts_draft", "office_event", "trade_invitation", "trade_draft"}
LISTED_PUBLIC = {"fruehstueck", "office_event"}
VISIBLE = {
    "anonymous": LISTED_PUBLIC,
    "outsider": LISTED_PUBLIC,
    "reader": ALL,
    "partner": {"fruehstueck", "office_event", "trade_invitation", "trade_draft"},
    "coordinator": ALL,
    "administrator": ALL,
}
# Managing (edit, publish, cancel) — and, for the office, the participants.
MANAGED = {
    "anonymous": set(),
    "outsider": set(),
    "reader": set(),
    "partner": set(),
    "coordinator": {"fruehstueck", "crafts_draft", "office_event"},
    "administrator": ALL,
}


def user_of(portfolio: Portfolio, role: str) -> Any:
    """The role's user; the anonymous visitor as the views see them (None is the system)."""
    return portfolio.users[role] if role != "anonymous" else AnonymousUser()


def names(world: EventsWorld, events: object) -> set[str]:
    by_pk = {getattr(world, name).pk: name for name in ALL}
    return {by_pk[event.pk] for event in events}  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_which_events(role: str, portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    user = user_of(portfolio, role)
    assert names(events_portfolio, Event.objects.visible_to(user)) == VISIBLE[role]


def test_the_system_sees_every_event(events_portfolio: EventsWorld) -> None:
    assert names(events_portfolio, Event.objects.visible_to(None)) == ALL


def test_a_cancelled_event_stays_listed_once_published_and_a_cancelled_draft_does_not(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    Event.objects.filter(pk=events_portfolio.fruehstueck.pk).update(status=Event.Status.CANCELLED)
    Event.objects.filter(pk=events_portfolio.crafts_draft.pk).update(status=Event.Status.CANCELLED)
    assert names(events_portfolio, Event.objects.visible_to(AnonymousUser())) == LISTED_PUBLIC
    assert names(events_portfolio, Event.objects.public()) == LISTED_PUBLIC


@pytest.mark.parametrize("role", ROLES)
def test_who_manages_which_events_and_sees_their_participants(
    role: str, portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    user = user_of(portfolio, role)
    for name in ALL:
        event = getattr(events_portfolio, name)
        expected = name in MANAGED[role]
        assert permissions.can_manage_event(user, event) is expected, name
        assert permissions.can_see_participants(user, event) is expected, name
        assert permissions.can_manage_registrations(user, event) is expected, name
        assert permissions.can_check_in(user, event) is expected, name
        assert permissions.can_invite(user, event) is expected, name
        assert permissions.can_see_feedback_summary(user, event) is expected, name
        assert permissions.is_office_user(user, event) is expected, name


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_which_registrations(role: str, portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    for name in ALL - {"fruehstueck"}:  # the Frühstück has anna and clara
        register_person(getattr(events_portfolio, name), user=portfolio.users["administrator"])
    seen = {
        registration.event_id for registration in Registration.objects.visible_to(user_of(portfolio, role))
    }
    expected = {getattr(events_portfolio, name).pk for name in MANAGED[role]}
    assert seen == expected


@pytest.mark.parametrize("role", ROLES)
def test_who_creates_events_and_series_for_which_lab(role: str, portfolio: Portfolio) -> None:
    user = user_of(portfolio, role)
    office = role in ("coordinator", "administrator")
    assert permissions.can_create_any_event(user) is office
    assert permissions.can_create_event(user, None) is office
    assert permissions.can_create_series(user, None) is office
    assert permissions.can_create_event(user, portfolio.handwerk) is office
    assert permissions.can_create_series(user, portfolio.handwerk) is office
    assert permissions.can_create_event(user, portfolio.handel) is (role == "administrator")
    assert permissions.can_create_series(user, portfolio.handel) is (role == "administrator")


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_and_manages_which_series(role: str, portfolio: Portfolio) -> None:
    public_crafts = make_series(title="Handwerksfrühstück", lab=portfolio.handwerk)
    internal_trade = make_series(title="Händlerrunde intern", lab=portfolio.handel, is_public=False)
    internal_office = make_series(title="Allianz intern", is_public=False)
    user = user_of(portfolio, role)
    seen = set(EventSeries.objects.visible_to(user).values_list("title", flat=True))
    expected = {
        "anonymous": {"Handwerksfrühstück"},
        "outsider": {"Handwerksfrühstück"},
        "partner": {"Handwerksfrühstück", "Händlerrunde intern"},
        "reader": {"Handwerksfrühstück", "Händlerrunde intern", "Allianz intern"},
        "coordinator": {"Handwerksfrühstück", "Händlerrunde intern", "Allianz intern"},
        "administrator": {"Handwerksfrühstück", "Händlerrunde intern", "Allianz intern"},
    }[role]
    assert seen == expected
    assert permissions.can_manage_series(user, public_crafts) is (role in ("coordinator", "administrator"))
    assert permissions.can_manage_series(user, internal_office) is (role in ("coordinator", "administrator"))
    assert permissions.can_manage_series(user, internal_trade) is (role == "administrator")


def test_scopes(portfolio: Portfolio) -> None:
    users = portfolio.users
    assert permissions.event_scope(None) == "all"
    assert permissions.event_scope(AnonymousUser()) == "public"
    assert permissions.event_scope(users["partner"]) == frozenset({portfolio.handel.pk})
    assert permissions.participant_scope(users["coordinator"]) == frozenset({portfolio.handwerk.pk})
    assert permissions.participant_scope(users["reader"]) == "none"
    assert permissions.participant_scope(None) == "all"


def test_an_inactive_administrator_manages_nothing(portfolio: Portfolio) -> None:
    admin = portfolio.users["administrator"]
    assert admin is not None
    admin.is_active = False
    admin.save()
    event = make_event()
    assert not permissions.can_manage_event(admin, event)
    assert list(Event.objects.visible_to(admin)) == [event]
