"""Feedback of the attendees: a rating from 1 to 5, comments, and what the next one should be about.

Given by the participant through their personal feedback link (``tokens.Purpose.FEEDBACK``),
after the start and only by those who were checked in; once per registration — giving it again
changes it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.core.validation import ErrorCollector
from reallabor.events.models import Feedback, Registration
from reallabor.events.services.common import atomic_with_retry, text, unknown_fields, whole_number

FIELDS = ("rating", "text", "next_topic")
TEXT_MAX = 5_000
TOPIC_MAX = 500


@atomic_with_retry
def give_feedback(*, registration: Registration, data: dict[str, Any]) -> Feedback:
    unknown_fields(data, FIELDS)
    registration = Registration.objects.select_related("event").get(pk=registration.pk)
    if timezone.now() < registration.event.starts_at:
        raise ValidationError({"registration": _("Feedback opens when the event begins.")})
    if registration.checked_in_at is None:
        raise ValidationError(
            {"registration": _("Only participants who were at the event can give feedback.")}
        )
    errors = ErrorCollector()
    rating = whole_number(data.get("rating"), "rating", errors, minimum=1, maximum=5)
    comments = text(data.get("text"), "text", errors, limit=TEXT_MAX)
    topic = text(data.get("next_topic"), "next_topic", errors, limit=TOPIC_MAX)
    errors.raise_if_any()
    assert rating is not None
    feedback, _created = Feedback.objects.update_or_create(
        registration=registration, defaults={"rating": rating, "text": comments, "next_topic": topic}
    )
    return feedback
