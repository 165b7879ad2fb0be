"""Follow-ups of interactions: what to do, by when, by whom; completed and reopened.

A follow-up is recorded with its interaction (``interactions.record_interaction(data={…,
"follow_ups": [{"title", "due_date", "assignee"}]})``) or added later (``add_follow_up``). Its
assignee is one of the office's staff (default: the acting user). Follow-ups are addressed by
their own UUID (``get_follow_up``), in pages and in the API alike.

The names stay importable from ``actors.services.interactions`` as well.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reallabor.accounts.models import User
from reallabor.actors.models import FollowUp, Interaction
from reallabor.actors.services.office import check_text, parse_day, require_office, resolve_staff, visible
from reallabor.core.validation import ErrorCollector

TITLE_MAX = 200
MAX_FOLLOW_UPS = 50


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
        visible(FollowUp.objects.select_related("assignee", "done_by", "interaction__organisation"), user)
        .filter(uuid=found)
        .first()
    )


def check_follow_up(
    interaction: Interaction, item: Any, prefix: str, user: Any, errors: ErrorCollector
) -> FollowUp | None:
    """An unsaved follow-up of ``interaction`` from ``{"title", "due_date", "assignee"}``, or None
    with the errors added under ``prefix`` (e.g. ``follow_ups[0].title``)."""
    if not isinstance(item, dict):
        errors.add(prefix, _("A follow-up has a title, a due date and an assignee."))
        return None
    unknown = set(item) - {"title", "due_date", "assignee"}
    for name in sorted(unknown):
        errors.add(f"{prefix}.{name}", _("Unknown field."))
    before = len(errors.errors)
    title = check_text(
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


@transaction.atomic
def add_follow_up(
    *, user: Any, interaction: Interaction, title: str, due_date: Any, assignee: Any = None
) -> FollowUp:
    """A new follow-up of the interaction: what to do, by when, by whom (default: the acting user)."""
    require_office(user)
    errors = ErrorCollector()
    item = {"title": title, "due_date": due_date, "assignee": assignee}
    follow_up = check_follow_up(interaction, item, "", user, errors)
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
    require_office(user)
    current = _locked(follow_up)
    if current.done_at is not None:
        raise ValidationError(_("“%(title)s” is already done.") % {"title": current.title}, code="conflict")
    follow_up.done_at = timezone.now()
    follow_up.done_by = user if isinstance(user, User) else None
    follow_up.save(update_fields=["done_at", "done_by", "updated_at"])
    return follow_up


@transaction.atomic
def reopen_follow_up(*, user: Any, follow_up: FollowUp) -> FollowUp:
    require_office(user)
    current = _locked(follow_up)
    if current.done_at is None:
        raise ValidationError(_("“%(title)s” is still open.") % {"title": current.title}, code="conflict")
    follow_up.done_at = None
    follow_up.done_by = None
    follow_up.save(update_fields=["done_at", "done_by", "updated_at"])
    return follow_up
