"""Writing the people of a checked plan: new ones as plain rows with their roles at the
organisations, their consents and history versions (the state ``person_state`` gives, as
``record_version`` would store it), duplicates skipped or merged into the existing people (empty
fields filled, roles and consents added)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.actors.importing import PersonRecord, Plan
from reallabor.actors.models import Affiliation, Consent, ConsentText, Person
from reallabor.actors.services.imports.sql import (
    IN_LIMIT,
    NewRows,
    chunks,
    create,
    indexed_at_end,
    insert,
    update,
)
from reallabor.actors.services.imports.writer import PERSON_FILL, Writer, empty
from reallabor.actors.services.people import FIELDS as PERSON_FIELDS
from reallabor.history.models import Version
from reallabor.organisations.models import Organisation


def person_text(values: Mapping[str, Any]) -> str:
    """``str(person)`` of a new person (not anonymised): the name."""
    return " ".join(part for part in (values.get("first_name"), values.get("last_name")) if part)


def _affiliation(person: int, organisation: int, role: str, writer: Writer) -> dict[str, Any]:
    return {
        "person_id": person,
        "organisation_id": organisation,
        "role": role,
        "start_date": None,
        "end_date": None,
        "is_primary": False,
        "created_at": writer.now,
        "updated_at": writer.now,
    }


def _affiliation_state(slug: str, role: str) -> dict[str, Any]:
    return {"organisation": slug, "role": role, "start_date": None, "end_date": None, "is_primary": False}


def _person_state(fields: Mapping[str, Any], affiliations: list[dict[str, Any]]) -> dict[str, Any]:
    """``people.person_state`` built from data in memory (the same shape)."""
    state: dict[str, Any] = {name: fields[name] for name in PERSON_FIELDS}
    state["affiliations"] = affiliations
    return state


def _slugs_of(ids: Iterable[int], writer: Writer) -> None:
    missing = sorted({pk for pk in ids if pk not in writer.organisation_slugs})
    for chunk in chunks(missing, IN_LIMIT):
        for pk, slug, name in Organisation.objects.filter(pk__in=chunk).values_list("pk", "slug", "name"):
            writer.organisation_slugs[pk] = slug
            writer.organisation_names[pk] = name


def write_people(plan: Plan, writer: Writer) -> None:
    content_type = ContentType.objects.get_for_model(Person)
    latest: dict[str, ConsentText] = {}
    for text in ConsentText.objects.order_by("version"):
        latest[text.purpose] = text  # the newest version of each purpose wins
    _slugs_of(
        (writer.organisation_ids[r.organisation] for r in plan.people if r.organisation is not None), writer
    )
    new = [r for r in plan.people if r.existing is None]
    if new:
        with indexed_at_end(Person):  # only new people are inserted here, none changed
            _create_people(new, writer, latest, content_type)
    duplicates = [r for r in plan.people if r.existing is not None]
    merged = [r for r in duplicates if writer.decisions.get(r.key) == "merge"]
    writer.result["skipped_people"] += len(duplicates) - len(merged)
    writer.tick(len(duplicates) - len(merged))
    for merged_chunk in chunks(merged, IN_LIMIT):
        _merge_people(merged_chunk, writer, latest, content_type)


def _create_people(
    new: Sequence[PersonRecord],
    writer: Writer,
    latest: Mapping[str, ConsentText],
    content_type: ContentType,
) -> None:
    comment = _("Imported")
    rows_of = NewRows(Person, writer.now)
    author = writer.acting_id
    for chunk in chunks(new):
        rows = [rows_of({**record.values, "created_by_id": author}) for record in chunk]
        ids = create(Person, rows, "uuid")
        affiliations: list[dict[str, Any]] = []
        versions: list[dict[str, Any]] = []
        consents: list[dict[str, Any]] = []
        for record, row, pk in zip(chunk, rows, ids, strict=True):
            states = []
            if record.organisation is not None:
                organisation = writer.organisation_ids[record.organisation]
                role = record.values.get("function", "")
                affiliations.append(_affiliation(pk, organisation, role, writer))
                states.append(_affiliation_state(writer.organisation_slugs[organisation], role))
            versions.append(
                writer.version(
                    content_type,
                    pk,
                    person_text(row),
                    "created",
                    None,
                    _person_state(row, states),
                    1,
                    comment,
                )
            )
            consents.extend(_consents(pk, record, latest, writer))
        insert(Affiliation, affiliations)
        insert(Version, versions)
        insert(Consent, consents)
        writer.result["created_people"] += len(rows)
        writer.result["affiliations"] += len(affiliations)
        writer.result["consents"] += len(consents)
        writer.tick(len(chunk))


def _consents(
    person: int,
    record: PersonRecord,
    texts: Mapping[str, ConsentText],
    writer: Writer,
    skip: Iterable[str] = (),
) -> list[dict[str, Any]]:
    consents = []
    for purpose, day in record.consents:
        if purpose in skip:
            continue
        given = writer.now
        if day is not None:
            given = timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
            given = min(given, writer.now)
        consents.append(
            {
                "person_id": person,
                "purpose": purpose,
                "source": Consent.Source.IMPORT,
                "given_at": given,
                "text_id": texts[purpose].pk,
                "expires_at": None,
                "withdrawn_at": None,
                "withdrawal_note": "",
                "recorded_by_id": writer.acting_id,
                "created_at": writer.now,
                "updated_at": writer.now,
            }
        )
    return consents


def _merge_people(
    chunk: Sequence[PersonRecord],
    writer: Writer,
    texts: Mapping[str, ConsentText],
    content_type: ContentType,
) -> None:
    ids = [record.existing for record in chunk if record.existing is not None]
    people = Person.objects.in_bulk(ids)
    current: dict[int, list[Affiliation]] = defaultdict(list)
    for row in (
        Affiliation.objects.filter(person_id__in=ids)
        .select_related("organisation")
        .order_by("organisation__name", "start_date", "id")
    ):
        current[row.person_id].append(row)
        writer.organisation_slugs.setdefault(row.organisation_id, row.organisation.slug)
        writer.organisation_names.setdefault(row.organisation_id, row.organisation.name)
    valid = set(Consent.objects.valid().filter(person_id__in=ids).values_list("person_id", "purpose"))
    changed: list[Person] = []
    versions: list[dict[str, Any]] = []
    affiliations: list[dict[str, Any]] = []
    consents: list[dict[str, Any]] = []
    consented: dict[int, set[str]] = defaultdict(set)
    for pk, purpose in valid:
        consented[pk].add(purpose)
    for record in chunk:
        person = people[record.existing]
        rows = current[person.pk]
        before = _person_state(_fields(person), [_row_state(row) for row in rows])
        for name in PERSON_FILL:
            value = record.values.get(name)
            if not empty(value) and empty(getattr(person, name)):
                setattr(person, name, value)
        states = [_row_state(row) for row in rows]
        if record.organisation is not None:
            organisation = writer.organisation_ids[record.organisation]
            if all(row.organisation_id != organisation for row in rows):
                role = record.values.get("function", "")
                affiliations.append(_affiliation(person.pk, organisation, role, writer))
                # Where ``person_state`` would list it: by the organisation's name.
                name = writer.organisation_names.get(organisation, "")
                position = sum(1 for row in rows if row.organisation.name <= name)
                states.insert(position, _affiliation_state(writer.organisation_slugs[organisation], role))
        after = _person_state(_fields(person), states)
        if after != before:
            person.revision += 1
            person.updated_at = writer.now
            changed.append(person)
            versions.append(
                writer.version(
                    content_type,
                    person.pk,
                    str(person),
                    "changed",
                    before,
                    after,
                    person.revision,
                    _("Merged from an import"),
                )
            )
        consents.extend(_consents(person.pk, record, texts, writer, skip=consented[person.pk]))
    if changed:
        update(Person, changed, [*PERSON_FILL, "revision", "updated_at"])
    insert(Affiliation, affiliations)
    insert(Version, versions)
    insert(Consent, consents)
    writer.result["merged_people"] += len(chunk)
    writer.result["affiliations"] += len(affiliations)
    writer.result["consents"] += len(consents)
    writer.tick(len(chunk))


def _fields(person: Person) -> dict[str, Any]:
    return {name: getattr(person, name) for name in PERSON_FIELDS}


def _row_state(row: Affiliation) -> dict[str, Any]:
    return {
        "organisation": row.organisation.slug,
        "role": row.role,
        "start_date": row.start_date.isoformat() if row.start_date else None,
        "end_date": row.end_date.isoformat() if row.end_date else None,
        "is_primary": row.is_primary,
    }
