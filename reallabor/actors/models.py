"""The office's CRM for the local economy: people, relationships, stakeholder positions,
interactions and follow-ups, segments, consent, mailings, imports and the personal-data audit.

Organisations are the shared ``organisations.Organisation``; needs and motivations are tags of
the ``needs`` and ``motivations`` vocabularies (``taxonomy.Tag`` on an organisation or a person).
Personal data (people, interactions, consents, mailings) is seen by administrators and lab
coordinators only (see ``actors.permissions``).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reallabor.core.models import RevisionedModel, TimeStampedModel
from reallabor.organisations.models import Organisation

if TYPE_CHECKING:
    from reallabor.accounts.models import User


def _sees_personal_data(user: User | None) -> bool:
    from reallabor.actors.permissions import can_see_personal_data

    return can_see_personal_data(user)


class PersonalQuerySet[M: models.Model](models.QuerySet[M]):
    """Records with personal data: the office (administrators, lab coordinators) or nobody."""

    def visible_to(self, user: User | None) -> PersonalQuerySet[M]:
        return self.all() if _sees_personal_data(user) else self.none()


# ---------------------------------------------------------------------------------------------
# People


class Person(RevisionedModel):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    salutation = models.CharField(_("salutation"), max_length=40, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    function = models.CharField(
        _("function"), max_length=200, blank=True, help_text=_("e.g. owner, managing director, advisor")
    )
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True, db_index=True)
    notes = models.TextField(_("notes"), blank=True)
    organisations = models.ManyToManyField(
        Organisation, through="Affiliation", related_name="people", verbose_name=_("organisations")
    )
    # Kept by the services.
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True, editable=False)
    email_bounced_at = models.DateTimeField(_("e-mail bounced"), null=True, blank=True, editable=False)
    # Double opt-in (events): the address the person confirmed by clicking a link sent to it, and
    # when. The address counts as confirmed while ``email`` is still this one.
    email_confirmed = models.EmailField(_("confirmed e-mail"), blank=True, editable=False)
    email_confirmed_at = models.DateTimeField(_("e-mail confirmed"), null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PersonalQuerySet["Person"].as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="person_name_idx"),
            models.Index(fields=["last_contact_at"], name="person_last_contact_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.anonymised_at:
            return str(_("anonymised person"))
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def get_absolute_url(self) -> str:
        return reverse("actors:person-detail", kwargs={"uuid": self.uuid})


class AffiliationQuerySet(PersonalQuerySet["Affiliation"]):
    def current(self, on: object = None) -> AffiliationQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(start_date__isnull=True) | Q(start_date__lte=day)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )


class Affiliation(TimeStampedModel):
    """A person's role at an organisation, for a time (open ends allowed)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="affiliations", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=200, blank=True, help_text=_("e.g. owner, trainee officer"))
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    is_primary = models.BooleanField(_("main contact"), default=False)

    objects = AffiliationQuerySet.as_manager()

    class Meta:
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        ordering = ["-is_primary", "organisation__name"]
        indexes = [
            # Covering the "current affiliations of these organisations" lookups of segments.
            models.Index(
                fields=["organisation", "person", "start_date", "end_date"], name="affiliation_org_person_idx"
            ),
            # Covering "does this person have a current affiliation …" (EXISTS in actors.filters).
            models.Index(
                fields=["person", "organisation", "start_date", "end_date"], name="affiliation_person_org_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="affiliation_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.organisation}"


class Relationship(TimeStampedModel):
    """A typed, time-bounded link between two organisations or between two people."""

    class Kind(models.TextChoices):
        MEMBER_OF = "member_of", _("is member of")
        PARTNER_OF = "partner_of", _("is partner of")
        SUPPLIER_OF = "supplier_of", _("is supplier of")
        CUSTOMER_OF = "customer_of", _("is customer of")
        ADVISES = "advises", _("advises")
        HOSTS = "hosts", _("hosts")
        FUNDS = "funds", _("funds")
        SUCCESSOR_OF = "successor_of", _("is successor of")
        KNOWS = "knows", _("knows")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    source_organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="relationships_out"
    )
    target_organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="relationships_in"
    )
    source_person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="relationships_out"
    )
    target_person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="relationships_in"
    )
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(source_organisation__isnull=False, target_organisation__isnull=False)
                    & Q(source_person__isnull=True, target_person__isnull=True)
                )
                | (
                    Q(source_person__isnull=False, target_person__isnull=False)
                    & Q(source_organisation__isnull=True, target_organisation__isnull=True)
                ),
                name="relationship_two_organisations_or_two_people",
            ),
            models.CheckConstraint(
                condition=~Q(source_organisation=F("target_organisation"))
                | Q(source_organisation__isnull=True),
                name="relationship_not_to_itself_org",
            ),
            models.CheckConstraint(
                condition=~Q(source_person=F("target_person")) | Q(source_person__isnull=True),
                name="relationship_not_to_itself_person",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="relationship_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        source = self.source_organisation or self.source_person
        target = self.target_organisation or self.target_person
        return f"{source} {self.get_kind_display()} {target}"

    @property
    def between_people(self) -> bool:
        return self.source_person_id is not None


# ---------------------------------------------------------------------------------------------
# Stakeholder analysis per lab


class StakeholderPosition(TimeStampedModel):
    """Where an actor stands for a lab: interest and influence on a 1–5 scale."""

    lab = models.ForeignKey("labs.Lab", on_delete=models.CASCADE, related_name="stakeholders")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="stakeholder_positions"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="stakeholder_positions"
    )
    interest = models.PositiveSmallIntegerField(
        _("interest"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    influence = models.PositiveSmallIntegerField(
        _("influence"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("stakeholder position")
        verbose_name_plural = _("stakeholder positions")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False, person__isnull=True)
                | Q(organisation__isnull=True, person__isnull=False),
                name="stakeholder_organisation_or_person",
            ),
            models.CheckConstraint(
                condition=Q(interest__gte=1, interest__lte=5, influence__gte=1, influence__lte=5),
                name="stakeholder_scale_1_to_5",
            ),
            models.UniqueConstraint(fields=["lab", "organisation"], name="stakeholder_unique_organisation"),
            models.UniqueConstraint(fields=["lab", "person"], name="stakeholder_unique_person"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation or self.person} – {self.lab}"


# ---------------------------------------------------------------------------------------------
# Interactions and follow-ups


class Interaction(TimeStampedModel):
    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit")
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", _("E-mail")
        EVENT = "event", _("Event attendance")
        OTHER = "other", _("Other")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("date"), db_index=True)
    subject = models.CharField(_("subject"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
        verbose_name=_("staff member"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="interactions",
        verbose_name=_("organisation"),
    )
    participants = models.ManyToManyField(
        Person, blank=True, related_name="interactions", verbose_name=_("participants")
    )
    # People erased later still count here, without their names.
    anonymous_participants = models.PositiveIntegerField(default=0, editable=False)
    lab = models.ForeignKey(
        "labs.Lab", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("lab")
    )
    measure = models.ForeignKey(
        "labs.Measure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("measure"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PersonalQuerySet["Interaction"].as_manager()

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-occurred_at"], name="interaction_org_time_idx")]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("actors:interaction-detail", kwargs={"uuid": self.uuid})


class FollowUp(TimeStampedModel):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="follow_ups")
    title = models.CharField(_("to do"), max_length=200)
    due_date = models.DateField(_("due"), db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("assigned to"),
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PersonalQuerySet["FollowUp"].as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["assignee", "done_at", "due_date"], name="followup_open_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_date < timezone.localdate()


# ---------------------------------------------------------------------------------------------
# Segments


class Segment(TimeStampedModel):
    """A saved filter over actors; its members are computed from the current data every time."""

    class Subject(models.TextChoices):
        ORGANISATIONS = "organisations", _("Organisations")
        PEOPLE = "people", _("People")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    subject = models.CharField(_("subject"), max_length=20, choices=Subject.choices)
    criteria = models.JSONField(_("criteria"), default=dict, help_text=_("See actors.criteria."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PersonalQuerySet["Segment"].as_manager()

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("actors:segment-detail", kwargs={"uuid": self.uuid})


# ---------------------------------------------------------------------------------------------
# Consent


class Purpose(models.TextChoices):
    NEWSLETTER = "newsletter", _("Newsletter")
    EVENT_FOLLOW_UP = "event_follow_up", _("Event follow-up")
    MATCHING = "matching", _("Matching with offers")
    BENCHMARKING = "benchmarking", _("Benchmarking")
    PHOTOS = "photos", _("Photos")


class ConsentText(TimeStampedModel):
    """The wording a person agreed to, versioned per purpose (never changed once used)."""

    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["purpose", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "version"], name="consent_text_purpose_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} v{self.version}"


class ConsentQuerySet(PersonalQuerySet["Consent"]):
    def valid(self, at: object = None) -> ConsentQuerySet:
        """Given, not withdrawn and not expired at the moment ``at`` (default now)."""
        moment = at or timezone.now()
        return self.filter(given_at__lte=moment, withdrawn_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=moment)
        )


class Consent(TimeStampedModel):
    class Source(models.TextChoices):
        FORM = "form", _("Form")
        IN_PERSON = "in_person", _("In person")
        IMPORT = "import", _("Import")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    given_at = models.DateTimeField(_("given"))
    text = models.ForeignKey(
        ConsentText, on_delete=models.PROTECT, related_name="consents", verbose_name=_("text version")
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal_note = models.CharField(_("how withdrawn"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-id"]
        indexes = [
            # Covering the "valid consent for a purpose" lookups of segments and mailings.
            models.Index(
                fields=["purpose", "person", "withdrawn_at", "given_at", "expires_at"],
                name="consent_purpose_person_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=F("given_at")),
                name="consent_expires_after_given",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_purpose_display()}"

    def is_valid(self, at: object = None) -> bool:
        moment = at or timezone.now()
        return (
            self.given_at <= moment  # type: ignore[operator]
            and self.withdrawn_at is None
            and (self.expires_at is None or self.expires_at > moment)  # type: ignore[operator]
        )


# ---------------------------------------------------------------------------------------------
# Mailings


class Mailing(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), help_text=_("Markdown"))
    segment = models.ForeignKey(
        Segment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mailings",
        verbose_name=_("segment"),
    )
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.NEWSLETTER
    )
    measures = models.ManyToManyField(
        "labs.Measure",
        blank=True,
        related_name="+",
        verbose_name=_("measures the message is about"),
        help_text=_("Their added value per target group goes into the message."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PersonalQuerySet["Mailing"].as_manager()

    class Meta:
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("actors:mailing-detail", kwargs={"uuid": self.uuid})


class MailingRecipient(models.Model):
    """One recipient of one mailing: the log of who received what.

    ``queued`` → ``sending`` (the worker took it up, ``claimed_at``, and is handing it to the mail
    server) → ``sent``, ``failed`` or ``skipped``. A recipient left in ``sending`` means the
    delivery was never confirmed (the worker died or the connection broke mid-message): it may or
    may not have arrived, and is not sent again unless the office asks for it
    (``services.mailings.resume_mailing``).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending (delivery unconfirmed)")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped (no valid consent any more)")

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="mailings"
    )
    email = models.EmailField(_("e-mail"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    claimed_at = models.DateTimeField(_("taken up for delivery"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    objects = PersonalQuerySet["MailingRecipient"].as_manager()

    class Meta:
        verbose_name = _("mailing recipient")
        verbose_name_plural = _("mailing recipients")
        ordering = ["id"]
        indexes = [models.Index(fields=["mailing", "status"], name="mailing_recipient_status_idx")]
        constraints = [
            models.UniqueConstraint(fields=["mailing", "person"], name="mailing_recipient_once_per_person")
        ]

    def __str__(self) -> str:
        return self.email


# ---------------------------------------------------------------------------------------------
# Imports


class ImportJob(TimeStampedModel):
    """An uploaded CSV or .xlsx file on its way through mapping, preview and writing."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("uploaded")
        CHECKED = "checked", _("checked")
        IMPORTED = "imported", _("imported")
        FAILED = "failed", _("failed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    filename = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(editable=False)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PersonalQuerySet["ImportJob"].as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


# ---------------------------------------------------------------------------------------------
# Data protection


class PersonalDataAccess(models.Model):
    """The audit trail: who viewed, exported, anonymised or erased whose personal data."""

    class Action(models.TextChoices):
        VIEWED = "viewed", _("viewed")
        EXPORTED = "exported", _("exported")
        ANONYMISED = "anonymised", _("anonymised")
        ERASED = "erased", _("erased")
        LIST_EXPORTED = "list_exported", _("exported a list")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Kept when the person is erased: their id, never their name.
    person_uuid = models.UUIDField(null=True, blank=True, db_index=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    objects = PersonalQuerySet["PersonalDataAccess"].as_manager()

    class Meta:
        verbose_name = _("personal-data access")
        verbose_name_plural = _("personal-data accesses")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action}"
