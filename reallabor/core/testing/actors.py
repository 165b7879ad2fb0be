"""Test data for the actors app: factories and the ``Crm`` set used by the actors' tests.

Factories write rows directly (they are test tools); tests of behaviour call the services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from reallabor.actors.models import (
    Affiliation,
    Consent,
    ConsentText,
    FollowUp,
    Interaction,
    Mailing,
    Person,
    Purpose,
    Segment,
)
from reallabor.labs.models import LabOrganisation
from reallabor.organisations.models import Organisation


def make_person(**fields: Any) -> Person:
    person: Person = PersonFactory(**fields)  # type: ignore[assignment]
    return person


class PersonFactory(DjangoModelFactory[Person]):
    class Meta:
        model = Person

    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    email = factory.Sequence(lambda n: f"person{n}@example.org")


def consent_text(purpose: str) -> ConsentText:
    text, _ = ConsentText.objects.get_or_create(
        purpose=purpose, version=1, defaults={"text": f"Ich willige ein ({purpose})."}
    )
    return text


def give_consent(person: Person, purpose: str = Purpose.NEWSLETTER, **fields: Any) -> Consent:
    values: dict[str, Any] = {
        "source": Consent.Source.FORM,
        "given_at": timezone.now() - dt.timedelta(days=1),
        "text": consent_text(purpose),
    }
    values.update(fields)
    return Consent.objects.create(person=person, purpose=purpose, **values)


def affiliate(person: Person, organisation: Organisation, role: str = "", **fields: Any) -> Affiliation:
    return Affiliation.objects.create(person=person, organisation=organisation, role=role, **fields)


@dataclass
class Crm:
    """A small CRM on top of the demo portfolio.

    ``tischlerei`` is a craft business taking part in the crafts lab (coordinated by the
    coordinator), not in the trade lab (the partner's). ``anna`` works there and consented to
    the newsletter; ``bernd`` works there without any consent; ``clara`` has no organisation.
    """

    tischlerei: Organisation
    anna: Person
    bernd: Person
    clara: Person
    interaction: Interaction
    follow_up: FollowUp
    segment: Segment
    mailing: Mailing


def make_crm(portfolio: Any) -> Crm:
    from reallabor.taxonomy.models import Term

    tischlerei = Organisation.objects.create(
        name="Tischlerei Beispiel GmbH",
        slug="tischlerei-beispiel",
        kind=Organisation.Kind.COMPANY,
        sector=Term.objects.get(vocabulary__family="wz2008", code="16"),
        trade=Term.objects.filter(vocabulary__family="trades", name__startswith="Tischler").first(),
        headcount_band="5-9",
        postcode="46236",
        city="Bottrop",
        district="Mitte",
        email="info@tischlerei-beispiel.example",
        website="https://www.tischlerei-beispiel.example",
        name_key="tischlereibeispiel",
        web_domain="tischlerei-beispiel.example",
    )
    LabOrganisation.objects.create(lab=portfolio.handwerk, organisation=tischlerei)
    anna = make_person(first_name="Anna", last_name="Schreiner", email="anna@tischlerei-beispiel.example")
    bernd = make_person(first_name="Bernd", last_name="Hobel", email="bernd@tischlerei-beispiel.example")
    clara = make_person(
        first_name="Clara", last_name="Einzeln", email="clara@example.org", district="Kirchhellen"
    )
    affiliate(anna, tischlerei, "Inhaberin", is_primary=True)
    affiliate(bernd, tischlerei, "Meister")
    give_consent(anna)
    coordinator = portfolio.users["coordinator"]
    interaction = Interaction.objects.create(
        kind=Interaction.Kind.VISIT,
        occurred_at=timezone.now() - dt.timedelta(days=3),
        subject="Besuch in der Werkstatt",
        notes="Interesse an digitaler Auftragsplanung.",
        staff=coordinator,
        organisation=tischlerei,
        lab=portfolio.handwerk,
    )
    interaction.participants.add(anna)
    tischlerei.last_contact_at = interaction.occurred_at
    tischlerei.save(update_fields=["last_contact_at"])
    Person.objects.filter(pk=anna.pk).update(last_contact_at=interaction.occurred_at)
    anna.refresh_from_db()
    follow_up = FollowUp.objects.create(
        interaction=interaction,
        title="Angebot Digitalberatung schicken",
        due_date=timezone.localdate() + dt.timedelta(days=7),
        assignee=coordinator,
    )
    segment = Segment.objects.create(
        name="Handwerksbetriebe", subject=Segment.Subject.PEOPLE, criteria={"kinds": ["company"]}
    )
    mailing = Mailing.objects.create(
        subject="Einladung zum Handwerksfrühstück", body="Liebe Betriebe, …", segment=segment
    )
    return Crm(
        tischlerei=tischlerei,
        anna=anna,
        bernd=bernd,
        clara=clara,
        interaction=interaction,
        follow_up=follow_up,
        segment=segment,
        mailing=mailing,
    )
