"""Duplicates of existing records: same name and postcode, same e-mail address, same web domain;
people: same e-mail address, same name at the same organisation (pure: the service loads the
``ExistingIndex``). Also the counts of a plan and the merge-or-skip decisions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from reallabor.actors.importing.records import OrganisationRecord, PersonRecord, Plan

REASON_NAME_POSTCODE = "name_postcode"
REASON_EMAIL = "email"
REASON_WEB_DOMAIN = "web_domain"
REASON_NAME_AT_ORGANISATION = "name_at_organisation"
REASON_LABELS: dict[str, Promise] = {
    REASON_NAME_POSTCODE: gettext_lazy("same name and postcode"),
    REASON_EMAIL: gettext_lazy("same e-mail address"),
    REASON_WEB_DOMAIN: gettext_lazy("same website"),
    REASON_NAME_AT_ORGANISATION: gettext_lazy("same name at the same organisation"),
}


@dataclass
class ExistingIndex:
    """Existing records by their duplicate keys (only the keys the file uses), built by the service."""

    organisations_by_name: dict[tuple[str, str], int] = field(default_factory=dict)
    organisations_by_email: dict[str, int] = field(default_factory=dict)
    organisations_by_domain: dict[str, int] = field(default_factory=dict)
    people_by_email: dict[str, int] = field(default_factory=dict)
    people_by_name: dict[tuple[int, str, str], int] = field(default_factory=dict)


def organisation_keys(plan: Plan) -> tuple[set[str], set[str], set[str]]:
    """The name keys, e-mail addresses (lower case) and web domains of the file's organisations."""
    names = {record.name_key for record in plan.organisations}
    emails = {record.email_key for record in plan.organisations if record.email_key}
    domains = {record.web_domain for record in plan.organisations if record.web_domain}
    return names, emails, domains


def person_emails(plan: Plan) -> set[str]:
    return {record.email_key for record in plan.people if record.email_key}


def match_organisations(plan: Plan, index: ExistingIndex) -> None:
    """Set ``existing`` and ``reasons`` of the organisations that exist already."""
    for record in plan.organisations:
        found: dict[int, list[str]] = {}
        candidates = (
            (index.organisations_by_name.get(record.group_key), REASON_NAME_POSTCODE),
            (index.organisations_by_email.get(record.email_key) if record.email_key else None, REASON_EMAIL),
            (
                index.organisations_by_domain.get(record.web_domain) if record.web_domain else None,
                REASON_WEB_DOMAIN,
            ),
        )
        for pk, reason in candidates:
            if pk is not None:
                found.setdefault(pk, []).append(reason)
        if found:
            record.existing, record.reasons = next(iter(found.items()))


def match_people(plan: Plan, index: ExistingIndex) -> None:
    """Set ``existing`` and ``reasons`` of the people that exist already (organisations matched first)."""
    for record in plan.people:
        pk: int | None = None
        reasons: list[str] = []
        if record.email_key and record.email_key in index.people_by_email:
            pk = index.people_by_email[record.email_key]
            reasons.append(REASON_EMAIL)
        if record.organisation is not None:
            organisation = plan.organisations[record.organisation].existing
            if organisation is not None:
                other = index.people_by_name.get((organisation, *record.name_keys))
                if other is not None and (pk is None or pk == other):
                    pk = other
                    reasons.append(REASON_NAME_AT_ORGANISATION)
        record.existing, record.reasons = pk, reasons


def plan_counts(plan: Plan) -> dict[str, int]:
    return {
        "rows": plan.rows,
        "new_organisations": sum(1 for record in plan.organisations if record.existing is None),
        "duplicate_organisations": sum(1 for record in plan.organisations if record.existing is not None),
        "new_people": sum(1 for record in plan.people if record.existing is None),
        "duplicate_people": sum(1 for record in plan.people if record.existing is not None),
        "consents": sum(len(record.consents) for record in plan.people),
        "errors": len(plan.errors),
    }


def decisions_for(plan: Plan, decisions: Mapping[str, str] | None, default: str = "skip") -> dict[str, str]:
    """merge or skip for every duplicate of the plan (the given decisions, else ``default``)."""
    decisions = decisions or {}
    result: dict[str, str] = {}
    records: Iterable[OrganisationRecord | PersonRecord] = [*plan.organisations, *plan.people]
    for record in records:
        if record.existing is not None:
            choice = decisions.get(record.key, default)
            result[record.key] = choice if choice in ("merge", "skip") else default
    return result
