"""Checking the registrants' details and their answers to the event's questions (no writes).

``data`` of a registration (``register``, ``walk_in``, ``change_registration``):

- ``first_name``, ``last_name`` (required), ``email`` (required except for walk-ins; stored as
  typed, compared without case), ``organisation_name`` (free text, matched to an organisation);
- ``answers``: ``{question id: value}`` — text for ``text`` questions, one of the choices for
  ``choice``, true/false (or "yes"/"no") for ``yes_no``; required questions must be answered;
- ``consents``: the purposes ticked (``actors.models.Purpose`` values);
- staff only: ``organisation`` (an Organisation or its slug) and ``reserved`` (an organiser seat).

Errors name the field: ``answers.<question id>`` for an answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from reallabor.core.validation import ErrorCollector
from reallabor.events.models import Question
from reallabor.events.services.common import text

NAME_MAX = 100
ORGANISATION_MAX = 200
ANSWER_MAX = 2000
YES = {"yes", "ja", "true", "1", "on"}
NO = {"no", "nein", "false", "0", "off"}


def clean_email(value: Any, errors: ErrorCollector, *, required: bool) -> str:
    email = text(value, "email", errors, limit=254, required=required, label=_("e-mail address"))
    if email and "email" not in errors.errors:
        try:
            validate_email(email)
        except ValidationError:
            errors.add("email", _("Enter a valid e-mail address, such as name@example.org."))
            return ""
    return email


def clean_details(
    data: Mapping[str, Any], errors: ErrorCollector, *, email_required: bool = True, partial: bool = False
) -> dict[str, str]:
    """The names, address and organisation text; ``partial``: only the fields given."""
    cleaned: dict[str, str] = {}
    if not partial or "first_name" in data:
        cleaned["first_name"] = text(
            data.get("first_name"), "first_name", errors, limit=NAME_MAX, required=True, label=_("first name")
        )
    if not partial or "last_name" in data:
        cleaned["last_name"] = text(
            data.get("last_name"), "last_name", errors, limit=NAME_MAX, required=True, label=_("last name")
        )
    if not partial or "email" in data:
        cleaned["email"] = clean_email(data.get("email"), errors, required=email_required)
    if not partial or "organisation_name" in data:
        cleaned["organisation_name"] = text(
            data.get("organisation_name"), "organisation_name", errors, limit=ORGANISATION_MAX
        )
    return cleaned


def _answer(question: Question, value: Any, field: str, errors: ErrorCollector) -> Any:
    """The cleaned answer, or None for "not answered"."""
    if question.kind == Question.Kind.YES_NO:
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in YES:
            return True
        if word in NO:
            return False
        errors.add(field, _("Answer yes or no."))
        return None
    if value is None:
        return None
    if not isinstance(value, str):
        errors.add(field, _("Enter text."))
        return None
    value = value.strip()
    if not value:
        return None
    if question.kind == Question.Kind.CHOICE:
        choices = [str(choice) for choice in question.choices or []]
        if value not in choices:
            errors.add(field, _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)})
            return None
        return value
    if "\x00" in value:
        errors.add(field, _("The text contains a character that is not allowed."))
        return None
    if len(value) > ANSWER_MAX:
        errors.add(field, _("Use at most %(limit)s characters.") % {"limit": ANSWER_MAX})
        return None
    return value


def clean_answers(questions: Iterable[Question], raw: Any, errors: ErrorCollector) -> dict[str, Any]:
    """``{str(question id): answer}`` for the answered questions; errors under ``answers.<id>``."""
    questions = list(questions)
    if raw in (None, ""):
        raw = {}
    if not isinstance(raw, Mapping):
        errors.add("answers", _("Give the answers as a mapping of question to answer."))
        return {}
    by_id = {str(question.pk): question for question in questions}
    for key in raw:
        if str(key) not in by_id:
            errors.add(
                "answers", _("There is no question “%(key)s” for this event.") % {"key": str(key)[:20]}
            )
    given = {str(key): value for key, value in raw.items()}
    answers: dict[str, Any] = {}
    for key, question in by_id.items():
        field = f"answers.{key}"
        value = _answer(question, given.get(key), field, errors)
        if value is None:
            if question.required and field not in errors.errors:
                errors.add(field, _("Please answer this question."))
            continue
        answers[key] = value
    return answers
