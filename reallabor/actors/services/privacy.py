"""Data protection: the audit trail of personal data, export, erasure, anonymisation and the
retention rule.

- ``log_access``: who viewed, exported, anonymised or erased whose data (the audit trail).
- ``export_person``: everything stored about a person as plain JSON-ready data (Art. 15/20 DSGVO).
- ``erase_person``: the person and everything personal about them are deleted (Art. 17 DSGVO);
  interactions they took part in remain and count them as an anonymous participant.
- ``anonymise_person``: the record stays for statistics (organisations and roles, needs and
  motivations) without name, contact data and notes; every consent is withdrawn.
- ``flagged_for_retention``: the retention rule (see its docstring).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid as uuid_module
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.actors import permissions
from reallabor.actors.importing.values import short
from reallabor.actors.models import (
    Affiliation,
    Consent,
    FollowUp,
    ImportJob,
    Interaction,
    MailingRecipient,
    Person,
    PersonalDataAccess,
    Relationship,
    StakeholderPosition,
)
from reallabor.history.models import Version
from reallabor.taxonomy.models import Tag

SCRUBBED = "[…]"
"""Replaces the name, e-mail address and phone numbers of an erased or anonymised person in the
free texts of the interactions they took part in (subject, notes, follow-ups) and in the import
reports."""

PERSONAL_FIELDS = (
    "salutation",
    "first_name",
    "last_name",
    "function",
    "email",
    "email_confirmed",
    "phone",
    "mobile",
    "street",
    "postcode",
    "notes",
)
"""Blanked by ``anonymise_person``; city and district stay for statistics."""


# Other apps' personal data -----------------------------------------------------------------------


@dataclass(frozen=True)
class PersonalDataHolder:
    """Personal data another app (events, offers …) keeps about a person, registered in its
    AppConfig.ready() with ``holds_personal_data``: ``export`` gives it as plain data (a section of
    the person export named ``name``); ``erase`` and ``anonymise`` remove what identifies the person,
    inside the erasure's transaction and before the person is deleted or blanked. ``needles`` are the
    person's name and contact data as free texts may hold them (``scrub``)."""

    name: str
    export: Callable[[Person], Any]
    erase: Callable[[Person, list[str]], None]
    anonymise: Callable[[Person, list[str]], None]


_HOLDERS: dict[str, PersonalDataHolder] = {}


def holds_personal_data(holder: PersonalDataHolder) -> None:
    _HOLDERS[holder.name] = holder


# The audit trail ---------------------------------------------------------------------------------


def log_access(
    *,
    user: Any,
    person: Person | None,
    action: str,
    detail: str = "",
    person_uuid: uuid_module.UUID | None = None,
) -> PersonalDataAccess:
    """Record that ``user`` viewed, exported, anonymised or erased a person's data (or a list).

    ``person_uuid`` alone (``person`` None) records an access to a person who no longer exists.
    """
    return PersonalDataAccess.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        person=person,
        person_uuid=person.uuid if person is not None else person_uuid,
        detail=detail[:500],
    )


