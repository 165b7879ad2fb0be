"""Collecting field errors of nested data under paths such as ``activities[2].title``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models


class ErrorCollector:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, path: str, message: Any) -> None:
        self.errors.setdefault(path or "__all__", []).append(str(message))

    def add_validation_error(self, error: ValidationError, prefix: str = "") -> None:
        if hasattr(error, "error_dict"):
            for field, field_errors in error.error_dict.items():
                path = prefix if field == "__all__" and prefix else _join(prefix, field)
                for item in field_errors:
                    for message in item.messages:
                        self.add(path, message)
        else:
            for message in error.messages:
                self.add(prefix, message)

    def clean(
        self,
        instance: models.Model,
        prefix: str = "",
        exclude: Iterable[str] = (),
        *,
        constraints: bool = True,
    ) -> None:
        """``full_clean`` without the unique checks; ``constraints=False`` also skips the check
        constraints (one query each), where the caller checks the same in Python with field messages."""
        try:
            instance.full_clean(
                exclude=list(exclude), validate_unique=False, validate_constraints=constraints
            )
        except ValidationError as error:
            self.add_validation_error(error, prefix)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError({path: messages for path, messages in self.errors.items()})

    def __bool__(self) -> bool:
        return bool(self.errors)


def _join(prefix: str, field: str) -> str:
    return f"{prefix}.{field}" if prefix else field


def error_dict(error: ValidationError) -> dict[str, list[str]]:
    """A ValidationError as {path: [messages]} for forms, API and CLI."""
    if hasattr(error, "error_dict"):
        return {
            field: [m for item in items for m in item.messages] for field, items in error.error_dict.items()
        }
    return {"__all__": list(error.messages)}
