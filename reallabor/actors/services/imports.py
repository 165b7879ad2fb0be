"""Importing organisations and people from CSV and Excel files: all or nothing.

The flow of the pages: ``upload_import`` (the file is read at once; a bad file is refused and
nothing is stored) → ``set_import_mapping`` → ``check_import`` (every row checked, duplicates of
existing records found, the report stored) → ``run_import`` (checks again, then writes everything
in one transaction, or nothing when any row is wrong). The CLI and the API use ``import_file``,
which does all of it at once and stores the job only when something was imported.

Scale: the rules are pure (``actors.importing``); what they need from the database is loaded once
as plain data (vocabularies, existing duplicate keys: a handful of queries whatever the size of
the file). Writing: organisations and people with ``bulk_create`` in batches (their ids are
needed); roles, consents, needs and the history versions (the same data ``organisation_state`` and
``person_state`` give, as ``record_version`` would store them) with one INSERT statement and many
parameter rows, without model instances (``_insert``), several times faster than bulk_create.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Max, Q
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reallabor.accounts.permissions import is_admin
from reallabor.actors import importing, permissions
from reallabor.actors.importing import (
    ExistingIndex,
    OrganisationRecord,
    PersonRecord,
    Plan,
    Vocabularies,
    lookup_key,
)
from reallabor.actors.models import Affiliation, Consent, ConsentText, ImportJob, Person
from reallabor.actors.services.people import FIELDS as PERSON_FIELDS
from reallabor.actors.spreadsheets import DEFAULT_MAX_BYTES, SpreadsheetError, Table, format_size, read_table
from reallabor.core.cache import content_changed
from reallabor.core.text import german_slugify
from reallabor.history.diff import diff_states
from reallabor.history.models import Version
from reallabor.history.services import record_version
from reallabor.labs.models import Lab, LabMembership, LabOrganisation
from reallabor.labs.services.states import lab_state
from reallabor.organisations.keys import name_key, web_domain
from reallabor.organisations.models import HEADCOUNT_BOUNDS, SUB_KINDS, Organisation
from reallabor.organisations.services import PHONE as ORGANISATION_PHONE
from reallabor.organisations.services import RESERVED_SLUGS, organisation_state
from reallabor.taxonomy.models import Tag, Term

BATCH = 2000
IN_LIMIT = 900  # keys per IN (…) list; beyond it the table is scanned once instead
MAX_ERRORS_STORED = 10_000
MAX_DUPLICATES_STORED = 10_000
DECISIONS = ("skip", "merge")

Progress = Callable[[str, int, int], None]
"""Called as progress(stage, done, total); stages "check" and "write"."""


def max_import_bytes() -> int:
    return int(getattr(settings, "MAX_IMPORT_BYTES", DEFAULT_MAX_BYTES))


def _require(user: Any) -> None:
    if not permissions.can_import_actors(user):
        raise PermissionDenied(
            _("Only the office's staff (administrators and lab coordinators) import actors.")
        )


def _acting(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _chunks[T](items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Reading and checking ----------------------------------------------------------------------------


def read_file(content: bytes, filename: str = "") -> Table:
    """The file as a table, or a ValidationError on ``file`` that says what is wrong."""
    try:
        return read_table(content, filename, max_bytes=max_import_bytes())
    except SpreadsheetError as error:
        raise ValidationError({"file": str(error)}) from None


def check_file_size(size: int) -> None:
    """Refuse an upload before reading it (the same message as ``read_file``)."""
    limit = max_import_bytes()
    if size > limit:
        raise ValidationError(
            {
                "file": _("The file is too large (%(size)s); at most %(limit)s can be imported at once.")
                % {"size": format_size(size), "limit": format_size(limit)}
            }
        )


def validate_mapping(table: Table, mapping: Mapping[str, str]) -> dict[str, str]:
    cleaned = {str(header): str(target) for header, target in mapping.items() if target}
    problems = importing.check_mapping(table.headers, cleaned)
    if problems:
        raise ValidationError({"mapping": problems})
    return cleaned


def _keys(*texts: Any) -> set[str]:
    return {lookup_key(str(text)) for text in texts if text and lookup_key(str(text))}


def load_vocabularies(user: Any) -> Vocabularies:
    """What the row checks need from the database, as plain data (a few queries)."""
    vocabularies = Vocabularies(today=timezone.localdate())

    def labels(choices: Any) -> dict[str, tuple[str, str]]:
        result = {}
        for code, label in choices:
            with translation.override("de"):
                german = str(label)
            with translation.override("en"):
                english = str(label)
            result[code] = (german, english)
        return result

    for code, (german, english) in labels(Organisation.Kind.choices).items():
        for key in _keys(code, german, english, *importing.KIND_WORDS.get(code, ())):
            vocabularies.kinds.setdefault(key, code)
    for code, (german, english) in labels(Organisation.SubKind.choices).items():
        for key in _keys(code, german, english, *importing.SUB_KIND_WORDS.get(code, ())):
            vocabularies.sub_kinds.setdefault(key, code)
    vocabularies.sub_kinds_of = {
        str(kind): tuple(str(sub) for sub in subs) for kind, subs in SUB_KINDS.items()
    }
    for code, (german, english) in labels(Organisation.AllianceStatus.choices).items():
        for key in _keys(german, english, *importing.ALLIANCE_WORDS.get(code, ())):
            vocabularies.alliance.setdefault(key, code)
        if code:
            vocabularies.alliance.setdefault(lookup_key(code), code)
    vocabularies.headcount_bands = dict(HEADCOUNT_BOUNDS)

    terms = Term.objects.filter(vocabulary__retired_at__isnull=True).values_list(
        "pk", "vocabulary__family", "code", "name", "name_en", "local_name", "parent_id"
    )
    lookups = {
        "wz2008": vocabularies.sectors,
        "trades": vocabularies.trades,
        "needs": vocabularies.needs,
        "motivations": vocabularies.motivations,
    }
    for pk, family, code, name, name_en, local_name, parent in terms.filter(
        vocabulary__family__in=list(lookups)
    ):
        if family in ("wz2008", "trades") and parent is None:
            continue  # sections and lists: a sector is a division, a trade a single trade
        found = lookups[family]
        for key in _keys(code, name, name_en, local_name):
            found.setdefault(key, pk)

    for pk, slug, name in Lab.objects.values_list("pk", "slug", "name"):
        for key in _keys(slug, name):
            vocabularies.labs.setdefault(key, pk)
        vocabularies.lab_names[pk] = name
    if not is_admin(user):
        vocabularies.editable_labs = frozenset(
            LabMembership.objects.filter(user=user, role=LabMembership.Role.COORDINATOR).values_list(
                "lab_id", flat=True
            )
        )
    vocabularies.purposes_with_text = frozenset(ConsentText.objects.values_list("purpose", flat=True))
    vocabularies.organisation_phone = ORGANISATION_PHONE.pattern
    lengths: dict[str, int] = {}
    for target in importing.TARGETS:
        model_name, _dot, name = target.partition(".")
        model = {"organisation": Organisation, "person": Person}.get(model_name)
        if model is None:
            continue
        try:
            max_length = getattr(model._meta.get_field(name), "max_length", None)
        except FieldDoesNotExist:  # lists and the full name have no column of their own
            continue
        if max_length:
            lengths[target] = max_length
    vocabularies.max_lengths = lengths
    return vocabularies


def _scan[R](queryset: Any, keys_count: int, narrowed: Callable[[], Any]) -> Iterable[R]:
    """A narrowed query for a few keys, else one pass over the table (never a query per row)."""
    if keys_count <= IN_LIMIT:
        return narrowed()
    return queryset.iterator(chunk_size=20_000)  # type: ignore[no-any-return,unused-ignore]


def load_existing(plan: Plan) -> ExistingIndex:
    """The existing records the plan's duplicate keys point at (a few queries)."""
    index = ExistingIndex()
    names, emails, domains = importing.organisation_keys(plan)
    if plan.organisations:
        columns = ("pk", "name_key", "postcode", "email", "web_domain")
        queryset = Organisation.objects.values_list(*columns)
        rows: Iterable[tuple[int, str, str, str, str]] = _scan(
            queryset,
            len(names) + len(emails) + len(domains),
            lambda: queryset.alias(email_lower=Lower("email")).filter(
                Q(name_key__in=names) | Q(email_lower__in=emails) | Q(web_domain__in=domains)
            ),
        )
        for pk, key, postcode, email, domain in sorted(rows):  # the oldest record first
            if key in names:
                index.organisations_by_name.setdefault((key, postcode), pk)
            if email and email.lower() in emails:
                index.organisations_by_email.setdefault(email.lower(), pk)
            if domain and domain in domains:
                index.organisations_by_domain.setdefault(domain, pk)
    person_emails = importing.person_emails(plan)
    if person_emails:
        people = (
            Person.objects.filter(anonymised_at__isnull=True).exclude(email="").values_list("pk", "email")
        )
        person_rows: Iterable[tuple[int, str]] = _scan(
            people,
            len(person_emails),
            lambda: people.alias(email_lower=Lower("email")).filter(email_lower__in=person_emails),
        )
        for pk, email in sorted(person_rows):
            if email.lower() in person_emails:
                index.people_by_email.setdefault(email.lower(), pk)
    return index


