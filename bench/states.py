"""The states the history stores for generated objects: plain data, as the services write it.

They mirror ``organisations.services.organisation_state``, ``labs.services.lab_state`` and
``labs.services.measure_state`` but work on unsaved rows in memory, without queries.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reallabor.labs.models import Lab, Measure
    from reallabor.organisations.models import Organisation
    from reallabor.taxonomy.models import Term


def iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def term_ref(term: Term) -> dict[str, Any]:
    return {"family": term.vocabulary.family, "version": term.vocabulary.version, "code": term.code}


def organisation_state(org: Organisation) -> dict[str, Any]:
    fields = ("name", "kind", "street", "postcode", "city", "district", "website", "slug")
    return {field: getattr(org, field) for field in fields}


def lab_state(
    lab: Lab, coordinator: str | None, organisations: list[tuple[str, str]], members: list[tuple[str, str]]
) -> dict[str, Any]:
    """``organisations``: (slug, role); ``members``: (e-mail, role)."""
    return {
        "name": lab.name,
        "slug": lab.slug,
        "summary": lab.summary,
        "background": lab.background,
        "outlook": lab.outlook,
        "phase": lab.phase,
        "funding_start": iso(lab.funding_start),
        "funding_end": iso(lab.funding_end),
        "coordinator": coordinator,
        "is_published": lab.is_published,
        "organisations": [{"organisation": slug, "role": role} for slug, role in sorted(organisations)],
        "members": [{"user": email, "role": role} for email, role in sorted(members)],
    }


def measure_state(
    measure: Measure, org_slugs: dict[int, str], coordinators: list[str], profile: dict[str, list[Any]]
) -> dict[str, Any]:
    """What ``labs.services.measure_state`` would return for the measure (its history entry)."""
    return {
        "title": measure.title,
        "slug": measure.slug,
        "summary": measure.summary,
        "status": measure.status,
        "start": iso(measure.start),
        "end": iso(measure.end),
        "is_published": measure.is_published,
        "coordinators": coordinators,
        "activities": [
            {"title": row.title, "start": iso(row.start), "end": iso(row.end), "text": row.text}
            for row in profile["activities"]
        ],
        "financing": [
            {
                "source_kind": row.source_kind,
                "source": row.source,
                "amount": f"{row.amount:.2f}" if row.amount is not None else None,
                "start": iso(row.start),
                "end": iso(row.end),
            }
            for row in profile["financing"]
        ],
        "actors": [
            {
                "organisation": org_slugs[row.organisation_id] if row.organisation_id else None,
                "group_name": row.group_name,
                "role": row.role,
            }
            for row in profile["actors"]
        ],
        "target_groups": [
            {"term": term_ref(row.term), "added_value": row.added_value} for row in profile["target_groups"]
        ],
        "results": [
            {
                "date": iso(row.date),
                "text": row.text,
                "evidence_url": row.evidence_url,
                "evidence_file": None,
            }
            for row in profile["results"]
        ],
        "tags": [
            {**term_ref(tag.term), "priority": tag.priority, "share": tag.share, "note": tag.note}
            for tag in profile["tags"]
        ],
    }
