"""People and their time-bounded roles at organisations (affiliations).

A person may have no organisation, or roles at several. Every change is recorded in the
person's history (``history.services.record_version``) with the affiliations as part of the
state, and raises the person's revision, so an edit form that was open meanwhile says so
instead of overwriting. There is no delete here: erasing or anonymising a person is the privacy
area's job (``actors.services.privacy``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.actors import permissions
from reallabor.actors.models import Affiliation, Person
from reallabor.core.services import bump_revision, check_revision
from reallabor.core.validation import ErrorCollector
from reallabor.history.services import record_version
from reallabor.organisations.models import Organisation

FIELDS = (
    "salutation",
    "first_name",
    "last_name",
    "function",
    "email",
    "phone",
    "mobile",
    "street",
    "postcode",
    "city",
    "district",
    "notes",
)
AFFILIATION_FIELDS = ("organisation", "role", "start_date", "end_date", "is_primary")
POSTCODE = re.compile(r"^\d{5}$")
MAX_AFFILIATIONS_AT_ONCE = 50


# State (for the history) ----------------------------------------------------------------------------


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _affiliation_state(row: Affiliation) -> dict[str, Any]:
    return {
        "organisation": row.organisation.slug,
        "role": row.role,
        "start_date": _day(row.start_date),
        "end_date": _day(row.end_date),
        "is_primary": row.is_primary,
    }


def person_state(person: Person, affiliations: list[Affiliation] | None = None) -> dict[str, Any]:
    """What the history stores about a person: the contact data and the affiliations (read from the
    database, or ``affiliations`` when the caller holds all of them, none or one: a person just
    created; several are read in the database's order)."""
    state: dict[str, Any] = {field: getattr(person, field) for field in FIELDS}
    if affiliations is None or len(affiliations) > 1:
        affiliations = list(
            Affiliation.objects.filter(person=person)
            .select_related("organisation")
            .order_by("organisation__name", "start_date", "id")
        )
    state["affiliations"] = [_affiliation_state(row) for row in affiliations]
    return state


def _record(person: Person, user: Any, action: str, affiliations: list[Affiliation] | None = None) -> None:
    """A version of the person's new state; a change that changed nothing records nothing
    (``affiliations``: all of a person just created, see ``person_state``)."""
    if action == "created":
        state = person_state(person, affiliations)
        record_version(obj=person, user=user, action=action, data=state, revision=1)
        return
    if record_version(
        obj=person, user=user, action=action, data=person_state(person), revision=person.revision + 1
    ):
        bump_revision(person)
        person.save(update_fields=["revision", "updated_at"])


# Checks -------------------------------------------------------------------------------------------


def _require_manager(user: Any) -> None:
    if not permissions.can_manage_people(user):
        raise PermissionDenied(
            _("Only the office's staff (administrators and lab coordinators) manage people.")
        )


def _not_anonymised(person: Person) -> None:
    if person.anonymised_at is not None:
        raise ValidationError(_("This person was anonymised; their data can no longer be changed."))


def _text(value: Any) -> Any:
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else value


def _apply(person: Person, data: Mapping[str, Any]) -> None:
    """Set the given fields on ``person`` and check them all; raise one error naming every bad field."""
    errors = ErrorCollector()
    for field in sorted(set(data) - set(FIELDS)):
        errors.add(field, _("Unknown field."))
    for field in FIELDS:
        if field in data:
            value = _text(data[field])
            if not isinstance(value, str):
                errors.add(field, _("Enter text."))
                continue
            setattr(person, field, value)
    if not person.last_name and "last_name" not in errors.errors:
        errors.add("last_name", _("Enter the last name."))
    if person.email and "email" not in errors.errors:
        try:
            validate_email(person.email)
        except ValidationError:
            errors.add("email", _("Enter a valid e-mail address, such as name@example.org."))
    if person.postcode and "postcode" not in errors.errors and not POSTCODE.match(person.postcode):
        errors.add("postcode", _("Enter a German postcode of five digits, such as 46236."))
    if "\x00" in "".join(str(getattr(person, field)) for field in FIELDS):
        for field in FIELDS:
            if "\x00" in str(getattr(person, field)):
                errors.add(field, _("The text contains a character that is not allowed."))
    errors.clean(person, exclude=[*errors.errors, "organisations"])
    errors.raise_if_any()


def visible_organisation(user: Any, value: Any, *, field: str = "organisation") -> Organisation:
    """An organisation given as object or short name (slug) that the user may see, else a field error."""
    if isinstance(value, Organisation):
        if Organisation.objects.visible_to(user).filter(pk=value.pk).exists():
            return value
        slug = value.slug
    else:
        slug = value.strip() if isinstance(value, str) else ""
        if not slug:
            raise ValidationError({field: _("Choose an organisation.")})
        found = Organisation.objects.visible_to(user).filter(slug=slug[:220]).first()
        if found is not None:
            return found
    raise ValidationError({field: _("There is no organisation “%(slug)s”.") % {"slug": str(slug)[:100]}})


def _date(value: Any, field: str, errors: ErrorCollector) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.add(field, _("Enter a date such as 2024-03-01."))
    return None


def _periods_overlap(
    start_a: dt.date | None, end_a: dt.date | None, start_b: dt.date | None, end_b: dt.date | None
) -> bool:
    """Whether two periods with open ends (None) share at least one day."""
    return (start_a is None or end_b is None or start_a <= end_b) and (
        start_b is None or end_a is None or start_b <= end_a
    )


def _check_affiliation(
    user: Any, affiliation: Affiliation, data: Mapping[str, Any], *, prefix: str = ""
) -> None:
    """Apply ``data`` to the (unsaved or loaded) affiliation and check it; errors under ``prefix``."""
    errors = ErrorCollector()

    def path(field: str) -> str:
        return f"{prefix}.{field}" if prefix else field

    for field in sorted(set(data) - set(AFFILIATION_FIELDS)):
        errors.add(path(field), _("Unknown field."))
    if "organisation" in data:
        try:
            affiliation.organisation = visible_organisation(user, data["organisation"])
        except ValidationError as error:
            errors.add_validation_error(error, prefix)
    elif affiliation.organisation_id is None:
        errors.add(path("organisation"), _("Choose an organisation."))
    if "role" in data:
        role = _text(data["role"])
        if not isinstance(role, str):
            errors.add(path("role"), _("Enter text."))
        elif len(role) > 200:
            errors.add(path("role"), _("Use at most 200 characters."))
        elif "\x00" in role:
            errors.add(path("role"), _("The text contains a character that is not allowed."))
        else:
            affiliation.role = role
    for field in ("start_date", "end_date"):
        if field in data:
            setattr(affiliation, field, _date(data[field], path(field), errors))
    if "is_primary" in data:
        if not isinstance(data["is_primary"], bool):
            errors.add(path("is_primary"), _("Enter true or false."))
        else:
            affiliation.is_primary = data["is_primary"]
    start, end = affiliation.start_date, affiliation.end_date
    if start and end and end < start and path("end_date") not in errors.errors:
        errors.add(path("end_date"), _("The end must not be before the start."))
    errors.raise_if_any()


def _check_overlap(affiliation: Affiliation, others: Iterable[Affiliation], prefix: str = "") -> None:
    """The same person cannot hold the same role at the same organisation twice at the same time."""
    for other in others:
        if (
            other.pk != affiliation.pk
            and other.organisation_id == affiliation.organisation_id
            and other.role.casefold() == affiliation.role.casefold()
            and _periods_overlap(
                affiliation.start_date, affiliation.end_date, other.start_date, other.end_date
            )
        ):
            field = f"{prefix}.organisation" if prefix else "organisation"
            raise ValidationError(
                {
                    field: _(
                        "%(person)s already has this role at “%(organisation)s” for (part of) this period."
                    )
                    % {"person": affiliation.person.name, "organisation": affiliation.organisation.name}
                }
            )


# People -------------------------------------------------------------------------------------------


@transaction.atomic
def create_person(
    *, user: Any, data: Mapping[str, Any], affiliations: Iterable[Mapping[str, Any]] = ()
) -> Person:
    """A new person, optionally with roles at organisations (errors under ``affiliations[i].field``)."""
    _require_manager(user)
    person = Person(created_by=user if getattr(user, "is_authenticated", False) else None)
    errors = ErrorCollector()
    try:
        _apply(person, data)
    except ValidationError as error:
        errors.add_validation_error(error)
    rows: list[Affiliation] = []
    affiliations = list(affiliations)
    if len(affiliations) > MAX_AFFILIATIONS_AT_ONCE:
        errors.add(
            "affiliations", _("Give at most %(max)s roles at once.") % {"max": MAX_AFFILIATIONS_AT_ONCE}
        )
        affiliations = []
    for index, row_data in enumerate(affiliations):
        row = Affiliation(person=person)
        try:
            if not isinstance(row_data, Mapping):
                raise ValidationError({f"affiliations[{index}]": _("Give the role as an object.")})
            _check_affiliation(user, row, row_data, prefix=f"affiliations[{index}]")
            _check_overlap(row, rows, prefix=f"affiliations[{index}]")
        except ValidationError as error:
            errors.add_validation_error(error)
        else:
            rows.append(row)
    errors.raise_if_any()
    person.save()
    for row in rows:
        row.person = person
        row.save()
    _record(person, user, "created", rows)
    return person


@transaction.atomic
def update_person(
    *, user: Any, person: Person, data: Mapping[str, Any], expected_revision: int | None = None
) -> Person:
    """Change the contact data (only the fields given); a stale ``expected_revision`` is refused."""
    _require_manager(user)
    person = Person.objects.select_for_update().get(pk=person.pk)
    check_revision(person, expected_revision)
    _not_anonymised(person)
    _apply(person, data)
    person.save()
    _record(person, user, "changed")
    return person


# Affiliations -------------------------------------------------------------------------------------


def _locked_person(affiliation_or_person: Affiliation | Person) -> Person:
    person_id = (
        affiliation_or_person.person_id
        if isinstance(affiliation_or_person, Affiliation)
        else affiliation_or_person.pk
    )
    person = Person.objects.select_for_update().get(pk=person_id)
    _not_anonymised(person)
    return person


def _others(person: Person) -> list[Affiliation]:
    return list(Affiliation.objects.filter(person=person))


@transaction.atomic
def add_affiliation(
    *,
    user: Any,
    person: Person,
    organisation: Organisation | str,
    role: str = "",
    start_date: dt.date | str | None = None,
    end_date: dt.date | str | None = None,
    is_primary: bool = False,
) -> Affiliation:
    """A role of the person at an organisation the user may see, for a time (open ends allowed)."""
    _require_manager(user)
    person = _locked_person(person)
    affiliation = Affiliation(person=person)
    _check_affiliation(
        user,
        affiliation,
        {
            "organisation": organisation,
            "role": role,
            "start_date": start_date,
            "end_date": end_date,
            "is_primary": is_primary,
        },
    )
    _check_overlap(affiliation, _others(person))
    affiliation.save()
    _record(person, user, "changed")
    return affiliation


@transaction.atomic
def update_affiliation(*, user: Any, affiliation: Affiliation, data: Mapping[str, Any]) -> Affiliation:
    """Change the organisation, role, dates or main-contact flag (only the fields given)."""
    _require_manager(user)
    person = _locked_person(affiliation)
    affiliation = Affiliation.objects.select_related("organisation").get(pk=affiliation.pk)
    affiliation.person = person
    _check_affiliation(user, affiliation, data)
    _check_overlap(affiliation, _others(person))
    affiliation.save()
    _record(person, user, "changed")
    return affiliation


@transaction.atomic
def end_affiliation(
    *, user: Any, affiliation: Affiliation, end_date: dt.date | str | None = None
) -> Affiliation:
    """The role ends on ``end_date`` (default today); it stays on record as a former role."""
    _require_manager(user)
    person = _locked_person(affiliation)
    affiliation = Affiliation.objects.select_related("organisation").get(pk=affiliation.pk)
    if affiliation.end_date is not None:
        raise ValidationError(
            {
                "end_date": _("This role already ended on %(date)s; change the date instead.")
                % {"date": affiliation.end_date.isoformat()}
            }
        )
    affiliation.person = person
    _check_affiliation(user, affiliation, {"end_date": end_date or timezone.localdate()})
    affiliation.save(update_fields=["end_date", "updated_at"])
    _record(person, user, "changed")
    return affiliation


@transaction.atomic
def remove_affiliation(*, user: Any, affiliation: Affiliation) -> None:
    """Remove a role recorded by mistake (a role that ended is ended, not removed)."""
    _require_manager(user)
    person = _locked_person(affiliation)
    Affiliation.objects.filter(pk=affiliation.pk).delete()
    _record(person, user, "changed")


# Reading ------------------------------------------------------------------------------------------


def split_affiliations(
    affiliations: Iterable[Affiliation], on: dt.date | None = None
) -> tuple[list[Affiliation], list[Affiliation], list[Affiliation]]:
    """(current, former, future) roles on the day ``on`` (default today)."""
    day = on or timezone.localdate()
    current: list[Affiliation] = []
    former: list[Affiliation] = []
    future: list[Affiliation] = []
    for row in affiliations:
        if row.end_date is not None and row.end_date < day:
            former.append(row)
        elif row.start_date is not None and row.start_date > day:
            future.append(row)
        else:
            current.append(row)
    return current, former, future
