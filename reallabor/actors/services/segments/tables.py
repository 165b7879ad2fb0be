"""The export tables ``organisation_table`` / ``person_table`` / ``segment_table``: plain values for
``actors.exports``, a constant number of queries per batch of rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.actors import filters
from reallabor.actors.models import Affiliation, Consent, Person, Purpose, Segment
from reallabor.actors.services.segments.words import term_label
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import (
    MOTIVATIONS_FAMILY,
    NEEDS_FAMILY,
    Tag,
)

EXPORT_BATCH = 1000
LIST_SEPARATOR = "; "


def _batches[T](items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def _tag_labels(model: type[Model], ids: Sequence[int]) -> dict[int, dict[str, list[str]]]:
    """Needs and motivations of the objects: {id: {family: [labels]}} (one query)."""
    content_type = ContentType.objects.get_for_model(model)
    found: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows = (
        Tag.objects.filter(
            content_type=content_type,
            object_id__in=ids,
            term__vocabulary__family__in=(NEEDS_FAMILY, MOTIVATIONS_FAMILY),
        )
        .order_by("position", "id")
        .values_list(
            "object_id", "term__vocabulary__family", "term__name", "term__name_en", "term__local_name"
        )
    )
    for object_id, family, name, name_en, local_name in rows:
        found[object_id][family].append(term_label(name, name_en, local_name))
    return found


def _joined(values: Iterable[str]) -> str:
    return LIST_SEPARATOR.join(values)


def organisation_header() -> list[str]:
    return [
        _("Name"),
        _("Kind"),
        _("Sub-kind"),
        _("WZ code"),
        _("Sector"),
        _("Trade"),
        _("Headcount"),
        _("Founding year"),
        _("Street and number"),
        _("Postcode"),
        _("City"),
        _("District"),
        _("Quarter"),
        _("E-mail"),
        _("Phone"),
        _("Website"),
        _("Wirtschaftsallianz"),
        _("Member since"),
        _("Needs"),
        _("Motivations"),
        _("Labs"),
        _("Last contact"),
    ]


ORGANISATION_VALUES = (
    "id",
    "name",
    "kind",
    "sub_kind",
    "sector__code",
    "sector__name",
    "sector__name_en",
    "sector__local_name",
    "trade__name",
    "trade__name_en",
    "trade__local_name",
    "headcount_band",
    "founding_year",
    "street",
    "postcode",
    "city",
    "district",
    "quarter",
    "email",
    "phone",
    "website",
    "alliance_status",
    "alliance_since",
    "last_contact_at",
)


def organisation_rows(queryset: QuerySet[Organisation]) -> Iterator[list[Any]]:
    """One row of plain values per organisation, by name.

    Queries: the organisations (read in chunks), and per batch of ``EXPORT_BATCH`` rows one for
    their needs and motivations and one for their labs.
    """
    from reallabor.labs.models import LabOrganisation

    kinds = dict(Organisation.Kind.choices)
    sub_kinds = dict(Organisation.SubKind.choices)
    bands = dict(Organisation.HeadcountBand.choices)
    alliance = dict(Organisation.AllianceStatus.choices)
    values = queryset.order_by("name", "id").values(*ORGANISATION_VALUES)
    for batch in _batches(values.iterator(chunk_size=EXPORT_BATCH), EXPORT_BATCH):
        ids = [row["id"] for row in batch]
        tags = _tag_labels(Organisation, ids)
        labs: dict[int, list[str]] = defaultdict(list)
        for organisation_id, lab_name in (
            LabOrganisation.objects.filter(organisation_id__in=ids)
            .order_by("lab__name")
            .values_list("organisation_id", "lab__name")
        ):
            labs[organisation_id].append(lab_name)
        for row in batch:
            sector = (
                term_label(row["sector__name"], row["sector__name_en"], row["sector__local_name"])
                if row["sector__name"]
                else ""
            )
            trade = (
                term_label(row["trade__name"], row["trade__name_en"], row["trade__local_name"])
                if row["trade__name"]
                else ""
            )
            own = tags.get(row["id"], {})
            yield [
                row["name"],
                str(kinds.get(row["kind"], row["kind"])),
                str(sub_kinds.get(row["sub_kind"], row["sub_kind"])) if row["sub_kind"] else "",
                (row["sector__code"] or "").upper(),
                sector,
                trade,
                str(bands.get(row["headcount_band"], row["headcount_band"])) if row["headcount_band"] else "",
                row["founding_year"],
                row["street"],
                row["postcode"],
                row["city"],
                row["district"],
                row["quarter"],
                row["email"],
                row["phone"],
                row["website"],
                str(alliance.get(row["alliance_status"], row["alliance_status"]))
                if row["alliance_status"]
                else "",
                row["alliance_since"],
                _joined(own.get(NEEDS_FAMILY, [])),
                _joined(own.get(MOTIVATIONS_FAMILY, [])),
                _joined(labs.get(row["id"], [])),
                _local_date(row["last_contact_at"]),
            ]


def person_header() -> list[str]:
    return [
        _("First name"),
        _("Last name"),
        _("Function"),
        _("E-mail"),
        _("Phone"),
        _("Mobile"),
        _("Organisations (role)"),
        _("District"),
        _("Needs"),
        _("Motivations"),
        _("Valid consents"),
        _("Last contact"),
    ]


PERSON_VALUES = (
    "id",
    "first_name",
    "last_name",
    "function",
    "email",
    "phone",
    "mobile",
    "district",
    "last_contact_at",
)


def person_rows(queryset: QuerySet[Person]) -> Iterator[list[Any]]:
    """One row of plain values per person, by name (anonymised people are left out).

    Queries: the people (read in chunks), and per batch of ``EXPORT_BATCH`` rows one each for their
    current organisations, their needs and motivations, and their valid consents.
    """
    purposes = dict(Purpose.choices)
    values = (
        queryset.filter(anonymised_at__isnull=True)
        .order_by("last_name", "first_name", "id")
        .values(*PERSON_VALUES)
    )
    for batch in _batches(values.iterator(chunk_size=EXPORT_BATCH), EXPORT_BATCH):
        ids = [row["id"] for row in batch]
        organisations: dict[int, list[str]] = defaultdict(list)
        for person_id, name, role in (
            Affiliation.objects.current()
            .filter(person_id__in=ids)
            .order_by("-is_primary", "organisation__name", "id")
            .values_list("person_id", "organisation__name", "role")
        ):
            organisations[person_id].append(f"{name} ({role})" if role else name)
        consents: dict[int, list[str]] = defaultdict(list)
        for person_id, purpose in (
            Consent.objects.valid()
            .filter(person_id__in=ids)
            .order_by("purpose")
            .values_list("person_id", "purpose")
            .distinct()
        ):
            consents[person_id].append(str(purposes.get(purpose, purpose)))
        tags = _tag_labels(Person, ids)
        for row in batch:
            own = tags.get(row["id"], {})
            yield [
                row["first_name"],
                row["last_name"],
                row["function"],
                row["email"],
                row["phone"],
                row["mobile"],
                _joined(organisations.get(row["id"], [])),
                row["district"],
                _joined(own.get(NEEDS_FAMILY, [])),
                _joined(own.get(MOTIVATIONS_FAMILY, [])),
                _joined(consents.get(row["id"], [])),
                _local_date(row["last_contact_at"]),
            ]


def organisation_table(queryset: QuerySet[Organisation]) -> tuple[list[str], Iterator[list[Any]]]:
    return organisation_header(), organisation_rows(queryset)


def person_table(queryset: QuerySet[Person]) -> tuple[list[str], Iterator[list[Any]]]:
    return person_header(), person_rows(queryset)


def segment_table(
    segment: Segment, *, user: Any, kind: str | None = None
) -> tuple[list[str], Iterator[list[Any]]]:
    """The export table of a segment: its organisations or people; ``kind="people"`` gives the people
    an organisation segment reaches. Raises ``CriteriaError`` for criteria with codes that no longer
    exist and for labs the user does not see.
    """
    kind = kind or segment.subject
    if kind == Segment.Subject.ORGANISATIONS:
        if segment.subject != Segment.Subject.ORGANISATIONS:
            raise ValueError(_("A segment of people has no organisations to export."))
        return organisation_table(filters.segment_organisations(segment, user=user))
    return person_table(filters.segment_people(segment, user=user))
