"""Reallabore, their measures (Maßnahmen) and the measures' profiles.

A measure's profile has the seven rows of the seed documents: Aktivitäten, Koordination,
Finanzierung, Beteiligte Akteure, Zielgruppe(n), Mehrwert, Ergebnisse. Rows whose content is
a list are child records; target group and added value share one record (the added value is
written per target group).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reallabor.core.models import RevisionedModel, TimeStampedModel
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import Tag, Term

if TYPE_CHECKING:
    from reallabor.accounts.models import User


def _is_signed_in(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _check_period(
    start: object, end: object, *, end_field: str = "end", start_required: bool = False
) -> None:
    """Field errors for a period (the check constraints alone only give a nameless error)."""
    if not isinstance(end, datetime.date):
        return
    if start_required and start is None:
        raise ValidationError({"start": _("Give a start date when there is an end date.")})
    if isinstance(start, datetime.date) and end < start:
        raise ValidationError({end_field: _("The end must not be before the start.")})


class LabQuerySet(models.QuerySet["Lab"]):
    def published(self) -> LabQuerySet:
        return self.filter(is_published=True)

    def visible_to(self, user: User | None) -> LabQuerySet:
        """The public sees published labs; members also their own labs' drafts; readers and admins all."""
        if not _is_signed_in(user):
            return self.published()
        assert user is not None
        if user.sees_all_internal:
            return self.all()
        return self.filter(Q(is_published=True) | Q(memberships__user=user)).distinct()


class MeasureQuerySet(models.QuerySet["Measure"]):
    def published(self) -> MeasureQuerySet:
        return self.filter(is_published=True, lab__is_published=True)

    def visible_to(self, user: User | None) -> MeasureQuerySet:
        if not _is_signed_in(user):
            return self.published()
        assert user is not None
        if user.sees_all_internal:
            return self.all()
        member_labs = LabMembership.objects.filter(user=user).values("lab_id")
        return self.filter(Q(is_published=True, lab__is_published=True) | Q(lab_id__in=member_labs))


