"""Interactions (visits, calls, meetings, e-mails, event attendance), recorded with their follow-ups.

``record_interaction(user=…, data={…})`` takes plain data, so pages, the API, imports and the
events (which record attendance with kind "event") share one path:

- ``kind``: one of ``Interaction.Kind`` (visit, call, meeting, email, event, other)
- ``occurred_at``: an aware datetime, a naive one or an ISO text (read as Europe/Berlin time),
  or a date (midnight in Berlin); stored in UTC; not in the future
- ``subject`` (required), ``notes``
- ``staff``: the staff member (a User or their e-mail address; default: the acting user)
- ``organisation``: an Organisation or its slug
- ``participants``: People or their UUIDs
- ``lab``: a Lab or its slug; ``measure``: a Measure or its slug (then of ``lab``); a measure
  must belong to the lab, and gives the lab when none is named
- ``follow_ups`` (when recording): ``[{"title", "due_date", "assignee"}]``

An interaction names an organisation or at least one participant. Organisations' and people's
``last_contact_at`` is the date of their latest interaction, recomputed on every change.

Follow-ups are added, completed and reopened on their own: ``actors.services.followups`` (its
functions stay importable from here, as do the staff checks of ``actors.services.office``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.accounts.models import User
from reallabor.actors.models import FollowUp, Interaction, Person
from reallabor.actors.services.followups import (
    MAX_FOLLOW_UPS,
    TITLE_MAX,
    add_follow_up,
    check_follow_up,
    complete_follow_up,
    get_follow_up,
    reopen_follow_up,
)
from reallabor.actors.services.office import (
    EARLIEST_YEAR,
    check_text,
    office_staff,
    parse_day,
    parse_moment,
    require_office,
    resolve_staff,
    visible,
)
from reallabor.core.cache import content_changed
from reallabor.core.validation import ErrorCollector
from reallabor.labs.models import Lab, Measure
from reallabor.organisations.models import Organisation

__all__ = [
    "EARLIEST_YEAR",
    "FIELDS",
    "FUTURE_TOLERANCE",
    "MAX_FOLLOW_UPS",
    "MAX_PARTICIPANTS",
    "NOTES_MAX",
    "SUBJECT_MAX",
    "TITLE_MAX",
    "add_follow_up",
    "complete_follow_up",
    "delete_interaction",
    "get_follow_up",
    "interactions_of",
    "office_staff",
    "parse_day",
    "parse_moment",
    "record_interaction",
    "refresh_last_contacts",
    "reopen_follow_up",
    "resolve_staff",
    "update_interaction",
]

FIELDS = (
    "kind",
    "occurred_at",
    "subject",
    "notes",
    "staff",
    "organisation",
    "participants",
    "lab",
    "measure",
)
SUBJECT_MAX = 200
NOTES_MAX = 50_000
MAX_PARTICIPANTS = 1000
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


# Reading ---------------------------------------------------------------------------------------


def interactions_of(obj: Organisation | Person) -> QuerySet[Interaction]:
    """The interactions with an organisation or a person (as a participant), newest first."""
    queryset = Interaction.objects.all()
    if isinstance(obj, Organisation):
        queryset = queryset.filter(organisation=obj)
    else:
        queryset = queryset.filter(participants=obj)
    return queryset.order_by("-occurred_at", "-id")


# Checks ------------------------------------------------------------------------------------------


def _resolve_organisation(value: Any, user: Any, errors: ErrorCollector) -> Organisation | None:
    if value in (None, ""):
        return None
    queryset = visible(Organisation.objects.all(), user)
    if isinstance(value, Organisation):
        found = queryset.filter(pk=value.pk).first()
    elif isinstance(value, str) and len(value) <= 220:
        found = queryset.filter(slug=value.strip()).first()
    else:
        found = None
    if found is None:
        errors.add("organisation", _("There is no organisation “%(value)s”.") % {"value": str(value)[:100]})
    return found


def _person_uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, AttributeError):
        return None


def _resolve_participants(
    values: Any, user: Any, errors: ErrorCollector, *, already: frozenset[int] = frozenset()
) -> list[Person]:
    """People from Person objects or UUIDs; anonymised people only where they ``already`` take part."""
    if values in (None, ""):
        return []
    if not isinstance(values, list | tuple | set | QuerySet):
        errors.add("participants", _("Give the participants as a list."))
        return []
    values = list(values)
    if len(values) > MAX_PARTICIPANTS:
        errors.add(
            "participants", _("At most %(limit)s participants per interaction.") % {"limit": MAX_PARTICIPANTS}
        )
        return []
    wanted: dict[int, uuid.UUID] = {}
    for index, value in enumerate(values):
        key = value.uuid if isinstance(value, Person) else _person_uuid(value)
        if key is None:
            errors.add(
                f"participants[{index}]", _("“%(value)s” is not a person's ID.") % {"value": str(value)[:60]}
            )
        else:
            wanted[index] = key
    found = {
        person.uuid: person for person in visible(Person.objects.all(), user).filter(uuid__in=wanted.values())
    }
    people: list[Person] = []
    for index, key in wanted.items():
        person = found.get(key)
        if person is None:
            errors.add(f"participants[{index}]", _("There is no person with the ID %(id)s.") % {"id": key})
        elif person.anonymised_at is not None and person.pk not in already:
            errors.add(
                f"participants[{index}]", _("An anonymised person cannot take part in new interactions.")
            )
        elif person not in people:
            people.append(person)
    return people


def _resolve_lab(value: Any, user: Any, errors: ErrorCollector) -> Lab | None:
    if value in (None, ""):
        return None
    queryset = visible(Lab.objects.all(), user)
    if isinstance(value, Lab):
        found = queryset.filter(pk=value.pk).first()
    elif isinstance(value, str) and len(value) <= 100:
        found = queryset.filter(slug=value.strip()).first()
    else:
        found = None
    if found is None:
        errors.add("lab", _("There is no lab “%(value)s”.") % {"value": str(value)[:100]})
    return found


def _resolve_measure(value: Any, lab: Lab | None, user: Any, errors: ErrorCollector) -> Measure | None:
    if value in (None, ""):
        return None
    queryset = visible(Measure.objects.select_related("lab"), user)
    if isinstance(value, Measure):
        found = queryset.filter(pk=value.pk).first()
    elif isinstance(value, str) and len(value) <= 100:
        if lab is None:
            errors.add("measure", _("Name the lab of the measure “%(value)s”.") % {"value": value[:100]})
            return None
        found = queryset.filter(lab=lab, slug=value.strip()).first()
    else:
        found = None
    if found is None:
        errors.add("measure", _("There is no measure “%(value)s”.") % {"value": str(value)[:100]})
        return None
    if lab is not None and found.lab_id != lab.pk:
        errors.add(
            "measure",
            _("“%(measure)s” is not a measure of the lab “%(lab)s”.")
            % {"measure": found.title, "lab": lab.name},
        )
        return None
    return found


def _is_current_staff(interaction: Interaction, value: Any) -> bool:
    current = interaction.staff if interaction.staff_id else None
    if current is None:
        return False
    if isinstance(value, User):
        return value.pk == current.pk
    return isinstance(value, str) and value.strip().lower() == current.email.lower()


def _check_moment(moment: dt.datetime | None, errors: ErrorCollector) -> None:
    if moment is not None and moment > timezone.now() + FUTURE_TOLERANCE:
        errors.add(
            "occurred_at",
            _("An interaction is recorded once it has happened; plan what comes next as a follow-up."),
        )


def _apply(
    interaction: Interaction, data: dict[str, Any], user: Any, errors: ErrorCollector
) -> list[Person] | None:
    """Check ``data`` and set the interaction's fields; the participants to set (None: unchanged)."""
    if "kind" in data:
        if data["kind"] in Interaction.Kind.values:
            interaction.kind = data["kind"]
        else:
            errors.add(
                "kind",
                _("Unknown kind “%(kind)s”; choose one of: %(kinds)s.")
                % {"kind": str(data["kind"])[:40], "kinds": ", ".join(Interaction.Kind.values)},
            )
    if "occurred_at" in data:
        moment = parse_moment(data["occurred_at"], "occurred_at", errors)
        _check_moment(moment, errors)
        if moment is not None:
            interaction.occurred_at = moment
    if "subject" in data:
        interaction.subject = check_text(
            data["subject"], "subject", errors, limit=SUBJECT_MAX, required=True, label=_("subject")
        )
    if "notes" in data:
        interaction.notes = check_text(
            data["notes"], "notes", errors, limit=NOTES_MAX, required=False, label=_("notes")
        )
    if "staff" in data:
        staff = data["staff"]
        if staff in (None, ""):
            interaction.staff = None
        elif not _is_current_staff(interaction, staff):
            # The staff member already named may have left the office since; they stay.
            interaction.staff = resolve_staff(staff, "staff", errors)
    if "organisation" in data:
        interaction.organisation = _resolve_organisation(data["organisation"], user, errors)
    participants = (
        _resolve_participants(data["participants"], user, errors, already=_current_participants(interaction))
        if "participants" in data
        else None
    )
    lab = interaction.lab
    if "lab" in data:
        lab = _resolve_lab(data["lab"], user, errors)
        interaction.lab = lab
    if "measure" in data:
        measure = _resolve_measure(data["measure"], lab, user, errors)
        interaction.measure = measure
        if measure is not None and lab is None and "lab" not in errors.errors:
            interaction.lab = measure.lab
    elif (
        "lab" in data
        and interaction.measure is not None
        and interaction.measure.lab_id != getattr(lab, "pk", None)
    ):
        errors.add(
            "lab",
            _("The measure “%(measure)s” belongs to another lab.") % {"measure": interaction.measure.title},
        )
    return participants