def load_people_at(organisation_ids: Iterable[int], index: ExistingIndex) -> None:
    """The people working at the matched existing organisations, by name (for person duplicates)."""
    ids = sorted(set(organisation_ids))
    for chunk in _chunks(ids, IN_LIMIT):
        rows = (
            Affiliation.objects.filter(organisation_id__in=chunk, person__anonymised_at__isnull=True)
            .order_by("person_id")
            .values_list("organisation_id", "person_id", "person__first_name", "person__last_name")
        )
        for organisation, person, first, last in rows:
            index.people_by_name.setdefault((organisation, lookup_key(first), lookup_key(last)), person)


def prepare(table: Table, mapping: Mapping[str, str], user: Any) -> Plan:
    """Check every row; without errors, find the duplicates of existing records too."""
    plan = importing.build_plan(table, mapping, load_vocabularies(user))
    if not plan.errors:
        index = load_existing(plan)
        importing.match_organisations(plan, index)
        load_people_at(
            (record.existing for record in plan.organisations if record.existing is not None), index
        )
        importing.match_people(plan, index)
    return plan


# The report ---------------------------------------------------------------------------------------


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


def _describe_duplicates(plan: Plan) -> list[dict[str, Any]]:
    records: list[OrganisationRecord | PersonRecord] = []
    records.extend(r for r in plan.organisations if r.existing is not None)
    records.extend(r for r in plan.people if r.existing is not None)
    records = records[:MAX_DUPLICATES_STORED]
    org_ids = [r.existing for r in records if isinstance(r, OrganisationRecord) and r.existing]
    person_ids = [r.existing for r in records if isinstance(r, PersonRecord) and r.existing]
    organisations: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(org_ids, IN_LIMIT):
        for pk, slug, name in Organisation.objects.filter(pk__in=chunk).values_list("pk", "slug", "name"):
            organisations[pk] = (slug, name)
    people: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(person_ids, IN_LIMIT):
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
        "duplicates": _describe_duplicates(plan),
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


