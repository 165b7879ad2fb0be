"""Interactions (visits, calls, meetings, e-mails, event attendance) and their follow-ups.

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

Follow-ups are addressed by their own UUID (``get_follow_up``), in pages and in the API alike.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reallabor.accounts.models import User
from reallabor.actors import permissions
from reallabor.actors.models import FollowUp, Interaction, Person
from reallabor.core.cache import content_changed
from reallabor.core.validation import ErrorCollector
from reallabor.labs.models import Lab, LabMembership, Measure
from reallabor.organisations.models import Organisation

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
TITLE_MAX = 200
MAX_PARTICIPANTS = 1000
MAX_FOLLOW_UPS = 50
EARLIEST_YEAR = 1900
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


# Reading ---------------------------------------------------------------------------------------


def office_staff() -> QuerySet[User]:
    """Active users who may keep the CRM: administrators and lab coordinators."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role=User.Role.ADMINISTRATOR)
            | Q(is_superuser=True)
            | Q(lab_memberships__role=LabMembership.Role.COORDINATOR)
        )
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


def get_follow_up(user: Any, key: Any) -> FollowUp | None:
    """The follow-up with the UUID ``key`` (a UUID or its text) that ``user`` may see, or None."""
    if isinstance(key, uuid.UUID):
        found = key
    else:
        try:
            found = uuid.UUID(str(key).strip()[:64])
        except ValueError:
            return None
    return (
        _visible(FollowUp.objects.select_related("assignee", "done_by", "interaction__organisation"), user)
        .filter(uuid=found)
        .first()
    )


def interactions_of(obj: Organisation | Person) -> QuerySet[Interaction]:
    """The interactions with an organisation or a person (as a participant), newest first."""
    queryset = Interaction.objects.all()
    if isinstance(obj, Organisation):
        queryset = queryset.filter(organisation=obj)
    else:
        queryset = queryset.filter(participants=obj)
    return queryset.order_by("-occurred_at", "-id")


# Checks ------------------------------------------------------------------------------------------


def _require(user: Any) -> None:
    if not permissions.can_record_interactions(user):
        raise PermissionDenied(
            _("Only the office's staff (administrators and lab coordinators) record interactions.")
        )


def _visible[Q_: QuerySet[Any]](queryset: Q_, user: Any) -> Q_:
    """``visible_to(user)``; the system (None) sees everything."""
    return queryset.all() if user is None else queryset.visible_to(user)  # type: ignore[attr-defined]


def _is_staff_member(candidate: Any) -> bool:
    return isinstance(candidate, User) and permissions.can_see_personal_data(candidate)


def resolve_staff(value: Any, field: str, errors: ErrorCollector) -> User | None:
    """A staff member from a User or an e-mail address; adds an error and returns None otherwise."""
    if isinstance(value, User):
        found: User | None = value
    elif isinstance(value, str) and value.strip() and len(value) <= 254:
        found = User.objects.filter(email__iexact=value.strip()).first()
    else:
        errors.add(field, _("Give the staff member's e-mail address."))
        return None
    if found is None:
        errors.add(
            field, _("There is no user with the e-mail address “%(email)s”.") % {"email": str(value)[:100]}
        )
        return None
    if not _is_staff_member(found):
        errors.add(
            field,
            _("%(user)s is not one of the office's staff (administrators and lab coordinators).")
            % {"user": found},
        )
        return None
    return found


def parse_moment(value: Any, field: str, errors: ErrorCollector) -> dt.datetime | None:
    """An aware datetime from a datetime, a date or an ISO text; naive values are Berlin time."""
    moment: dt.datetime | None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            moment = parse_datetime(text)
            if moment is None:
                day = parse_date(text)
                moment = dt.datetime.combine(day, dt.time()) if day else None
        except ValueError:
            moment = None
        if moment is None:
            errors.add(
                field,
                _("“%(value)s” is not a date and time such as 2025-02-18 09:30.") % {"value": text[:40]},
            )
            return None
    else:
        errors.add(field, _("Give the date and time."))
        return None
    if moment.year < EARLIEST_YEAR:
        errors.add(field, _("The date must not be before %(year)s.") % {"year": EARLIEST_YEAR})
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment.astimezone(dt.UTC)


def parse_day(value: Any, field: str, errors: ErrorCollector) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        day: dt.date | None = value
    elif isinstance(value, str) and value.strip():
        try:
            day = parse_date(value.strip())
        except ValueError:
            day = None
        if day is None:
            errors.add(
                field, _("“%(value)s” is not a date such as 2025-02-18.") % {"value": value.strip()[:40]}
            )
            return None
    else:
        errors.add(field, _("Give the due date."))
        return None
    assert day is not None
    if day.year < EARLIEST_YEAR or day.year > 2999:
        errors.add(field, _("The date must lie between %(first)s and 2999.") % {"first": EARLIEST_YEAR})
        return None
    return day


