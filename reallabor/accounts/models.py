"""Users log in with their e-mail address. Rights come from a global role and lab memberships.

- administrator: the office; may do everything.
- reader: sees all internal content, changes nothing.
- member (no global role): rights come from lab memberships, as coordinator or partner
  (see ``reallabor.labs.models.LabMembership``).
"""

import hashlib
import secrets
import uuid

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from reallabor.core.models import TimeStampedModel


class UserManager(DjangoUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("The e-mail address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", User.Role.ADMINISTRATOR)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Administrator")
        READER = "reader", _("Reader")
        MEMBER = "member", _("Lab member")

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_administrator(self) -> bool:
        return self.is_active and (self.role == self.Role.ADMINISTRATOR or self.is_superuser)

    @property
    def sees_all_internal(self) -> bool:
        """Administrators and readers see every draft; members only their labs' drafts."""
        return self.is_active and (self.is_administrator or self.role == self.Role.READER)


class ApiToken(TimeStampedModel):
    """A token for scripts. Only its SHA-256 hash is stored; the plain token is shown once."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return "rl_" + secrets.token_urlsafe(32)


class OrganisationMembership(TimeStampedModel):
    """A user who acts for an organisation: a business's owner or staff, a chamber's advisor.

    What it grants is decided by each app (assessment: the organisation's own check results and the
    results shared with it).
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="organisation_memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="user_memberships",
        verbose_name=_("organisation"),
    )

    class Meta:
        verbose_name = _("organisation membership")
        verbose_name_plural = _("organisation memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="organisation_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation}"
