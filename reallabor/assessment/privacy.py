"""The assessment's part of a person's data protection (``reallabor.actors.services.privacy``,
registered in ``AssessmentConfig.ready``).

A check belongs to the business it was made for; the person is only named as who answered it.

- Export: the checks the person answered (questionnaire, organisation, status, dates, scores).
- Erase and anonymise: the checks stay with their business, no longer naming the person; answers
  to free-text questions are scrubbed of the person's name and contact data (the other answers
  are ticks, levels and numbers).
"""

from __future__ import annotations

from typing import Any

from reallabor.actors.models import Person
from reallabor.actors.services.privacy import PersonalDataHolder, holds_personal_data, scrub
from reallabor.assessment.engine.definitions import FREE_TEXT
from reallabor.assessment.models import Response


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def export(person: Person) -> list[dict[str, Any]]:
    rows = (
        Response.objects.filter(person=person)
        .select_related("questionnaire", "organisation")
        .order_by("created_at", "id")
    )
    return [
        {
            "questionnaire": f"{row.questionnaire.slug} v{row.questionnaire.version}",
            "organisation": row.organisation.name if row.organisation else None,
            "status": row.status,
            "started": _when(row.created_at),
            "submitted": _when(row.submitted_at),
            "overall": str(row.overall) if row.overall is not None else None,
        }
        for row in rows
    ]


def _unlink(person: Person, needles: list[str]) -> None:
    for row in Response.objects.filter(person=person).select_related("questionnaire"):
        questions = row.questionnaire.parsed().questions
        row.answers = {
            key: scrub(value, needles)
            if isinstance(value, str) and key in questions and questions[key].type == FREE_TEXT
            else value
            for key, value in (row.answers or {}).items()
        }
        row.person = None
        row.save(update_fields=["answers", "person", "updated_at"])


def register() -> None:
    holds_personal_data(
        PersonalDataHolder(name="assessment", export=export, erase=_unlink, anonymise=_unlink)
    )
