"""Load the demo events: network formats with plausible participation. Runs after ``actors.load()``.

- »Bottroper Handwerksfrühstück« (the crafts lab): seven past editions, each hosted by a different
  fictional craft business of the demo actors, with registrations, cancellations, no-shows,
  walk-ins, a waiting list now and then, feedback with ratings and next topics, and minutes; the
  next edition is almost full and has a waiting list.
- »Treffen der Wirtschaftsallianz«: three past meetings of alliance members, the next one open.
- »Digitalisierungsausbau in Unternehmen«: two past (hybrid) editions, the next one open.
- The exchange meeting of companies and city staff on employing refugees (skilled workers lab),
  and its next round by invitation.

Events, check-ins (and with them the attendance in the actors' timeline), walk-ins, feedback and
minutes go through the services. Registrations are written as rows (``_write_registrations``):
the services refuse registrations for events that have begun, and registering the demo people
through them would e-mail every one of them (confirmations, QR codes) once the worker runs. The
rows keep the services' invariants (seats, waiting list order, unique codes, confirmed addresses);
the times the services set to "now" (registering, checking in) are moved to the event's time
afterwards. Deterministic (seeded); loading twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from reallabor.accounts.models import User
from reallabor.actors.models import Affiliation, Person
from reallabor.actors.services import interactions as interaction_services
from reallabor.events.models import Event, EventSeries, Registration
from reallabor.events.services import checkin as checkin_services
from reallabor.events.services import events as event_services
from reallabor.events.services import feedback as feedback_services
from reallabor.events.services import series as series_services
from reallabor.events.services.registrations import CODE_ALPHABET, CODE_LENGTH
from reallabor.labs.models import Lab, Measure
from reallabor.organisations.models import Organisation

SEED = 2019  # the first Handwerksfrühstück
HANDWERK = "digitale-koproduktion-im-handwerk"
FACHKRAEFTE = "fachkraeftesicherung"
FRUEHSTUECK_SLUG = "bottroper-handwerksfruehstueck"
OFFICE_ORGANISERS = ("wirtschaftsfoerderung-bottrop",)
CRAFT_ORGANISERS = ("wirtschaftsfoerderung-bottrop", "kreishandwerkerschaft-emscher-lippe-west")
ALLIANCE_ORGANISERS = ("wirtschaftsallianz-bottrop", "wirtschaftsfoerderung-bottrop")
REFUGEE_ORGANISERS = ("wirtschaftsfoerderung-bottrop", "jobcenter-bottrop", "agentur-fuer-arbeit")

FRUEHSTUECK_TOPICS = [
    "Digitale Auftragsabwicklung im Kleinbetrieb",
    "Azubis finden über soziale Medien",
    "Betriebsnachfolge rechtzeitig planen",
    "Energie sparen in Werkstatt und Fuhrpark",
    "Gemeinsam einkaufen: Kooperationen unter Handwerksbetrieben",
    "Fördermittel für die Digitalisierung",
    "Kundenbewertungen im Netz",
]
NEXT_TOPICS = [
    "Elektronische Rechnungen (E-Rechnung)",
    "Fachkräfte aus dem Ausland",
    "Künstliche Intelligenz im Büro",
    "Cybersicherheit für kleine Betriebe",
    "Ausbildung gemeinsam organisieren",
    "Photovoltaik auf dem Betriebsdach",
    "Terminplanung mit dem Smartphone",
]
COMMENTS = [
    "Sehr praxisnah, gerne wieder.",
    "Gute Gespräche mit Kolleginnen und Kollegen aus anderen Gewerken.",
    "Etwas zu kurz – die Diskussion hätte länger gehen können.",
    "Toller Einblick in den Betrieb.",
    "Der Vortrag war hilfreich, die Unterlagen bitte vorab schicken.",
    "",
    "",
]
RATINGS = [1, 2, 3, 4, 5]
RATING_WEIGHTS = [2, 5, 18, 42, 33]


@dataclass
class Participant:
    person: Person
    organisation: Organisation | None


@dataclass
class Plan:
    """Who registered for a past event and what became of it."""

    came: list[Participant] = field(default_factory=list)  # registered, checked in
    no_shows: list[Participant] = field(default_factory=list)  # registered, did not come
    cancelled: list[Participant] = field(default_factory=list)
    waiting: list[Participant] = field(default_factory=list)  # never got a seat …
    waiting_came: list[Participant] = field(default_factory=list)  # … or came anyway
    walk_ins: list[Participant] = field(default_factory=list)


class Loader:
    def __init__(self, staff: User) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not security
        self.staff = staff
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.labs = {lab.slug: lab for lab in Lab.objects.all()}
        self.events: list[Event] = []

    # Helpers -----------------------------------------------------------------------------------------

    def at(self, days: int, hour: int, minute: int = 0) -> dt.datetime:
        """A moment ``days`` from today at ``hour:minute`` Berlin time (negative: in the past)."""
        day = timezone.localdate(self.now) + dt.timedelta(days=days)
        return dt.datetime.combine(day, dt.time(hour, minute), timezone.get_default_timezone())

    def weekday(self, days: int, weekday: int) -> int:
        """``days`` moved forward to the next ``weekday`` (0 = Monday)."""
        day = timezone.localdate(self.now) + dt.timedelta(days=days)
        return days + (weekday - day.weekday()) % 7

    def event(self, *, published: bool = True, **data: Any) -> Event:
        event = event_services.create_event(user=None, data=data)
        if published:
            event = event_services.publish_event(user=None, event=event)
        self.events.append(event)
        return event

    def code(self, used: set[str]) -> str:
        while True:
            code = "".join(self.rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in used:
                used.add(code)
                return code

    # Registrations ---------------------------------------------------------------------------------

    def _write_registrations(
        self,
        event: Event,
        entries: Sequence[tuple[Participant, str]],
        *,
        source: str = Registration.Source.ONLINE,
    ) -> list[Registration]:
        """Registration rows (see the module docstring for why not through the services)."""
        used = set(Registration.objects.filter(event=event).values_list("code", flat=True))
        rows = []
        for number, (participant, status) in enumerate(entries):
            person = participant.person
            registered = event.starts_at - dt.timedelta(days=20 - number * 0.4, hours=self.rng.randint(0, 10))
            registered = min(registered, self.now - dt.timedelta(hours=len(entries) - number))
            rows.append(
                Registration(
                    event=event,
                    person=person,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    email=person.email,
                    organisation_name=participant.organisation.name if participant.organisation else "",
                    organisation=participant.organisation,
                    status=status,
                    source=source,
                    address_confirmed_at=min(
                        registered + dt.timedelta(minutes=self.rng.randint(1, 90)), self.now
                    ),
                    waiting_since=registered if status == Registration.Status.WAITING else None,
                    cancelled_at=(
                        registered + dt.timedelta(days=self.rng.randint(1, 5))
                        if status == Registration.Status.CANCELLED
                        else None
                    ),
                    code=self.code(used),
                )
            )
        created = Registration.objects.bulk_create(rows)
        for row in created:  # bulk_update leaves created_at alone (auto_now_add acts on inserts only)
            moment = row.address_confirmed_at or self.now
            row.created_at = moment - dt.timedelta(minutes=5)
            row.updated_at = row.cancelled_at or moment
        Registration.objects.bulk_update(created, ["created_at", "updated_at"])
        return created

    def past_event(self, event: Event, plan: Plan) -> None:
        """Registrations, check-ins (services: attendance in the timeline), walk-ins, then the times."""
        status = Registration.Status
        entries = (
            [(p, status.REGISTERED) for p in plan.came + plan.no_shows]
            + [(p, status.CANCELLED) for p in plan.cancelled]
            + [(p, status.WAITING) for p in plan.waiting + plan.waiting_came]
        )
        self.rng.shuffle(entries)
        rows = {row.person_id: row for row in self._write_registrations(event, entries)}
        attendees = [rows[participant.person.pk] for participant in plan.came + plan.waiting_came]
        if attendees:
            # The first check-in through the service creates the event's attendance interaction;
            # checking in the others one by one would rewrite its participants each time (a
            # second each for the demo), so they are marked together and added to the
            # interaction in one change through the actors' service.
            first = checkin_services.check_in(user=self.staff, registration=attendees[0]).registration
            for row in attendees[1:]:
                row.status = Registration.Status.REGISTERED  # a waiting person who came anyway
                row.checked_in_at = self.now
                row.checked_in_by = self.staff
            Registration.objects.bulk_update(attendees[1:], ["status", "checked_in_at", "checked_in_by"])
            event.refresh_from_db(fields=["attendance_interaction"])
            interaction = event.attendance_interaction
            assert interaction is not None and first.checked_in_at is not None
            interaction_services.update_interaction(
                user=self.staff,
                interaction=interaction,
                data={"participants": [row.person for row in attendees]},
            )
        for participant in plan.walk_ins:
            person = participant.person
            checkin_services.walk_in(
                user=self.staff,
                event=event,
                data={
                    "first_name": person.first_name,
                    "last_name": person.last_name,
                    "email": person.email,
                    "organisation_name": participant.organisation.name if participant.organisation else "",
                },
            )
        # The check-ins happened "now"; they happened at the event.
        checked = list(Registration.objects.filter(event=event, checked_in_at__isnull=False))
        for row in checked:
            row.checked_in_at = event.starts_at + dt.timedelta(minutes=self.rng.randint(-15, 25))
            if row.source == Registration.Source.WALK_IN:
                row.created_at = row.address_confirmed_at = row.checked_in_at
            row.updated_at = row.checked_in_at
        Registration.objects.bulk_update(
            checked, ["checked_in_at", "created_at", "address_confirmed_at", "updated_at"]
        )

    def feedback(self, event: Event, share: float, topics: list[str]) -> None:
        attendees = list(Registration.objects.filter(event=event, checked_in_at__isnull=False).order_by("pk"))
        for registration in attendees:
            if self.rng.random() >= share:
                continue
            feedback_services.give_feedback(
                registration=registration,
                data={
                    "rating": self.rng.choices(RATINGS, RATING_WEIGHTS)[0],
                    "text": self.rng.choice(COMMENTS),
                    "next_topic": self.rng.choice(topics) if self.rng.random() < 0.7 else "",
                },
            )


# People -----------------------------------------------------------------------------------------------


def _participants(queryset: Any) -> list[Participant]:
    """One participant per person (their main organisation), in a stable order."""
    seen: set[int] = set()
    found: list[Participant] = []
    for affiliation in queryset.select_related("person", "organisation").order_by(
        "organisation__name", "-is_primary", "person__last_name", "person__pk"
    ):
        person = affiliation.person
        if person.pk in seen or not person.email or person.anonymised_at is not None:
            continue
        seen.add(person.pk)
        found.append(Participant(person, affiliation.organisation))
    return found


def _organisations(slugs: tuple[str, ...]) -> list[Organisation]:
    return list(Organisation.objects.filter(slug__in=slugs))


# The formats --------------------------------------------------------------------------------------------


def _fruehstueck(loader: Loader, crafts: list[Participant]) -> EventSeries:
    rng = loader.rng
    lab = loader.labs.get(HANDWERK)
    series = series_services.create_series(
        user=None,
        data={
            "title": "Bottroper Handwerksfrühstück",
            "slug": FRUEHSTUECK_SLUG,
            "lab": lab,
            "organisers": _organisations(CRAFT_ORGANISERS),
            "description": (
                "Alle zwei Monate öffnet ein Bottroper Handwerksbetrieb früh am Morgen seine Werkstatt: "
                "Brötchen, Kaffee, ein kurzer Impuls und viel Zeit für Gespräche unter Betrieben. "
                "Die Wirtschaftsförderung und die Kreishandwerkerschaft laden gemeinsam ein."
            ),
        },
    )
    by_organisation: dict[int, list[Participant]] = {}
    for participant in crafts:
        assert participant.organisation is not None
        by_organisation.setdefault(participant.organisation.pk, []).append(participant)
    host_ids = sorted(by_organisation)
    hosts = [by_organisation[key][0] for key in rng.sample(host_ids, 8)]
    regulars = rng.sample([p for p in crafts if p not in hosts], 12)
    measures = list(Measure.objects.filter(lab=lab)) if lab else []

    for edition in range(7):
        host = hosts[edition]
        assert host.organisation is not None
        days = loader.weekday(-(7 - edition) * 56, 2)  # Wednesdays, every eight weeks
        starts = loader.at(days, 7, 30)
        topic = FRUEHSTUECK_TOPICS[edition]
        full = edition in (2, 4, 6)
        others = [p for p in crafts if p not in regulars and p is not host]
        booked = [host, *rng.sample(regulars, rng.randint(5, 8))]
        booked += rng.sample(
            [p for p in others if p not in booked], (16 if full else rng.randint(11, 15)) - len(booked)
        )
        cancelled = rng.sample([p for p in others if p not in booked], rng.randint(1, 2))
        rest = [p for p in others if p not in booked and p not in cancelled]
        waiting = rng.sample(rest, rng.randint(1, 3)) if full else []
        rest = [p for p in rest if p not in waiting]
        walk_ins = rng.sample(rest, rng.randint(1, 3))
        no_shows = [p for p in booked[1:] if rng.random() < 0.2]
        plan = Plan(
            came=[p for p in booked if p not in no_shows],
            no_shows=no_shows,
            cancelled=cancelled,
            waiting=waiting[1:],
            waiting_came=waiting[:1],
            walk_ins=walk_ins,
        )
        event = loader.event(
            title=f"Handwerksfrühstück bei {host.organisation.name}",
            series=series,
            lab=lab,
            measures=measures,
            organisers=_organisations(CRAFT_ORGANISERS),
            host=host.organisation,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            venue_name=host.organisation.name,
            street=host.organisation.street,
            postcode=host.organisation.postcode,
            city="Bottrop",
            accessibility_notes="Werkstatt im Erdgeschoss, stufenloser Zugang über den Hof.",
            capacity=16,
            description=f"Impuls: **{topic}**. Danach Rundgang durch den Betrieb und Austausch.",
            agenda="07:30 Ankommen und Frühstück\n08:00 Impuls\n08:30 Rundgang\n09:00 Austausch",
            questions=[{"label": "Essen Sie vegetarisch oder vegan?", "kind": "choice",
                        "choices": ["nein", "vegetarisch", "vegan"]}],
            # Minutes with the event: once walk-ins fill more seats than the capacity, the
            # service refuses any later change of the event (see the report of the demo loader).
            minutes=f"## Protokoll\n\n- Begrüßung durch {host.organisation.name}\n- Impuls: {topic}\n"
                    f"- {len(plan.came) + len(plan.waiting_came) + len(walk_ins)} Teilnehmende aus "
                    "verschiedenen Gewerken\n- Vereinbart: Kontakte zur Digitalberatung vermitteln",
            results="Zwei Betriebe haben eine Digitalberatung im Rahmen der Maßnahme vereinbart.",
        )  # fmt: skip
        loader.past_event(event, plan)
        loader.feedback(event, 0.55, NEXT_TOPICS)

    # The next edition: almost full (two seats kept for the organisers), with a waiting list.
    host = hosts[7]
    assert host.organisation is not None
    starts = loader.at(loader.weekday(12, 2), 7, 30)
    event = loader.event(
        title=f"Handwerksfrühstück bei {host.organisation.name}",
        series=series,
        lab=lab,
        measures=measures,
        organisers=_organisations(CRAFT_ORGANISERS),
        host=host.organisation,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        venue_name=host.organisation.name,
        street=host.organisation.street,
        postcode=host.organisation.postcode,
        city="Bottrop",
        capacity=20,
        reserved_seats=2,
        description="Impuls: **Elektronische Rechnungen (E-Rechnung)** – was ab 2025 auf Betriebe zukommt.",
        agenda="07:30 Ankommen und Frühstück\n08:00 Impuls\n08:30 Rundgang\n09:00 Austausch",
    )
    others = [p for p in crafts if p is not host]
    booked = [host, *rng.sample(others, 17)]
    waiting = rng.sample([p for p in others if p not in booked], 3)
    status = Registration.Status
    loader._write_registrations(
        event, [(p, status.REGISTERED) for p in booked] + [(p, status.WAITING) for p in waiting]
    )
    return series


def _alliance(loader: Loader, members: list[Participant]) -> EventSeries:
    rng = loader.rng
    series = series_services.create_series(
        user=None,
        data={
            "title": "Treffen der Wirtschaftsallianz",
            "lab": None,
            "organisers": _organisations(ALLIANCE_ORGANISERS),
            "description": "Das Netzwerk der Bottroper Unternehmen trifft sich viermal im Jahr bei einem Mitglied.",
        },
    )
    venue = Organisation.objects.filter(slug="wirtschaftsallianz-bottrop").first()
    topics = ["Standort Innenstadt", "Fachkräfte gewinnen und halten", "Energiepreise und Klimaschutz"]
    for number, topic in enumerate(topics):
        starts = loader.at(loader.weekday(-(3 - number) * 91, 1), 18, 0)
        event = loader.event(
            title=f"Treffen der Wirtschaftsallianz: {topic}",
            series=series,
            organisers=_organisations(ALLIANCE_ORGANISERS),
            host=venue,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            venue_name="Kulturzentrum August Everding",
            street="Blumenstraße 12–14",
            postcode="46236",
            city="Bottrop",
            minutes=f"## Protokoll\n\n- Thema: {topic}\n- Berichte aus den Arbeitsgruppen",
        )
        booked = rng.sample(members, min(len(members), rng.randint(14, 20)))
        no_shows = [p for p in booked if rng.random() < 0.15]
        rest = [p for p in members if p not in booked]
        loader.past_event(
            event,
            Plan(
                came=[p for p in booked if p not in no_shows],
                no_shows=no_shows,
                cancelled=rng.sample(rest, min(len(rest), 2)),
                walk_ins=rng.sample([p for p in rest[2:]], min(len(rest[2:]), rng.randint(0, 2))),
            ),
        )
    starts = loader.at(loader.weekday(26, 1), 18, 0)
    event = loader.event(
        title="Treffen der Wirtschaftsallianz: Jahresauftakt",
        series=series,
        organisers=_organisations(ALLIANCE_ORGANISERS),
        host=venue,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        venue_name="Kulturzentrum August Everding",
        street="Blumenstraße 12–14",
        postcode="46236",
        city="Bottrop",
        capacity=60,
    )
    loader._write_registrations(
        event, [(p, Registration.Status.REGISTERED) for p in rng.sample(members, min(len(members), 9))]
    )
    return series


def _digital(loader: Loader, companies: list[Participant]) -> EventSeries:
    rng = loader.rng
    lab = loader.labs.get(HANDWERK)
    measures = list(Measure.objects.filter(lab=lab)) if lab else []
    series = series_services.create_series(
        user=None,
        data={
            "title": "Digitalisierungsausbau in Unternehmen",
            "lab": lab,
            "organisers": _organisations(OFFICE_ORGANISERS) + _organisations(("hochschule-ruhr-west",)),
            "description": "Praxisabende zu digitalen Werkzeugen für kleine und mittlere Unternehmen.",
        },
    )
    hrw = Organisation.objects.filter(slug="hochschule-ruhr-west").first()
    topics = ["Digitale Auftragsabwicklung", "Daten sicher in der Cloud", "Künstliche Intelligenz im Büro"]
    for number, topic in enumerate(topics):
        past = number < 2
        days = loader.weekday(-150 + number * 75, 3) if past else loader.weekday(33, 3)
        starts = loader.at(days, 17, 0)
        event = loader.event(
            title=f"Digitalisierungsausbau: {topic}",
            series=series,
            lab=lab,
            measures=measures,
            organisers=_organisations(OFFICE_ORGANISERS),
            host=hrw,
            format=Event.Format.HYBRID,
            online_url="https://konferenz.bottrop.example/digitalisierung",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2, minutes=30),
            venue_name="FabLab der Hochschule Ruhr West",
            street="Lützowstraße 5",
            postcode="46236",
            city="Bottrop",
            capacity=30,
        )
        if past:
            booked = rng.sample(companies, 18)
            no_shows = [p for p in booked if rng.random() < 0.25]
            loader.past_event(event, Plan(came=[p for p in booked if p not in no_shows], no_shows=no_shows))
            loader.feedback(event, 0.4, NEXT_TOPICS)
        else:
            loader._write_registrations(
                event, [(p, Registration.Status.REGISTERED) for p in rng.sample(companies, 7)]
            )
    return series


def _refugees(loader: Loader, companies: list[Participant], staff: list[Participant]) -> None:
    rng = loader.rng
    lab = loader.labs.get(FACHKRAEFTE)
    measures = list(Measure.objects.filter(lab=lab)) if lab else []
    common: dict[str, Any] = {
        "lab": lab,
        "measures": measures,
        "organisers": _organisations(REFUGEE_ORGANISERS),
        "venue_name": "Rathaus Bottrop, Sitzungssaal",
        "street": "Ernst-Wilczok-Platz 1",
        "postcode": "46236",
        "city": "Bottrop",
        "accessibility_notes": "Aufzug am Seiteneingang; induktive Höranlage im Saal.",
    }
    starts = loader.at(loader.weekday(-45, 1), 15, 0)
    event = loader.event(
        title="Austauschtreffen: Geflüchtete beschäftigen",
        description="Unternehmen, Jobcenter, Agentur für Arbeit und Ausländerbehörde im Gespräch: "
        "Arbeitserlaubnis, Sprachkurse, Ausbildung.",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        capacity=35,
        minutes="## Protokoll\n\n- Erfahrungen von drei Betrieben\n- Fragen zur Beschäftigungserlaubnis\n"
        "- Vereinbart: Lotsenstelle im Jobcenter als erste Anlaufstelle",
        results="Vier Unternehmen haben Praktikumsplätze gemeldet.",
        **common,
    )
    chosen = rng.sample(companies, 14) + staff[:5]
    booked = list({p.person.pk: p for p in chosen}.values())  # each person once
    no_shows = [p for p in booked if rng.random() < 0.15]
    loader.past_event(event, Plan(came=[p for p in booked if p not in no_shows], no_shows=no_shows))
    loader.feedback(
        event, 0.5, ["Ausbildung mit Duldung", "Sprachförderung im Betrieb", "Anerkennung von Abschlüssen"]
    )
    starts = loader.at(loader.weekday(20, 1), 15, 0)
    event = loader.event(
        title="Austauschtreffen: Geflüchtete beschäftigen – Frühjahrsrunde",
        description="Die zweite Runde, auf Einladung: Betriebe, die Geflüchtete beschäftigen oder ausbilden.",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        capacity=25,
        visibility=Event.Visibility.INVITATION,
        **common,
    )
    loader._write_registrations(
        event,
        [(p, Registration.Status.REGISTERED) for p in rng.sample(companies, 6)],
        source=Registration.Source.INVITATION,
    )


@transaction.atomic
def load() -> dict[str, int]:
    """Write the demo events (nothing when they exist already); returns how many were written."""
    if EventSeries.objects.filter(slug=FRUEHSTUECK_SLUG).exists():
        return {"series": 0, "events": 0, "registrations": 0}
    staff = (
        User.objects.filter(email="verwaltung@reallabor.example", is_active=True).first()
        or User.objects.filter(role=User.Role.ADMINISTRATOR, is_active=True).order_by("pk").first()
    )
    if staff is None:
        raise RuntimeError("The demo events need an administrator to check people in: load the demo first.")
    affiliations = Affiliation.objects.filter(end_date__isnull=True)
    crafts = _participants(
        affiliations.filter(organisation__kind="company", organisation__trade__isnull=False)
    )
    members = _participants(affiliations.filter(organisation__alliance_status="member"))
    companies = _participants(affiliations.filter(organisation__kind="company"))
    staff_people = _participants(affiliations.filter(organisation__kind__in=["multiplier", "administration"]))
    if len(crafts) < 40 or len(companies) < 30:
        raise RuntimeError("The demo events need the demo actors: run actors.load() first.")
    loader = Loader(staff)
    series = [_fruehstueck(loader, crafts), _alliance(loader, members), _digital(loader, companies)]
    _refugees(loader, companies, staff_people or companies)
    return {
        "series": len(series),
        "events": len(loader.events),
        "registrations": Registration.objects.filter(event__in=loader.events).count(),
    }