def _check_complete(interaction: Interaction, has_participants: bool, errors: ErrorCollector) -> None:
    if not interaction.kind and "kind" not in errors.errors:
        errors.add("kind", _("Choose the kind of interaction."))
    if interaction.occurred_at is None and "occurred_at" not in errors.errors:
        errors.add("occurred_at", _("Give the date and time."))
    if not interaction.subject and "subject" not in errors.errors:
        errors.add("subject", _("Give the subject."))
    # Erased participants still count (anonymously): their interaction stays editable.
    anonymous = interaction.anonymous_participants > 0
    if interaction.organisation_id is None and not has_participants and not anonymous and not errors:
        errors.add("participants", _("Name the organisation or at least one participant."))


# Last contact --------------------------------------------------------------------------------------


def refresh_last_contacts(*, organisation_ids: Iterable[int] = (), person_ids: Iterable[int] = ()) -> None:
    """Set ``last_contact_at`` of these organisations and people to their latest interaction."""
    organisation_ids = {pk for pk in organisation_ids if pk is not None}
    person_ids = {pk for pk in person_ids if pk is not None}
    if organisation_ids:
        latest = (
            Interaction.objects.filter(organisation=OuterRef("pk"))
            .order_by("-occurred_at")
            .values("occurred_at")[:1]
        )
        Organisation.objects.filter(pk__in=organisation_ids).update(last_contact_at=Subquery(latest))
        content_changed()
    if person_ids:
        latest = (
            Interaction.objects.filter(participants=OuterRef("pk"))
            .order_by("-occurred_at")
            .values("occurred_at")[:1]
        )
        Person.objects.filter(pk__in=person_ids).update(last_contact_at=Subquery(latest))


