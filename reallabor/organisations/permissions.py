"""Who may change organisations: administrators and lab coordinators edit, partners add, admins delete."""

from __future__ import annotations

from typing import Any

from reallabor.accounts.permissions import is_admin


def _has_lab_role(user: Any, *roles: str) -> bool:
    from reallabor.labs.permissions import lab_roles  # organisations do not depend on labs at import

    return any(role in roles for role in lab_roles(user).values())


def can_create_organisation(user: Any) -> bool:
    return is_admin(user) or _has_lab_role(user, "coordinator", "partner")


def can_edit_organisation(user: Any, organisation: Any = None) -> bool:
    return is_admin(user) or _has_lab_role(user, "coordinator")


def can_delete_organisation(user: Any, organisation: Any = None) -> bool:
    return is_admin(user)
