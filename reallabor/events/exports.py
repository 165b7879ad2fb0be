"""The participant list of an event as rows of plain values (for CSV and .xlsx) and the rows of the
sign-in sheet.

``registration_values`` reads the registrations in one query; everything else is pure (plain
values in, a header and rows out). Writing the files is ``reallabor.actors.exports``'s: formula-like
cells neutralised in both formats.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.events.models import Event, Question, Registration

COLUMNS = (
    "first_name",
    "last_name",
    "email",
    "organisation_name",
    "organisation__name",
    "status",
    "reserved",
    "source",
    "created_at",
    "address_confirmed_at",
    "waiting_since",
    "offer_expires_at",
    "checked_in_at",
    "cancelled_at",
    "answers",
)
ORDER = {
    Registration.Status.REGISTERED: 0,
    Registration.Status.OFFERED: 1,
    Registration.Status.WAITING: 2,
    Registration.Status.CANCELLED: 3,
    Registration.Status.DECLINED: 4,
    Registration.Status.LAPSED: 5,
}


def registration_values(event: Event) -> list[dict[str, Any]]:
    """Every registration of the event as a dict of ``COLUMNS`` (one query)."""
    return list(Registration.objects.filter(event=event).order_by("created_at", "id").values(*COLUMNS))


def _local(value: dt.datetime | None) -> dt.datetime | None:
    """A naive Berlin time (spreadsheets know no time zones)."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def _answer(question: Question, value: Any) -> str:
    if value is None or value == "":
        return ""
    if question.kind == Question.Kind.YES_NO or isinstance(value, bool):
        return _("yes") if value in (True, "yes", "true", "1") else _("no")
    return str(value)


def sort_key(row: dict[str, Any]) -> tuple[Any, ...]:
    """Registered, offered, the waiting list in its order, then the ended registrations."""
    waiting = row["waiting_since"] or row["created_at"]
    order = ORDER.get(row["status"], 9)
    if order == ORDER[Registration.Status.WAITING]:
        return (order, waiting, "")
    return (order, row["created_at"], (row["last_name"] or "").casefold())


def participant_table(
    values: Iterable[dict[str, Any]], questions: Sequence[Question]
) -> tuple[list[str], list[list[Any]]]:
    """The header and the rows of the participant list (waiting list with its position)."""
    statuses = dict(Registration.Status.choices)
    sources = dict(Registration.Source.choices)
    header = [
        _("Last name"),
        _("First name"),
        _("E-mail"),
        _("Organisation"),
        _("Recorded organisation"),
        _("Status"),
        _("Position on the waiting list"),
        _("Organiser seat"),
        _("Registered by"),
        _("Registered at"),
        _("Address confirmed"),
        _("Offer expires"),
        _("Checked in"),
        _("Cancelled"),
        *[question.label for question in questions],
    ]
    rows: list[list[Any]] = []
    position = 0
    for row in sorted(values, key=sort_key):
        waiting = ""
        if row["status"] == Registration.Status.WAITING:
            position += 1
            waiting = str(position)
        answers = row["answers"] if isinstance(row["answers"], dict) else {}
        rows.append(
            [
                row["last_name"],
                row["first_name"],
                row["email"],
                row["organisation_name"],
                row["organisation__name"] or "",
                str(statuses.get(row["status"], row["status"])),
                waiting,
                _("yes") if row["reserved"] else "",
                str(sources.get(row["source"], row["source"])),
                _local(row["created_at"]),
                _local(row["address_confirmed_at"]),
                _local(row["offer_expires_at"]),
                _local(row["checked_in_at"]),
                _local(row["cancelled_at"]),
                *[_answer(question, answers.get(str(question.pk))) for question in questions],
            ]
        )
    return header, rows


@dataclass(frozen=True)
class SheetRow:
    number: int
    name: str
    organisation: str
    checked_in: bool


def sign_in_rows(values: Iterable[dict[str, Any]], *, blank: int = 10) -> list[SheetRow]:
    """Everybody holding a seat, by last name; then ``blank`` empty lines for walk-ins."""
    holding = [row for row in values if row["status"] in Registration.HOLDING]
    holding.sort(key=lambda row: ((row["last_name"] or "").casefold(), (row["first_name"] or "").casefold()))
    rows = [
        SheetRow(
            number=number,
            name=", ".join(part for part in (row["last_name"], row["first_name"]) if part),
            organisation=row["organisation_name"] or row["organisation__name"] or "",
            checked_in=row["checked_in_at"] is not None,
        )
        for number, row in enumerate(holding, start=1)
    ]
    rows += [
        SheetRow(number=len(rows) + extra, name="", organisation="", checked_in=False)
        for extra in range(1, blank + 1)
    ]
    return rows
