"""The actors' part of the benchmark data: people, affiliations, interactions, consents, needs.

Called by ``bench.generate`` after the organisations, labs and measures exist. Like the rest of
the generator it writes with bulk_create and bypasses the services for speed, but keeps what the
services keep: ``last_contact_at`` on organisations and people is the latest interaction.
At nation scale: 200,000 organisations, 500,000 people, 2 million interactions.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from bench import content

FIRST_NAMES = [
    "Anna", "Ben", "Clara", "David", "Elif", "Finn", "Greta", "Hakan", "Ines", "Jan", "Katarzyna", "Lukas",
    "Mia", "Noah", "Olga", "Paul", "Rana", "Sophie", "Tim", "Ursula", "Volker", "Wiebke", "Yusuf", "Zeynep",
]  # fmt: skip
LAST_NAMES = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
    "Kowalski", "Yilmaz", "Nowak", "Demir", "Schulte", "Brinkmann", "Kaya", "Lange", "Krause", "Peters",
]  # fmt: skip
FUNCTIONS = ["Inhaber/in", "Geschäftsführung", "Ausbildungsleitung", "Personal", "Meister/in", "Vertrieb", ""]
SUBJECTS = [
    "Betriebsbesuch", "Telefonat zur Digitalberatung", "Gespräch Fachkräftesicherung",
    "Nachfassen Handwerksfrühstück", "Anfrage Gewerbefläche", "Austausch Wirtschaftsallianz",
]  # fmt: skip
HEADCOUNTS = ["1-4", "5-9", "10-19", "20-49", "50-249", "250+"]
HEADCOUNT_WEIGHTS = [40, 25, 15, 10, 7, 3]
ALLIANCE = ["", "", "", "", "", "", "member", "applicant", "former"]
PURPOSES = ["newsletter", "event_follow_up", "matching", "benchmarking", "photos"]


def organisation_fields(
    rng: random.Random, kind: str, slug: str, sectors: Sequence[int], trades: Sequence[int]
) -> dict[str, Any]:
    """The actor fields of one generated organisation (sector/trade as term ids)."""
    fields: dict[str, Any] = {"quarter": "", "alliance_status": "", "alliance_since": None}
    if kind == "company":
        fields["sector_id"] = rng.choice(sectors)
        fields["headcount_band"] = rng.choices(HEADCOUNTS, HEADCOUNT_WEIGHTS)[0]
        fields["founding_year"] = rng.randint(1950, 2025)
        if rng.random() < 0.3:
            fields["trade_id"] = rng.choice(trades)
        status = rng.choice(ALLIANCE)
        fields["alliance_status"] = status
        if status in ("member", "former"):
            fields["alliance_since"] = dt.date(rng.randint(2015, 2025), rng.randint(1, 12), 1)
    if rng.random() < 0.6:
        fields["email"] = f"info@{slug}.example.org"
    if rng.random() < 0.5:
        fields["phone"] = f"02041 {rng.randint(10000, 99999)}"
    fields["profile_published"] = rng.random() < 0.05
    return fields


class ActorsGenerator:
    """Writes people, affiliations, interactions (with participants), follow-ups, consents, needs."""

    def __init__(self, parent: Any, people: int, interactions: int) -> None:
        self.parent = parent
        self.rng: random.Random = parent.rng
        self.people_total = people
        self.interactions_total = interactions

    def run(self) -> None:
        if not self.people_total:
            return
        from django.contrib.contenttypes.models import ContentType

        from reallabor.accounts.models import User
        from reallabor.actors.models import Person
        from reallabor.organisations.models import Organisation

        self.ct_person = ContentType.objects.get_for_model(Person)
        self.ct_organisation = ContentType.objects.get_for_model(Organisation)
        self.staff_ids = list(
            User.objects.filter(email__endswith="@bench.example").values_list("pk", flat=True)
        )
        self.people()
        self.consents()
        self.needs()
        self.interactions()
        self.segments()

    def people(self) -> None:
        from reallabor.actors.models import Affiliation, Person

        rng = self.rng
        org_ids: list[int] = self.parent.org_ids
        self.person_ids: list[int] = []
        self.person_org: dict[int, int] = {}
        batch_size = 5000
        for start in range(0, self.people_total, batch_size):
            people = []
            for index in range(start, min(start + batch_size, self.people_total)):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                people.append(
                    Person(
                        first_name=first,
                        last_name=last,
                        function=rng.choice(FUNCTIONS),
                        email=f"person{index}@bench-people.example" if rng.random() < 0.9 else "",
                        phone=f"0171 {rng.randint(1000000, 9999999)}" if rng.random() < 0.4 else "",
                        district=rng.choice(content.DISTRICTS) if rng.random() < 0.3 else "",
                    )
                )
            created = self.parent._write(Person, people)
            affiliations = []
            for person in created:
                self.person_ids.append(person.pk)
                if rng.random() < 0.85:
                    organisation = rng.choice(org_ids)
                    self.person_org[person.pk] = organisation
                    ended = rng.random() < 0.1
                    affiliations.append(
                        Affiliation(
                            person_id=person.pk,
                            organisation_id=organisation,
                            role=rng.choice(FUNCTIONS),
                            start_date=dt.date(rng.randint(2005, 2024), 1, 1) if rng.random() < 0.5 else None,
                            end_date=dt.date(2025, 6, 30) if ended else None,
                            is_primary=rng.random() < 0.3,
                        )
                    )
            self.parent._write(Affiliation, affiliations)

    def consents(self) -> None:
        from django.utils import timezone

        from reallabor.actors.models import Consent, ConsentText

        texts = {}
        for purpose in PURPOSES:
            texts[purpose], _ = ConsentText.objects.get_or_create(
                purpose=purpose, version=1, defaults={"text": f"Einwilligung ({purpose})"}
            )
        rng = self.rng
        now = timezone.now()
        consents = []
        for person_id in self.person_ids:
            if rng.random() < 0.55:
                given = now - dt.timedelta(days=rng.randint(1, 1500))
                consents.append(
                    Consent(
                        person_id=person_id,
                        purpose="newsletter",
                        source=rng.choice(["form", "in_person", "import"]),
                        given_at=given,
                        text=texts["newsletter"],
                        withdrawn_at=given + dt.timedelta(days=30) if rng.random() < 0.05 else None,
                    )
                )
            if rng.random() < 0.2:
                consents.append(
                    Consent(
                        person_id=person_id,
                        purpose=rng.choice(PURPOSES[1:]),
                        source="form",
                        given_at=now - dt.timedelta(days=rng.randint(1, 1500)),
                        text=texts["event_follow_up"],
                    )
                )
        # The text must match the purpose: fix the ones drawn above.
        for consent in consents:
            consent.text = texts[consent.purpose]
        self.parent._write(Consent, consents)

    def needs(self) -> None:
        from reallabor.taxonomy.models import MOTIVATIONS_FAMILY, NEEDS_FAMILY, Tag, Term

        rng = self.rng
        needs = list(Term.objects.filter(vocabulary__family=NEEDS_FAMILY).values_list("pk", flat=True))
        motivations = list(
            Term.objects.filter(vocabulary__family=MOTIVATIONS_FAMILY).values_list("pk", flat=True)
        )
        tags = []
        for org_id in self.parent.org_ids:
            if rng.random() < 0.4:
                for term in rng.sample(needs, rng.randint(1, 3)):
                    tags.append(
                        Tag(
                            term_id=term,
                            content_type=self.ct_organisation,
                            object_id=org_id,
                            priority="primary",
                        )
                    )
            if rng.random() < 0.25:
                for term in rng.sample(motivations, rng.randint(1, 2)):
                    tags.append(
                        Tag(
                            term_id=term,
                            content_type=self.ct_organisation,
                            object_id=org_id,
                            priority="primary",
                        )
                    )
        for person_id in self.person_ids:
            if rng.random() < 0.05:
                tags.append(
                    Tag(
                        term_id=rng.choice(needs),
                        content_type=self.ct_person,
                        object_id=person_id,
                        priority="primary",
                    )
                )
        self.parent._write(Tag, tags)

    def interactions(self) -> None:
        from django.utils import timezone

        from reallabor.actors.models import FollowUp, Interaction, Person
        from reallabor.organisations.models import Organisation

        rng = self.rng
        now = timezone.now()
        Participant = Interaction.participants.through
        kinds = ["visit", "call", "meeting", "email", "event", "other"]
        with_org = [pid for pid in self.person_ids if pid in self.person_org]
        batch_size = 5000
        org_last: dict[int, dt.datetime] = {}
        person_last: dict[int, dt.datetime] = {}
        for start in range(0, self.interactions_total, batch_size):
            rows = []
            participants: list[int] = []
            for _ in range(start, min(start + batch_size, self.interactions_total)):
                person = rng.choice(with_org) if with_org else rng.choice(self.person_ids)
                organisation = self.person_org.get(person)
                when = now - dt.timedelta(days=rng.randint(0, 2000), minutes=rng.randint(0, 1440))
                rows.append(
                    Interaction(
                        kind=rng.choice(kinds),
                        occurred_at=when,
                        subject=rng.choice(SUBJECTS),
                        staff_id=rng.choice(self.staff_ids) if self.staff_ids else None,
                        organisation_id=organisation,
                    )
                )
                participants.append(person)
                if organisation and (organisation not in org_last or org_last[organisation] < when):
                    org_last[organisation] = when
                if person not in person_last or person_last[person] < when:
                    person_last[person] = when
            created = self.parent._write(Interaction, rows)
            self.parent._write(
                Participant,
                [
                    Participant(interaction_id=i.pk, person_id=p)
                    for i, p in zip(created, participants, strict=True)
                ],
            )
            follow_ups = [
                FollowUp(
                    interaction_id=i.pk,
                    title="Nachfassen",
                    due_date=(i.occurred_at + dt.timedelta(days=14)).date(),
                    assignee_id=i.staff_id,
                    done_at=i.occurred_at + dt.timedelta(days=10)
                    if i.occurred_at < now - dt.timedelta(days=30)
                    else None,
                )
                for i in created
                if i.staff_id and rng.random() < 0.02
            ]
            self.parent._write(FollowUp, follow_ups)
        _bulk_last_contact(Organisation, org_last)
        _bulk_last_contact(Person, person_last)

    def segments(self) -> None:
        from reallabor.actors.models import Segment

        Segment.objects.bulk_create(
            [
                Segment(name="Handwerk ohne Kontakt seit einem Jahr", subject="organisations",
                        criteria={"trades": ["a"], "not_contacted_for_days": 365}),
                Segment(name="Kleine Unternehmen mit Digitalisierungsbedarf", subject="people",
                        criteria={"kinds": ["company"], "headcount_bands": ["1-4", "5-9"], "needs": ["digitalisation"],
                                  "consent": "newsletter"}),
                Segment(name="Mitglieder der Wirtschaftsallianz", subject="people", criteria={"alliance": ["member"]}),
            ]
        )  # fmt: skip


def _bulk_last_contact(model: Any, latest: dict[int, dt.datetime]) -> None:
    objects = [model(pk=pk, last_contact_at=when) for pk, when in latest.items()]
    for start in range(0, len(objects), 5000):
        model._default_manager.bulk_update(objects[start : start + 5000], ["last_contact_at"])
