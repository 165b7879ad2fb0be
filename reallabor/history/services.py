"""Writing the history. Called by the services of the recorded apps, inside their transaction."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from reallabor.core.cache import content_changed
from reallabor.history.diff import diff_states
from reallabor.history.models import Version


def latest_version(obj: models.Model) -> Version | None:
    return (
        Version.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        .order_by("-created_at", "-id")
        .first()
    )


def record_version(
    *, obj: models.Model, user: Any, action: str, data: dict[str, Any], revision: int, comment: str = ""
) -> Version | None:
    """Store the new state of ``obj`` with its differences to the previous one.

    A change that changes nothing records nothing (returns None), except creation and deletion.
    """
    # A creation has no earlier state (primary keys are never reused), so none is read.
    previous = None if action == Version.Action.CREATED else latest_version(obj)
    changes = diff_states(previous.data if previous else None, data)
    if not changes and action in (Version.Action.CHANGED, Version.Action.RESTORED):
        return None
    content_changed()
    return Version.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        object_repr=str(obj)[:300],
        revision=revision,
        action=action,
        user=user if user is not None and getattr(user, "is_authenticated", False) else None,
        data=data,
        changes=changes,
        comment=comment,
    )


def versions_of(obj: models.Model) -> models.QuerySet[Version]:
    return Version.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("user")