# Jobs of the pages ---------------------------------------------------------------------------------


def _require_open(job: ImportJob) -> None:
    if job.status == ImportJob.Status.IMPORTED:
        raise ValidationError(
            _("This file has been imported already; upload it again to import it once more.")
        )


@transaction.atomic
def upload_import(*, user: Any, filename: str, content: bytes) -> ImportJob:
    """Store an uploaded file with a suggested mapping; a file that cannot be read is refused."""
    _require(user)
    table = read_file(content, filename)
    mapping = importing.suggest_mapping(table.headers)
    return ImportJob.objects.create(
        filename=(filename or "import")[:255],
        content=content,
        mapping=mapping,
        status=ImportJob.Status.UPLOADED,
        report={"file": file_info(table)},
        created_by=_acting(user),
    )


def job_table(job: ImportJob) -> Table:
    return read_file(bytes(job.content), job.filename)


@transaction.atomic
def set_import_mapping(*, user: Any, job: ImportJob, mapping: Mapping[str, str]) -> ImportJob:
    _require(user)
    _require_open(job)
    table = job_table(job)
    job.mapping = validate_mapping(table, mapping)
    job.status = ImportJob.Status.UPLOADED
    job.report = {"file": file_info(table)}
    job.save(update_fields=["mapping", "status", "report", "updated_at"])
    return job


