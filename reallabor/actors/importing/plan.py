"""Checking a whole file: every row becomes an organisation, a person or both, or errors naming
the row and the column (pure). Rows naming the same organisation (same name and postcode) become
one organisation with several people; duplicates within the file are refused."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from reallabor.actors.importing import cells
from reallabor.actors.importing.cells import Row
from reallabor.actors.importing.records import CellError, OrganisationRecord, PersonRecord, Plan, Vocabularies
from reallabor.actors.importing.targets import PURPOSES, TEXT_TARGETS, VALUE_KEYS, target_label
from reallabor.actors.importing.values import is_formula_like, short
from reallabor.actors.spreadsheets import Table
from reallabor.organisations.keys import name_key

PROGRESS_ROWS = 5000
CONSENT_TARGETS = tuple((purpose, f"consent.{purpose}") for purpose in PURPOSES)


@dataclass(frozen=True)
class _Layout:
    """What the mapping tells once for all rows: the columns of each target, and which text
    fields it fills (with their length limits)."""

    columns: tuple[tuple[int, str, str], ...]  # (index, header, target) of every mapped column
    headers: dict[str, str]  # target → header
    organisation_fields: dict[str, str]  # organisation target → the key in record.columns
    organisation_texts: tuple[tuple[str, str, int | None], ...]  # (target, model field, limit)
    person_texts: tuple[tuple[str, str, int | None], ...]

    @classmethod
    def of(cls, table: Table, mapping: Mapping[str, str], vocabularies: Vocabularies) -> _Layout:
        columns = tuple(
            (index, header, mapping[header])
            for index, header in enumerate(table.headers)
            if mapping.get(header)
        )
        headers = {target: header for _index, header, target in columns}
        organisation_fields = {}
        for target in headers:
            if target.startswith("organisation."):
                name = target.removeprefix("organisation.")
                organisation_fields[target] = VALUE_KEYS.get(name, name)
        texts = [
            (target, model_field, vocabularies.max_lengths.get(target))
            for target, model_field in TEXT_TARGETS.items()
            if target in headers
        ]
        return cls(
            columns=columns,
            headers=headers,
            organisation_fields=organisation_fields,
            organisation_texts=tuple(t for t in texts if t[0].startswith("organisation.")),
            person_texts=tuple(t for t in texts if t[0].startswith("person.")),
        )


def _texts(row: Row, texts: tuple[tuple[str, str, int | None], ...], values: dict[str, Any]) -> None:
    """The plain text fields of the row, each within its length limit."""
    found = row.cells
    for target, model_field, limit in texts:
        value = found.get(target)
        if not value:
            continue
        if limit and len(value) > limit:
            row.error(
                target,
                _("The text has %(length)s characters; at most %(limit)s are possible.")
                % {"length": len(value), "limit": limit},
            )
        else:
            values[model_field] = value


def build_plan(
    table: Table,
    mapping: Mapping[str, str],
    vocabularies: Vocabularies,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """Check every row of ``table`` and gather what would be written.

    The mapping must have passed ``check_mapping``. Errors name the row and the column.
    ``progress(rows checked)`` is called every ``PROGRESS_ROWS`` rows.
    """
    plan = Plan(rows=len(table.rows))
    layout = _Layout.of(table, mapping, vocabularies)
    columns = layout.columns
    by_group: dict[tuple[str, str], int] = {}
    org_by_email: dict[str, int] = {}
    org_by_domain: dict[str, int] = {}
    person_by_email: dict[str, int] = {}
    person_by_name: dict[tuple[int, str, str], int] = {}
    name_keys: dict[str, str] = {}  # the organisations' stored name keys, computed once per name
    for count, (number, row_cells) in enumerate(table.rows):
        if progress is not None and count and not count % PROGRESS_ROWS:
            progress(count)
        row = Row(number, layout.headers, plan.errors)
        found = row.cells
        for index, _header, target in columns:
            text = row_cells[index].strip()
            if not text:
                continue
            if is_formula_like(text):
                found[target] = ""
                # (Not quoted: the cell may hold personal data, and the report is kept.)
                row.error(
                    target,
                    _("This is a spreadsheet formula; formulas are not imported. Enter the value as text."),
                )
                continue
            found[target] = text
        if not any(found.values()):
            if not row.failed:
                row.row_error(_("The row names neither an organisation nor a person."))
            continue
        organisation = _clean_organisation(row, layout, vocabularies)
        person = _clean_person(row, layout, vocabularies)
        if organisation is None and person is None and not row.failed:
            if any(target.startswith("organisation.") for target in found):
                row.row_error(_("The organisation's name is missing."))
            else:
                row.row_error(_("The row names neither an organisation nor a person."))
        if row.failed:
            continue
        org_index: int | None = None
        if organisation is not None:
            name = organisation.values["name"]
            key = name_keys.get(name)
            if key is None:
                key = name_keys[name] = name_key(name)
            organisation.__dict__["stored_name_key"] = key  # (a cached_property)
            org_index = _add_organisation(
                plan, row, organisation, by_group, org_by_email, org_by_domain, person
            )
            if row.failed:
                continue
        if person is not None:
            person.organisation = org_index
            _add_person(plan, row, person, person_by_email, person_by_name)
    return plan


def _clean_organisation(row: Row, layout: _Layout, vocabularies: Vocabularies) -> OrganisationRecord | None:
    found = row.cells
    present = [target for target in found if target in layout.organisation_fields]
    if not present:
        return None
    name = found.get("organisation.name")
    if not name:
        if not row.failed:
            row.row_error(
                _("The row has data of an organisation but no name (column “%(column)s”).")
                % {"column": row.column(present[0])}
            )
        return None
    values: dict[str, Any] = {}
    headers = layout.headers
    columns = {layout.organisation_fields[target]: headers[target] for target in present if found[target]}
    _texts(row, layout.organisation_texts, values)
    record = OrganisationRecord(rows=[row.number], values=values, columns=columns)
    # Kind and sub-kind: the sub-kind tells the kind where no kind is given; default company.
    kind = (
        cells.known(row, "organisation.kind", vocabularies.kinds) if found.get("organisation.kind") else None
    )
    sub_kind = ""
    if found.get("organisation.sub_kind"):
        sub_kind = cells.known(row, "organisation.sub_kind", vocabularies.sub_kinds) or ""
    if kind is None and sub_kind:
        kind = next((k for k, subs in vocabularies.sub_kinds_of.items() if sub_kind in subs), None)
    kind = kind or "company"
    if sub_kind and sub_kind not in vocabularies.sub_kinds_of.get(kind, ()):
        row.error(
            "organisation.sub_kind",
            _("The sub-kind “%(sub_kind)s” does not belong to the kind “%(kind)s”.")
            % {"sub_kind": row.text("organisation.sub_kind"), "kind": row.text("organisation.kind") or kind},
        )
    values["kind"] = kind
    values["sub_kind"] = sub_kind
    if found.get("organisation.sector"):
        values["sector_id"] = cells.sector(row, vocabularies)
    if found.get("organisation.trade"):
        values["trade_id"] = cells.known(row, "organisation.trade", vocabularies.trades)
        if kind != "company":
            row.error("organisation.trade", _("Only companies (craft businesses) have a trade."))
    phone = values.get("phone", "")
    if phone and vocabularies.organisation_phone and not re.match(vocabularies.organisation_phone, phone):
        row.error("organisation.phone", _("Enter a phone number of digits, spaces and + ( ) / - only."))
    if found.get("organisation.headcount_band"):
        values["headcount_band"] = cells.headcount(row, vocabularies)
    if found.get("organisation.founding_year"):
        values["founding_year"] = cells.year(row, vocabularies)
    postcode = cells.postcode(row, "organisation.postcode")
    if postcode:
        values["postcode"] = postcode
    email = cells.email(row, "organisation.email", vocabularies)
    if email:
        values["email"] = email
    website = cells.website(row, vocabularies)
    if website:
        values["website"] = website
    if "organisation.alliance_status" in found or "organisation.alliance_since" in found:
        cells.alliance(row, values, vocabularies)
    if "organisation.needs" in found:
        record.needs = cells.terms(row, "organisation.needs", vocabularies.needs)
    if "organisation.motivations" in found:
        record.motivations = cells.terms(row, "organisation.motivations", vocabularies.motivations)
    if "organisation.labs" in found:
        record.labs = cells.labs(row, vocabularies)
    return record


def _clean_person(row: Row, layout: _Layout, vocabularies: Vocabularies) -> PersonRecord | None:
    # A consent column saying “no” alone does not make a person.
    present = [
        target
        for target, text in row.cells.items()
        if text
        and (target.startswith("person.") or (target.startswith("consent.") and not cells.says_no(text)))
    ]
    if not present:
        return None
    values: dict[str, Any] = {}
    columns: dict[str, str] = {}
    headers = layout.headers
    for target in present:
        columns[target.removeprefix("person.")] = headers[target]
    _texts(row, layout.person_texts, values)
    full_name = row.text("person.name")
    if full_name:
        salutation, first, last = cells.split_full_name(full_name)
        columns.update(first_name=row.column("person.name"), last_name=row.column("person.name"))
        if salutation and not values.get("salutation"):
            values["salutation"] = salutation
        for key, value in (("first_name", first), ("last_name", last)):
            limit = vocabularies.max_lengths.get(f"person.{key}")
            if limit and len(value) > limit:
                row.error("person.name", _("The name is too long."))
            values[key] = value
    if not values.get("last_name"):
        message = _("The person's last name is missing.")
        if row.column("person.last_name"):
            row.error("person.last_name", message)
        elif row.column("person.name"):
            row.error("person.name", message)
        else:
            row.row_error(message)
    email = cells.email(row, "person.email", vocabularies)
    if email:
        values["email"] = email
    record = PersonRecord(row=row.number, values=values, columns=columns)
    for purpose, target in CONSENT_TARGETS:
        text = row.text(target)
        if not text:
            continue
        consent = cells.consent(row, target, text, vocabularies)
        if consent is False:
            continue
        if purpose not in vocabularies.purposes_with_text:
            row.error(
                target,
                _(
                    "There is no consent text for “%(purpose)s” yet; the office writes one before importing consents."
                )
                % {"purpose": target_label(target)},
            )
            continue
        record.consents.append((purpose, consent if isinstance(consent, dt.date) else None))
    return record


def _add_organisation(
    plan: Plan,
    row: Row,
    record: OrganisationRecord,
    by_group: dict[tuple[str, str], int],
    by_email: dict[str, int],
    by_domain: dict[str, int],
    person: PersonRecord | None,
) -> int | None:
    """The index of the organisation in the plan; rows naming the same one share it."""
    index = by_group.get(record.group_key)
    if index is not None:
        first = plan.organisations[index]
        if person is None:
            row.row_error(
                _("The row repeats the organisation “%(name)s” of row %(row)s.")
                % {"name": first.values["name"], "row": first.rows[0]}
            )
            return None
        for key, value in record.values.items():
            if key == "name" or (key in ("kind", "sub_kind") and key not in record.columns):
                continue  # the first row's spelling of the name wins; kinds not given are defaults
            known = first.values.get(key)
            if known in (None, "") or (key in ("kind", "sub_kind") and key not in first.columns):
                continue
            if value not in (None, "") and value != known:
                column = record.columns.get(key, "")
                message = _("Row %(row)s gives the same organisation with “%(value)s”.") % {
                    "row": first.rows[0],
                    "value": short(str(known)),
                }
                row.errors.append(CellError(row.number, column, message))
                row.failed = True
        if row.failed:
            return None
        for key, value in record.values.items():
            if value not in (None, "") and first.values.get(key) in (None, ""):
                first.fill(key, value, record.columns.get(key, ""))
        for name in ("needs", "motivations", "labs"):
            merged = getattr(first, name)
            merged.extend(item for item in getattr(record, name) if item not in merged)
        first.rows.append(row.number)
        return index
    email_key, domain = record.email_key, record.web_domain
    for key, lookup, target in (
        (email_key, by_email, "organisation.email"),
        (domain, by_domain, "organisation.website"),
    ):
        other = lookup.get(key) if key else None
        if other is not None:
            first = plan.organisations[other]
            what = _("e-mail address") if target == "organisation.email" else _("website")
            row.error(
                target,
                _("The organisation “%(name)s” of row %(row)s has the same %(what)s.")
                % {"name": first.values["name"], "row": first.rows[0], "what": what},
            )
    if row.failed:
        return None
    index = len(plan.organisations)
    plan.organisations.append(record)
    by_group[record.group_key] = index
    if email_key:
        by_email[email_key] = index
    if domain:
        by_domain[domain] = index
    return index


def _add_person(
    plan: Plan,
    row: Row,
    record: PersonRecord,
    by_email: dict[str, int],
    by_name: dict[tuple[int, str, str], int],
) -> None:
    email = record.email_key
    if email and email in by_email:
        first = plan.people[by_email[email]]
        row.error(
            "person.email", _("The person of row %(row)s has the same e-mail address.") % {"row": first.row}
        )
        return
    if record.organisation is not None:
        key = (record.organisation, *record.name_keys)
        if key in by_name:
            first = plan.people[by_name[key]]
            row.row_error(
                _("Row %(row)s names the same person at the same organisation.") % {"row": first.row}
            )
            return
        by_name[key] = len(plan.people)
    if email:
        by_email[email] = len(plan.people)
    plan.people.append(record)
