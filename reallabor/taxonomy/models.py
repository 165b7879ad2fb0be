"""Vocabularies and weighted tags that any model can carry.

A vocabulary belongs to a family (``sdg``, ``megatrends``, ``strategy`` …) and has versions: the
current one takes new tags; a retired one keeps the tags it had but takes no new ones. Terms may
have a parent (an SDG target's parent is its goal): a tag on a target implies its goal.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reallabor.core.models import TimeStampedModel

SDG_FAMILY = "sdg"
MEGATREND_FAMILY = "megatrends"
STRATEGY_FAMILY = "strategy"
TARGET_GROUP_FAMILY = "target-groups"
NEEDS_FAMILY = "needs"
MOTIVATIONS_FAMILY = "motivations"
SECTOR_FAMILY = "wz2008"  # Klassifikation der Wirtschaftszweige 2008: sections (a–u) and divisions (01–99)
TRADES_FAMILY = "trades"  # the trades of the crafts code (HwO), lists A, B1 and B2


class Vocabulary(TimeStampedModel):
    class Kind(models.TextChoices):
        SDG = "sdg", _("UN Sustainable Development Goals")
        MEGATREND = "megatrend", _("Megatrends")
        STRATEGY = "strategy", _("Strategy goals")
        TARGET_GROUP = "target_group", _("Target groups")
        NEED = "need", _("Needs")
        MOTIVATION = "motivation", _("Motivations")
        SECTOR = "sector", _("Economic sectors")
        TRADE = "trade", _("Trades")
        OTHER = "other", _("Other")

    family = models.SlugField(
        _("family"), max_length=50, help_text=_("All versions of a vocabulary share it.")
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    abbreviation = models.CharField(
        _("abbreviation"), max_length=10, blank=True, help_text=_("Shown before a term, e.g. SDG or MT.")
    )
    description = models.TextField(_("description"), blank=True)
    is_editable = models.BooleanField(_("editable"), default=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("vocabulary")
        verbose_name_plural = _("vocabularies")
        ordering = ["family", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="vocabulary_family_version_unique"),
            models.UniqueConstraint(
                fields=["family"], condition=Q(retired_at__isnull=True), name="vocabulary_one_current_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} (v{self.version})"

    @property
    def label(self) -> str:
        if self.name_en and (get_language() or "de").startswith("en"):
            return self.name_en
        return self.name

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class Term(models.Model):
    vocabulary = models.ForeignKey(
        Vocabulary, on_delete=models.CASCADE, related_name="terms", verbose_name=_("vocabulary")
    )
    code = models.CharField(
        _("code"),
        max_length=50,
        validators=[
            RegexValidator(r"^[a-z0-9][a-z0-9.\-]*$", _("Use lower-case letters, digits, dots and dashes."))
        ],
    )
    name = models.CharField(_("name"), max_length=1000)
    name_en = models.CharField(_("name (English)"), max_length=1000, blank=True)
    local_name = models.CharField(
        _("local wording"),
        max_length=1000,
        blank=True,
        help_text=_("The city's own wording, shown instead of the name where set."),
    )
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    colour = models.CharField(_("colour"), max_length=7, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["vocabulary", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["vocabulary", "code"], name="term_vocabulary_code_unique")
        ]

    def __str__(self) -> str:
        return self.display

    @property
    def label(self) -> str:
        if (get_language() or "de").startswith("en"):
            return self.name_en or self.name
        return self.local_name or self.name

    @property
    def number(self) -> str:
        """The code as people write it: SDG targets as 8.5."""
        return self.code

    @property
    def display(self) -> str:
        """As in the seed documents: SDG 8 »Menschenwürdige Arbeit …«, MT »Digitalisierung«."""
        abbreviation = self.vocabulary.abbreviation
        if self.vocabulary.kind == Vocabulary.Kind.SDG:
            return f"{abbreviation} {self.code} »{self.label}«"
        if abbreviation:
            return f"{abbreviation} »{self.label}«"
        return self.label


class Tag(models.Model):
    class Priority(models.TextChoices):
        PRIMARY = "primary", _("primary")
        SECONDARY = "secondary", _("secondary")

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="tags", verbose_name=_("term"))
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, blank=True)
    share = models.PositiveSmallIntegerField(
        _("share in percent"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("e.g. “durch die Covid-19-Pandemie gestärkt”")
    )
    position = models.PositiveIntegerField(default=0)
    # Who attached the tag and when (needs and motivations show it; older tags have none).
    created_at = models.DateTimeField(_("recorded"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["position", "id"]
        # Objects by term (filters); tags of an object use the unique constraint's index.
        indexes = [models.Index(fields=["term", "content_type", "object_id"], name="tag_term_object_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "term"], name="tag_unique_term_per_object"
            ),
            models.CheckConstraint(
                condition=(Q(priority="") & Q(share__isnull=False) & Q(share__gte=1) & Q(share__lte=100))
                | (Q(priority__in=["primary", "secondary"]) & Q(share__isnull=True)),
                name="tag_weight_is_priority_or_share",
            ),
        ]

    def __str__(self) -> str:
        return str(self.term)

    @property
    def weight(self) -> float:
        from reallabor.taxonomy.weights import tag_weight

        return tag_weight(self.priority, self.share)

    @property
    def weight_label(self) -> str:
        if self.share is not None:
            return f"{self.share} %"
        return str(self.Priority(self.priority).label) if self.priority else ""

    @property
    def display(self) -> str:
        return f"{self.term.display} ({self.note})" if self.note else self.term.display
