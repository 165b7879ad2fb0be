"""Duplicates already in the database: finding them (GROUP BY queries) and merging two records.

Organisations are duplicates when they share the name key and postcode, the e-mail address or
the web domain; people when they share the e-mail address or have the same name at the same
organisation. Finding them scales: one GROUP BY query per reason gives the keys (no pairwise
comparison in Python), and the members are loaded for the keys shown only.

Merging moves everything that points at the removed record to the kept one (roles, interactions,
relationships, needs, stakeholder positions, lab roles, measure rows, coordination, consents,
mailing log, audit trail), fills the kept record's empty fields from the removed one, records
the history of both and of every lab and measure whose state changed, and deletes the removed
record — all in one transaction, or nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Max, ProtectedError, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reallabor.actors import permissions
from reallabor.actors.models import (
    Affiliation,
    Interaction,
    MailingRecipient,
    Person,
    PersonalDataAccess,
    Relationship,
    StakeholderPosition,
)
from reallabor.actors.services.people import person_state
from reallabor.core.cache import content_changed
from reallabor.history.services import record_version
from reallabor.labs.models import Actor, Lab, LabOrganisation, Measure
from reallabor.labs.services.states import lab_state, measure_state
from reallabor.organisations.keys import name_key, web_domain
from reallabor.organisations.models import SUB_KINDS, Organisation
from reallabor.organisations.services import organisation_state
from reallabor.taxonomy.models import Tag

IN_LIMIT = 900

BY_NAME_POSTCODE = "name_postcode"
BY_EMAIL = "email"
BY_WEB_DOMAIN = "web_domain"
BY_NAME_AT_ORGANISATION = "name_at_organisation"
REASONS = {
    BY_NAME_POSTCODE: gettext_lazy("same name and postcode"),
    BY_EMAIL: gettext_lazy("same e-mail address"),
    BY_WEB_DOMAIN: gettext_lazy("same website"),
    BY_NAME_AT_ORGANISATION: gettext_lazy("same name at the same organisation"),
}


@dataclass(frozen=True)
class DuplicateKey:
    """One group of duplicates: why, and the value they share (e-mail, domain, name key …)."""

    reason: str
    value: tuple[Any, ...]
    size: int

    @property
    def reason_label(self) -> str:
        return str(REASONS[self.reason])


@dataclass
class DuplicateGroup:
    reasons: list[str]
    shared: str  # what they share, for people to read
    members: list[Any] = field(default_factory=list)

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASONS[reason]) for reason in self.reasons]


def _chunks[T](items: Sequence[T], size: int = IN_LIMIT) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Finding: organisations -----------------------------------------------------------------------------


def duplicate_organisation_keys() -> list[DuplicateKey]:
    """The keys shared by two or more organisations (three GROUP BY queries)."""
    keys: list[DuplicateKey] = []
    rows = (
        Organisation.objects.exclude(name_key="")
        .values("name_key", "postcode")
        .annotate(size=Count("id"))
        .filter(size__gt=1)
        .order_by("name_key", "postcode")
    )
    keys += [DuplicateKey(BY_NAME_POSTCODE, (row["name_key"], row["postcode"]), row["size"]) for row in rows]
    emails = (
        Organisation.objects.exclude(email="")
        .values(email_lower=Lower("email"))
        .annotate(size=Count("id"))
        .filter(size__gt=1)
        .order_by("email_lower")
    )
    keys += [DuplicateKey(BY_EMAIL, (row["email_lower"],), row["size"]) for row in emails]
    domains = (
        Organisation.objects.exclude(web_domain="")
        .values("web_domain")
        .annotate(size=Count("id"))
        .filter(size__gt=1)
        .order_by("web_domain")
    )
    keys += [DuplicateKey(BY_WEB_DOMAIN, (row["web_domain"],), row["size"]) for row in domains]
    return keys


ORGANISATION_COLUMNS = (
    "pk",
    "slug",
    "name",
    "kind",
    "postcode",
    "city",
    "email",
    "website",
    "name_key",
    "web_domain",
)


def organisation_groups(keys: Sequence[DuplicateKey]) -> list[DuplicateGroup]:
    """The organisations of the given keys; groups with the same members are shown once."""
    members: dict[DuplicateKey, list[Organisation]] = defaultdict(list)
    by_reason: dict[str, list[DuplicateKey]] = defaultdict(list)
    for key in keys:
        by_reason[key.reason].append(key)
    base = Organisation.objects.only(*ORGANISATION_COLUMNS[1:]).order_by("name", "id")
    for chunk in _chunks(by_reason[BY_NAME_POSTCODE]):
        by_name = {key.value: key for key in chunk}
        for organisation in base.filter(name_key__in={key.value[0] for key in chunk}):
            found = by_name.get((organisation.name_key, organisation.postcode))
            if found is not None:
                members[found].append(organisation)
    for chunk in _chunks(by_reason[BY_EMAIL]):
        by_email = {key.value[0].casefold(): key for key in chunk}
        emails = [key.value[0] for key in chunk]
        for organisation in base.alias(email_lower=Lower("email")).filter(email_lower__in=emails):
            match = by_email.get(organisation.email.casefold())
            if match is not None:
                members[match].append(organisation)
    for chunk in _chunks(by_reason[BY_WEB_DOMAIN]):
        by_domain = {key.value[0]: key for key in chunk}
        for organisation in base.filter(web_domain__in=list(by_domain)):
            members[by_domain[organisation.web_domain]].append(organisation)
    return _combine(keys, members, _organisation_shared)


def _organisation_shared(key: DuplicateKey, members: Sequence[Any]) -> str:
    if key.reason == BY_NAME_POSTCODE:
        name = members[0].name if members else key.value[0]
        return " · ".join(part for part in (name, key.value[1]) if part)
    return str(key.value[0])


def _combine(
    keys: Sequence[DuplicateKey], members: dict[DuplicateKey, list[Any]], shared: Any
) -> list[DuplicateGroup]:
    groups: dict[tuple[int, ...], DuplicateGroup] = {}
    for key in keys:
        found = members.get(key, [])
        if len(found) < 2:
            continue
        ids = tuple(sorted(member.pk for member in found))
        if ids in groups:
            groups[ids].reasons.append(key.reason)
        else:
            groups[ids] = DuplicateGroup(reasons=[key.reason], shared=shared(key, found), members=found)
    return list(groups.values())


def find_duplicate_organisations() -> list[DuplicateGroup]:
    """Every group of duplicate organisations, with the reasons."""
    return organisation_groups(duplicate_organisation_keys())


# Finding: people --------------------------------------------------------------------------------


def _people() -> models.QuerySet[Person]:
    return Person.objects.filter(anonymised_at__isnull=True)


def duplicate_person_keys() -> list[DuplicateKey]:
    keys: list[DuplicateKey] = []
    emails = (
        _people()
        .exclude(email="")
        .values(email_lower=Lower("email"))
        .annotate(size=Count("id"))
        .filter(size__gt=1)
        .order_by("email_lower")
    )
    keys += [DuplicateKey(BY_EMAIL, (row["email_lower"],), row["size"]) for row in emails]
    names = (
        Affiliation.objects.filter(person__anonymised_at__isnull=True)
        .values("organisation_id", first=Lower("person__first_name"), last=Lower("person__last_name"))
        .annotate(size=Count("person_id", distinct=True))
        .filter(size__gt=1)
        .order_by("organisation_id", "last", "first")
    )
    keys += [
        DuplicateKey(
            BY_NAME_AT_ORGANISATION, (row["organisation_id"], row["first"], row["last"]), row["size"]
        )
        for row in names
    ]
    return keys


def person_groups(keys: Sequence[DuplicateKey]) -> list[DuplicateGroup]:
    members: dict[DuplicateKey, list[Person]] = defaultdict(list)
    by_reason: dict[str, list[DuplicateKey]] = defaultdict(list)
    for key in keys:
        by_reason[key.reason].append(key)
    base = _people().order_by("last_name", "first_name", "id")
    # Python's casefold on both sides: SQLite's LOWER() leaves non-ASCII letters as they are.
    for chunk in _chunks(by_reason[BY_EMAIL]):
        by_email = {key.value[0].casefold(): key for key in chunk}
        emails = [key.value[0] for key in chunk]
        for found in base.alias(email_lower=Lower("email")).filter(email_lower__in=emails):
            match = by_email.get(found.email.casefold())
            if match is not None:
                members[match].append(found)
    organisations: dict[int, str] = {}
    for chunk in _chunks(by_reason[BY_NAME_AT_ORGANISATION]):
        by_name = {(key.value[0], key.value[1].casefold(), key.value[2].casefold()): key for key in chunk}
        rows = (
            Affiliation.objects.filter(
                organisation_id__in={key.value[0] for key in chunk}, person__anonymised_at__isnull=True
            )
            .select_related("person", "organisation")
            .order_by("person__last_name", "person__first_name", "person_id")
        )
        for row in rows:
            person = row.person
            match = by_name.get(
                (row.organisation_id, person.first_name.casefold(), person.last_name.casefold())
            )
            if match is not None and person not in members[match]:
                members[match].append(person)
                organisations[row.organisation_id] = row.organisation.name

    def shared(key: DuplicateKey, found: Sequence[Person]) -> str:
        if key.reason == BY_NAME_AT_ORGANISATION:
            return f"{found[0].name} · {organisations.get(key.value[0], '')}"
        return str(key.value[0])

    return _combine(keys, members, shared)


def find_duplicate_people() -> list[DuplicateGroup]:
    return person_groups(duplicate_person_keys())


# Merging ----------------------------------------------------------------------------------------

ORGANISATION_FILL = (
    "sub_kind", "sector", "trade", "headcount_band", "founding_year", "street", "postcode", "city",
    "district", "quarter", "email", "phone", "website", "alliance_status", "alliance_since", "profile_text",
)  # fmt: skip
PERSON_FILL = (
    "salutation", "first_name", "function", "email", "phone", "mobile", "street", "postcode", "city",
    "district", "notes",
)  # fmt: skip

# Every relation pointing at an organisation or a person (model.field) that merging moves. A new
# relation (events, offers …) makes ``test_merging_knows_every_relation`` fail until it is handled.
ORGANISATION_RELATIONS = frozenset(
    {
        "actors.Affiliation.organisation",
        "actors.Person.organisations",  # through Affiliation
        "actors.Interaction.organisation",
        "actors.Relationship.source_organisation",
        "actors.Relationship.target_organisation",
        "actors.StakeholderPosition.organisation",
        "labs.Actor.organisation",
        "labs.Lab.coordinator",
        "labs.LabOrganisation.organisation",
        "labs.Measure.coordinators",
        "labs.Measure_coordinators.organisation",
    }
)
PERSON_RELATIONS = frozenset(
    {
        "actors.Affiliation.person",
        "actors.Consent.person",
        "actors.Interaction.participants",
        "actors.Interaction_participants.person",
        "actors.MailingRecipient.person",
        "actors.PersonalDataAccess.person",
        "actors.Relationship.source_person",
        "actors.Relationship.target_person",
        "actors.StakeholderPosition.person",
    }
)


# What other apps (events, offers …) move when two records are merged: ``(keep, remove)``, inside
# the merge's transaction, before ``remove`` is deleted. Registered in their AppConfig.ready() with
# ``on_merge``, which also names the relations each hook handles.
MergeHook = Callable[[Any, Any], None]
_HOOKS: dict[str, list[tuple[frozenset[str], MergeHook]]] = {"organisation": [], "person": []}
_BUILT_IN = {"organisation": ORGANISATION_RELATIONS, "person": PERSON_RELATIONS}


def on_merge(kind: str, relations: Iterable[str], move: MergeHook) -> None:
    """Have ``move(keep, remove)`` called when two organisations (``kind`` "organisation") or two
    people ("person") are merged; ``relations`` are the ``app.Model.field`` names it moves."""
    hooks = _HOOKS[kind]
    if all(existing is not move for _relations, existing in hooks):
        hooks.append((frozenset(relations), move))


def merged_relations(kind: str) -> frozenset[str]:
    """Every relation pointing at an organisation or a person that merging moves."""
    return _BUILT_IN[kind].union(*(relations for relations, _move in _HOOKS[kind]))


def _run_hooks(kind: str, keep: models.Model, remove: models.Model) -> None:
    for _relations, move in _HOOKS[kind]:
        move(keep, remove)


def _require(user: Any) -> None:
    if not permissions.can_merge_duplicates(user):
        raise PermissionDenied(
            _("Only the office's staff (administrators and lab coordinators) merge duplicates.")
        )


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _check_pair(keep: models.Model, remove: models.Model) -> None:
    if keep.pk is None or remove.pk is None:
        raise ValidationError({"remove": _("Choose two saved records.")})
    if keep.pk == remove.pk:
        if isinstance(keep, Organisation):
            raise ValidationError({"remove": _("An organisation cannot be merged with itself.")})
        raise ValidationError({"remove": _("A person cannot be merged with itself.")})


def _move_tags(keep: models.Model, remove: models.Model) -> None:
    content_type = ContentType.objects.get_for_model(keep)
    kept_terms = set(
        Tag.objects.filter(content_type=content_type, object_id=keep.pk).values_list("term_id", flat=True)
    )
    moving = Tag.objects.filter(content_type=content_type, object_id=remove.pk)
    moving.filter(term_id__in=kept_terms).delete()
    last = Tag.objects.filter(content_type=content_type, object_id=keep.pk).aggregate(last=Max("position"))[
        "last"
    ]
    offset = (last or 0) + 1
    for tag in moving.order_by("position", "id"):
        tag.object_id = keep.pk
        tag.position = offset
        offset += 1
        tag.save(update_fields=["object_id", "position"])


def _move_relationships(keep: models.Model, remove: models.Model, prefix: str) -> None:
    """Relationships of ``remove`` now start or end at ``keep``; one between the two disappears."""
    source, target = f"source_{prefix}", f"target_{prefix}"
    Relationship.objects.filter(
        Q(**{source: keep, target: remove}) | Q(**{source: remove, target: keep})
    ).delete()
    Relationship.objects.filter(**{source: remove}).update(**{source: keep})
    Relationship.objects.filter(**{target: remove}).update(**{target: keep})
    # Two equal relationships (same kind, same ends, same period) become one.
    seen: set[tuple[Any, ...]] = set()
    for relationship in Relationship.objects.filter(Q(**{source: keep}) | Q(**{target: keep})).order_by("id"):
        signature = (
            relationship.kind,
            getattr(relationship, f"{source}_id"),
            getattr(relationship, f"{target}_id"),
            relationship.start_date,
            relationship.end_date,
        )
        if signature in seen:
            relationship.delete()
        else:
            seen.add(signature)


def move_unique(
    model: type[models.Model], field_name: str, scope: str, keep: models.Model, remove: models.Model
) -> None:
    """Move rows unique per (scope, field): where ``keep`` has one in the same scope, ``remove``'s goes."""
    taken = set(model._default_manager.filter(**{field_name: keep}).values_list(scope, flat=True))
    model._default_manager.filter(**{field_name: remove, f"{scope}__in": taken}).delete()
    model._default_manager.filter(**{field_name: remove}).update(**{field_name: keep})


