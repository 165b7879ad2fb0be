"""The office's staff, and the input checks that the interaction and follow-up services share.

The staff who keep the CRM are administrators and lab coordinators (``office_staff()``); only they
record interactions and follow-ups (``require_office``). The checks add field errors to an
``ErrorCollector`` and return None (or the cleaned text) instead of raising, so that one call
reports every bad field at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from reallabor.accounts.models import User
from reallabor.actors import permissions
from reallabor.core.validation import ErrorCollector
from reallabor.labs.models import LabMembership

EARLIEST_YEAR = 1900


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


def require_office(user: Any) -> None:
    """PermissionDenied unless ``user`` records interactions (the system, None, always may)."""
    if not permissions.can_record_interactions(user):
        raise PermissionDenied(
            _("Only the office's staff (administrators and lab coordinators) record interactions.")
        )


def visible[Q_: QuerySet[Any]](queryset: Q_, user: Any) -> Q_:
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


def check_text(
    value: Any, field: str, errors: ErrorCollector, *, limit: int, required: bool, label: str
) -> str:
    """The stripped text; an error when it is missing (if ``required``), too long or not storable."""
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
