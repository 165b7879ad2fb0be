"""The live counts of a segment or of criteria not saved yet (``Counts``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from reallabor.actors import facts, filters
from reallabor.actors.criteria import (
    Criteria,
    CriteriaError,
    parse_criteria,
)
from reallabor.actors.models import Person, Purpose, Segment
from reallabor.actors.services.segments.words import criterion_labels


@dataclass(frozen=True)
class Counts:
    """What a segment (or criteria not saved yet) holds now.

    ``members``: organisations or people (by the subject); ``people``: the people reached (for an
    organisation segment, those currently at its organisations); ``reachable``: those of them with
    an e-mail address and a valid consent for ``purpose``. ``error`` names criteria that refer to
    codes that no longer exist (then the numbers are None).
    """

    subject: str
    members: int | None
    people: int | None
    reachable: int | None
    purpose: str
    error: str = ""

    @property
    def purpose_label(self) -> str:
        return str(Purpose(self.purpose).label)


def people_reached(subject: str, criteria: Criteria) -> QuerySet[Person]:
    """The people criteria reach: the matching people, or the people currently at the organisations."""
    return filters.criteria_people(subject, criteria)


def count_criteria(subject: str, criteria: Criteria, *, with_people: bool = True) -> Counts:
    """The live counts of criteria: one query counts the people reached and, in the same pass, those
    of them who are reachable (for an organisation segment one more counts the organisations), plus
    one lookup per criterion with codes (sectors, trades, needs, motivations). The number of queries
    does not grow with the data.
    """
    purpose = criteria.consent or Purpose.NEWSLETTER
    try:
        members: int | None = None
        if subject == Segment.Subject.ORGANISATIONS:
            members = filters.organisations_matching(criteria).count()
        # Broad criteria on SQLite: one pass over the table of facts per person (``actors.facts``).
        counted = facts.count(subject, criteria, purpose)
        if counted is None:
            if subject == Segment.Subject.ORGANISATIONS:
                people_qs = people_reached(subject, criteria)
            else:
                people_qs = filters.people_matching(criteria)
            # With a consent criterion every person reached has a valid consent for the purpose already.
            reachable = filters.addressable_q() if criteria.consent else filters.reachable_q(purpose)
            totals = people_qs.aggregate(people=Count("pk"), reachable=Count("pk", filter=reachable))
            counted = (totals["people"], totals["reachable"])
    except CriteriaError as error:
        return Counts(subject, None, None, None, purpose, _criteria_error_text(error))
    people: int | None = counted[0]
    if subject != Segment.Subject.ORGANISATIONS:
        members = people
    elif not with_people:
        people = None
    return Counts(subject, members, people, counted[1], purpose)


def segment_counts(segment: Segment, *, user: Any, with_people: bool = True) -> Counts:
    """The live counts of a saved segment as the user may use it: a lab the user does not see is
    named as unknown (``filters.check_labs``), as if it did not exist."""
    try:
        criteria = parse_criteria(segment.criteria)
        filters.check_labs(criteria, user=user)
    except CriteriaError as error:
        return Counts(segment.subject, None, None, None, Purpose.NEWSLETTER, _criteria_error_text(error))
    return count_criteria(segment.subject, criteria, with_people=with_people)


def _criteria_error_text(error: CriteriaError) -> str:
    labels = criterion_labels()
    return " ".join(
        f"{labels.get(field, field)}: {message}" for field, message in sorted(error.errors.items())
    )
