"""Who may do what with series, events and registrations. Predicates take the acting user
(None = the system: CLI, worker, demo loader — it may do everything).

- **Managing** a series or an event (create, edit, publish, cancel, questions, documents,
  minutes, invitations, check-in): administrators; for one with a lab, the coordinators of that
  lab; for one without a lab, "the office": administrators and any lab coordinator.
- **Participants** (registrations: names, e-mail addresses, answers, attendance) are personal
  data, for the office only (``actors.permissions.can_see_personal_data``) and, of the office,
  for those who manage the event (the lab rule above).
- **Seeing** events (``Event.objects.visible_to``): the public and signed-in members of no lab
  see listed public events; partners see listed events of either visibility and every event of
  their labs (drafts too, as with measures); readers, coordinators and administrators see all.
- A **participant** acts on their own registration only through their personal link (the
  services take ``user=None`` then; see ``services.tokens``).
"""

from __future__ import annotations

from typing import Any, Literal

from reallabor.accounts.permissions import is_active_user, is_admin, sees_all_internal
from reallabor.actors.permissions import can_see_personal_data
from reallabor.organisations.permissions import is_coordinator


def _lab_roles(user: Any) -> dict[int, str]:
    from reallabor.labs.permissions import lab_roles

    return lab_roles(user)


def _coordinates(user: Any, lab_id: int | None) -> bool:
    return lab_id is not None and _lab_roles(user).get(lab_id) == "coordinator"


def event_scope(user: Any) -> Literal["all", "public"] | frozenset[int]:
    """ "all", "public", or the ids of a partner's labs (whose events they see in any status)."""
    if sees_all_internal(user) or is_coordinator(user):
        return "all"
    if not is_active_user(user):
        return "public"
    labs = frozenset(_lab_roles(user))
    return labs or "public"


def participant_scope(user: Any) -> Literal["all", "none"] | frozenset[int]:
    """Whose registrations the user sees: "all" (administrators, the system), "none", or the
    coordinated labs' (plus the events without a lab: ``RegistrationQuerySet.visible_to``)."""
    if is_admin(user):
        return "all"
    if not can_see_personal_data(user):
        return "none"
    return frozenset(lab for lab, role in _lab_roles(user).items() if role == "coordinator")


def _manages_lab_or_office(user: Any, lab_id: int | None) -> bool:
    if is_admin(user):
        return True
    if lab_id is None:
        return is_active_user(user) and is_coordinator(user)
    return is_active_user(user) and _coordinates(user, lab_id)


def can_create_series(user: Any, lab: Any = None) -> bool:
    return _manages_lab_or_office(user, getattr(lab, "pk", None))


def can_manage_series(user: Any, series: Any) -> bool:
    return _manages_lab_or_office(user, series.lab_id)


def can_see_series_development(user: Any, series: Any) -> bool:
    """The development of a series over time (counts only): readers and whoever manages it."""
    return bool(sees_all_internal(user)) or can_manage_series(user, series)


def can_create_event(user: Any, lab: Any = None) -> bool:
    """May create an event (for ``lab``, or without a lab)."""
    return _manages_lab_or_office(user, getattr(lab, "pk", None))


def can_create_any_event(user: Any) -> bool:
    """Sees the "new event" button: administrators and every lab coordinator."""
    return is_admin(user) or (is_active_user(user) and is_coordinator(user))


def can_manage_event(user: Any, event: Any) -> bool:
    """Edit, publish, cancel, questions, documents, minutes and results of the event."""
    return _manages_lab_or_office(user, event.lab_id)


def can_see_participants(user: Any, event: Any) -> bool:
    """Registrations, waiting list, answers, feedback with names, exports, sign-in sheet."""
    return can_see_personal_data(user) and can_manage_event(user, event)


# Registering on someone's behalf, organiser seats, cancelling for them, check-in, walk-ins,
# invitations: the people who see the participants.
can_manage_registrations = can_see_participants
can_check_in = can_see_participants
can_invite = can_see_participants


def can_see_feedback_summary(user: Any, event: Any) -> bool:
    """Ratings and topics without names: whoever manages the event."""
    return can_manage_event(user, event)


def is_office_user(user: Any, event: Any) -> bool:
    """A signed-in member of the office acting for the event (None is not: None is the participant
    or the system acting for them)."""
    return user is not None and can_manage_registrations(user, event)
