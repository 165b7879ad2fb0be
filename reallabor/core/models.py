"""Abstract base models shared by every app (no domain models live here)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class RevisionedModel(TimeStampedModel):
    """A record whose edits are checked against the revision the editor started from.

    Every service that changes such a record compares the revision the form or API client
    sent with the stored one and refuses the write when another edit came in between, so no
    edit silently overwrites another (see ``core.services.check_revision``).
    """

    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    class Meta:
        abstract = True


class ContentVersion(models.Model):
    """One counter that every write through the services increases (see ``core.cache``).

    Cached page fragments are keyed on it, so any change makes every cached fragment stale at
    once — simple and safe, and writes are rare compared with reads.
    """

    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("content version")

    def __str__(self) -> str:
        return str(self.value)
