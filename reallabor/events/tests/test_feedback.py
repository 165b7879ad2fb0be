"""Feedback: attendees only, from the start on, once per registration (again = changed)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import Portfolio
from reallabor.core.testing.events import EventsWorld, make_event, make_registration
from reallabor.events.models import Event, Feedback
from reallabor.events.services.feedback import give_feedback
from reallabor.events.tests.helpers import messages, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_an_attendee_gives_feedback_and_may_change_it(portfolio: Portfolio) -> None:
    past = make_event(starts_at=timezone.now() - dt.timedelta(days=1))
    attendee = make_registration(past, checked_in_at=past.starts_at)
    feedback = give_feedback(
        registration=attendee, data={"rating": "4", "text": "Sehr gut.", "next_topic": "KI im Handwerk"}
    )
    assert (feedback.rating, feedback.text, feedback.next_topic) == (4, "Sehr gut.", "KI im Handwerk")
    changed = give_feedback(registration=attendee, data={"rating": 5})
    assert changed.pk == feedback.pk
    assert (changed.rating, changed.text, changed.next_topic) == (5, "", "")
    assert Feedback.objects.count() == 1


def test_feedback_is_refused_before_the_start_for_absentees_and_for_bad_input(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        give_feedback(registration=events_portfolio.anna, data={"rating": 5})
    assert messages(error) == {"registration": ["Feedback opens when the event begins."]}

    Event.objects.filter(pk=events_portfolio.fruehstueck.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=1)
    )
    with pytest.raises(ValidationError) as error:
        give_feedback(registration=events_portfolio.anna, data={"rating": 5})
    assert messages(error) == {"registration": ["Only participants who were at the event can give feedback."]}
    assert snapshot() != before  # (the start was moved)

    past = make_event(starts_at=timezone.now() - dt.timedelta(days=1))
    attendee = make_registration(past, checked_in_at=past.starts_at)
    before = snapshot()
    for data, expected in (
        ({"rating": 6}, {"rating": ["Enter a number from 1 to 5."]}),
        ({"rating": "gut"}, {"rating": ["Enter a whole number."]}),
        ({}, {"rating": ["Enter a whole number."]}),
        ({"rating": 3, "next_topic": "x" * 501}, {"next_topic": ["Use at most 500 characters."]}),
        ({"rating": 3, "name": "x"}, {"name": ["Unknown field."]}),
    ):
        with pytest.raises(ValidationError) as error:
            give_feedback(registration=attendee, data=data)
        assert messages(error) == expected
    assert snapshot() == before
