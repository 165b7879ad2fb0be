"""The questions of an event's registration form, set as a whole list with the event.

``questions`` (in ``create_event``/``update_event`` data) is the complete list in its order:
``[{"id"?, "label", "help_text"?, "kind"?, "choices"?, "required"?}]``. An item with the ``id``
of an existing question changes it (its answers stay attached), an item without one is new,
and questions left out are removed (answers given to them stay on the registrations, unused).
Errors name ``questions[i].field``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from reallabor.core.validation import ErrorCollector
from reallabor.events.models import Event, Question
from reallabor.events.services.common import boolean, text

MAX_QUESTIONS = 20
MAX_CHOICES = 30
FIELDS = ("id", "label", "help_text", "kind", "choices", "required")


def clean_questions(event: Event, raw: Any, errors: ErrorCollector) -> list[Question] | None:
    """Unsaved (or changed) questions in their order; None when the list is not usable."""
    if not isinstance(raw, list | tuple):
        errors.add("questions", _("Give the questions as a list."))
        return None
    if len(raw) > MAX_QUESTIONS:
        errors.add("questions", _("At most %(max)s questions.") % {"max": MAX_QUESTIONS})
        return None
    existing = {question.pk: question for question in event.questions.all()} if event.pk else {}
    questions: list[Question] = []
    for index, item in enumerate(raw):
        path = f"questions[{index}]"
        if not isinstance(item, Mapping):
            errors.add(path, _("Give each question as a mapping of fields."))
            continue
        for name in sorted(set(item) - set(FIELDS), key=str):
            errors.add(f"{path}.{name}", _("Unknown field."))
        question = _existing(item.get("id"), existing, path, errors) or Question(event=event)
        question.position = index
        question.label = text(
            item.get("label"), f"{path}.label", errors, limit=300, required=True, label=_("question")
        )
        question.help_text = text(item.get("help_text"), f"{path}.help_text", errors, limit=500)
        kind = item.get("kind") or Question.Kind.TEXT
        if kind not in Question.Kind.values:
            errors.add(f"{path}.kind", _("Choose text, choice or yes_no."))
        question.kind = kind
        question.choices = _choices(question, item.get("choices"), f"{path}.choices", errors)
        required = boolean(item.get("required", False), f"{path}.required", errors)
        question.required = bool(required)
        questions.append(question)
    return questions


def _existing(key: Any, existing: dict[int, Question], path: str, errors: ErrorCollector) -> Question | None:
    if key in (None, ""):
        return None
    try:
        question = existing.get(int(key))
    except (TypeError, ValueError):
        question = None
    if question is None:
        errors.add(f"{path}.id", _("This event has no question %(id)s.") % {"id": str(key)[:20]})
    return question


def _choices(question: Question, raw: Any, path: str, errors: ErrorCollector) -> list[str]:
    if question.kind != Question.Kind.CHOICE:
        return []
    if not isinstance(raw, list | tuple) or not raw:
        errors.add(path, _("Give the choices as a list."))
        return []
    if len(raw) > MAX_CHOICES:
        errors.add(path, _("At most %(max)s choices.") % {"max": MAX_CHOICES})
        return []
    choices: list[str] = []
    for choice in raw:
        value = text(choice, path, errors, limit=200, required=True, label=_("choice"))
        if value and value not in choices:
            choices.append(value)
    return choices


def save_questions(event: Event, questions: list[Question]) -> None:
    keep = [question.pk for question in questions if question.pk]
    event.questions.exclude(pk__in=keep).delete()
    for question in questions:
        question.event = event
        question.save()
