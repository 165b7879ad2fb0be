"""Who sees and changes organisations.

Seeing: the office (administrators, readers, lab coordinators) sees every organisation; a partner
sees the organisations of their labs; everybody sees the published public profiles.
Changing: administrators and lab coordinators edit, partners add, administrators delete.
"""

from __future__ import annotations

from typing import Any, Literal

from reallabor.accounts.permissions import is_active_user, is_admin, sees_all_internal


def _lab_roles(user: Any) -> dict[int, str]:
    from reallabor.labs.permissions import lab_roles  # organisations do not depend on labs at import

    return lab_roles(user)


def _has_lab_role(user: Any, *roles: str) -> bool:
    return any(role in roles for role in _lab_roles(user).values())


def is_coordinator(user: Any) -> bool:
    """Coordinates at least one lab: part of the office's staff for the actors' data."""
    return _has_lab_role(user, "coordinator")


def organisation_scope(user: Any) -> Literal["all", "published"] | frozenset[int]:
    """ "all", "published", or the ids of the labs whose organisations a partner sees."""
    if sees_all_internal(user):
        return "all"
    if not is_active_user(user):
        return "published"
    roles = _lab_roles(user)
    if "coordinator" in roles.values():
        return "all"
    labs = frozenset(lab for lab, role in roles.items() if role == "partner")
    return labs or "published"


def can_see_internal_organisation_data(user: Any) -> bool:
    """Internal fields (contact channels, alliance, needs, lab roles) beyond the public profile."""
    return organisation_scope(user) != "published"


def can_create_organisation(user: Any) -> bool:
    return is_admin(user) or _has_lab_role(user, "coordinator", "partner")


def can_edit_organisation(user: Any, organisation: Any = None) -> bool:
    return is_admin(user) or _has_lab_role(user, "coordinator")


def can_delete_organisation(user: Any, organisation: Any = None) -> bool:
    return is_admin(user)
