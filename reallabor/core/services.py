"""Helpers shared by the services of every app."""

from django.utils.translation import gettext as _

from reallabor.core.exceptions import EditConflict
from reallabor.core.models import RevisionedModel


def check_revision(obj: RevisionedModel, expected: int | None) -> None:
    """Refuse the write when the record changed since the editor loaded ``expected``."""
    if expected is not None and int(expected) != obj.revision:
        raise EditConflict(
            _(
                "This record was changed by someone else in the meantime (revision %(current)s, "
                "you edited revision %(expected)s). Reload the page; your input was not saved."
            )
            % {"current": obj.revision, "expected": expected},
            code="conflict",
        )


def bump_revision(obj: RevisionedModel) -> None:
    obj.revision += 1