@transaction.atomic
def check_import(*, user: Any, job: ImportJob) -> ImportJob:
    """Check every row and find duplicates; the report says what an import would do."""
    _require(user)
    _require_open(job)
    table = job_table(job)
    mapping = validate_mapping(table, job.mapping)
    plan = prepare(table, mapping, user)
    job.report = make_report(table, mapping, plan)
    job.status = ImportJob.Status.FAILED if plan.errors else ImportJob.Status.CHECKED
    job.save(update_fields=["status", "report", "updated_at"])
    return job


def run_import(
    *,
    user: Any,
    job: ImportJob,
    decisions: Mapping[str, str] | None = None,
    on_duplicate: str = "skip",
    progress: Progress | None = None,
) -> ImportJob:
    """Check again and write everything, or nothing when any row is wrong (status failed)."""
    _require(user)
    if on_duplicate not in DECISIONS:
        raise ValidationError({"on_duplicate": _("Choose “skip” or “merge”.")})
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        _require_open(job)
        table = job_table(job)
        mapping = validate_mapping(table, job.mapping)
        plan = prepare(table, mapping, user)
        if plan.errors:
            job.report = make_report(table, mapping, plan)
            job.status = ImportJob.Status.FAILED
            job.save(update_fields=["status", "report", "updated_at"])
            return job
        chosen = importing.decisions_for(plan, decisions, on_duplicate)
        report = make_report(table, mapping, plan, decisions=chosen)
        try:
            with transaction.atomic():
                result = write_plan(plan, user=user, decisions=chosen, progress=progress)
        except IntegrityError as error:
            job.report = {**report, **_write_failure(error)}
            job.status = ImportJob.Status.FAILED
        else:
            job.report = {**report, "result": result, "imported_at": timezone.now().isoformat()}
            job.status = ImportJob.Status.IMPORTED
        job.save(update_fields=["status", "report", "updated_at"])
    return job


def _write_failure(error: Exception) -> dict[str, Any]:
    message = _("The import could not be written (%(error)s); nothing was imported.") % {
        "error": str(error)[:200]
    }
    return {"errors": [{"row": 0, "column": "", "message": message}], "error_count": 1}


# One go: CLI and API -------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    table: Table
    mapping: dict[str, str]
    plan: Plan
    report: dict[str, Any]
    job: ImportJob | None = None
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.plan.errors


def import_file(
    *,
    user: Any,
    filename: str,
    content: bytes,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    on_duplicate: str = "skip",
    decisions: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Read, check and (unless ``dry_run`` or any row is wrong) write a file in one go.

    A file or mapping that cannot be used raises ValidationError (``file``, ``mapping``); row
    errors come back in the outcome's report, and then nothing is stored at all.
    """
    _require(user)
    if on_duplicate not in DECISIONS:
        raise ValidationError({"on_duplicate": _("Choose “skip” or “merge”.")})
    table = read_file(content, filename)
    chosen_mapping = validate_mapping(
        table, importing.suggest_mapping(table.headers) if mapping is None else mapping
    )
    if progress:
        progress("check", 0, len(table.rows))
    plan = prepare(table, chosen_mapping, user)
    if progress:
        progress("check", len(table.rows), len(table.rows))
    if plan.errors or dry_run:
        chosen = importing.decisions_for(plan, decisions, on_duplicate)
        report = make_report(table, chosen_mapping, plan, decisions=chosen)
        return ImportOutcome(table, chosen_mapping, plan, report, dry_run=dry_run)
    with transaction.atomic():
        chosen = importing.decisions_for(plan, decisions, on_duplicate)
        report = make_report(table, chosen_mapping, plan, decisions=chosen)
        result = write_plan(plan, user=user, decisions=chosen, progress=progress)
        report["result"] = result
        report["imported_at"] = timezone.now().isoformat()
        job = ImportJob.objects.create(
            filename=(filename or "import")[:255],
            content=content,
            mapping=chosen_mapping,
            status=ImportJob.Status.IMPORTED,
            report=report,
            created_by=_acting(user),
        )
    return ImportOutcome(table, chosen_mapping, plan, report, job=job)


# Writing ------------------------------------------------------------------------------------------


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


ORGANISATION_FILL = (
    "sub_kind", "sector_id", "trade_id", "headcount_band", "founding_year", "street", "postcode",
    "city", "district", "quarter", "email", "phone", "website", "alliance_status", "alliance_since",
)  # fmt: skip
PERSON_FILL = ("salutation", "first_name", "function", "email", "phone", "mobile")
RESULT_KEYS = (
    "created_organisations", "merged_organisations", "skipped_organisations", "created_people", "merged_people",
    "skipped_people", "affiliations", "consents", "tags", "lab_roles",
)  # fmt: skip


def _empty(value: Any) -> bool:
    return value is None or value == ""


@dataclass
class _Writer:
    user: Any
    decisions: Mapping[str, str]
    progress: Progress | None
    now: dt.datetime = field(default_factory=timezone.now)
    result: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RESULT_KEYS, 0))
    organisation_ids: dict[int, int] = field(default_factory=dict)  # plan index → organisation id
    organisation_slugs: dict[int, str] = field(default_factory=dict)  # organisation id → slug
    organisation_names: dict[int, str] = field(default_factory=dict)  # organisation id → name
    labs_touched: set[int] = field(default_factory=set)
    done: int = 0
    total: int = 0

    def tick(self, count: int) -> None:
        self.done += count
        if self.progress:
            self.progress("write", self.done, self.total)

    @property
    def acting(self) -> Any:
        return _acting(self.user)

    @property
    def acting_id(self) -> int | None:
        acting = self.acting
        return acting.pk if acting is not None else None


def write_plan(
    plan: Plan, *, user: Any, decisions: Mapping[str, str], progress: Progress | None = None
) -> dict[str, int]:
    """Write a checked plan (no errors) in bulk; returns the counts of what was done."""
    assert not plan.errors, "only a plan without errors is written"
    writer = _Writer(user=user, decisions=decisions, progress=progress)
    writer.total = len(plan.organisations) + len(plan.people)
    _write_organisations(plan, writer)
    _write_people(plan, writer)
    for lab in Lab.objects.filter(pk__in=sorted(writer.labs_touched)):
        if record_version(
            obj=lab, user=user, action="changed", data=lab_state(lab), revision=lab.revision + 1
        ):
            lab.revision += 1
            lab.save(update_fields=["revision", "updated_at"])
    content_changed()
    return dict(writer.result)


def _version(
    obj: Any,
    content_type: ContentType,
    writer: _Writer,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    revision: int,
    comment: str,
) -> dict[str, Any]:
    """A row of ``history.Version`` as ``record_version`` would store it."""
    return {
        "content_type_id": content_type.pk,
        "object_id": obj.pk,
        "object_repr": str(obj)[:300],
        "revision": revision,
        "action": action,
        "user_id": writer.acting_id,
        "created_at": writer.now,
        "data": after,
        "changes": diff_states(before, after),
        "comment": comment,
    }


# At the import's scale (a hundred thousand organisations and people, with as many roles,
# consents, needs and history versions) bulk_create's per-value SQL compilation takes most of the
# time. ``_insert`` writes plain rows with one statement and many parameter rows instead; values
# go through the field's own conversion wherever the type needs one (dates, UUIDs, JSON …).
_PLAIN = frozenset(
    {
        "CharField", "TextField", "SlugField", "BooleanField", "ForeignKey", "IntegerField", "SmallIntegerField",
        "BigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField",
    }
)  # fmt: skip


class _DatabaseValues:
    """A field's value as the database takes it: plain types as they are, the rest through the
    field's own conversion (cached: the import's “now” and the same dates recur in every row)."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, Any], Any] = {}

    def __call__(self, field: models.Field[Any, Any], value: Any) -> Any:
        if field.get_internal_type() in _PLAIN:
            return value
        if isinstance(value, dict | list):
            return field.get_db_prep_save(value, connection)
        key = (field.attname, value)
        if key not in self.cache:
            self.cache[key] = field.get_db_prep_save(value, connection)
        return self.cache[key]


def _insert(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    names = [field.attname for field in fields]
    if set(names) ^ set(rows[0]):  # a new field of the model must be written here too, never left to chance
        raise ImproperlyConfigured(
            f"{model._meta.label}: the import gives {sorted(set(rows[0]))}, not {names}"
        )
    value = _DatabaseValues()
    quote = connection.ops.quote_name
    # Only the model's own table and column names (quoted) go into the statements; values are parameters.
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(str(field.column)) for field in fields)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):
            # PostgreSQL: COPY, four times as fast as single INSERTs at this scale.
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([value(field, row[field.attname]) for field in fields])
            return
        # Elsewhere one statement with many parameter rows (parsed once).
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        for batch in _chunks(rows):
            cursor.executemany(sql, [[value(field, row[field.attname]) for field in fields] for row in batch])


def _update(model: type[models.Model], objects: Sequence[models.Model], names: Sequence[str]) -> None:
    """Write ``names`` of many changed records: one UPDATE statement, many parameter rows
    (bulk_update's CASE … WHEN grows with the square of the batch)."""
    if not objects:
        return
    by_name = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_name[name] for name in names]
    quote = connection.ops.quote_name
    table, key = quote(model._meta.db_table), quote(str(model._meta.pk.column) if model._meta.pk else "id")
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in fields)
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608 - our own names only
    value = _DatabaseValues()
    with connection.cursor() as cursor:
        for batch in _chunks(objects):
            cursor.executemany(
                sql,
                [[*(value(field, getattr(obj, field.attname)) for field in fields), obj.pk] for obj in batch],
            )


def _create(model: type[models.Model], objects: Sequence[Any], key: str, now: dt.datetime) -> None:
    """Insert unsaved instances (``_insert``) and give them their ids, found again by the unique ``key``."""
    columns = [column for column in model._meta.concrete_fields if not column.primary_key]
    stamped = [
        c.attname for c in columns if getattr(c, "auto_now", False) or getattr(c, "auto_now_add", False)
    ]
    for obj in objects:
        for name in stamped:
            setattr(obj, name, now)
    _insert(model, [{column.attname: getattr(obj, column.attname) for column in columns} for obj in objects])
    by_key = {getattr(obj, key): obj for obj in objects}
    for chunk in _chunks(list(by_key), IN_LIMIT):
        for pk, value in model._default_manager.filter(**{f"{key}__in": chunk}).values_list("pk", key):
            obj = by_key[value]
            obj.pk = pk
            obj._state.adding = False


