"""Network formats: event series, events, registrations with a waiting list, check-in and follow-up.

The contract other modules rely on (pages, mails, API, demo data):

- ``EventSeries`` groups recurring formats (the Handwerksfrühstück, the Wirtschaftsallianz
  meetings); an ``Event`` may stand alone (``series`` null).
- Times are aware datetimes stored in UTC and shown in Europe/Berlin.
- An event is *listed* once published (``published_at`` set); a published event that was
  cancelled stays listed with its status ``cancelled``. ``visibility`` ``invitation`` keeps it out
  of public lists: the public reaches it only through a personal invitation link.
- Seats: ``capacity`` null is unlimited. ``reserved_seats`` are kept for organisers and are used by
  registrations with ``reserved=True`` (given by staff); everybody else shares
  ``capacity - reserved_seats`` (see ``services.seats``). A seat is *held* by a registration in
  status ``registered`` or ``offered``; ``waiting`` ones queue by ``waiting_since``.
- ``Registration.address_confirmed_at`` null means the double opt-in is outstanding: the
  registration holds its place until ``confirm_by`` and then lapses (``services.registrations``).
- ``ReminderDelivery`` rows make reminders idempotent (``services.reminders.claim_reminder``).
- ``NoticeMail`` is the outbox of the participants' e-mails: one row per e-mail to send, written
  in the transaction of the change it tells about (``services.notifications.schedule``) and
  delivered by the worker (``reallabor.events.mail``).
- ``Invitation.purpose`` is the consent purpose the person was invited under; the e-mail goes out
  only while that consent is valid.
- ``EventDocument.audience``: who may download the document (the office; also the participants
  through their personal link; everybody on the public event page).

Every write goes through ``reallabor.events.services``; who may do what is
``reallabor.events.permissions``.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reallabor.actors.models import Purpose
from reallabor.core.models import RevisionedModel, TimeStampedModel
from reallabor.organisations.models import Organisation

if TYPE_CHECKING:
    from reallabor.accounts.models import User

DEFAULT_REMINDER_OFFSETS = (2880, 120)
"""Minutes before the start: two days and two hours."""


def default_reminder_offsets() -> list[int]:
    return list(DEFAULT_REMINDER_OFFSETS)


# ---------------------------------------------------------------------------------------------
# Series


class EventSeriesQuerySet(models.QuerySet["EventSeries"]):
    def visible_to(self, user: Any) -> EventSeriesQuerySet:
        """Public series for everybody; the office and readers see all; partners also their labs'."""
        from reallabor.events.permissions import event_scope

        scope = event_scope(user)
        if scope == "all":
            return self.all()
        if scope == "public":
            return self.filter(is_public=True)
        return self.filter(Q(is_public=True) | Q(lab_id__in=scope))


class EventSeries(RevisionedModel):
    """A recurring format. Its public page lists its events and links its ICS feed."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("short name (URL)"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown"))
    lab = models.ForeignKey(
        "labs.Lab",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_series",
        verbose_name=_("lab"),
    )
    organisers = models.ManyToManyField(
        Organisation, blank=True, related_name="organised_event_series", verbose_name=_("organisers")
    )
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Shown in the public calendar with its ICS feed.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = EventSeriesQuerySet.as_manager()

    class Meta:
        verbose_name = _("event series")
        verbose_name_plural = _("event series")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


# ---------------------------------------------------------------------------------------------
# Events


class EventQuerySet(models.QuerySet["Event"]):
    def listed(self) -> EventQuerySet:
        """Published once (a cancelled event that was published stays listed, as cancelled)."""
        return self.filter(published_at__isnull=False)

    def public(self) -> EventQuerySet:
        """What the public calendar shows: listed events open to everybody."""
        return self.listed().filter(visibility=Event.Visibility.PUBLIC)

    def visible_to(self, user: User | Any) -> EventQuerySet:
        """Who sees which events (invisible → 404).

        - the public and signed-in members of no lab: listed public events; an event by
          invitation only through a valid personal invitation link (never in lists);
        - partners: listed events of either visibility, and every event of their labs (drafts
          too, as with the labs' measures);
        - readers, lab coordinators, administrators (and the system, None): every event.
        """
        from reallabor.events.permissions import event_scope

        scope = event_scope(user)
        if scope == "all":
            return self.all()
        if scope == "public":
            return self.public()
        return self.filter(Q(published_at__isnull=False) | Q(lab_id__in=scope))


class Event(RevisionedModel):
    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        INVITATION = "invitation", _("By invitation")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("short name (URL)"), max_length=120, unique=True)
    series = models.ForeignKey(
        EventSeries,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("series"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    # Venue: the Handwerksfrühstück is hosted by a different craft business each time.
    host = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_events",
        verbose_name=_("host"),
    )
    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    accessibility_notes = models.TextField(_("accessibility"), blank=True)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.IN_PERSON)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    # Seats and registration
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty: unlimited.")
    )
    reserved_seats = models.PositiveIntegerField(
        _("seats for organisers"), default=0, help_text=_("Kept free for organisers; part of the capacity.")
    )
    registration_opens_at = models.DateTimeField(
        _("registration opens"), null=True, blank=True, help_text=_("Empty: open now.")
    )
    registration_closes_at = models.DateTimeField(
        _("registration closes"), null=True, blank=True, help_text=_("Empty: at the start.")
    )
    change_cutoff_hours = models.PositiveIntegerField(
        _("changes possible until (hours before the start)"), default=24
    )
    offer_hours = models.PositiveIntegerField(
        _("a freed seat is held for (hours)"),
        default=24,
        help_text=_("For the next person on the waiting list."),
    )
    confirmation_hours = models.PositiveIntegerField(
        _("time to confirm the e-mail address (hours)"),
        default=48,
        help_text=_("An unconfirmed registration holds its place this long (never past the start)."),
    )
    reminder_offsets = models.JSONField(
        _("reminders (minutes before the start)"), default=default_reminder_offsets, blank=True
    )
    agenda = models.TextField(_("agenda"), blank=True, help_text=_("Markdown"))
    lab = models.ForeignKey(
        "labs.Lab",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("lab"),
    )
    measures = models.ManyToManyField(
        "labs.Measure", blank=True, related_name="events", verbose_name=_("measures")
    )
    organisers = models.ManyToManyField(
        Organisation, blank=True, related_name="organised_events", verbose_name=_("organisers")
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True, editable=False)
    # After the event
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("Markdown"))
    results = models.TextField(
        _("results"), blank=True, help_text=_("Markdown: what followed, with links to the measures.")
    )
    # The one "event attendance" interaction in the actors' timeline (services.attendance).
    attendance_interaction = models.ForeignKey(
        "actors.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["starts_at"], name="event_starts_idx"),
            models.Index(fields=["series", "starts_at"], name="event_series_starts_idx"),
            models.Index(fields=["lab", "starts_at"], name="event_lab_starts_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(reserved_seats__lte=F("capacity")),
                name="event_reserved_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="event_registration_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def address(self) -> str:
        place = " ".join(part for part in (self.postcode, self.city) if part)
        return ", ".join(part for part in (self.venue_name, self.street, place) if part)


class Question(models.Model):
    """An optional question of the registration form; answers are kept on the registration."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        CHOICE = "choice", _("Choice")
        YES_NO = "yes_no", _("Yes or no")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(_("position"), default=0)
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


# ---------------------------------------------------------------------------------------------
# Registrations


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def active(self) -> RegistrationQuerySet:
        return self.filter(status__in=Registration.ACTIVE)

    def holding(self) -> RegistrationQuerySet:
        """Holding a seat: registered or offered (an offer keeps the seat until it expires)."""
        return self.filter(status__in=Registration.HOLDING)

    def visible_to(self, user: Any) -> RegistrationQuerySet:
        """Personal data: the office, and of the office only who may see the event's participants."""
        from reallabor.events.permissions import participant_scope

        scope = participant_scope(user)
        if scope == "all":
            return self.all()
        if scope == "none":
            return self.none()
        return self.filter(Q(event__lab__isnull=True) | Q(event__lab_id__in=scope))


class Registration(TimeStampedModel):
    """One person's registration for one event (every registrant is a ``actors.Person``).

    The name, address and organisation are kept as given, next to the matched person and
    organisation: what the person wrote is what the lists show.
    """

    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        WAITING = "waiting", _("on the waiting list")
        OFFERED = "offered", _("seat offered")
        CANCELLED = "cancelled", _("cancelled")
        DECLINED = "declined", _("offer declined")
        LAPSED = "lapsed", _("lapsed")

    class Source(models.TextChoices):
        ONLINE = "online", _("online")
        STAFF = "staff", _("by staff")
        INVITATION = "invitation", _("invitation")
        WALK_IN = "walk_in", _("walk-in")

    ACTIVE = (Status.REGISTERED, Status.WAITING, Status.OFFERED)
    HOLDING = (Status.REGISTERED, Status.OFFERED)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(
        "actors.Person",
        on_delete=models.CASCADE,
        related_name="event_registrations",
        verbose_name=_("person"),
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_registrations",
        verbose_name=_("matched organisation"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REGISTERED)
    reserved = models.BooleanField(_("organiser seat"), default=False)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.ONLINE)
    address_confirmed_at = models.DateTimeField(_("address confirmed"), null=True, blank=True)
    confirm_by = models.DateTimeField(
        _("confirm by"),
        null=True,
        blank=True,
        help_text=_("Unconfirmed until then, the registration lapses."),
    )
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    code = models.CharField(_("check-in code"), max_length=6)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The staff member who registered the person; empty: the person themself."),
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["event", "status"], name="registration_event_status_idx"),
            models.Index(fields=["person"], name="registration_person_idx"),
            models.Index(fields=["event", "waiting_since"], name="registration_queue_idx"),
            models.Index(fields=["status", "offer_expires_at"], name="registration_offer_idx"),
            models.Index(fields=["status", "confirm_by"], name="registration_confirm_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                "event",
                Lower("email"),
                condition=Q(status__in=["registered", "waiting", "offered"]) & ~Q(email=""),
                name="registration_one_active_per_email",
            ),
            models.UniqueConstraint(fields=["event", "code"], name="registration_code_unique_in_event"),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                name="registration_offer_has_expiry",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def holds_seat(self) -> bool:
        return self.status in self.HOLDING

    @property
    def is_confirmed(self) -> bool:
        return self.address_confirmed_at is not None


class Invitation(models.Model):
    """A personal invitation link for one person (from a segment of the actors app)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey("actors.Person", on_delete=models.CASCADE, related_name="event_invitations")
    purpose = models.CharField(
        _("purpose"),
        max_length=20,
        choices=Purpose.choices,
        default=Purpose.NEWSLETTER,
        help_text=_("The consent the person was invited under; without it, the e-mail does not go out."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    registration = models.ForeignKey(
        Registration, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "person"], name="invitation_once_per_person")]

    def __str__(self) -> str:
        return f"{self.person} – {self.event}"


class ReminderDelivery(models.Model):
    """A reminder claimed for delivery: the unique row is what makes reminders idempotent."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="reminders")
    offset_minutes = models.PositiveIntegerField(_("minutes before the start"))
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "offset_minutes"], name="reminder_once_per_offset"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration} −{self.offset_minutes} min"


class Feedback(TimeStampedModel):
    """An attendee's feedback (one per registration; giving it again changes it)."""

    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField(_("rating (1–5)"))
    text = models.TextField(_("comments"), blank=True)
    next_topic = models.CharField(_("what should the next one be about?"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5")
        ]

    def __str__(self) -> str:
        return f"{self.registration} ({self.rating})"


def document_upload_to(instance: EventDocument, filename: str) -> str:
    """Under a path nobody can guess; documents are served only through a permission-checking view
    (MEDIA_URL is not served)."""
    return f"events/{instance.event.uuid}/{uuid.uuid4().hex}/{filename}"


class EventDocument(models.Model):
    class Kind(models.TextChoices):
        MINUTES = "minutes", _("Minutes")
        SLIDES = "slides", _("Slides")
        OTHER = "other", _("Other")

    class Audience(models.TextChoices):
        OFFICE = "office", _("The office only")
        PARTICIPANTS = "participants", _("Participants (through their personal link)")
        PUBLIC = "public", _("Everybody (on the public event page)")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=400)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OTHER)
    audience = models.CharField(
        _("who may download it"), max_length=12, choices=Audience.choices, default=Audience.OFFICE
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


# ---------------------------------------------------------------------------------------------
# The outbox of the participants' e-mails


class NoticeMail(models.Model):
    """One e-mail to a participant (or an invited person), to be sent by the worker.

    Written in the same transaction as the change it tells about, so a rollback drops it. The
    worker claims pending rows (``claim``, ``claimed_until``: a lease; two workers never hold the
    same row), sends them over one SMTP connection and marks each ``sent`` only once the SMTP
    server has accepted it. A temporary failure leaves it ``pending`` with ``next_attempt_at``
    later (up to ``mail.MAX_ATTEMPTS``, then ``failed``); a permanent refusal is ``bounced`` (and
    the person's address is recorded as bouncing); a notice no longer true when its turn came, or
    a person no longer reachable, is ``skipped``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        BOUNCED = "bounced", _("bounced")
        SKIPPED = "skipped", _("skipped")

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, null=True, blank=True, related_name="notice_mails"
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, null=True, blank=True, related_name="notice_mails"
    )
    notice = models.CharField(_("notice"), max_length=20)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice e-mail")
        verbose_name_plural = _("notice e-mails")
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="noticemail_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration__isnull=False, invitation__isnull=True)
                | Q(registration__isnull=True, invitation__isnull=False),
                name="noticemail_one_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.notice} #{self.registration_id or self.invitation_id} ({self.status})"
