"""The catalogue of offers (information, consulting, funding, training, events) for businesses,
which offers were recommended to which organisation, and which were taken up.

An offer is described with the dimensions of the federal funding database (Förderart,
Förderbereich, Fördergebiet, Förderberechtigte) plus the dimensions of the digital-maturity check
it addresses. ``matching.py`` decides, from plain data, which offers a business is eligible for and
ranks them; ``services.py`` is the only writer.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Final

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reallabor.core.models import RevisionedModel, TimeStampedModel

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from reallabor.accounts.models import User

VERIFY_AFTER_MONTHS: Final = 6
DIMENSIONS: Final = ("1", "2", "3", "4", "5", "6")  # of dma-handwerk (see docs/assessment.md)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier (the last day of a shorter month: 31 Aug → 28/29 Feb)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


class OfferQuerySet(models.QuerySet["Offer"]):
    def visible_to(self, user: User | AnonymousUser | None, *, today: dt.date | None = None) -> OfferQuerySet:
        """The office sees every offer; everybody else the published ones not expired (``today``)."""
        from reallabor.offers.permissions import can_see_all_offers

        if can_see_all_offers(user):
            return self.all()
        return self.current(today)

    def current(self, today: dt.date | None = None) -> OfferQuerySet:
        """Published and open: no deadline, or a deadline not yet passed."""
        day = today or timezone.localdate()
        return self.filter(status=Offer.Status.PUBLISHED).filter(
            Q(deadline__isnull=True) | Q(deadline__gte=day)
        )

    def expired(self, today: dt.date | None = None) -> OfferQuerySet:
        day = today or timezone.localdate()
        return self.filter(deadline__lt=day)

    def needs_verification(self, today: dt.date | None = None) -> OfferQuerySet:
        """Published offers not verified within the last six months (never verified included):
        the office checks them again. Expired ones are left out (businesses no longer see them)."""
        day = today or timezone.localdate()
        limit = months_before(day, VERIFY_AFTER_MONTHS)
        return self.current(day).filter(Q(verified_on__isnull=True) | Q(verified_on__lte=limit))


class Offer(RevisionedModel):
    class Kind(models.TextChoices):
        INFORMATION = "information", _("Information")
        CONSULTING = "consulting", _("Consulting")
        FUNDING = "funding", _("Funding")
        TRAINING = "training", _("Training")
        EVENT = "event", _("Event")

    class FundingType(models.TextChoices):
        """Förderart of the federal funding database (several per offer)."""

        GRANT = "grant", _("Grant (Zuschuss)")
        LOAN = "loan", _("Loan (Darlehen)")
        GUARANTEE = "guarantee", _("Guarantee (Bürgschaft)")
        EQUITY = "equity", _("Equity (Beteiligung)")
        CONSULTING = "consulting", _("Consulting (Beratung)")
        OTHER = "other", _("Other (sonstige)")

    class RegionLevel(models.TextChoices):
        """Fördergebiet: where a business must be to be eligible."""

        EU = "eu", _("European Union")
        FEDERAL = "federal", _("Germany (Bund)")
        STATE = "state", _("Federal state (Land)")
        DISTRICT = "district", _("District (Kreis)")
        CITY = "city", _("City (Stadt)")

    class Founders(models.TextChoices):
        NOT_SPECIFIED = "", _("not specified")
        ONLY = "only", _("only founders")
        ALSO = "also", _("founders too")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        RETIRED = "retired", _("retired")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(
        _("short name"), max_length=120, unique=True, help_text=_("The stable key, also of the import file.")
    )
    provider = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="offers",
        verbose_name=_("provider"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    supported = models.TextField(_("what is supported"), blank=True)
    eligibility = models.TextField(_("who is eligible"), blank=True)
    funding_types = models.JSONField(_("Förderart"), default=list, blank=True)
    funding_areas = models.ManyToManyField(
        "taxonomy.Term", blank=True, related_name="offers_by_area+", verbose_name=_("Förderbereich")
    )
    region_level = models.CharField(
        _("Fördergebiet"), max_length=10, choices=RegionLevel.choices, default=RegionLevel.FEDERAL
    )
    region_code = models.CharField(
        _("region"),
        max_length=100,
        blank=True,
        help_text=_("The Land's code for a federal state (NW); the slug of the district or city (bottrop)."),
    )
    region_name = models.CharField(_("region name"), max_length=100, blank=True)
    headcount_bands = models.JSONField(
        _("headcount bands"), default=list, blank=True, help_text=_("Empty: businesses of every size.")
    )
    sectors = models.ManyToManyField(
        "taxonomy.Term", blank=True, related_name="offers_by_sector+", verbose_name=_("sectors (WZ 2008)")
    )
    trades = models.ManyToManyField(
        "taxonomy.Term", blank=True, related_name="offers_by_trade+", verbose_name=_("trades")
    )
    founders = models.CharField(_("founders"), max_length=10, choices=Founders.choices, blank=True)
    dimensions = models.JSONField(
        _("check dimensions addressed"),
        default=list,
        blank=True,
        help_text=_("Of the digital-maturity check: 1–6."),
    )
    needs = models.ManyToManyField(
        "taxonomy.Term", blank=True, related_name="offers_by_need+", verbose_name=_("needs addressed")
    )
    amount_min = models.DecimalField(
        _("amount from (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    amount_max = models.DecimalField(
        _("amount up to (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True, help_text=_("Empty: open."))
    contact = models.TextField(_("contact"), blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    verified_on = models.DateField(_("last verified"), null=True, blank=True)
    is_example = models.BooleanField(
        _("example"), default=False, help_text=_("A demo offer the office does not know for certain.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["status", "deadline"], name="offer_status_deadline_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_min__isnull=True)
                | Q(amount_max__isnull=True)
                | Q(amount_max__gte=models.F("amount_min")),
                name="offer_amount_range",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_expired(self, today: dt.date | None = None) -> bool:
        return self.deadline is not None and self.deadline < (today or timezone.localdate())

    def needs_verification(self, today: dt.date | None = None) -> bool:
        day = today or timezone.localdate()
        return self.verified_on is None or self.verified_on <= months_before(day, VERIFY_AFTER_MONTHS)


class RecommendationQuerySet(models.QuerySet["Recommendation"]):
    def visible_to(self, user: User | AnonymousUser | None) -> RecommendationQuerySet:
        from reallabor.offers.permissions import can_see_recommendations

        return self.all() if can_see_recommendations(user) else self.none()


class Recommendation(TimeStampedModel):
    """An offer recommended to an organisation: when, at which rank, with which score and reasons
    (a snapshot: the reasons as the matching gave them then)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="offer_recommendations",
        verbose_name=_("organisation"),
    )
    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, related_name="recommendations", verbose_name=_("offer")
    )
    recommended_at = models.DateTimeField(_("recommended"), db_index=True)
    rank = models.PositiveIntegerField(_("rank"))
    score = models.DecimalField(_("score"), max_digits=10, decimal_places=3)
    reasons = models.JSONField(_("reasons"), default=list)
    text = models.TextField(_("reasons (text)"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["-recommended_at", "rank", "id"]
        indexes = [
            models.Index(fields=["organisation", "-recommended_at"], name="recommendation_org_idx"),
            models.Index(fields=["offer", "-recommended_at"], name="recommendation_offer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.offer} → {self.organisation} (#{self.rank})"


class UptakeQuerySet(models.QuerySet["Uptake"]):
    def visible_to(self, user: User | AnonymousUser | None) -> UptakeQuerySet:
        from reallabor.offers.permissions import can_see_recommendations

        return self.all() if can_see_recommendations(user) else self.none()


class Uptake(TimeStampedModel):
    """An organisation took an offer up (recorded by an advisor or the office)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="offer_uptakes",
        verbose_name=_("organisation"),
    )
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, related_name="uptakes", verbose_name=_("offer")
    )
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="uptakes",
        verbose_name=_("recommendation"),
    )
    taken_up_on = models.DateField(_("taken up on"), db_index=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = UptakeQuerySet.as_manager()

    class Meta:
        verbose_name = _("uptake")
        verbose_name_plural = _("uptakes")
        ordering = ["-taken_up_on", "-id"]
        indexes = [models.Index(fields=["offer", "-taken_up_on"], name="uptake_offer_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "offer", "taken_up_on"], name="uptake_once_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.offer} ({self.taken_up_on})"