class Lab(RevisionedModel):
    class Phase(models.TextChoices):
        CO_DESIGN = "co_design", _("Co-design")
        CO_PRODUCTION = "co_production", _("Co-production")
        CO_EVALUATION = "co_evaluation", _("Co-evaluation")
        CONTINUED = "continued", _("Continued")
        ENDED = "ended", _("Ended")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name (URL)"), max_length=100, unique=True)
    summary = models.TextField(_("summary"), blank=True, help_text=_("One or two sentences for lists."))
    background = models.TextField(_("background and aims"), blank=True, help_text=_("Markdown"))
    outlook = models.TextField(_("outlook"), blank=True, help_text=_("Markdown"))
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.CO_DESIGN)
    funding_start = models.DateField(_("funding from"), null=True, blank=True)
    funding_end = models.DateField(_("funding until"), null=True, blank=True)
    coordinator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinated_labs",
        verbose_name=_("coordinating organisation"),
    )
    is_published = models.BooleanField(_("published"), default=False, db_index=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = LabQuerySet.as_manager()

    class Meta:
        verbose_name = _("real-world lab")
        verbose_name_plural = _("real-world labs")
        ordering = ["position", "name"]
        indexes = [models.Index(fields=["position", "name"], name="lab_order_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(funding_end__isnull=True)
                | Q(funding_start__isnull=True)
                | Q(funding_end__gte=models.F("funding_start")),
                name="lab_funding_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        _check_period(self.funding_start, self.funding_end, end_field="funding_end")

    def get_absolute_url(self) -> str:
        return reverse("labs:lab-detail", kwargs={"slug": self.slug})


class LabMembership(TimeStampedModel):
    """A user's role in a lab: coordinators manage the lab, partners edit its measures."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Lab coordinator")
        PARTNER = "partner", _("Partner")

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("lab"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lab_memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("lab membership")
        verbose_name_plural = _("lab memberships")
        constraints = [models.UniqueConstraint(fields=["lab", "user"], name="lab_membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.lab} ({self.get_role_display()})"


class LabOrganisation(TimeStampedModel):
    """An organisation that takes part in a lab, with its role there."""

    class Role(models.TextChoices):
        COORDINATION = "coordination", _("Coordination")
        PARTNER = "partner", _("Partner")
        SCIENCE = "science", _("Scientific partner")
        SUPPORTER = "supporter", _("Supporter")

    lab = models.ForeignKey(
        Lab, on_delete=models.CASCADE, related_name="organisations", verbose_name=_("lab")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="lab_roles", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PARTNER)

    class Meta:
        verbose_name = _("lab organisation")
        verbose_name_plural = _("lab organisations")
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["lab", "organisation"], name="lab_organisation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.lab}"


class Measure(RevisionedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="measures", verbose_name=_("lab"))
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("short name (URL)"), max_length=100)
    summary = models.TextField(_("summary"), blank=True, help_text=_("One or two sentences for lists."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_published = models.BooleanField(_("published"), default=False, db_index=True)
    coordinators = models.ManyToManyField(
        Organisation, blank=True, related_name="coordinated_measures", verbose_name=_("coordination")
    )
    tags = GenericRelation(Tag, related_query_name="measure")

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["lab__position", "lab__name", "position", "id"]
        indexes = [models.Index(fields=["lab", "position"]), models.Index(fields=["status"])]
        constraints = [
            models.UniqueConstraint(fields=["lab", "slug"], name="measure_slug_unique_in_lab"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gte=models.F("start")),
                name="measure_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        _check_period(self.start, self.end)

    def get_absolute_url(self) -> str:
        return reverse("labs:measure-detail", kwargs={"lab_slug": self.lab.slug, "slug": self.slug})


class ProfileRow(models.Model):
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class Activity(ProfileRow):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(_("title"), max_length=300)
    start = models.DateField(_("date or start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    text = models.TextField(_("description"), blank=True, help_text=_("Markdown"))

    class Meta(ProfileRow.Meta):
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | (Q(start__isnull=False) & Q(end__gte=models.F("start"))),
                name="activity_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        _check_period(self.start, self.end, start_required=True)


class Financing(ProfileRow):
    class SourceKind(models.TextChoices):
        PROGRAMME = "programme", _("Funding programme")
        FUNDER = "funder", _("Funder")

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="financing")
    source_kind = models.CharField(_("kind of source"), max_length=20, choices=SourceKind.choices)
    source = models.CharField(_("programme or funder"), max_length=300)
    amount = models.DecimalField(_("amount in EUR"), max_digits=14, decimal_places=2, null=True, blank=True)
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)

    class Meta(ProfileRow.Meta):
        verbose_name = _("financing")
        verbose_name_plural = _("financing")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="financing_amount_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gte=models.F("start")),
                name="financing_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.source

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if isinstance(self.amount, Decimal | int) and self.amount < 0:
            errors["amount"] = _("The amount must not be negative.")
        try:
            _check_period(self.start, self.end)
        except ValidationError as error:
            errors.update({field: messages[0] for field, messages in error.message_dict.items()})
        if errors:
            raise ValidationError(errors)


class Actor(ProfileRow):
    """A participating actor: an organisation, or a named group such as “Einzelhändler”."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="actors")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measure_roles",
        verbose_name=_("organisation"),
    )
    group_name = models.CharField(_("named group"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=200, blank=True)

    class Meta(ProfileRow.Meta):
        verbose_name = _("participating actor")
        verbose_name_plural = _("participating actors")
        constraints = [
            models.CheckConstraint(
                condition=(Q(organisation__isnull=False) & Q(group_name=""))
                | (Q(organisation__isnull=True) & ~Q(group_name="")),
                name="actor_is_organisation_or_group",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.organisation.name if self.organisation_id and self.organisation else self.group_name


class TargetGroup(ProfileRow):
    """A target group of the measure, with the added value (Mehrwert) the measure brings it."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="target_groups")
    term = models.ForeignKey(
        Term, on_delete=models.PROTECT, related_name="target_group_rows", verbose_name=_("target group")
    )
    added_value = models.TextField(_("added value"), blank=True, help_text=_("Markdown"))

    class Meta(ProfileRow.Meta):
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")
        constraints = [
            models.UniqueConstraint(fields=["measure", "term"], name="target_group_unique_per_measure")
        ]

    def __str__(self) -> str:
        return self.term.label


def evidence_upload_to(instance: Result, filename: str) -> str:
    return f"evidence/{instance.measure_id}/{filename}"


class Result(ProfileRow):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="results")
    date = models.DateField(_("date"), null=True, blank=True)
    text = models.TextField(_("result"), help_text=_("Markdown"))
    evidence_url = models.URLField(_("evidence (link)"), blank=True)
    evidence_file = models.FileField(_("evidence (file)"), upload_to=evidence_upload_to, blank=True)

    class Meta(ProfileRow.Meta):
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self) -> str:
        return self.text[:60]
