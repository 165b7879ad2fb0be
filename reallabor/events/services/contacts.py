"""Where registrations meet the actors' CRM: people, organisations, consent, addresses.

- Every registrant becomes or is matched to an ``actors.Person``: a person with the same e-mail
  address (not anonymised; the one whose address is confirmed first, else the oldest), else a new
  person created through ``actors.services.people.create_person``.
- The organisation the registrant typed is matched to an existing ``Organisation`` with the same
  name key (``organisations.keys.name_key``: "Müller Bau GmbH" = "Mueller-Bau") when exactly one
  has it; the text is kept as typed either way. No organisation or affiliation is created from
  what the public types: the office adds those.
- Consents ticked on the form are recorded through ``actors.services.consent.record_consent``
  (source "form", or "in person" when staff register someone).
- Double opt-in: ``Person.email_confirmed`` is the address the person confirmed by clicking a link
  sent to it; an address counts as confirmed while it is that one.
- Bounces: ``record_bounce`` marks the people with the address (``Person.email_bounced_at``).

The actors app has no service for the two address fields yet; these functions are the one place
that writes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.actors.models import Consent, Person, Purpose
from reallabor.actors.services import consent as consent_services
from reallabor.actors.services import people as people_services
from reallabor.organisations.keys import name_key
from reallabor.organisations.models import Organisation


def address_variants(email: str) -> list[str]:
    """The spellings of an address to look up with the index on ``Person.email``: as given, in
    lower case, and with the domain in lower case (the local part is case-sensitive in theory)."""
    email = email.strip()
    local_part, _at, domain = email.rpartition("@")
    return sorted({email, email.lower(), f"{local_part}@{domain.lower()}" if local_part else email})


FIND_PERSON_ROWS = 20


def find_person(email: str) -> Person | None:
    """The person with this address (not anonymised): the one who confirmed it, else the oldest."""
    if not email:
        return None
    variants = address_variants(email)
    people = Person.objects.filter(email__in=variants, anonymised_at__isnull=True)
    # Nearly always none or one: read them plainly and choose here (cheaper than ordering in SQL).
    rows = list(people.order_by("pk")[:FIND_PERSON_ROWS])
    if len(rows) == FIND_PERSON_ROWS:
        confirmed_first = Case(
            When(email_confirmed__in=variants, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return people.order_by(confirmed_first, "pk").first()
    return next((row for row in rows if row.email_confirmed in variants), rows[0] if rows else None)


def find_or_create_person(*, user: Any, first_name: str, last_name: str, email: str) -> tuple[Person, bool]:
    """The person with this address, or a new one (created by ``user``; None: the registrant)."""
    person = find_person(email)
    if person is not None:
        return person, False
    data = {"first_name": first_name, "last_name": last_name, "email": email}
    return people_services.create_person(user=user, data=data), True


def match_organisation(text: str) -> Organisation | None:
    """The one organisation whose name key equals that of ``text`` (None when none or several)."""
    key = name_key(text)
    if not key:
        return None
    found = list(Organisation.objects.filter(name_key=key).order_by("pk")[:2])
    return found[0] if len(found) == 1 else None


def is_address_confirmed(person: Person, email: str) -> bool:
    return bool(email) and bool(person.email_confirmed) and person.email_confirmed.lower() == email.lower()


def mark_address_confirmed(person: Person, email: str, at: dt.datetime | None = None) -> None:
    """The person clicked a link sent to ``email``: the address is theirs."""
    if not email:
        return
    at = at or timezone.now()
    Person.objects.filter(pk=person.pk).update(email_confirmed=email, email_confirmed_at=at)
    person.email_confirmed, person.email_confirmed_at = email, at


def check_consent_purposes(value: Any, field: str = "consents") -> list[str]:
    """The purposes ticked, checked: known purposes with a consent text (raises a field error)."""
    if value is None or value == "" or (isinstance(value, list | tuple | set) and not value):
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple | set):
        raise ValidationError({field: _("Give the consents as a list of purposes.")})
    purposes: list[str] = []
    texts = consent_services.current_texts()
    for purpose in value:
        if purpose not in Purpose.values:
            raise ValidationError(
                {field: _("Unknown purpose “%(purpose)s”.") % {"purpose": str(purpose)[:50]}}
            )
        if purpose not in texts:
            raise ValidationError(
                {
                    field: _("There is no consent text for “%(purpose)s” yet.")
                    % {"purpose": Purpose(purpose).label}
                }
            )
        if purpose not in purposes:
            purposes.append(purpose)
    return purposes


def record_consents(*, user: Any, person: Person, purposes: Iterable[str], in_person: bool) -> list[Consent]:
    """A consent per purpose ticked, unless the person already has a valid one for it."""
    purposes = list(purposes)
    if not purposes:
        return []
    held = set(
        Consent.objects.valid().filter(person=person, purpose__in=purposes).values_list("purpose", flat=True)
    )
    source = Consent.Source.IN_PERSON if in_person else Consent.Source.FORM
    return [
        consent_services.record_consent(user=user, person=person, purpose=purpose, source=source)
        for purpose in purposes
        if purpose not in held
    ]


def record_bounce(*, email: str, at: dt.datetime | None = None) -> int:
    """Mark the people with this address as bouncing (mailings and reminders skip them); returns
    how many people were marked. An address already marked keeps its first bounce date."""
    email = (email or "").strip()
    if not email or "@" not in email or len(email) > 254:
        raise ValidationError({"email": _("Enter a valid e-mail address, such as name@example.org.")})
    return Person.objects.filter(email__iexact=email, email_bounced_at__isnull=True).update(
        email_bounced_at=at or timezone.now()
    )
