"""Helpers shared by the events' tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from reallabor.actors.models import Consent, Interaction, Person
from reallabor.events.models import (
    Event,
    EventDocument,
    EventSeries,
    Feedback,
    Invitation,
    Question,
    Registration,
    ReminderDelivery,
)
from reallabor.history.models import Version


def snapshot() -> dict[str, Any]:
    """Everything the events' services may write, to assert that a refusal changed nothing."""
    return {
        "series": list(EventSeries.objects.order_by("pk").values()),
        "events": list(Event.objects.order_by("pk").values()),
        "event_measures": list(Event.measures.through.objects.order_by("pk").values()),
        "event_organisers": list(Event.organisers.through.objects.order_by("pk").values()),
        "questions": list(Question.objects.order_by("pk").values()),
        "registrations": list(Registration.objects.order_by("pk").values()),
        "invitations": list(Invitation.objects.order_by("pk").values()),
        "feedback": list(Feedback.objects.order_by("pk").values()),
        "documents": list(EventDocument.objects.order_by("pk").values()),
        "reminders": list(ReminderDelivery.objects.order_by("pk").values()),
        "people": list(Person.objects.order_by("pk").values()),
        "consents": list(Consent.objects.order_by("pk").values()),
        "interactions": list(Interaction.objects.order_by("pk").values()),
        "participants": list(Interaction.participants.through.objects.order_by("pk").values()),
        "versions": Version.objects.count(),
    }


def messages(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict
