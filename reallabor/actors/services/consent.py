"""Consent per person and purpose: record, withdraw. Nothing is sent without a valid consent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.actors import permissions
from reallabor.actors.models import Consent, ConsentText, Person, Purpose


def current_text(purpose: str) -> ConsentText:
    """The newest wording for a purpose (a clear error when the office has not written one)."""
    text = ConsentText.objects.filter(purpose=purpose).order_by("-version").first()
    if text is None:
        raise ValidationError(
            {"purpose": _("There is no consent text for “%(purpose)s” yet.") % {"purpose": purpose}}
        )
    return text


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
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": _("Unknown purpose “%(purpose)s”.") % {"purpose": purpose}})
    if source not in Consent.Source.values:
        raise ValidationError({"source": _("Unknown source “%(source)s”.") % {"source": source}})
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
    return Consent.objects.filter(person=person, purpose=purpose, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawal_note=note[:200]
    )


def has_valid_consent(person: Person, purpose: str) -> bool:
    return Consent.objects.valid().filter(person=person, purpose=purpose).exists()
