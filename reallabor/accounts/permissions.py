"""User-level predicates shared by every app's permissions module."""

from typing import Any


def is_active_user(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_system(user: Any) -> bool:
    """The CLI and the demo loader act as the system (user None) and may do everything."""
    return user is None


def is_admin(user: Any) -> bool:
    return is_system(user) or (is_active_user(user) and user.is_administrator)


def sees_all_internal(user: Any) -> bool:
    return is_system(user) or (is_active_user(user) and user.sees_all_internal)