def _move_affiliations(keep_field: str, keep: models.Model, remove: models.Model, other: str) -> None:
    """Roles move; a role the kept record has already (same other side, role and period) goes."""
    kept = {
        (getattr(row, f"{other}_id"), row.role, row.start_date, row.end_date)
        for row in Affiliation.objects.filter(**{keep_field: keep})
    }
    for row in Affiliation.objects.filter(**{keep_field: remove}):
        if (getattr(row, f"{other}_id"), row.role, row.start_date, row.end_date) in kept:
            row.delete()
    Affiliation.objects.filter(**{keep_field: remove}).update(**{keep_field: keep})


def _fill(keep: models.Model, remove: models.Model, fields: Iterable[str]) -> list[str]:
    filled = []
    for name in fields:
        attribute = f"{name}_id" if isinstance(keep._meta.get_field(name), models.ForeignKey) else name
        if _empty(getattr(keep, attribute)) and not _empty(getattr(remove, attribute)):
            setattr(keep, attribute, getattr(remove, attribute))
            filled.append(name)
    return filled


def _latest(a: Any, b: Any) -> Any:
    return max((value for value in (a, b) if value is not None), default=None)


def _delete(obj: models.Model, what: str) -> None:
    try:
        with transaction.atomic():
            obj.delete()
    except (ProtectedError, IntegrityError) as error:
        raise ValidationError(
            _("“%(name)s” is still used elsewhere and cannot be merged automatically (%(error)s).")
            % {"name": str(obj), "what": what, "error": str(error)[:200]},
            code="protected",
        ) from error


