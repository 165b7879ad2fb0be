"""Segments: saved filters over actors whose members are computed from the current data every time.

Writes: ``create_segment``, ``update_segment``, ``delete_segment`` (refused while a mailing uses
the segment), ``duplicate_segment``. The criteria are checked by ``actors.criteria.parse_criteria``
(shape and allowed values) and ``actors.filters.check_criteria`` (codes and slugs that exist);
errors are named per criterion under ``criteria.<field>``.

Reads: ``segment_counts`` (the live counts the pages and the API show), ``describe_criteria``
(the criteria in words) and the export tables ``organisation_table`` / ``person_table`` (plain
values for ``actors.exports``, a constant number of queries per batch of rows).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from reallabor.actors import filters, permissions
from reallabor.actors.criteria import (
    ALLIANCE,
    Criteria,
    CriteriaError,
    parse_criteria,
)
from reallabor.actors.models import Affiliation, Consent, Mailing, Person, Purpose, Segment
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import (
    MOTIVATIONS_FAMILY,
    NEEDS_FAMILY,
    SECTOR_FAMILY,
    TRADES_FAMILY,
    Tag,
    Term,
)

NAME_MAX_LENGTH = Segment._meta.get_field("name").max_length or 200
FIELDS = ("name", "description", "subject", "criteria")
EXPORT_BATCH = 1000
LIST_SEPARATOR = "; "


# Writes ---------------------------------------------------------------------------------------------


def _require(user: Any) -> None:
    if not permissions.can_manage_segments(user):
        raise PermissionDenied(
            _("Only the office's staff (administrators and lab coordinators) manage segments.")
        )


def clean_criteria(raw: Any) -> Criteria:
    """Criteria from a segment's data: the shape, the values and the codes; errors per criterion."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ValidationError(
            {"criteria": _("Give the criteria as an object of criterion names and values.")}
        )
    try:
        criteria = parse_criteria(raw)
        filters.check_criteria(criteria)
    except CriteriaError as error:
        raise ValidationError(
            {f"criteria.{field}": [message] for field, message in error.errors.items()}
        ) from error
    return criteria