def _current_participants(interaction: Interaction) -> frozenset[int]:
    return frozenset(_participant_ids(interaction)) if interaction.pk else frozenset()


def _participant_ids(interaction: Interaction) -> set[int]:
    return set(interaction.participants.values_list("pk", flat=True))


# Writing -------------------------------------------------------------------------------------------


def _check_keys(data: Any, allowed: set[str]) -> None:
    if not isinstance(data, dict):
        raise ValidationError(_("The interaction's data must be a mapping of fields."))
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({str(name): [_("Unknown field.")] for name in sorted(unknown, key=str)})


@transaction.atomic
def record_interaction(*, user: Any, data: dict[str, Any]) -> Interaction:
    """Record an interaction (and its follow-ups); see the module's documentation for ``data``."""
    require_office(user)
    _check_keys(data, {*FIELDS, "follow_ups"})
    data = dict(data)
    if "staff" not in data and isinstance(user, User):
        data["staff"] = user
    errors = ErrorCollector()
    interaction = Interaction(created_by=user if isinstance(user, User) else None)
    participants = _apply(interaction, data, user, errors) or []
    _check_complete(interaction, bool(participants), errors)
    follow_ups: list[FollowUp] = []
    items = data.get("follow_ups") or []
    if not isinstance(items, list | tuple):
        errors.add("follow_ups", _("Give the follow-ups as a list."))
        items = []
    if len(items) > MAX_FOLLOW_UPS:
        errors.add("follow_ups", _("At most %(limit)s follow-ups at once.") % {"limit": MAX_FOLLOW_UPS})
        items = []
    for index, item in enumerate(items):
        follow_up = check_follow_up(interaction, item, f"follow_ups[{index}]", user, errors)
        if follow_up is not None:
            follow_ups.append(follow_up)
    errors.raise_if_any()
    interaction.save()
    if participants:
        interaction.participants.set(participants)
    for follow_up in follow_ups:
        follow_up.interaction = interaction
    FollowUp.objects.bulk_create(follow_ups)
    refresh_last_contacts(
        organisation_ids=[interaction.organisation_id] if interaction.organisation_id else [],
        person_ids=[person.pk for person in participants],
    )
    return interaction


@transaction.atomic
def update_interaction(*, user: Any, interaction: Interaction, data: dict[str, Any]) -> Interaction:
    """Change the fields given in ``data`` (follow-ups are added, completed and reopened on their own)."""
    require_office(user)
    if isinstance(data, dict) and "follow_ups" in data:
        raise ValidationError({"follow_ups": _("Add follow-ups one by one to a recorded interaction.")})
    _check_keys(data, set(FIELDS))
    interaction = (
        Interaction.objects.select_for_update(of=("self",)).select_related("measure").get(pk=interaction.pk)
    )
    old_organisation = interaction.organisation_id
    old_participants = _participant_ids(interaction)
    errors = ErrorCollector()
    participants = _apply(interaction, data, user, errors)
    _check_complete(interaction, bool(old_participants if participants is None else participants), errors)
    errors.raise_if_any()
    interaction.save()
    if participants is not None:
        interaction.participants.set(participants)
    new_participants = (
        {person.pk for person in participants} if participants is not None else old_participants
    )
    refresh_last_contacts(
        organisation_ids={old_organisation, interaction.organisation_id} - {None},  # type: ignore[arg-type]
        person_ids=old_participants | new_participants,
    )
    return interaction


@transaction.atomic
def delete_interaction(*, user: Any, interaction: Interaction) -> None:
    """Delete an interaction with its follow-ups; the last contacts fall back to the previous one."""
    require_office(user)
    organisation_id = interaction.organisation_id
    person_ids = _participant_ids(interaction)
    interaction.delete()
    refresh_last_contacts(
        organisation_ids=[organisation_id] if organisation_id else [], person_ids=person_ids
    )