@transaction.atomic
def merge_organisations(*, user: Any, keep: Organisation, remove: Organisation) -> Organisation:
    """Merge ``remove`` into ``keep``: everything moves to ``keep``; ``remove`` is deleted."""
    _require(user)
    _check_pair(keep, remove)
    locked = {o.pk: o for o in Organisation.objects.select_for_update().filter(pk__in=[keep.pk, remove.pk])}
    if len(locked) != 2:
        raise ValidationError({"remove": _("One of the organisations no longer exists.")})
    keep, remove = locked[keep.pk], locked[remove.pk]
    removed_state = organisation_state(remove)
    labs = set(LabOrganisation.objects.filter(organisation=remove).values_list("lab_id", flat=True))
    labs |= set(Lab.objects.filter(coordinator=remove).values_list("pk", flat=True))
    measures = set(Actor.objects.filter(organisation=remove).values_list("measure_id", flat=True))
    measures |= set(
        Measure.coordinators.through.objects.filter(organisation=remove).values_list("measure_id", flat=True)
    )
    people = set(Affiliation.objects.filter(organisation=remove).values_list("person_id", flat=True))

    _move_affiliations("organisation", keep, remove, "person")
    Interaction.objects.filter(organisation=remove).update(organisation=keep)
    _move_relationships(keep, remove, "organisation")
    _move_tags(keep, remove)
    move_unique(StakeholderPosition, "organisation", "lab", keep, remove)
    move_unique(LabOrganisation, "organisation", "lab", keep, remove)
    in_measures = set(Actor.objects.filter(organisation=keep).values_list("measure_id", flat=True))
    Actor.objects.filter(organisation=remove, measure_id__in=in_measures).delete()
    Actor.objects.filter(organisation=remove).update(organisation=keep)
    move_unique(Measure.coordinators.through, "organisation", "measure", keep, remove)
    Lab.objects.filter(coordinator=remove).update(coordinator=keep)
    _run_hooks("organisation", keep, remove)

    _fill(keep, remove, ORGANISATION_FILL)
    if keep.sub_kind and keep.sub_kind not in SUB_KINDS.get(keep.kind, ()):
        keep.sub_kind = ""
    keep.name_key = name_key(keep.name)
    keep.web_domain = web_domain(keep.website)
    keep.last_contact_at = _latest(keep.last_contact_at, remove.last_contact_at)
    keep.save()
    comment = _("Merged with “%(name)s”") % {"name": remove.name}
    if record_version(
        obj=keep,
        user=user,
        action="changed",
        data=organisation_state(keep),
        revision=keep.revision + 1,
        comment=comment,
    ):
        keep.revision += 1
        keep.save(update_fields=["revision"])
    record_version(
        obj=remove,
        user=user,
        action="deleted",
        data=removed_state,
        revision=remove.revision,
        comment=_("Merged into “%(name)s”") % {"name": keep.name},
    )
    _delete(remove, "organisation")
    for lab in Lab.objects.filter(pk__in=labs):
        if record_version(
            obj=lab,
            user=user,
            action="changed",
            data=lab_state(lab),
            revision=lab.revision + 1,
            comment=comment,
        ):
            lab.revision += 1
            lab.save(update_fields=["revision", "updated_at"])
    for measure in Measure.objects.filter(pk__in=measures):
        if record_version(
            obj=measure,
            user=user,
            action="changed",
            data=measure_state(measure),
            revision=measure.revision + 1,
            comment=comment,
        ):
            measure.revision += 1
            measure.save(update_fields=["revision", "updated_at"])
    for person in Person.objects.filter(pk__in=people):
        _record_person(person, user, comment)
    content_changed()
    return keep


