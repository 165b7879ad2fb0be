"""Consent per person and purpose: record, withdraw, and the versioned consent texts.

Nothing is sent without a valid consent for the purpose. A consent is *valid* at a moment when it
was given at or before it, is not withdrawn and has not expired (``Consent.objects.valid()``).

Consent texts are versioned per purpose: a new wording is a new version (administrators only);
an existing text is never changed, because consents point to the exact wording agreed to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.accounts.permissions import is_admin
from reallabor.actors import permissions
from reallabor.actors.models import Consent, ConsentText, Person, Purpose

MAX_TEXT_LENGTH = 20_000


def can_manage_consent_texts(user: Any) -> bool:
    """New versions of the consent texts: administrators only (the texts are legal wording)."""
    return is_admin(user)


def current_text(purpose: str) -> ConsentText:
    """The newest wording for a purpose (a clear error when the office has not written one)."""
    text = ConsentText.objects.filter(purpose=purpose).order_by("-version").first()
    if text is None:
        raise ValidationError(
            {"purpose": _("There is no consent text for “%(purpose)s” yet.") % {"purpose": purpose}}
        )
    return text


def current_texts() -> dict[str, ConsentText]:
    """The newest text of every purpose that has one (one query)."""
    texts: dict[str, ConsentText] = {}
    for text in ConsentText.objects.order_by("purpose", "-version"):
        texts.setdefault(text.purpose, text)
    return texts


@transaction.atomic
def create_consent_text(*, user: Any, purpose: str, text: str) -> ConsentText:
    """A new version of the consent text of ``purpose`` (the next number; administrators only)."""
    if not can_manage_consent_texts(user):
        raise PermissionDenied(_("Only administrators may write consent texts."))
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": _("Unknown purpose “%(purpose)s”.") % {"purpose": purpose[:50]}})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the text the person agrees to.")})
    if "\x00" in text:
        raise ValidationError({"text": _("The text contains a character that cannot be stored.")})
    if len(text) > MAX_TEXT_LENGTH:
        raise ValidationError(
            {"text": _("The text is too long (at most %(max)d characters).") % {"max": MAX_TEXT_LENGTH}}
        )
    latest = ConsentText.objects.select_for_update().filter(purpose=purpose).order_by("-version").first()
    if latest is not None and latest.text.strip() == text:
        raise ValidationError(
            {
                "text": _("This is the wording of the current version %(version)d already.")
                % {"version": latest.version}
            }
        )
    return ConsentText.objects.create(
        purpose=purpose,
        version=(latest.version + 1) if latest else 1,
        text=text,
        valid_from=timezone.localdate(),
    )


@transaction.atomic
def record_consent(
    *,
    user: Any,
    person: Person,
    purpose: str,
    source: str,
    given_at: dt.datetime | None = None,
    text: ConsentText | None = None,
    expires_at: dt.datetime | None = None,
) -> Consent:
    """A new consent (an older one for the same purpose stays as history)."""
    if not permissions.can_manage_consent(user):
        raise PermissionDenied(_("You may not record consent."))
    if person.anonymised_at is not None:
        raise ValidationError({"person": _("This person has been anonymised: no consent can be recorded.")})
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": _("Unknown purpose “%(purpose)s”.") % {"purpose": purpose[:50]}})
    if source not in Consent.Source.values:
        raise ValidationError({"source": _("Unknown source “%(source)s”.") % {"source": source[:50]}})
    given_at = given_at or timezone.now()
    if given_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"given_at": _("A consent cannot be given in the future.")})
    if expires_at is not None and expires_at <= given_at:
        raise ValidationError({"expires_at": _("The expiry must come after the date of the consent.")})
    text = text or current_text(purpose)
    if text.purpose != purpose:
        raise ValidationError({"text": _("This text belongs to another purpose.")})
    return Consent.objects.create(
        person=person,
        purpose=purpose,
        source=source,
        given_at=given_at,
        text=text,
        expires_at=expires_at,
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
    )


@transaction.atomic
def withdraw_consent(*, user: Any, person: Person, purpose: str, note: str = "") -> int:
    """Withdraw every open consent of the person for the purpose; returns how many.

    ``user`` None is the system acting for the person themself (the signed unsubscribe link).
    """
    if user is not None and not permissions.can_manage_consent(user):
        raise PermissionDenied(_("You may not change consent."))
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": _("Unknown purpose “%(purpose)s”.") % {"purpose": purpose[:50]}})
    return Consent.objects.filter(person=person, purpose=purpose, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawal_note=note.replace("\x00", "")[:200]
    )


def has_valid_consent(person: Person, purpose: str) -> bool:
    return Consent.objects.valid().filter(person=person, purpose=purpose).exists()


# The state per purpose (pure: works on consents already loaded) ---------------------------------


@dataclass(frozen=True)
class PurposeState:
    """Where a person stands for one purpose.

    ``state`` is ``valid`` (a consent holds now), ``future`` (given with a later date),
    ``expired``, ``withdrawn`` or ``none``; ``consent`` is the consent that decides it.
    """

    purpose: str
    label: str
    state: str
    consent: Consent | None

    @property
    def may_withdraw(self) -> bool:
        return self.state in ("valid", "future")


def purpose_state(consents: Iterable[Consent], purpose: str, at: dt.datetime | None = None) -> PurposeState:
    """The state of one purpose from the person's consents (newest first or in any order)."""
    moment = at or timezone.now()
    mine = sorted((c for c in consents if c.purpose == purpose), key=lambda c: c.given_at, reverse=True)
    label = str(Purpose(purpose).label)
    for consent in mine:
        if consent.is_valid(moment):
            return PurposeState(purpose, label, "valid", consent)
    for consent in mine:
        if consent.withdrawn_at is None and consent.given_at > moment:
            return PurposeState(purpose, label, "future", consent)
    if mine:
        latest = mine[0]
        return PurposeState(purpose, label, "withdrawn" if latest.withdrawn_at else "expired", latest)
    return PurposeState(purpose, label, "none", None)


def purpose_states(consents: Iterable[Consent], at: dt.datetime | None = None) -> list[PurposeState]:
    """The state of every purpose, in the order of ``Purpose``."""
    loaded = list(consents)
    return [purpose_state(loaded, purpose, at) for purpose in Purpose.values]
