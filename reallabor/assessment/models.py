"""Stored checks: the questionnaire versions answered, the responses with their scores, shares, the log.

- ``Questionnaire``: one row per questionnaire version that has answers, with a snapshot of its
  definition file and the file's digest. Old results are re-read from the snapshot, so a definition
  file revised later (even against the house rule, in place) never breaks them.
- ``Response``: one respondent's answers to one questionnaire version (a draft, then submitted),
  with the context data of the business, the stored scores for lists and the dashboard, the earlier
  result it is a re-take of, and the organisations it is shared with (``Share``).
- ``ResponseLog``: who did what with a response (kept, without the answers, after a deletion).

Every write goes through ``services``; who sees what is ``Response.objects.visible_to(user)``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reallabor.core.models import TimeStampedModel
from reallabor.organisations.models import Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from reallabor.accounts.models import User
    from reallabor.assessment.engine import Answers, Definition

DIMENSIONS: Final = ("1", "2", "3", "4", "5", "6")  # the DMA's six dimensions, as columns


class Questionnaire(models.Model):
    """A questionnaire version as it was answered: the definition file's content and digest."""

    slug = models.SlugField(_("questionnaire"), max_length=50)
    version = models.PositiveSmallIntegerField(_("version"))
    digest = models.CharField(_("SHA-256 of the definition"), max_length=64)
    definition = models.JSONField(_("definition"))
    created_at = models.DateTimeField(_("first answered"), auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        ordering = ["slug", "version", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version", "digest"], name="questionnaire_version_digest")
        ]

    def __str__(self) -> str:
        return f"{self.slug} v{self.version}"

    def parsed(self) -> Definition:
        """The definition as answered (from the snapshot; read once per process)."""
        return _parsed_snapshot(self.pk, self.digest, self.definition)


_SNAPSHOTS: dict[tuple[int, str], Definition] = {}


def _parsed_snapshot(pk: int, digest: str, data: Any) -> Definition:
    from reallabor.assessment.engine import parse_definition

    key = (pk, digest)
    if key not in _SNAPSHOTS:
        _SNAPSHOTS[key] = parse_definition(data, source=f"questionnaire {pk}")
    return _SNAPSHOTS[key]


class ResponseQuerySet(models.QuerySet["Response"]):
    def visible_to(self, user: User | AnonymousUser | None) -> ResponseQuerySet:
        """The office (administrators, lab coordinators; ``None`` = the system) sees every response;
        a member of an organisation sees the organisation's own responses and those shared with it;
        readers, partners without a share and the public see none (the link holder is let in by the
        link, see ``permissions.response_from_link``)."""
        from reallabor.assessment.permissions import is_office, member_organisation_ids

        if is_office(user):
            return self.all()
        organisations = member_organisation_ids(user)
        if not organisations:
            return self.none()
        shared = Share.objects.filter(organisation_id__in=organisations).values("response_id")
        return self.filter(Q(organisation_id__in=organisations) | Q(pk__in=shared))

    def submitted(self) -> ResponseQuerySet:
        return self.filter(status=Response.Status.SUBMITTED)


class Response(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    class Source(models.TextChoices):
        ONLINE = "online", _("online")
        ADVISOR = "advisor", _("with an advisor")
        IMPORT = "import", _("imported")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="responses", verbose_name=_("questionnaire")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # The answers object of the answer file (question id → answer, canonical: Answers.values) and the
    # relevance per dimension (None: not given). A draft may hold part of them.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    relevance = models.JSONField(_("relevance"), null=True, blank=True)

    # Context data of the business (dma.md: asked once per business; copied from the organisation
    # when the check starts with one, and kept with the result so that groups stay as they were).
    trade = models.ForeignKey(
        "taxonomy.Term",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trade"),
    )
    headcount_band = models.CharField(
        _("headcount"), max_length=10, choices=Organisation.HeadcountBand.choices, blank=True
    )
    founding_year = models.PositiveSmallIntegerField(_("founding year"), null=True, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    benchmark_consent = models.BooleanField(
        _("may be used for the city's benchmarks"),
        default=False,
        help_text=_("The answers may be used, anonymously, for benchmarks of the city."),
    )

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="check_responses",
        verbose_name=_("organisation"),
    )
    person = models.ForeignKey(
        "actors.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="check_responses",
        verbose_name=_("respondent"),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.ONLINE)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retakes",
        verbose_name=_("earlier result"),
    )
    shared_with = models.ManyToManyField(
        Organisation, through="Share", related_name="shared_check_responses", verbose_name=_("shared with")
    )

    # Stored scores (submitted DMA responses): rounded half up to one decimal for lists and the
    # dashboard; ``exact`` holds the exact values as fractions ("1234/27") for anything that must
    # not add up rounding errors. All of them are recomputable from the answers (services.rescore).
    overall = models.DecimalField(_("overall score"), max_digits=4, decimal_places=1, null=True, blank=True)
    band = models.CharField(_("band"), max_length=20, blank=True)
    score_1 = models.DecimalField(_("score 1"), max_digits=4, decimal_places=1, null=True, blank=True)
    score_2 = models.DecimalField(_("score 2"), max_digits=4, decimal_places=1, null=True, blank=True)
    score_3 = models.DecimalField(_("score 3"), max_digits=4, decimal_places=1, null=True, blank=True)
    score_4 = models.DecimalField(_("score 4"), max_digits=4, decimal_places=1, null=True, blank=True)
    score_5 = models.DecimalField(_("score 5"), max_digits=4, decimal_places=1, null=True, blank=True)
    score_6 = models.DecimalField(_("score 6"), max_digits=4, decimal_places=1, null=True, blank=True)
    gap_1 = models.DecimalField(_("gap 1"), max_digits=4, decimal_places=1, null=True, blank=True)
    gap_2 = models.DecimalField(_("gap 2"), max_digits=4, decimal_places=1, null=True, blank=True)
    gap_3 = models.DecimalField(_("gap 3"), max_digits=4, decimal_places=1, null=True, blank=True)
    gap_4 = models.DecimalField(_("gap 4"), max_digits=4, decimal_places=1, null=True, blank=True)
    gap_5 = models.DecimalField(_("gap 5"), max_digits=4, decimal_places=1, null=True, blank=True)
    gap_6 = models.DecimalField(_("gap 6"), max_digits=4, decimal_places=1, null=True, blank=True)
    exact = models.JSONField(_("exact scores"), default=dict, blank=True, editable=False)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("check result")
        verbose_name_plural = _("check results")
        ordering = ["-submitted_at", "-created_at"]
        indexes = [
            # The latest submitted result per organisation (selectors.latest_results, re-takes).
            models.Index(fields=["organisation", "status", "submitted_at"], name="response_latest_idx"),
            # The dashboard: submitted results over time.
            models.Index(fields=["status", "submitted_at"], name="response_submitted_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="response_submitted_has_date",
            ),
            models.CheckConstraint(
                condition=Q(founding_year__isnull=True) | Q(founding_year__gte=1000),
                name="response_founding_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.slug} v{self.questionnaire.version} {self.uuid}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def definition(self) -> Definition:
        return self.questionnaire.parsed()

    def answer_file(self) -> dict[str, Any]:
        """The answers as an answer file (docs/assessment.md): what ``Answers.to_dict()`` gives."""
        data: dict[str, Any] = {
            "questionnaire": self.questionnaire.slug,
            "version": self.questionnaire.version,
            "answers": self.answers,
        }
        if self.relevance is not None:
            data["relevance"] = self.relevance
        return data

    def to_answers(self) -> Answers:
        from reallabor.assessment.engine import Answers

        return Answers(
            questionnaire=self.questionnaire.slug,
            version=self.questionnaire.version,
            values=dict(self.answers),
            relevance=dict(self.relevance) if self.relevance is not None else None,
        )

    def dimension_scores(self) -> dict[str, Decimal | None]:
        return {dimension: getattr(self, f"score_{dimension}") for dimension in DIMENSIONS}

    def gaps(self) -> dict[str, Decimal | None]:
        return {dimension: getattr(self, f"gap_{dimension}") for dimension in DIMENSIONS}

    def exact_value(self, key: str, dimension: str | None = None) -> Fraction | None:
        """An exact stored value: ``exact_value("overall")``, ``exact_value("dimensions", "4")``."""
        value = self.exact.get(key) if dimension is None else self.exact.get(key, {}).get(dimension)
        return Fraction(value) if value is not None else None


class Share(models.Model):
    """A response shared with a partner organisation (e.g. the chamber's digital advisors)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="check_shares", verbose_name=_("organisation")
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    shared_at = models.DateTimeField(_("shared"), auto_now_add=True)

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        ordering = ["shared_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "organisation"], name="share_unique_organisation")
        ]

    def __str__(self) -> str:
        return f"{self.response_id} → {self.organisation}"


class ResponseLog(models.Model):
    """Who did what with a response. Kept after a deletion (then without the response, only its uuid)."""

    class Action(models.TextChoices):
        STARTED = "started", _("started")
        SAVED = "saved", _("answers saved")
        CONTEXT = "context", _("context data changed")
        SUBMITTED = "submitted", _("submitted")
        IMPORTED = "imported", _("imported")
        LINKED = "linked", _("linked to an organisation")
        SHARED = "shared", _("shared")
        UNSHARED = "unshared", _("no longer shared")
        DELETED = "deleted", _("deleted")

    response = models.ForeignKey(
        Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="log"
    )
    response_uuid = models.UUIDField(db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_link = models.BooleanField(_("by the personal link"), default=False)
    detail = models.JSONField(default=dict, blank=True)  # ids and slugs only, never answers
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.response_uuid} {self.action}"
