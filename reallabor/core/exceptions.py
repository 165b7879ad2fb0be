"""Errors that services raise and that views, API and CLI turn into messages."""

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = ["EditConflict", "PermissionDenied", "ValidationError"]


class EditConflict(ValidationError):
    """The record changed since the editor loaded it."""