@dataclass(frozen=True)
class AuditFilter:
    """Filters of the audit trail (all optional)."""

    user: str = ""
    action: str = ""
    person_uuid: uuid_module.UUID | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_entries(*, user: Any, filters: AuditFilter | None = None) -> QuerySet[PersonalDataAccess]:
    """The audit trail, newest first, for administrators (``can_view_audit_trail``)."""
    if not permissions.can_view_audit_trail(user):
        raise PermissionDenied(_("Only administrators see the audit trail."))
    filters = filters or AuditFilter()
    entries = PersonalDataAccess.objects.select_related("user", "person").order_by("-at", "-id")
    words = filters.user.split()[:4]
    for word in words:
        entries = entries.filter(
            Q(user__email__icontains=word)
            | Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
        )
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.person_uuid:
        entries = entries.filter(person_uuid=filters.person_uuid)
    if filters.date_from:
        entries = entries.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        entries = entries.filter(at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    return entries


# Export --------------------------------------------------------------------------------------------

EXPORT_FORMAT = "reallabor.person-export"
EXPORT_VERSION = 1


def _when(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _user(user: Any) -> str | None:
    return str(user) if user is not None else None


def _tag_data(tag: Tag) -> dict[str, Any]:
    return {
        "vocabulary": tag.term.vocabulary.family,
        "code": tag.term.code,
        "name": tag.term.name,
        "note": tag.note,
        "recorded_at": _when(tag.created_at),
        "recorded_by": _user(tag.created_by),
    }


def person_data(person: Person) -> dict[str, Any]:
    return {
        "uuid": str(person.uuid),
        "salutation": person.salutation,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "function": person.function,
        "email": person.email,
        "phone": person.phone,
        "mobile": person.mobile,
        "street": person.street,
        "postcode": person.postcode,
        "city": person.city,
        "district": person.district,
        "notes": person.notes,
        "created_at": _when(person.created_at),
        "updated_at": _when(person.updated_at),
        "last_contact_at": _when(person.last_contact_at),
        "email_bounced_at": _when(person.email_bounced_at),
        "email_confirmed": person.email_confirmed,
        "email_confirmed_at": _when(person.email_confirmed_at),
        "anonymised_at": _when(person.anonymised_at),
    }


def collect_person_data(person: Person) -> dict[str, Any]:
    """Everything stored about ``person`` as plain data (no permission check, no logging)."""
    person_type = ContentType.objects.get_for_model(Person)
    tags = list(
        Tag.objects.filter(content_type=person_type, object_id=person.pk)
        .select_related("term__vocabulary", "created_by")
        .order_by("term__vocabulary__family", "position", "id")
    )
    relationships = []
    for relationship in Relationship.objects.filter(
        Q(source_person=person) | Q(target_person=person)
    ).select_related("source_person", "target_person", "created_by"):
        outgoing = relationship.source_person_id == person.pk
        other = relationship.target_person if outgoing else relationship.source_person
        relationships.append(
            {
                "kind": relationship.kind,
                "kind_label": str(relationship.get_kind_display()),
                "direction": "outgoing" if outgoing else "incoming",
                "other_person": {"uuid": str(other.uuid), "name": other.name} if other else None,
                "start_date": _when(relationship.start_date),
                "end_date": _when(relationship.end_date),
                "note": relationship.note,
                "recorded_at": _when(relationship.created_at),
                "recorded_by": _user(relationship.created_by),
            }
        )
    interactions = list(
        Interaction.objects.filter(participants=person)
        .select_related("staff", "organisation", "lab", "measure")
        .prefetch_related("follow_ups__assignee", "follow_ups__done_by")
        .order_by("-occurred_at", "-id")
    )
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "person": person_data(person),
        "affiliations": [
            {
                "organisation": {"slug": a.organisation.slug, "name": a.organisation.name},
                "role": a.role,
                "start_date": _when(a.start_date),
                "end_date": _when(a.end_date),
                "is_primary": a.is_primary,
            }
            for a in Affiliation.objects.filter(person=person).select_related("organisation")
        ],
        "relationships": relationships,
        "needs": [_tag_data(t) for t in tags if t.term.vocabulary.family == "needs"],
        "motivations": [_tag_data(t) for t in tags if t.term.vocabulary.family == "motivations"],
        "other_tags": [
            _tag_data(t) for t in tags if t.term.vocabulary.family not in ("needs", "motivations")
        ],
        "interactions": [
            {
                "uuid": str(i.uuid),
                "kind": i.kind,
                "kind_label": str(i.get_kind_display()),
                "occurred_at": _when(i.occurred_at),
                "subject": i.subject,
                "notes": i.notes,
                "staff": _user(i.staff),
                "organisation": {"slug": i.organisation.slug, "name": i.organisation.name}
                if i.organisation
                else None,
                "lab": i.lab.name if i.lab else None,
                "measure": i.measure.title if i.measure else None,
                "follow_ups": [
                    {
                        "title": f.title,
                        "due_date": _when(f.due_date),
                        "assignee": _user(f.assignee),
                        "done_at": _when(f.done_at),
                        "done_by": _user(f.done_by),
                    }
                    for f in i.follow_ups.all()
                ],
            }
            for i in interactions
        ],
        "stakeholder_positions": [
            {
                "lab": {"slug": s.lab.slug, "name": s.lab.name},
                "interest": s.interest,
                "influence": s.influence,
                "note": s.note,
                "assessed_at": _when(s.updated_at),
                "assessed_by": _user(s.assessed_by),
            }
            for s in StakeholderPosition.objects.filter(person=person)
            .select_related("lab", "assessed_by")
            .order_by("lab__name")
        ],
        "consents": [
            {
                "purpose": c.purpose,
                "purpose_label": str(c.get_purpose_display()),
                "source": c.source,
                "given_at": _when(c.given_at),
                "expires_at": _when(c.expires_at),
                "withdrawn_at": _when(c.withdrawn_at),
                "withdrawal_note": c.withdrawal_note,
                "valid_now": c.is_valid(),
                "recorded_by": _user(c.recorded_by),
                "text": {
                    "version": c.text.version,
                    "valid_from": _when(c.text.valid_from),
                    "text": c.text.text,
                },
            }
            for c in Consent.objects.filter(person=person).select_related("text", "recorded_by")
        ],
        "mailings": [
            {
                "mailing": {"uuid": str(r.mailing.uuid), "subject": r.mailing.subject},
                "email": r.email,
                "status": r.status,
                "sent_at": _when(r.sent_at),
            }
            for r in MailingRecipient.objects.filter(person=person).select_related("mailing").order_by("id")
        ],
        "audit_trail": [
            {"at": _when(e.at), "user": _user(e.user), "action": e.action, "detail": e.detail}
            for e in PersonalDataAccess.objects.filter(Q(person=person) | Q(person_uuid=person.uuid))
            .select_related("user")
            .order_by("at", "id")
        ],
        **{name: holder.export(person) for name, holder in _HOLDERS.items()},
    }


@transaction.atomic
def export_person(*, user: Any, person: Person) -> dict[str, Any]:
    """Everything stored about ``person`` (see ``collect_person_data``); the export is logged."""
    if not permissions.can_see_personal_data(user):
        raise PermissionDenied(_("Only the office's staff may export personal data."))
    data = collect_person_data(person)
    log_access(user=user, person=person, action=PersonalDataAccess.Action.EXPORTED)
    return data


# Erasure and anonymisation ------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureImpact:
    """What erasing (or anonymising) a person touches, counted before it happens."""

    affiliations: int
    relationships: int
    consents: int
    valid_consents: int
    tags: int
    stakeholder_positions: int
    interactions: int
    mailing_recipients: int
    audit_entries: int
    versions: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _person_versions(person: Person) -> QuerySet[Version]:
    return Version.objects.filter(content_type=ContentType.objects.get_for_model(Person), object_id=person.pk)


def _person_tags(person: Person) -> QuerySet[Tag]:
    return Tag.objects.filter(content_type=ContentType.objects.get_for_model(Person), object_id=person.pk)


def erasure_impact(person: Person) -> ErasureImpact:
    return ErasureImpact(
        affiliations=Affiliation.objects.filter(person=person).count(),
        relationships=Relationship.objects.filter(Q(source_person=person) | Q(target_person=person)).count(),
        consents=Consent.objects.filter(person=person).count(),
        valid_consents=Consent.objects.valid().filter(person=person).count(),
        tags=_person_tags(person).count(),
        stakeholder_positions=StakeholderPosition.objects.filter(person=person).count(),
        interactions=Interaction.objects.filter(participants=person).count(),
        mailing_recipients=MailingRecipient.objects.filter(person=person).count(),
        audit_entries=PersonalDataAccess.objects.filter(person=person).count(),
        versions=_person_versions(person).count(),
    )


def _needles(person: Person) -> list[str]:
    """The strings that identify the person in free texts (longest first): the full name both
    ways round, the last name alone, the e-mail address and the phone numbers."""
    full = " ".join(part for part in (person.first_name, person.last_name) if part)
    reversed_name = ", ".join(part for part in (person.last_name, person.first_name) if part)
    candidates = [full, reversed_name, person.email, person.phone, person.mobile]
    found = {c.strip() for c in candidates if c and len(c.strip()) >= 5}
    if len(person.last_name.strip()) >= 4:
        found.add(person.last_name.strip())
    return sorted(found, key=len, reverse=True)


def scrub(text: str, needles: list[str]) -> str:
    """``text`` with every needle (as a whole word, case-insensitive) replaced by ``SCRUBBED``."""
    for needle in needles:
        text = re.sub(rf"(?<!\w){re.escape(needle)}(?!\w)", SCRUBBED, text, flags=re.IGNORECASE)
    return text


def _scrub_value(value: Any, needles: list[str]) -> Any:
    if isinstance(value, str):
        return scrub(value, needles)
    if isinstance(value, list):
        return [_scrub_value(item, needles) for item in value]
    if isinstance(value, dict):
        return {key: _scrub_value(item, needles) for key, item in value.items()}
    return value


def _scrub_import_reports(person: Person, needles: list[str]) -> None:
    """Remove the person from the stored import reports: the names of a duplicate that points at
    them (by uuid), and their name and contact data wherever else a report quotes them (the
    names of other duplicates, cell values quoted in error messages, also when cut short)."""
    reference = str(person.uuid)
    needles = sorted({*needles, *(short(needle) for needle in needles)}, key=len, reverse=True)
    lowered = [needle.lower() for needle in needles]
    for job in ImportJob.objects.only("pk", "report").iterator(chunk_size=50):
        text = json.dumps(job.report, ensure_ascii=False).lower()
        if reference not in text and not any(needle in text for needle in lowered):
            continue
        report = _scrub_value(job.report, needles)
        for item in report.get("duplicates", []) if isinstance(report, dict) else []:
            existing = item.get("existing") or {}
            if item.get("kind") == "person" and existing.get("uuid") == reference:
                item["name"] = existing["name"] = SCRUBBED
        if report != job.report:
            ImportJob.objects.filter(pk=job.pk).update(report=report)


def _scrub_free_texts(person: Person) -> None:
    """Remove the person's name and contact data from the texts about the interactions they took
    part in, from the details of the audit entries about them and from the import reports."""
    needles = _needles(person)
    _scrub_import_reports(person, needles)
    if not needles:
        return
    for interaction in Interaction.objects.filter(participants=person).only("subject", "notes"):
        subject, notes = scrub(interaction.subject, needles), scrub(interaction.notes, needles)
        if (subject, notes) != (interaction.subject, interaction.notes):
            Interaction.objects.filter(pk=interaction.pk).update(subject=subject[:200], notes=notes)
    for follow_up in FollowUp.objects.filter(interaction__participants=person).only("title"):
        title = scrub(follow_up.title, needles)
        if title != follow_up.title:
            FollowUp.objects.filter(pk=follow_up.pk).update(title=title[:200])
    for entry in PersonalDataAccess.objects.filter(person=person).exclude(detail="").only("detail"):
        detail = scrub(entry.detail, needles)
        if detail != entry.detail:
            PersonalDataAccess.objects.filter(pk=entry.pk).update(detail=detail[:500])


def _forget_mail_addresses(person: Person, *, unlink: bool) -> None:
    """Blank the e-mail address in the mailing log (and unlink the person); a recipient still
    waiting to be sent is skipped."""
    changes: dict[str, Any] = {
        "email": "",
        "status": Case(
            When(status=MailingRecipient.Status.QUEUED, then=Value(MailingRecipient.Status.SKIPPED)),
            default=F("status"),
        ),
    }
    if unlink:
        changes["person"] = None
    MailingRecipient.objects.filter(person=person).update(**changes)


def _locked(person: Person) -> Person:
    locked = Person.objects.select_for_update().filter(pk=person.pk).first()
    if locked is None:
        raise ValidationError({"person": _("This person does not exist any more.")})
    return locked


@transaction.atomic
def erase_person(*, user: Any, person: Person) -> ErasureImpact:
    """Delete ``person`` and everything personal about them, in one transaction.

    Deleted: the person, their affiliations, relationships, consents, needs and motivations (tags),
    stakeholder positions and change history. Kept without the person: the interactions they
    took part in (each counts one more anonymous participant; their name and contact data are
    removed from its subject, notes and follow-ups), the mailing log (person and e-mail address
    removed), the import reports (their name and contact data removed) and the audit trail (the
    uuid only). Administrators only.
    """
    if not permissions.can_erase_people(user):
        raise PermissionDenied(_("Only administrators may erase people."))
    person = _locked(person)
    impact = erasure_impact(person)
    person_uuid = person.uuid
    needles = _needles(person)
    for holder in _HOLDERS.values():
        holder.erase(person, needles)
    _scrub_free_texts(person)
    Interaction.objects.filter(participants=person).update(
        anonymous_participants=F("anonymous_participants") + 1
    )
    Interaction.participants.through.objects.filter(person=person).delete()
    _forget_mail_addresses(person, unlink=True)
    _person_tags(person).delete()
    _person_versions(person).delete()
    PersonalDataAccess.objects.filter(person=person).update(person=None)
    person.delete()  # affiliations, relationships, stakeholder positions and consents go with it
    log_access(user=user, person=None, person_uuid=person_uuid, action=PersonalDataAccess.Action.ERASED)
    return impact


@transaction.atomic
def anonymise_person(*, user: Any, person: Person) -> Person:
    """Keep ``person`` for statistics without anything that identifies them.

    Kept: the record (shown as “anonymised person”) with city and district, affiliations
    (organisation and role), needs and motivations, relationships and stakeholder positions
    (their notes blanked), interaction participation and the mailing log (e-mail address blanked).
    Blanked: name, salutation, function, contact data, address and notes (their name and contact
    data also in the import reports); every consent is withdrawn and the change history of the
    person is deleted. Administrators only.
    """
    if not permissions.can_erase_people(user):
        raise PermissionDenied(_("Only administrators may anonymise people."))
    person = _locked(person)
    if person.anonymised_at is not None:
        raise ValidationError({"person": _("This person has been anonymised already.")})
    needles = _needles(person)
    for holder in _HOLDERS.values():
        holder.anonymise(person, needles)
    _scrub_free_texts(person)
    _forget_mail_addresses(person, unlink=False)
    Consent.objects.filter(person=person, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawal_note=_("anonymised")[:200]
    )
    Relationship.objects.filter(Q(source_person=person) | Q(target_person=person)).update(note="")
    StakeholderPosition.objects.filter(person=person).update(note="")
    _person_versions(person).delete()
    for field in PERSONAL_FIELDS:
        setattr(person, field, "")
    person.anonymised_at = timezone.now()
    person.revision += 1
    person.save(update_fields=[*PERSONAL_FIELDS, "anonymised_at", "revision", "updated_at"])
    log_access(user=user, person=person, action=PersonalDataAccess.Action.ANONYMISED)
    return person


# Retention --------------------------------------------------------------------------------------


def retention_years() -> int:
    """``REALLABOR_RETENTION_YEARS`` (default 3)."""
    return max(1, int(getattr(settings, "REALLABOR_RETENTION_YEARS", 3)))


def retention_cutoff(years: int, now: dt.datetime | None = None) -> dt.datetime:
    """The moment ``years`` calendar years before ``now`` (29 February becomes 28 February)."""
    now = now or timezone.now()
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def flagged_for_retention(
    *, user: Any, years: int | None = None, now: dt.datetime | None = None
) -> QuerySet[Person]:
    """The people the retention rule flags for erasure or anonymisation, oldest record first.

    A person is flagged when, with N = ``years`` (default ``REALLABOR_RETENTION_YEARS``), all of:

    - the record was created more than N years ago,
    - they took part in no interaction dated within the last N years (or later),
    - they have no consent that is valid now (given, not withdrawn, not expired; a consent
      dated in the future does not count), and
    - they have not been anonymised already.

    Each person carries ``last_interaction_at`` (their latest interaction, or None).
    """
    if not permissions.can_see_personal_data(user):
        raise PermissionDenied(_("Only the office's staff see personal data."))
    years = years if years is not None else retention_years()
    if years < 1:
        raise ValidationError({"years": _("The number of years must be at least 1.")})
    moment = now or timezone.now()
    cutoff = retention_cutoff(years, moment)
    participations = Interaction.participants.through.objects.filter(person_id=OuterRef("pk"))
    recent = participations.filter(interaction__occurred_at__gte=cutoff)
    latest = participations.order_by("-interaction__occurred_at").values("interaction__occurred_at")[:1]
    valid = Consent.objects.valid(moment).filter(person_id=OuterRef("pk"))
    return (
        Person.objects.visible_to(user)
        .filter(anonymised_at__isnull=True, created_at__lt=cutoff)
        .filter(~Exists(recent), ~Exists(valid))
        .annotate(last_interaction_at=Subquery(latest))
        .order_by("created_at", "id")
    )
