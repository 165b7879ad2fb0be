"""Who sees and changes the actors' data.

Personal data (people, interactions, follow-ups, consents, segments, mailings, imports, the audit
trail) is seen and changed by administrators and lab coordinators only: the office's staff.
Organisations follow ``organisations.permissions`` (partners see the organisations of their labs,
the public the published profiles).
"""

from __future__ import annotations

from typing import Any

from reallabor.accounts.permissions import is_active_user, is_admin, is_system
from reallabor.organisations.permissions import is_coordinator


def can_see_personal_data(user: Any) -> bool:
    return is_system(user) or (is_active_user(user) and (is_admin(user) or is_coordinator(user)))


# The office's staff keep the CRM: the same people who see it.
can_manage_people = can_see_personal_data
can_record_interactions = can_see_personal_data
can_record_needs = can_see_personal_data
can_manage_segments = can_see_personal_data
can_manage_consent = can_see_personal_data
can_send_mailings = can_see_personal_data
can_import_actors = can_see_personal_data
can_export_actors = can_see_personal_data
can_merge_duplicates = can_see_personal_data


def can_erase_people(user: Any) -> bool:
    """Erasing and anonymising cannot be undone: administrators only."""
    return is_admin(user)


def can_view_audit_trail(user: Any) -> bool:
    return is_admin(user)


def can_edit_stakeholders(user: Any, lab: Any) -> bool:
    from reallabor.labs.permissions import lab_role

    return is_admin(user) or lab_role(user, lab) == "coordinator"


def can_see_stakeholders(user: Any, lab: Any) -> bool:
    return can_see_personal_data(user)
