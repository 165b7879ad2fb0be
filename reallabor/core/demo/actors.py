"""Load the fictional actors of the Bottrop demo (``actors_content``) through the services.

About 170 organisations and 135 people with roles, needs, motivations, consents, relationships,
about 260 interactions with follow-ups, stakeholder positions for the three labs, three segments
and a draft mailing. Runs after ``bottrop.load()`` (labs, measures, demo accounts).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from reallabor.accounts.models import User
from reallabor.actors.models import Consent, Interaction, Person, Relationship
from reallabor.actors.services import consent as consent_services
from reallabor.actors.services import interactions as interaction_services
from reallabor.actors.services import mailings as mailing_services
from reallabor.actors.services import needs as need_services
from reallabor.actors.services import people as people_services
from reallabor.actors.services import relationships as relationship_services
from reallabor.actors.services import segments as segment_services
from reallabor.actors.services import stakeholders as stakeholder_services
from reallabor.core.demo import actors_content
from reallabor.labs.models import Lab, LabOrganisation
from reallabor.labs.services import set_lab_organisation
from reallabor.organisations.models import Organisation
from reallabor.organisations.services import create_organisation
from reallabor.taxonomy.models import MOTIVATIONS_FAMILY, NEEDS_FAMILY, TRADES_FAMILY, Term

STAFF_EMAILS = ("koordination@reallabor.example", "verwaltung@reallabor.example")


def _trade_code(prefix: str) -> str | None:
    if not prefix:
        return None
    term = (
        Term.objects.filter(vocabulary__family=TRADES_FAMILY, parent__isnull=False, name__startswith=prefix)
        .order_by("code")
        .first()
    )
    return term.code if term else None


@transaction.atomic
def load() -> dict[str, int]:
    """Write the demo actors; returns how many of each were written."""
    data = actors_content.build()
    rng = random.Random(actors_content.SEED + 1)  # noqa: S311 - demo data, not security
    now = timezone.now()
    staff = [user for user in User.objects.filter(email__in=STAFF_EMAILS)]
    labs = {lab.slug: lab for lab in Lab.objects.all()}

    organisations: list[Organisation] = []
    for item in data.organisations:
        values: dict[str, Any] = {
            "name": item.name,
            "kind": item.kind,
            "sub_kind": item.sub_kind,
            "street": item.street,
            "postcode": item.postcode,
            "city": "Bottrop",
            "district": item.district,
            "quarter": item.quarter,
            "email": item.email,
            "phone": item.phone,
            "website": item.website,
            "profile_published": item.profile_published,
            "profile_text": item.profile_text,
        }
        if item.kind == "company":
            values.update(
                sector=item.sector,
                trade=_trade_code(item.trade_prefix),
                headcount_band=item.headcount_band,
                founding_year=item.founding_year,
                alliance_status=item.alliance_status,
                alliance_since=dt.date(item.alliance_since_year, 1, 1) if item.alliance_since_year else None,
            )
        organisation = create_organisation(user=None, data=values)
        organisations.append(organisation)
        for code in item.needs:
            need_services.record_need(user=None, obj=organisation, family=NEEDS_FAMILY, code=code)
        for code in item.motivations:
            need_services.record_need(user=None, obj=organisation, family=MOTIVATIONS_FAMILY, code=code)
        if item.lab and item.lab in labs:
            set_lab_organisation(user=None, lab=labs[item.lab], organisation=organisation, role="partner")

    people: list[Person] = []
    for entry in data.people:
        affiliations = []
        if entry.organisation is not None:
            affiliations.append(
                {
                    "organisation": organisations[entry.organisation],
                    "role": entry.function,
                    "is_primary": True,
                }
            )
        person = people_services.create_person(
            user=None,
            data={
                "first_name": entry.first_name,
                "last_name": entry.last_name,
                "function": entry.function,
                "email": entry.email,
                "phone": entry.phone,
                "district": entry.district,
            },
            affiliations=affiliations,
        )
        people.append(person)
        for purpose in entry.consents:
            consent_services.record_consent(
                user=None,
                person=person,
                purpose=purpose,
                source=rng.choice([Consent.Source.FORM, Consent.Source.IN_PERSON]),
                given_at=now - dt.timedelta(days=rng.randint(10, 700)),
            )

    for contact in data.interactions:
        occurred = now - dt.timedelta(days=contact.days_ago, hours=rng.randint(1, 8))
        follow_ups = []
        if contact.follow_up:
            follow_ups.append(
                {
                    "title": contact.follow_up,
                    "due_date": (occurred + dt.timedelta(days=14 + contact.follow_up_in_days)).date(),
                    "assignee": staff[0] if staff else None,
                }
            )
        interaction = interaction_services.record_interaction(
            user=None,
            data={
                "kind": contact.kind,
                "occurred_at": occurred,
                "subject": contact.subject,
                "notes": contact.notes,
                "staff": rng.choice(staff) if staff else None,
                "organisation": organisations[contact.organisation]
                if contact.organisation is not None
                else None,
                "participants": [people[index] for index in contact.participants],
                "lab": labs.get(contact.lab) if contact.lab else None,
                "follow_ups": follow_ups,
            },
        )
        if contact.follow_up_done:
            for follow_up in interaction.follow_ups.all():
                interaction_services.complete_follow_up(user=staff[0] if staff else None, follow_up=follow_up)

    _relationships(rng, organisations)
    _stakeholders(rng, labs, organisations)
    segments = _segments()
    mailing_services.create_mailing(
        user=None,
        data={
            "subject": "Einladung zum Bottroper Handwerksfrühstück",
            "body": "Guten Tag,\n\nwir laden Sie herzlich zum nächsten **Handwerksfrühstück** ein. (Beispiel)",
            "segment": segments[0],
            "purpose": "newsletter",
            "measures": [],
        },
    )
    return {
        "organisations": len(organisations),
        "people": len(people),
        "interactions": Interaction.objects.count(),
        "relationships": Relationship.objects.count(),
    }


def _relationships(rng: random.Random, organisations: list[Organisation]) -> None:
    multipliers = [org for org in organisations if org.kind == "multiplier"]
    companies = [org for org in organisations if org.kind == "company"]
    for company in rng.sample(companies, 40):
        relationship_services.create_relationship(
            user=None, source=company, target=rng.choice(multipliers), kind=Relationship.Kind.MEMBER_OF
        )
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < 25:
        first, second = rng.sample(companies, 2)
        if (first.pk, second.pk) in pairs or (second.pk, first.pk) in pairs:
            continue
        pairs.add((first.pk, second.pk))
        relationship_services.create_relationship(
            user=None,
            source=first,
            target=second,
            kind=rng.choice([Relationship.Kind.SUPPLIER_OF, Relationship.Kind.PARTNER_OF]),
        )


def _stakeholders(rng: random.Random, labs: dict[str, Lab], organisations: list[Organisation]) -> None:
    for lab in labs.values():
        members = [
            role.organisation
            for role in LabOrganisation.objects.filter(lab=lab).select_related("organisation")
        ]
        for organisation in members[:12]:
            stakeholder_services.set_stakeholder_position(
                user=None,
                lab=lab,
                organisation=organisation,
                interest=rng.randint(2, 5),
                influence=rng.randint(1, 5),
            )


def _segments() -> list[Any]:
    return [
        segment_services.create_segment(
            user=None,
            data={
                "name": "Handwerksbetriebe (Newsletter)",
                "subject": "people",
                "criteria": {"trades": ["a", "b1", "b2"], "consent": "newsletter"},
                "description": "Ansprechpersonen in Handwerksbetrieben, die den Newsletter erhalten wollen.",
            },
        ),
        segment_services.create_segment(
            user=None,
            data={
                "name": "Kleine Betriebe mit Digitalisierungsbedarf",
                "subject": "organisations",
                "criteria": {
                    "kinds": ["company"],
                    "headcount_bands": ["1-4", "5-9"],
                    "needs": ["digitalisation"],
                },
            },
        ),
        segment_services.create_segment(
            user=None,
            data={
                "name": "Seit einem Jahr ohne Kontakt",
                "subject": "organisations",
                "criteria": {"kinds": ["company"], "not_contacted_for_days": 365},
            },
        ),
    ]
