"""Who may do what with labs and measures. Predicates take the acting user (None = the system).

Roles: administrator (everything), lab coordinator (manages the labs assigned to them),
partner (edits the measures of labs they belong to), reader (sees internal content),
anonymous public (published labs and measures only; see the ``visible_to`` querysets).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reallabor.accounts.permissions import is_active_user, is_admin
from reallabor.labs.models import Lab, LabMembership, Measure

if TYPE_CHECKING:
    from reallabor.accounts.models import User


_active = is_active_user


def lab_role(user: Any, lab: Lab) -> str | None:
    """The user's membership role in the lab (cached per request on the user object)."""
    if not _active(user):
        return None
    cache: dict[int, str | None] = user.__dict__.setdefault("_lab_roles", {})
    if lab.pk not in cache:
        cache[lab.pk] = (
            LabMembership.objects.filter(lab=lab, user=user).values_list("role", flat=True).first()
        )
    return cache[lab.pk]


_ALL_LOADED = -1  # a key of the per-request cache: every membership of the user is in it


def lab_roles(user: Any) -> dict[int, str]:
    """All of the user's memberships, lab id → role (one query)."""
    if not _active(user):
        return {}
    cache: dict[int, str | None] = user.__dict__.setdefault("_lab_roles", {})
    if cache.get(_ALL_LOADED) is None:
        cache.update(LabMembership.objects.filter(user=user).values_list("lab_id", "role"))
        cache[_ALL_LOADED] = "yes"
    return {lab: role for lab, role in cache.items() if lab != _ALL_LOADED and role is not None}


def can_create_lab(user: User | None) -> bool:
    return is_admin(user)


def can_edit_lab(user: User | None, lab: Lab) -> bool:
    return is_admin(user) or lab_role(user, lab) == LabMembership.Role.COORDINATOR


def can_delete_lab(user: User | None, lab: Lab) -> bool:
    return is_admin(user)


can_publish_lab = can_edit_lab
can_manage_lab_members = can_edit_lab
can_create_measure = can_edit_lab
can_reorder_measures = can_edit_lab


def can_edit_measure(user: User | None, measure: Measure) -> bool:
    return is_admin(user) or lab_role(user, measure.lab) in (
        LabMembership.Role.COORDINATOR,
        LabMembership.Role.PARTNER,
    )


def can_publish_measure(user: User | None, measure: Measure) -> bool:
    return can_edit_lab(user, measure.lab)


def can_delete_measure(user: User | None, measure: Measure) -> bool:
    return can_edit_lab(user, measure.lab)


def can_view_history(user: User | None, measure: Measure) -> bool:
    return can_edit_measure(user, measure)


can_restore_measure = can_edit_measure


def can_view_internal(user: User | None) -> bool:
    """Signed-in users see internal pages (what they see there is scoped by ``visible_to``)."""
    return _active(user)


def can_import_blueprint(user: User | None) -> bool:
    """Importing a blueprint creates a lab (and may create organisations and vocabulary terms)."""
    return is_admin(user)


def can_export_blueprint(user: User | None, lab: Lab) -> bool:
    """A blueprint holds drafts and internal records; only administrators export (docs/blueprints.md)."""
    return is_admin(user)
