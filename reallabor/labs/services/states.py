"""Labs and measures as plain data: the states that the history stores and restores."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from reallabor.labs.models import Lab, Measure
from reallabor.labs.services.common import _iso
from reallabor.taxonomy.services import tag_state, tags_of, term_ref


def lab_state(lab: Lab) -> dict[str, Any]:
    return {
        "name": lab.name,
        "slug": lab.slug,
        "summary": lab.summary,
        "background": lab.background,
        "outlook": lab.outlook,
        "phase": lab.phase,
        "funding_start": _iso(lab.funding_start),
        "funding_end": _iso(lab.funding_end),
        "coordinator": lab.coordinator.slug if lab.coordinator else None,
        "is_published": lab.is_published,
        "organisations": [
            {"organisation": row.organisation.slug, "role": row.role}
            for row in lab.organisations.select_related("organisation").order_by("organisation__slug")
        ],
        "members": [
            {"user": row.user.email, "role": row.role}
            for row in lab.memberships.select_related("user").order_by("user__email")
        ],
    }


def measure_state(measure: Measure, *, rows: Mapping[str, Sequence[Any]] | None = None) -> dict[str, Any]:
    """The measure with its profile and tags as plain data.

    ``rows`` gives related records that are already in memory, by relation name (``coordinators``,
    ``activities``, ``financing``, ``actors``, ``target_groups``, ``results``, ``tags``, in their
    stored order), so that a measure just written is not read back (``create_measure``); the
    others are queried.
    """

    def related(name: str, query: Callable[[], Iterable[Any]]) -> Iterable[Any]:
        return rows[name] if rows is not None and name in rows else query()

    coordinators = (
        [organisation.slug for organisation in rows["coordinators"]]
        if rows is not None and "coordinators" in rows
        else measure.coordinators.values_list("slug", flat=True)
    )
    return {
        "title": measure.title,
        "slug": measure.slug,
        "summary": measure.summary,
        "status": measure.status,
        "start": _iso(measure.start),
        "end": _iso(measure.end),
        "is_published": measure.is_published,
        "coordinators": sorted(coordinators),
        "activities": [
            {"title": row.title, "start": _iso(row.start), "end": _iso(row.end), "text": row.text}
            for row in related("activities", measure.activities.all)
        ],
        "financing": [
            {
                "source_kind": row.source_kind,
                "source": row.source,
                "amount": str(row.amount) if row.amount is not None else None,
                "start": _iso(row.start),
                "end": _iso(row.end),
            }
            for row in related("financing", measure.financing.all)
        ],
        "actors": [
            {
                "organisation": row.organisation.slug if row.organisation else None,
                "group_name": row.group_name,
                "role": row.role,
            }
            for row in related("actors", lambda: measure.actors.select_related("organisation"))
        ],
        "target_groups": [
            {"term": term_ref(row.term), "added_value": row.added_value}
            for row in related(
                "target_groups", lambda: measure.target_groups.select_related("term__vocabulary")
            )
        ],
        "results": [
            {
                "date": _iso(row.date),
                "text": row.text,
                "evidence_url": row.evidence_url,
                "evidence_file": row.evidence_file.name or None,
            }
            for row in related("results", measure.results.all)
        ],
        "tags": [tag_state(tag) for tag in related("tags", lambda: tags_of(measure))],
    }