def _write_organisations(plan: Plan, writer: _Writer) -> None:
    content_type = ContentType.objects.get_for_model(Organisation)
    comment = _("Imported")
    # The terms the organisations name, in memory: ``organisation_state`` reads their codes.
    term_ids = {
        r.values[key] for r in plan.organisations for key in ("sector_id", "trade_id") if r.values.get(key)
    }
    terms = Term.objects.in_bulk(sorted(term_ids))
    new = [(index, r) for index, r in enumerate(plan.organisations) if r.existing is None]
    if new:
        slugs = _Slugs()
        for chunk in _chunks(new):
            objects = []
            for _index, record in chunk:
                values = dict(record.values)
                sector, trade = values.pop("sector_id", None), values.pop("trade_id", None)
                objects.append(
                    Organisation(
                        **values,
                        sector=terms[sector] if sector else None,
                        trade=terms[trade] if trade else None,
                        slug=slugs.make(values["name"]),
                        name_key=name_key(values["name"]),
                        web_domain=web_domain(values.get("website", "")),
                    )
                )
            _create(Organisation, objects, "slug", writer.now)
            for (index, _record), organisation in zip(chunk, objects, strict=True):
                writer.organisation_ids[index] = organisation.pk
                writer.organisation_slugs[organisation.pk] = organisation.slug
                writer.organisation_names[organisation.pk] = organisation.name
            _insert(
                Version,
                [
                    _version(o, content_type, writer, "created", None, organisation_state(o), 1, comment)
                    for o in objects
                ],
            )
            writer.result["created_organisations"] += len(objects)
            writer.tick(len(objects))
    duplicates = [(index, r) for index, r in enumerate(plan.organisations) if r.existing is not None]
    merged: list[tuple[int, OrganisationRecord]] = []
    for index, record in duplicates:
        assert record.existing is not None
        writer.organisation_ids[index] = record.existing
        if writer.decisions.get(record.key) == "merge":
            merged.append((index, record))
        else:
            writer.result["skipped_organisations"] += 1
    for chunk in _chunks(merged):
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
                    _version(
                        organisation,
                        content_type,
                        writer,
                        "changed",
                        before,
                        after,
                        organisation.revision,
                        _("Merged from an import"),
                    )
                )
        if changed:
            _update(Organisation, changed, [*ORGANISATION_FILL, "web_domain", "revision", "updated_at"])
            _insert(Version, versions)
        writer.result["merged_organisations"] += len(chunk)
        writer.tick(len(chunk))
    writer.tick(len(duplicates) - len(merged))
    # Needs, motivations and lab roles: of new organisations, and added to merged ones.
    targets = [(index, r) for index, r in enumerate(plan.organisations) if r.existing is None] + merged
    _write_tags(targets, writer, content_type)
    _write_lab_roles(targets, writer)


def _fill_organisation(
    organisation: Organisation, record: OrganisationRecord, terms: Mapping[int, Term]
) -> None:
    """Fill the empty fields of an existing organisation, keeping the rules of its services."""
    filled = set()
    for name in ORGANISATION_FILL:
        value: Any = record.values.get(name)
        if _empty(value) or not _empty(getattr(organisation, name)):
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
    targets: list[tuple[int, OrganisationRecord]], writer: _Writer, content_type: ContentType
) -> None:
    wanted = [
        (writer.organisation_ids[i], r.needs + r.motivations) for i, r in targets if r.needs or r.motivations
    ]
    if not wanted:
        return
    existing: set[tuple[int, int]] = set()
    positions: dict[int, int] = {}
    merged_ids = [pk for i, r in targets if r.existing is not None for pk in [writer.organisation_ids[i]]]
    for chunk in _chunks(merged_ids, IN_LIMIT):
        tags = Tag.objects.filter(content_type=content_type, object_id__in=chunk)
        existing.update(tags.values_list("object_id", "term_id"))
        positions.update(
            tags.values("object_id").annotate(last=Max("position")).values_list("object_id", "last")
        )
    tags_to_create = []
    for pk, terms in wanted:
        position = positions.get(pk, -1) + 1
        for term in terms:
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
    _insert(Tag, tags_to_create)
    writer.result["tags"] += len(tags_to_create)


def _write_lab_roles(targets: list[tuple[int, OrganisationRecord]], writer: _Writer) -> None:
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
    for chunk in _chunks(rows):
        LabOrganisation.objects.bulk_create(chunk)
    writer.labs_touched.update(row.lab_id for row in rows)
    writer.result["lab_roles"] += len(rows)


def _affiliation(person: int, organisation: int, role: str, writer: _Writer) -> dict[str, Any]:
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


def _person_state(person: Person, affiliations: list[dict[str, Any]]) -> dict[str, Any]:
    """``people.person_state`` built from data in memory (the same shape)."""
    state: dict[str, Any] = {name: getattr(person, name) for name in PERSON_FIELDS}
    state["affiliations"] = affiliations
    return state


