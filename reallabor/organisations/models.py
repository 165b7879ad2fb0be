"""The one Organisation model that every app uses (labs now; actors, events, offers later)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reallabor.core.models import RevisionedModel

if TYPE_CHECKING:
    from reallabor.accounts.models import User


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def visible_to(self, user: User | None) -> OrganisationQuerySet:
        """Organisations are internal records: every signed-in user sees them, the public does not."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.all()


class Organisation(RevisionedModel):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        SCIENCE = "science", _("Science")
        MULTIPLIER = "multiplier", _("Multiplier")
        POLITICS = "politics", _("Politics")
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        ADMINISTRATION = "administration", _("Administration")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=220, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True, db_index=True)
    website = models.URLField(_("website"), blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:organisation-detail", kwargs={"slug": self.slug})

    @property
    def address(self) -> str:
        place = " ".join(part for part in (self.postcode, self.city) if part)
        return ", ".join(part for part in (self.street, place) if part)