def _text(value: Any, field: str, errors: ErrorCollector, *, limit: int, required: bool, label: str) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, _("The %(label)s must be text.") % {"label": label})
        return ""
    value = value.strip()
    if required and not value:
        errors.add(field, _("Give the %(label)s.") % {"label": label})
    elif len(value) > limit:
        errors.add(
            field,
            _("The %(label)s has %(length)s characters; at most %(limit)s are possible.")
            % {"label": label, "length": len(value), "limit": limit},
        )
    elif "\x00" in value:
        errors.add(field, _("The %(label)s contains a character that cannot be stored.") % {"label": label})
    return value


def _resolve_organisation(value: Any, user: Any, errors: ErrorCollector) -> Organisation | None:
    if value in (None, ""):
        return None
    queryset = _visible(Organisation.objects.all(), user)
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
        person.uuid: person
        for person in _visible(Person.objects.all(), user).filter(uuid__in=wanted.values())
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
    queryset = _visible(Lab.objects.all(), user)
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
    queryset = _visible(Measure.objects.select_related("lab"), user)
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
        interaction.subject = _text(
            data["subject"], "subject", errors, limit=SUBJECT_MAX, required=True, label=_("subject")
        )
    if "notes" in data:
        interaction.notes = _text(
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


def _follow_up(
    interaction: Interaction, item: Any, prefix: str, user: Any, errors: ErrorCollector
) -> FollowUp | None:
    if not isinstance(item, dict):
        errors.add(prefix, _("A follow-up has a title, a due date and an assignee."))
        return None
    unknown = set(item) - {"title", "due_date", "assignee"}
    for name in sorted(unknown):
        errors.add(f"{prefix}.{name}", _("Unknown field."))
    before = len(errors.errors)
    title = _text(
        item.get("title"), f"{prefix}.title", errors, limit=TITLE_MAX, required=True, label=_("task")
    )
    due_date = parse_day(item.get("due_date"), f"{prefix}.due_date", errors)
    assignee_value = item.get("assignee")
    if assignee_value in (None, ""):
        assignee_value = user if isinstance(user, User) else None
    assignee: User | None = None
    if assignee_value is None:
        errors.add(f"{prefix}.assignee", _("Choose who does it."))
    else:
        assignee = resolve_staff(assignee_value, f"{prefix}.assignee", errors)
    if due_date is not None and interaction.occurred_at is not None:
        started = timezone.localdate(interaction.occurred_at)
        if due_date < started:
            errors.add(
                f"{prefix}.due_date",
                _("The due date must not be before the interaction (%(date)s).")
                % {"date": date_format(started, "SHORT_DATE_FORMAT")},
            )
    if len(errors.errors) != before or due_date is None or assignee is None:
        return None
    return FollowUp(interaction=interaction, title=title, due_date=due_date, assignee=assignee)


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
    _require(user)
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
        follow_up = _follow_up(interaction, item, f"follow_ups[{index}]", user, errors)
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
    _require(user)
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
    _require(user)
    organisation_id = interaction.organisation_id
    person_ids = _participant_ids(interaction)
    interaction.delete()
    refresh_last_contacts(
        organisation_ids=[organisation_id] if organisation_id else [], person_ids=person_ids
    )


@transaction.atomic
def add_follow_up(
    *, user: Any, interaction: Interaction, title: str, due_date: Any, assignee: Any = None
) -> FollowUp:
    """A new follow-up of the interaction: what to do, by when, by whom (default: the acting user)."""
    _require(user)
    errors = ErrorCollector()
    item = {"title": title, "due_date": due_date, "assignee": assignee}
    follow_up = _follow_up(interaction, item, "", user, errors)
    # Paths of a single follow-up name the fields directly ("title", not ".title").
    errors.errors = {path.lstrip("."): messages for path, messages in errors.errors.items()}
    errors.raise_if_any()
    assert follow_up is not None
    follow_up.save()
    return follow_up


def _locked(follow_up: FollowUp) -> FollowUp:
    return FollowUp.objects.select_for_update().get(pk=follow_up.pk)


@transaction.atomic
def complete_follow_up(*, user: Any, follow_up: FollowUp) -> FollowUp:
    _require(user)
    current = _locked(follow_up)
    if current.done_at is not None:
        raise ValidationError(_("“%(title)s” is already done.") % {"title": current.title}, code="conflict")
    follow_up.done_at = timezone.now()
    follow_up.done_by = user if isinstance(user, User) else None
    follow_up.save(update_fields=["done_at", "done_by", "updated_at"])
    return follow_up


@transaction.atomic
def reopen_follow_up(*, user: Any, follow_up: FollowUp) -> FollowUp:
    _require(user)
    current = _locked(follow_up)
    if current.done_at is None:
        raise ValidationError(_("“%(title)s” is still open.") % {"title": current.title}, code="conflict")
    follow_up.done_at = None
    follow_up.done_by = None
    follow_up.save(update_fields=["done_at", "done_by", "updated_at"])
    return follow_up
