"""The report of a check or an import: the file, the mapping, the counts, the errors row by row and
the duplicates of existing records (stored with the job, shown on the pages, given by the API and
the CLI)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from reallabor.actors import importing
from reallabor.actors.importing import OrganisationRecord, PersonRecord, Plan
from reallabor.actors.models import Person
from reallabor.actors.services.imports.sql import IN_LIMIT, chunks
from reallabor.actors.spreadsheets import Table
from reallabor.organisations.models import Organisation

MAX_ERRORS_STORED = 10_000
MAX_DUPLICATES_STORED = 10_000


def file_info(table: Table) -> dict[str, Any]:
    return {
        "format": table.format,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "sheet": table.sheet,
        "header_row": table.header_row,
        "rows": len(table.rows),
        "headers": table.headers,
        "notes": table.notes,
    }


def describe_duplicates(plan: Plan) -> list[dict[str, Any]]:
    records: list[OrganisationRecord | PersonRecord] = []
    records.extend(r for r in plan.organisations if r.existing is not None)
    records.extend(r for r in plan.people if r.existing is not None)
    records = records[:MAX_DUPLICATES_STORED]
    org_ids = [r.existing for r in records if isinstance(r, OrganisationRecord) and r.existing]
    person_ids = [r.existing for r in records if isinstance(r, PersonRecord) and r.existing]
    organisations: dict[int, tuple[str, str]] = {}
    for chunk in chunks(org_ids, IN_LIMIT):
        for pk, slug, name in Organisation.objects.filter(pk__in=chunk).values_list("pk", "slug", "name"):
            organisations[pk] = (slug, name)
    people: dict[int, tuple[str, str]] = {}
    for chunk in chunks(person_ids, IN_LIMIT):
        for pk, person_uuid, first, last in Person.objects.filter(pk__in=chunk).values_list(
            "pk", "uuid", "first_name", "last_name"
        ):
            people[pk] = (str(person_uuid), " ".join(part for part in (first, last) if part))
    described = []
    for record in records:
        assert record.existing is not None
        if isinstance(record, OrganisationRecord):
            slug, name = organisations.get(record.existing, ("", ""))
            described.append(
                {
                    "key": record.key,
                    "kind": "organisation",
                    "rows": record.rows,
                    "name": record.values["name"],
                    "existing": {"slug": slug, "name": name},
                    "reasons": record.reasons,
                }
            )
        else:
            reference, name = people.get(record.existing, ("", ""))
            incoming = " ".join(
                part
                for part in (record.values.get("first_name", ""), record.values.get("last_name", ""))
                if part
            )
            described.append(
                {
                    "key": record.key,
                    "kind": "person",
                    "rows": [record.row],
                    "name": incoming,
                    "existing": {"uuid": reference, "name": name},
                    "reasons": record.reasons,
                }
            )
    return described


def make_report(table: Table, mapping: Mapping[str, str], plan: Plan, **extra: Any) -> dict[str, Any]:
    counts = importing.plan_counts(plan)
    return {
        "file": file_info(table),
        "mapping": dict(mapping),
        "ignored_columns": importing.ignored_columns(table.headers, mapping),
        "counts": counts,
        "errors": [error.as_dict() for error in plan.errors[:MAX_ERRORS_STORED]],
        "error_count": len(plan.errors),
        "error_rows": plan.error_rows()[:MAX_ERRORS_STORED],
        "duplicates": describe_duplicates(plan),
        "duplicate_count": counts["duplicate_organisations"] + counts["duplicate_people"],
        "checked_at": timezone.now().isoformat(),
        **extra,
    }


def error_lines(report: Mapping[str, Any]) -> list[str]:
    """The errors of a report as sentences: “Row 7, column “E-Mail”: …”."""
    return [
        importing.CellError(item["row"], item["column"], item["message"]).text
        for item in report.get("errors", [])
    ]
