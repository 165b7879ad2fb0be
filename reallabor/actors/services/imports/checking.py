"""Reading and checking a file: the table, the mapping, every row (``actors.importing``), and the
duplicates of existing records. What the rules need from the database is loaded once as plain
data (vocabularies, existing duplicate keys): a handful of queries whatever the size of the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reallabor.accounts.permissions import is_admin
from reallabor.actors import importing, permissions
from reallabor.actors.importing import ExistingIndex, Plan, Vocabularies, lookup_key
from reallabor.actors.models import Affiliation, ConsentText, Person
from reallabor.actors.services.imports.sql import IN_LIMIT, chunks
from reallabor.actors.spreadsheets import DEFAULT_MAX_BYTES, SpreadsheetError, Table, format_size, read_table
from reallabor.labs.models import Lab, LabMembership
from reallabor.organisations.models import HEADCOUNT_BOUNDS, SUB_KINDS, Organisation
from reallabor.organisations.services import PHONE as ORGANISATION_PHONE
from reallabor.taxonomy.models import Term


def max_import_bytes() -> int:
    return int(getattr(settings, "MAX_IMPORT_BYTES", DEFAULT_MAX_BYTES))


def require_importer(user: Any) -> None:
    if not permissions.can_import_actors(user):
        raise PermissionDenied(
            _("Only the office's staff (administrators and lab coordinators) import actors.")
        )


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
    return queryset.iterator(chunk_size=20_000)


def load_existing(plan: Plan) -> ExistingIndex:
    """The existing records the plan's duplicate keys point at (a few queries; where a key is
    shared, the oldest record: the rows come in the order of their ids)."""
    index = ExistingIndex()
    names, emails, domains = importing.organisation_keys(plan)
    if plan.organisations:
        columns = ("pk", "name_key", "postcode", "email", "web_domain")
        queryset = Organisation.objects.order_by("pk").values_list(*columns)
        rows: Iterable[tuple[int, str, str, str, str]] = _scan(
            queryset,
            len(names) + len(emails) + len(domains),
            lambda: queryset.alias(email_lower=Lower("email")).filter(
                Q(name_key__in=names) | Q(email_lower__in=emails) | Q(web_domain__in=domains)
            ),
        )
        by_name, by_email, by_domain = (
            index.organisations_by_name,
            index.organisations_by_email,
            index.organisations_by_domain,
        )
        for pk, key, postcode, email, domain in rows:
            if key in names and (key, postcode) not in by_name:
                by_name[key, postcode] = pk
            if email:
                email = email.lower()
                if email in emails and email not in by_email:
                    by_email[email] = pk
            if domain and domain in domains and domain not in by_domain:
                by_domain[domain] = pk
    person_emails = importing.person_emails(plan)
    if person_emails:
        people = (
            Person.objects.filter(anonymised_at__isnull=True)
            .exclude(email="")
            .order_by("pk")
            .values_list("pk", "email")
        )
        person_rows: Iterable[tuple[int, str]] = _scan(
            people,
            len(person_emails),
            lambda: people.alias(email_lower=Lower("email")).filter(email_lower__in=person_emails),
        )
        by_person_email = index.people_by_email
        for pk, email in person_rows:
            email = email.lower()
            if email in person_emails and email not in by_person_email:
                by_person_email[email] = pk
    return index


def load_people_at(organisation_ids: Iterable[int], index: ExistingIndex) -> None:
    """The people working at the matched existing organisations, by name (for person duplicates)."""
    ids = sorted(set(organisation_ids))
    for chunk in chunks(ids, IN_LIMIT):
        rows = (
            Affiliation.objects.filter(organisation_id__in=chunk, person__anonymised_at__isnull=True)
            .order_by("person_id")
            .values_list("organisation_id", "person_id", "person__first_name", "person__last_name")
        )
        for organisation, person, first, last in rows:
            index.people_by_name.setdefault((organisation, lookup_key(first), lookup_key(last)), person)


def prepare(
    table: Table,
    mapping: Mapping[str, str],
    user: Any,
    progress: Callable[[str, int, int], None] | None = None,
) -> Plan:
    """Check every row; without errors, find the duplicates of existing records too.

    ``progress("check", rows checked, rows)`` as the rows are checked.
    """
    total = len(table.rows)
    plan = importing.build_plan(
        table,
        mapping,
        load_vocabularies(user),
        progress=(lambda done: progress("check", done, total)) if progress else None,
    )
    if not plan.errors:
        index = load_existing(plan)
        importing.match_organisations(plan, index)
        load_people_at(
            (record.existing for record in plan.organisations if record.existing is not None), index
        )
        importing.match_people(plan, index)
    return plan
