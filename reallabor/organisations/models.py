"""The one Organisation model that every app uses (labs now; actors, events, offers later)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reallabor.core.models import RevisionedModel

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from reallabor.accounts.models import User


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def visible_to(self, user: User | AnonymousUser | None) -> OrganisationQuerySet:
        """Who sees which organisations.

        Administrators, readers and lab coordinators (the office) see all of them; a partner sees
        the organisations of their labs (taking part in the lab, or named as actor or coordinator
        of one of its measures); everybody, the public included, sees the published profiles.
        ``None`` is the system (CLI, services), which sees everything; pass the AnonymousUser
        for the public.
        """
        from reallabor.organisations.permissions import organisation_scope

        scope = organisation_scope(user)
        if scope == "all":
            return self.all()
        published = Q(profile_published=True)
        if scope == "published":
            return self.filter(published)
        return self.filter(published | _lab_scope(scope))

    def internal_to(self, user: User | AnonymousUser | None) -> OrganisationQuerySet:
        """The organisations whose internal data (beyond the public profile) the user sees."""
        from reallabor.organisations.permissions import organisation_scope

        scope = organisation_scope(user)
        if scope == "all":
            return self.all()
        if scope == "published":
            return self.none()
        return self.filter(_lab_scope(scope))

    def published(self) -> OrganisationQuerySet:
        return self.filter(profile_published=True)


def _lab_scope(labs: frozenset[int]) -> Q:
    """The organisations of these labs: taking part, actor or coordinator of a measure, coordinator."""
    from reallabor.labs.models import Actor, Lab, LabOrganisation, Measure

    return (
        Q(pk__in=LabOrganisation.objects.filter(lab_id__in=labs).values("organisation_id"))
        | Q(pk__in=Actor.objects.filter(measure__lab_id__in=labs).values("organisation_id"))
        | Q(
            pk__in=Measure.coordinators.through.objects.filter(measure__lab_id__in=labs).values(
                "organisation_id"
            )
        )
        | Q(pk__in=Lab.objects.filter(pk__in=labs).values("coordinator_id"))
    )


class Organisation(RevisionedModel):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        SCIENCE = "science", _("Science")
        MULTIPLIER = "multiplier", _("Multiplier")
        POLITICS = "politics", _("Politics")
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        ADMINISTRATION = "administration", _("Administration")

    class SubKind(models.TextChoices):
        # science
        UNIVERSITY = "university", _("University")
        RESEARCH_INSTITUTE = "research_institute", _("Research institute")
        # multiplier
        CHAMBER = "chamber", _("Chamber")
        ASSOCIATION = "association", _("Association")
        AGENCY = "agency", _("Agency")
        # civil society
        SCHOOL = "school", _("School")
        FAITH_COMMUNITY = "faith_community", _("Faith community")
        CLUB = "club", _("Club")
        DAY_CARE = "day_care", _("Day-care centre")

    class HeadcountBand(models.TextChoices):
        # Upper bounds matter: funding rules say "up to 49 employees" (see HEADCOUNT_BOUNDS).
        B1_4 = "1-4", _("1–4 employees")
        B5_9 = "5-9", _("5–9 employees")
        B10_19 = "10-19", _("10–19 employees")
        B20_49 = "20-49", _("20–49 employees")
        B50_249 = "50-249", _("50–249 employees")
        B250 = "250+", _("250 or more employees")

    class AllianceStatus(models.TextChoices):
        NONE = "", _("not a member")
        MEMBER = "member", _("member")
        APPLICANT = "applicant", _("applied")
        FORMER = "former", _("former member")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=220, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    sub_kind = models.CharField(_("sub-kind"), max_length=20, choices=SubKind.choices, blank=True)
    sector = models.ForeignKey(
        "taxonomy.Term",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sector_organisations",
        verbose_name=_("sector (WZ 2008)"),
        help_text=_("The division of the German classification of economic activities (WZ 2008)."),
    )
    trade = models.ForeignKey(
        "taxonomy.Term",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trade_organisations",
        verbose_name=_("trade"),
        help_text=_("For craft businesses: the trade of the crafts code (lists A and B)."),
    )
    headcount_band = models.CharField(
        _("headcount"), max_length=10, choices=HeadcountBand.choices, blank=True, db_index=True
    )
    founding_year = models.PositiveSmallIntegerField(_("founding year"), null=True, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True, db_index=True)
    quarter = models.CharField(_("quarter"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    alliance_status = models.CharField(
        _("Wirtschaftsallianz"), max_length=10, choices=AllianceStatus.choices, blank=True, db_index=True
    )
    alliance_since = models.DateField(_("member of the Wirtschaftsallianz since"), null=True, blank=True)
    profile_published = models.BooleanField(
        _("public profile published"),
        default=False,
        db_index=True,
        help_text=_("The organisation agreed to show its profile on the public pages."),
    )
    profile_text = models.TextField(
        _("public profile"), blank=True, help_text=_("What the organisation says about itself (Markdown).")
    )
    # Kept by the services, for duplicate detection and segments at scale.
    name_key = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    web_domain = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True, editable=False)

    # Needs, motivations and other terms (taxonomy.Tag). Declared so that a filter on one term can
    # join the tag index and read it in the organisations' order (actors.filters); no column.
    tags = GenericRelation("taxonomy.Tag", related_query_name="organisation")

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["name_key", "postcode"], name="organisation_duplicate_idx"),
            models.Index(fields=["last_contact_at"], name="organisation_last_contact_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(founding_year__isnull=True) | Q(founding_year__gte=1000),
                name="organisation_founding_year_plausible",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:organisation-detail", kwargs={"slug": self.slug})

    @property
    def sub_kind_allowed(self) -> bool:
        return not self.sub_kind or self.sub_kind in SUB_KINDS.get(self.kind, ())

    @property
    def address(self) -> str:
        place = " ".join(part for part in (self.postcode, self.city) if part)
        return ", ".join(part for part in (self.street, place) if part)


# Which sub-kinds belong to which kind (the services refuse other combinations).
SUB_KINDS: dict[str, tuple[str, ...]] = {
    Organisation.Kind.SCIENCE: (Organisation.SubKind.UNIVERSITY, Organisation.SubKind.RESEARCH_INSTITUTE),
    Organisation.Kind.MULTIPLIER: (
        Organisation.SubKind.CHAMBER,
        Organisation.SubKind.ASSOCIATION,
        Organisation.SubKind.AGENCY,
    ),
    Organisation.Kind.CIVIL_SOCIETY: (
        Organisation.SubKind.SCHOOL,
        Organisation.SubKind.FAITH_COMMUNITY,
        Organisation.SubKind.CLUB,
        Organisation.SubKind.DAY_CARE,
    ),
}

# Lower and upper bound of each headcount band (None = open), for eligibility rules.
HEADCOUNT_BOUNDS: dict[str, tuple[int, int | None]] = {
    "1-4": (1, 4),
    "5-9": (5, 9),
    "10-19": (10, 19),
    "20-49": (20, 49),
    "50-249": (50, 249),
    "250+": (250, None),
}