def _apply(segment: Segment, data: dict[str, Any], *, creating: bool) -> None:
    """Check the complete input and set it on ``segment`` (not saved)."""
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationError({field: [_("Unknown field.")] for field in unknown})
    errors: dict[str, list[str]] = {}
    if creating or "name" in data:
        name = data.get("name")
        name = name.strip() if isinstance(name, str) else ""
        if not name:
            errors["name"] = [_("Give the segment a name.")]
        elif len(name) > NAME_MAX_LENGTH:
            errors["name"] = [_("The name may have at most %(max)d characters.") % {"max": NAME_MAX_LENGTH}]
        else:
            clash = Segment.objects.filter(name__iexact=name).exclude(pk=segment.pk).first()
            if clash is not None:
                errors["name"] = [_("There is already a segment named “%(name)s”.") % {"name": clash.name}]
            segment.name = name
    if "description" in data:
        description = data["description"]
        if description is not None and not isinstance(description, str):
            errors["description"] = [_("Enter text.")]
        else:
            segment.description = (description or "").strip()
    if creating or "subject" in data:
        subject = data.get("subject")
        if subject not in Segment.Subject.values:
            errors["subject"] = [
                _("Choose what the segment holds: %(choices)s.")
                % {"choices": ", ".join(Segment.Subject.values)}
            ]
        else:
            segment.subject = subject
    if creating or "criteria" in data:
        try:
            segment.criteria = clean_criteria(data.get("criteria")).to_dict()
        except ValidationError as error:
            for path, messages in error.message_dict.items():
                errors.setdefault(path, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_segment(*, user: Any, data: dict[str, Any]) -> Segment:
    """A new segment: ``data`` has name, subject (organisations|people), criteria and a description."""
    _require(user)
    segment = Segment()
    _apply(segment, data, creating=True)
    segment.created_by = user if getattr(user, "is_authenticated", False) else None
    segment.save()
    return segment


@transaction.atomic
def update_segment(*, user: Any, segment: Segment, data: dict[str, Any]) -> Segment:
    """Change the fields present in ``data``; the criteria are replaced as a whole."""
    _require(user)
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    _apply(segment, data, creating=False)
    segment.save()
    return segment


def mailings_using(segment: Segment) -> QuerySet[Mailing]:
    return Mailing.objects.filter(segment=segment).order_by("-created_at")


@transaction.atomic
def delete_segment(*, user: Any, segment: Segment) -> None:
    """Delete a segment no mailing uses (a mailing keeps its segment: Mailing.segment is PROTECT)."""
    _require(user)
    used_by = list(mailings_using(segment).values_list("subject", flat=True)[:4])
    if used_by:
        raise _in_use(segment, used_by)
    try:
        segment.delete()
    except ProtectedError as error:  # a mailing was added meanwhile
        raise _in_use(segment, [str(obj) for obj in list(error.protected_objects)[:4]]) from error


def _in_use(segment: Segment, subjects: list[str]) -> ValidationError:
    shown = ", ".join(f"“{subject}”" for subject in subjects[:3]) + (" …" if len(subjects) > 3 else "")
    return ValidationError(
        _(
            "The segment “%(name)s” cannot be deleted: the mailing(s) %(mailings)s use it. "
            "Delete those mailings or choose another segment for them first."
        )
        % {"name": segment.name, "mailings": shown},
        code="in_use",
    )


def copy_name(name: str) -> str:
    """“Name (copy)”, “Name (copy 2)” … : the first that no segment has."""
    suffix = _("copy")
    base = name[: NAME_MAX_LENGTH - len(suffix) - 8]
    candidate, number = f"{base} ({suffix})", 2
    while Segment.objects.filter(name__iexact=candidate).exists():
        candidate, number = f"{base} ({suffix} {number})", number + 1
    return candidate


@transaction.atomic
def duplicate_segment(*, user: Any, segment: Segment, name: str | None = None) -> Segment:
    """A copy of ``segment`` (criteria, subject, description) under a new name."""
    _require(user)
    return create_segment(
        user=user,
        data={
            "name": name if name is not None else copy_name(segment.name),
            "description": segment.description,
            "subject": segment.subject,
            "criteria": dict(segment.criteria),
        },
    )


# Live counts --------------------------------------------------------------------------------------------


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
    segment = Segment(subject=subject, criteria=criteria.to_dict())
    return filters.segment_people(segment)


def count_criteria(subject: str, criteria: Criteria, *, with_people: bool = True) -> Counts:
    """The live counts of criteria: one count query for the members and one for the reachable people
    (for an organisation segment one more for the people reached), plus one lookup per criterion
    with codes (sectors, trades, needs, motivations). The number of queries does not grow with the data.
    """
    purpose = criteria.consent or Purpose.NEWSLETTER
    try:
        if subject == Segment.Subject.ORGANISATIONS:
            members = filters.organisations_matching(criteria).count()
            people_qs = people_reached(subject, criteria)
            people = people_qs.count() if with_people else None
        else:
            people_qs = filters.people_matching(criteria)
            members = people = people_qs.count()
        reachable = filters.reachable_people(people_qs, purpose).count()
    except CriteriaError as error:
        return Counts(subject, None, None, None, purpose, _criteria_error_text(error))
    return Counts(subject, members, people, reachable, purpose)


def segment_counts(segment: Segment, *, with_people: bool = True) -> Counts:
    try:
        criteria = parse_criteria(segment.criteria)
    except CriteriaError as error:
        return Counts(segment.subject, None, None, None, Purpose.NEWSLETTER, _criteria_error_text(error))
    return count_criteria(segment.subject, criteria, with_people=with_people)


def _criteria_error_text(error: CriteriaError) -> str:
    labels = criterion_labels()
    return " ".join(
        f"{labels.get(field, field)}: {message}" for field, message in sorted(error.errors.items())
    )


# The criteria in words -----------------------------------------------------------------------------------


def criterion_labels() -> dict[str, str]:
    return {
        "q": _("Text"),
        "kinds": _("Kind of organisation"),
        "sub_kinds": _("Sub-kind"),
        "sectors": _("Sector (WZ 2008)"),
        "trades": _("Trade"),
        "districts": _("District"),
        "headcount_bands": _("Headcount"),
        "needs": _("Needs"),
        "motivations": _("Motivations"),
        "labs": _("Lab"),
        "alliance": _("Wirtschaftsallianz"),
        "contacted_within_days": _("Last contact"),
        "not_contacted_for_days": _("No contact"),
        "consent": _("Valid consent"),
    }


def alliance_labels() -> dict[str, str]:
    labels = {value: str(label) for value, label in Organisation.AllianceStatus.choices if value}
    labels["none"] = _("not a member")
    return {value: labels.get(value, value) for value in ALLIANCE}


def term_label(name: str, name_en: str, local_name: str) -> str:
    """``Term.label`` from values(): the city's wording in German, the English name in English."""
    if (get_language() or "de").startswith("en"):
        return name_en or name
    return local_name or name


def describe_criteria(criteria: Criteria) -> list[tuple[str, str]]:
    """The criteria as (label, values in words) lines; codes that no longer exist are shown as codes.

    Two queries at most (terms, labs).
    """
    codes = {
        SECTOR_FAMILY: criteria.sectors,
        TRADES_FAMILY: criteria.trades,
        NEEDS_FAMILY: criteria.needs,
        MOTIVATIONS_FAMILY: criteria.motivations,
    }
    names: dict[tuple[str, str], str] = {}
    wanted = {code for values in codes.values() for code in values}
    if wanted:
        for family, code, name, name_en, local_name in Term.objects.filter(
            vocabulary__retired_at__isnull=True,
            vocabulary__family__in=list(codes),
            code__in=wanted,
        ).values_list("vocabulary__family", "code", "name", "name_en", "local_name"):
            names[(family, code)] = term_label(name, name_en, local_name)
    lab_names: dict[str, str] = {}
    if criteria.labs:
        from reallabor.labs.models import Lab

        lab_names = dict(Lab.objects.filter(slug__in=criteria.labs).values_list("slug", "name"))

    def terms(family: str) -> str:
        shown = []
        for code in codes[family]:
            name = names.get((family, code))
            prefix = code.upper() if family in (SECTOR_FAMILY, TRADES_FAMILY) else ""
            if name is None:
                shown.append(_("%(code)s (no longer exists)") % {"code": code})
            else:
                shown.append(f"{prefix} {name}".strip())
        return ", ".join(shown)

    kinds = dict(Organisation.Kind.choices)
    sub_kinds = dict(Organisation.SubKind.choices)
    bands = dict(Organisation.HeadcountBand.choices)
    labels = criterion_labels()
    lines: list[tuple[str, str]] = []
    if criteria.q:
        lines.append((labels["q"], f"“{criteria.q}”"))
    if criteria.kinds:
        lines.append((labels["kinds"], ", ".join(str(kinds.get(kind, kind)) for kind in criteria.kinds)))
    if criteria.sub_kinds:
        lines.append(
            (labels["sub_kinds"], ", ".join(str(sub_kinds.get(kind, kind)) for kind in criteria.sub_kinds))
        )
    if criteria.sectors:
        lines.append((labels["sectors"], terms(SECTOR_FAMILY)))
    if criteria.trades:
        lines.append((labels["trades"], terms(TRADES_FAMILY)))
    if criteria.districts:
        lines.append((labels["districts"], ", ".join(criteria.districts)))
    if criteria.headcount_bands:
        lines.append(
            (labels["headcount_bands"], ", ".join(str(bands.get(b, b)) for b in criteria.headcount_bands))
        )
    if criteria.needs:
        lines.append((labels["needs"], terms(NEEDS_FAMILY)))
    if criteria.motivations:
        lines.append((labels["motivations"], terms(MOTIVATIONS_FAMILY)))
    if criteria.labs:
        lines.append((labels["labs"], ", ".join(lab_names.get(slug, slug) for slug in criteria.labs)))
    if criteria.alliance:
        alliance = alliance_labels()
        lines.append((labels["alliance"], ", ".join(alliance[value] for value in criteria.alliance)))
    if criteria.contacted_within_days is not None:
        days = criteria.contacted_within_days
        lines.append(
            (
                labels["contacted_within_days"],
                ngettext(
                    "contacted within the last %(days)d day",
                    "contacted within the last %(days)d days",
                    days,
                )
                % {"days": days},
            )
        )
    if criteria.not_contacted_for_days is not None:
        days = criteria.not_contacted_for_days
        lines.append(
            (
                labels["not_contacted_for_days"],
                ngettext(
                    "not contacted for %(days)d day (or never)",
                    "not contacted for %(days)d days (or never)",
                    days,
                )
                % {"days": days},
            )
        )
    if criteria.consent:
        lines.append((labels["consent"], str(Purpose(criteria.consent).label)))
    return lines


# Export tables ---------------------------------------------------------------------------------------------


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


def segment_table(segment: Segment, *, kind: str | None = None) -> tuple[list[str], Iterator[list[Any]]]:
    """The export table of a segment: its organisations or people; ``kind="people"`` gives the people
    an organisation segment reaches. Raises ``CriteriaError`` for criteria with codes that no longer exist.
    """
    kind = kind or segment.subject
    if kind == Segment.Subject.ORGANISATIONS:
        if segment.subject != Segment.Subject.ORGANISATIONS:
            raise ValueError(_("A segment of people has no organisations to export."))
        return organisation_table(filters.segment_organisations(segment))
    return person_table(filters.segment_people(segment))
