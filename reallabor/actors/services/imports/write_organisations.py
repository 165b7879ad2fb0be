"""Writing the organisations of a checked plan: new ones as plain rows (their history versions
hold the state ``organisation_state`` gives, as ``record_version`` would store it), duplicates
skipped or merged into the existing ones (their empty fields filled), and the needs, motivations
and lab roles of both."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.utils.translation import gettext as _

from reallabor.actors.importing import OrganisationRecord, Plan
from reallabor.actors.services.imports.sql import (
    IN_LIMIT,
    NewRows,
    chunks,
    create,
    indexed_at_end,
    insert,
    update,
)
from reallabor.actors.services.imports.writer import ORGANISATION_FILL, Attributes, Writer, empty
from reallabor.core.text import german_slugify
from reallabor.history.models import Version
from reallabor.labs.models import LabOrganisation
from reallabor.organisations.keys import web_domain
from reallabor.organisations.models import SUB_KINDS, Organisation
from reallabor.organisations.services import RESERVED_SLUGS, organisation_state
from reallabor.taxonomy.models import Tag, Term


class _Slugs:
    """Unique short names for many new organisations, checked against all existing ones at once."""

    def __init__(self) -> None:
        self.taken = set(Organisation.objects.values_list("slug", flat=True).iterator(chunk_size=20_000))
        self.taken |= RESERVED_SLUGS

    def make(self, name: str) -> str:
        base = german_slugify(name)[:200] or "organisation"
        slug, number = base, 2
        while slug in self.taken:
            slug, number = f"{base}-{number}", number + 1
        self.taken.add(slug)
        return slug


def write_organisations(plan: Plan, writer: Writer) -> None:
    content_type = ContentType.objects.get_for_model(Organisation)
    # The terms the organisations name, in memory: ``organisation_state`` reads their codes.
    term_ids = {
        r.values[key] for r in plan.organisations for key in ("sector_id", "trade_id") if r.values.get(key)
    }
    terms = Term.objects.in_bulk(sorted(term_ids))
    new = [(index, r) for index, r in enumerate(plan.organisations) if r.existing is None]
    if new:
        with indexed_at_end(Organisation):  # only new organisations are inserted here, none changed
            _create_organisations(new, writer, terms, content_type)
    duplicates = [(index, r) for index, r in enumerate(plan.organisations) if r.existing is not None]
    merged: list[tuple[int, OrganisationRecord]] = []
    for index, record in duplicates:
        assert record.existing is not None
        writer.organisation_ids[index] = record.existing
        if writer.decisions.get(record.key) == "merge":
            merged.append((index, record))
        else:
            writer.result["skipped_organisations"] += 1
    for merged_chunk in chunks(merged):
        _merge_organisations(merged_chunk, writer, terms, content_type)
    writer.tick(len(duplicates) - len(merged))
    # Needs, motivations and lab roles: of new organisations, and added to merged ones.
    targets = [(index, r) for index, r in enumerate(plan.organisations) if r.existing is None] + merged
    _write_tags(targets, writer, content_type)
    _write_lab_roles(targets, writer)


def _create_organisations(
    new: Sequence[tuple[int, OrganisationRecord]],
    writer: Writer,
    terms: Mapping[int, Term],
    content_type: ContentType,
) -> None:
    comment = _("Imported")
    slugs = _Slugs()
    rows_of = NewRows(Organisation, writer.now)
    for chunk in chunks(new):
        rows = []
        for _index, record in chunk:
            values = record.values
            rows.append(
                rows_of(
                    {
                        **values,
                        "slug": slugs.make(values["name"]),
                        "name_key": record.stored_name_key,
                        "web_domain": record.web_domain,
                    }
                )
            )
        ids = create(Organisation, rows, "slug")
        versions = []
        for (index, _record), row, pk in zip(chunk, rows, ids, strict=True):
            writer.organisation_ids[index] = pk
            writer.organisation_slugs[pk] = row["slug"]
            writer.organisation_names[pk] = row["name"]
            related = {"sector": terms.get(row["sector_id"]), "trade": terms.get(row["trade_id"])}
            state = organisation_state(cast(Organisation, Attributes(row, related)))
            versions.append(writer.version(content_type, pk, row["name"], "created", None, state, 1, comment))
        insert(Version, versions)
        writer.result["created_organisations"] += len(rows)
        writer.tick(len(rows))


def _merge_organisations(
    chunk: Sequence[tuple[int, OrganisationRecord]],
    writer: Writer,
    terms: Mapping[int, Term],
    content_type: ContentType,
) -> None:
    existing = Organisation.objects.select_related("sector", "trade").in_bulk(
        [record.existing for _i, record in chunk]
    )
    changed: list[Organisation] = []
    versions: list[dict[str, Any]] = []
    for _index, record in chunk:
        organisation = existing[record.existing]
        writer.organisation_slugs[organisation.pk] = organisation.slug
        writer.organisation_names[organisation.pk] = organisation.name
        before = organisation_state(organisation)
        _fill_organisation(organisation, record, terms)
        organisation.web_domain = web_domain(organisation.website)
        after = organisation_state(organisation)
        if after != before:
            organisation.revision += 1
            organisation.updated_at = writer.now
            changed.append(organisation)
            versions.append(
                writer.version(
                    content_type,
                    organisation.pk,
                    str(organisation),
                    "changed",
                    before,
                    after,
                    organisation.revision,
                    _("Merged from an import"),
                )
            )
    if changed:
        update(Organisation, changed, [*ORGANISATION_FILL, "web_domain", "revision", "updated_at"])
        insert(Version, versions)
    writer.result["merged_organisations"] += len(chunk)
    writer.tick(len(chunk))


def _fill_organisation(
    organisation: Organisation, record: OrganisationRecord, terms: Mapping[int, Term]
) -> None:
    """Fill the empty fields of an existing organisation, keeping the rules of its services."""
    filled = set()
    for name in ORGANISATION_FILL:
        value: Any = record.values.get(name)
        if empty(value) or not empty(getattr(organisation, name)):
            continue
        if name in ("sector_id", "trade_id"):
            setattr(organisation, name.removesuffix("_id"), terms[value])
        else:
            setattr(organisation, name, value)
        filled.add(name)
    if "sub_kind" in filled and organisation.sub_kind not in SUB_KINDS.get(organisation.kind, ()):
        organisation.sub_kind = ""
    if "trade_id" in filled and organisation.kind != Organisation.Kind.COMPANY:
        organisation.trade = None
    if "alliance_since" in filled and organisation.alliance_status not in ("member", "former"):
        organisation.alliance_since = None


def _write_tags(
    targets: list[tuple[int, OrganisationRecord]], writer: Writer, content_type: ContentType
) -> None:
    wanted = [
        (writer.organisation_ids[i], r.needs + r.motivations) for i, r in targets if r.needs or r.motivations
    ]
    if not wanted:
        return
    existing: set[tuple[int, int]] = set()
    positions: dict[int, int] = {}
    merged_ids = [pk for i, r in targets if r.existing is not None for pk in [writer.organisation_ids[i]]]
    for chunk in chunks(merged_ids, IN_LIMIT):
        tags = Tag.objects.filter(content_type=content_type, object_id__in=chunk)
        existing.update(tags.values_list("object_id", "term_id"))
        positions.update(
            tags.values("object_id").annotate(last=Max("position")).values_list("object_id", "last")
        )
    tags_to_create = []
    for pk, term_ids in wanted:
        position = positions.get(pk, -1) + 1
        for term in term_ids:
            if (pk, term) in existing:
                continue
            tags_to_create.append(
                {
                    "term_id": term,
                    "content_type_id": content_type.pk,
                    "object_id": pk,
                    "priority": Tag.Priority.PRIMARY,
                    "share": None,
                    "note": "",
                    "position": position,
                    "created_at": writer.now,
                    "created_by_id": writer.acting_id,
                }
            )
            position += 1
    insert(Tag, tags_to_create)
    writer.result["tags"] += len(tags_to_create)


def _write_lab_roles(targets: list[tuple[int, OrganisationRecord]], writer: Writer) -> None:
    wanted = [(writer.organisation_ids[i], lab) for i, r in targets for lab in r.labs]
    if not wanted:
        return
    existing = set(
        LabOrganisation.objects.filter(lab_id__in={lab for _pk, lab in wanted}).values_list(
            "organisation_id", "lab_id"
        )
    )
    rows = [
        LabOrganisation(lab_id=lab, organisation_id=pk, role=LabOrganisation.Role.PARTNER)
        for pk, lab in dict.fromkeys(wanted)
        if (pk, lab) not in existing
    ]
    for chunk in chunks(rows):
        LabOrganisation.objects.bulk_create(chunk)
    writer.labs_touched.update(row.lab_id for row in rows)
    writer.result["lab_roles"] += len(rows)