def _record_person(person: Person, user: Any, comment: str) -> None:
    if record_version(
        obj=person,
        user=user,
        action="changed",
        data=person_state(person),
        revision=person.revision + 1,
        comment=comment,
    ):
        person.revision += 1
        person.save(update_fields=["revision", "updated_at"])


@transaction.atomic
def merge_people(*, user: Any, keep: Person, remove: Person) -> Person:
    """Merge ``remove`` into ``keep``: roles, consents, interactions, mailings, audit entries move."""
    _require(user)
    _check_pair(keep, remove)
    locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[keep.pk, remove.pk])}
    if len(locked) != 2:
        raise ValidationError({"remove": _("One of the people no longer exists.")})
    keep, remove = locked[keep.pk], locked[remove.pk]
    if keep.anonymised_at or remove.anonymised_at:
        raise ValidationError({"remove": _("An anonymised person cannot be merged.")})
    removed_state = person_state(remove)

    _move_affiliations("person", keep, remove, "organisation")
    remove.consents.update(person=keep)
    participations = Interaction.participants.through.objects
    taken = set(participations.filter(person=keep).values_list("interaction_id", flat=True))
    participations.filter(person=remove, interaction_id__in=taken).delete()
    participations.filter(person=remove).update(person=keep)
    # The mailing log keeps every line: a second line for the same mailing keeps only the address.
    received = set(MailingRecipient.objects.filter(person=keep).values_list("mailing_id", flat=True))
    MailingRecipient.objects.filter(person=remove, mailing_id__in=received).update(person=None)
    MailingRecipient.objects.filter(person=remove).update(person=keep)
    # The audit trail keeps the id of the record that was viewed.
    PersonalDataAccess.objects.filter(person=remove, person_uuid__isnull=True).update(person_uuid=remove.uuid)
    PersonalDataAccess.objects.filter(person=remove).update(person=keep)
    _move_relationships(keep, remove, "person")
    _move_tags(keep, remove)
    move_unique(StakeholderPosition, "person", "lab", keep, remove)
    _run_hooks("person", keep, remove)

    _fill(keep, remove, PERSON_FILL)
    keep.last_contact_at = _latest(keep.last_contact_at, remove.last_contact_at)
    keep.updated_at = timezone.now()
    keep.save()
    comment = _("Merged with “%(name)s”") % {"name": remove.name}
    _record_person(keep, user, comment)
    record_version(
        obj=remove,
        user=user,
        action="deleted",
        data=removed_state,
        revision=remove.revision,
        comment=_("Merged into “%(name)s”") % {"name": keep.name},
    )
    _delete(remove, "person")
    return keep