def _slugs_of(ids: Iterable[int], writer: _Writer) -> None:
    missing = sorted({pk for pk in ids if pk not in writer.organisation_slugs})
    for chunk in _chunks(missing, IN_LIMIT):
        for pk, slug, name in Organisation.objects.filter(pk__in=chunk).values_list("pk", "slug", "name"):
            writer.organisation_slugs[pk] = slug
            writer.organisation_names[pk] = name


def _write_people(plan: Plan, writer: _Writer) -> None:
    content_type = ContentType.objects.get_for_model(Person)
    latest: dict[str, ConsentText] = {}
    for text in ConsentText.objects.order_by("version"):
        latest[text.purpose] = text  # the newest version of each purpose wins
    _slugs_of(
        (writer.organisation_ids[r.organisation] for r in plan.people if r.organisation is not None), writer
    )
    comment = _("Imported")
    new = [r for r in plan.people if r.existing is None]
    for chunk in _chunks(new):
        people = [Person(**record.values, created_by=writer.acting) for record in chunk]
        _create(Person, people, "uuid", writer.now)
        affiliations: list[dict[str, Any]] = []
        versions: list[dict[str, Any]] = []
        consents: list[dict[str, Any]] = []
        for record, person in zip(chunk, people, strict=True):
            states = []
            if record.organisation is not None:
                organisation = writer.organisation_ids[record.organisation]
                role = record.values.get("function", "")
                affiliations.append(_affiliation(person.pk, organisation, role, writer))
                states.append(_affiliation_state(writer.organisation_slugs[organisation], role))
            versions.append(
                _version(
                    person,
                    content_type,
                    writer,
                    "created",
                    None,
                    _person_state(person, states),
                    1,
                    comment,
                )
            )
            consents.extend(_consents(person, record, latest, writer))
        _insert(Affiliation, affiliations)
        _insert(Version, versions)
        _insert(Consent, consents)
        writer.result["created_people"] += len(people)
        writer.result["affiliations"] += len(affiliations)
        writer.result["consents"] += len(consents)
        writer.tick(len(chunk))
    duplicates = [r for r in plan.people if r.existing is not None]
    merged = [r for r in duplicates if writer.decisions.get(r.key) == "merge"]
    writer.result["skipped_people"] += len(duplicates) - len(merged)
    writer.tick(len(duplicates) - len(merged))
    for chunk in _chunks(merged, IN_LIMIT):
        _merge_people(chunk, writer, latest, content_type)


def _consents(
    person: Person,
    record: PersonRecord,
    texts: Mapping[str, ConsentText],
    writer: _Writer,
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
                "person_id": person.pk,
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
    writer: _Writer,
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
        before = _person_state(person, [_row_state(row) for row in rows])
        for name in PERSON_FILL:
            value = record.values.get(name)
            if not _empty(value) and _empty(getattr(person, name)):
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
        after = _person_state(person, states)
        if after != before:
            person.revision += 1
            person.updated_at = writer.now
            changed.append(person)
            versions.append(
                _version(
                    person,
                    content_type,
                    writer,
                    "changed",
                    before,
                    after,
                    person.revision,
                    _("Merged from an import"),
                )
            )
        consents.extend(_consents(person, record, texts, writer, skip=consented[person.pk]))
    if changed:
        _update(Person, changed, [*PERSON_FILL, "revision", "updated_at"])
    _insert(Affiliation, affiliations)
    _insert(Version, versions)
    _insert(Consent, consents)
    writer.result["merged_people"] += len(chunk)
    writer.result["affiliations"] += len(affiliations)
    writer.result["consents"] += len(consents)
    writer.tick(len(chunk))


def _row_state(row: Affiliation) -> dict[str, Any]:
    return {
        "organisation": row.organisation.slug,
        "role": row.role,
        "start_date": row.start_date.isoformat() if row.start_date else None,
        "end_date": row.end_date.isoformat() if row.end_date else None,
        "is_primary": row.is_primary,
    }


def visible_jobs(user: Any) -> Any:
    return ImportJob.objects.visible_to(user).defer("content")
