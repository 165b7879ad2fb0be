"""The fictional actors of the Bottrop demo (about 300): plain data, generated deterministically.

Companies and all persons are fictional (names built from common German and Ruhr-area names, with
``.example`` addresses). Districts are the city's three (Alt-Bottrop, Eigen, Kirchhellen); the
quarters are plausible examples. The loader (``actors.py``) writes them through the services.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

SEED = 2016  # the year the first labs started

DISTRICTS = {
    "Alt-Bottrop": ["Stadtmitte", "Batenbrock", "Boy", "Welheim", "Lehmkuhle", "Ebel", "Vonderort"],
    "Eigen": ["Eigen", "Fuhlenbrock"],
    "Kirchhellen": ["Kirchhellen-Mitte", "Grafenwald", "Feldhausen"],
}
STREETS = [
    "Hochstraße", "Gladbecker Straße", "Osterfelder Straße", "Kirchhellener Straße", "Prosperstraße",
    "Horster Straße", "Essener Straße", "Hansastraße", "Scharnhölzstraße", "Gungstraße", "Devensstraße",
    "Hauptstraße", "Loewenfeldstraße", "Am Lamperfeld", "Knappenstraße",
]  # fmt: skip
POSTCODES = {
    "Alt-Bottrop": ["46236", "46238", "46240"],
    "Eigen": ["46240", "46242"],
    "Kirchhellen": ["46244"],
}
FIRST_NAMES = [
    "Anna", "Ben", "Carla", "Deniz", "Elena", "Frank", "Gül", "Heike", "Ivan", "Jana", "Kemal", "Laura",
    "Marco", "Nina", "Oliver", "Petra", "Rüdiger", "Sabine", "Tobias", "Ulrike", "Vanessa", "Wolfgang",
    "Yasemin", "Zofia", "Andreas", "Birgit", "Christian", "Dagmar", "Emre", "Friederike", "Georg", "Hanna",
]  # fmt: skip
LAST_NAMES = [
    "Albers", "Brüggemann", "Czerwinski", "Dahlmann", "Erdoğan", "Feldkamp", "Grothe", "Hülsmann", "Imhoff",
    "Jankowski", "Kaiser", "Lammert", "Mertens", "Niehaus", "Olbrich", "Pawlak", "Quante", "Rademacher",
    "Stratmann", "Terhorst", "Uhlenbrock", "Vogt", "Wessel", "Zimmermann", "Bergmann", "Kuhlmann", "Sander",
]  # fmt: skip

# Craft businesses: (trade name prefix as in the crafts code, business word, WZ division)
CRAFTS = [
    ("Tischler", "Tischlerei", "16"), ("Elektrotechniker", "Elektro", "43"), ("Maler und Lackierer", "Malerbetrieb", "43"),
    ("Installateur und Heizungsbauer", "Sanitär und Heizung", "43"), ("Dachdecker", "Bedachungen", "43"),
    ("Bäcker", "Bäckerei", "10"), ("Fleischer", "Fleischerei", "10"), ("Friseure", "Friseursalon", "96"),
    ("Kraftfahrzeugtechniker", "Kfz-Meisterbetrieb", "45"), ("Metallbauer", "Metallbau", "25"),
    ("Augenoptiker", "Augenoptik", "47"), ("Zimmerer", "Zimmerei", "43"), ("Maurer und Betonbauer", "Bauunternehmen", "41"),
    ("Glaser", "Glaserei", "43"), ("Konditoren", "Konditorei", "10"), ("Raumausstatter", "Raumausstattung", "43"),
]  # fmt: skip
OTHER_COMPANIES = [
    ("Buchhandlung", "47"), ("Modehaus", "47"), ("Weltladen", "47"), ("Café", "56"), ("Restaurant", "56"),
    ("Logistik", "49"), ("Softwareentwicklung", "62"), ("IT-Service", "62"), ("Steuerberatung", "69"),
    ("Ingenieurbüro", "71"), ("Pflegedienst", "88"), ("Druckerei", "18"), ("Blumenhaus", "47"),
    ("Fahrradladen", "47"), ("Reisebüro", "79"), ("Werbeagentur", "73"),
]  # fmt: skip
CIVIL_SOCIETY = [
    ("school", "Gesamtschule am Beispielpark (Beispiel)"), ("school", "Grundschule Musterweg (Beispiel)"),
    ("school", "Berufskolleg Beispielstadt (Beispiel)"), ("faith_community", "Ev. Kirchengemeinde Beispiel"),
    ("faith_community", "Kath. Pfarrei St. Beispiel"), ("faith_community", "Moscheegemeinde Beispiel e.V."),
    ("club", "Sportverein Glückauf Beispiel e.V."), ("club", "Heimatverein Beispiel e.V."),
    ("club", "Kulturverein Malakoff (Beispiel)"), ("day_care", "Kita Sonnenschein (Beispiel)"),
    ("day_care", "Familienzentrum Regenbogen (Beispiel)"),
]  # fmt: skip
MULTIPLIERS = [
    ("association", "Werbegemeinschaft Innenstadt (Beispiel)"), ("association", "Unternehmerverband Beispiel"),
    ("agency", "Gründungsagentur Emscher-Lippe (Beispiel)"),
]  # fmt: skip
NEEDS = [
    "skilled-workers",
    "digitalisation",
    "succession",
    "premises",
    "financing",
    "visibility",
    "networking",
    "training",
]
MOTIVATIONS = ["lower-costs", "new-customers", "responsibility", "innovation", "image"]
SUBJECTS = {
    "visit": ["Betriebsbesuch", "Besuch in der Werkstatt", "Standortgespräch vor Ort"],
    "call": ["Telefonat zur Digitalberatung", "Rückruf wegen Fördermitteln", "Telefonat Ausbildungsplätze"],
    "meeting": [
        "Gespräch Unternehmensnachfolge",
        "Austausch zur Fachkräftesicherung",
        "Treffen Innenstadthandel",
    ],
    "email": ["Anfrage Gewerbefläche", "Infos zu HalloBot geschickt", "Nachfrage Fairtrade-Sortiment"],
    "event": [
        "Handwerksfrühstück",
        "Treffen der Wirtschaftsallianz",
        "Digitalisierungsausbau in Unternehmen",
    ],
}
FOLLOW_UPS = [
    "Angebot der Digitalberatung schicken", "Kontakt zur Handwerkskammer herstellen", "Fördermöglichkeiten prüfen",
    "Zum nächsten Handwerksfrühstück einladen", "Flächenexposé zusenden", "Rückmeldung zum Ausbildungsplatz geben",
]  # fmt: skip
HEADCOUNTS = ["1-4", "5-9", "10-19", "20-49", "50-249"]
HEADCOUNT_WEIGHTS = [35, 30, 18, 12, 5]


@dataclass
class DemoOrganisation:
    name: str
    kind: str
    sub_kind: str = ""
    sector: str = ""
    trade_prefix: str = ""
    headcount_band: str = ""
    founding_year: int | None = None
    street: str = ""
    postcode: str = ""
    district: str = ""
    quarter: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""
    alliance_status: str = ""
    alliance_since_year: int | None = None
    profile_published: bool = False
    profile_text: str = ""
    needs: list[str] = field(default_factory=list)
    motivations: list[str] = field(default_factory=list)
    lab: str = ""  # a lab slug it takes part in


@dataclass
class DemoPerson:
    first_name: str
    last_name: str
    function: str
    email: str
    phone: str
    organisation: int | None  # index into the organisations, or None
    consents: list[str] = field(default_factory=list)
    district: str = ""


@dataclass
class DemoInteraction:
    kind: str
    days_ago: int
    subject: str
    organisation: int | None
    participants: list[int]
    lab: str = ""
    notes: str = ""
    follow_up: str = ""
    follow_up_in_days: int = 0
    follow_up_done: bool = False


@dataclass
class DemoActors:
    organisations: list[DemoOrganisation]
    people: list[DemoPerson]
    interactions: list[DemoInteraction]


HANDWERK = "digitale-koproduktion-im-handwerk"
HANDEL = "hybride-formen-des-handels"
FACHKRAEFTE = "fachkraeftesicherung"


def _slug(text: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ğ": "g", " ": "-", ".": "", "&": ""})
    return "".join(ch for ch in text.lower().translate(table) if ch.isalnum() or ch == "-").strip("-")


def build(seed: int = SEED) -> DemoActors:
    """About 170 organisations and 130 people with interactions, needs, motivations and consents."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    organisations: list[DemoOrganisation] = []

    def place() -> dict[str, str]:
        district = rng.choices(list(DISTRICTS), [6, 2, 2])[0]
        return {
            "district": district,
            "quarter": rng.choice(DISTRICTS[district]),
            "postcode": rng.choice(POSTCODES[district]),
            "street": f"{rng.choice(STREETS)} {rng.randint(1, 160)}",
        }

    used: set[str] = set()
    for index in range(110):  # craft businesses
        trade, word, division = CRAFTS[index % len(CRAFTS)]
        name = f"{word} {rng.choice(LAST_NAMES)}"
        while name in used:
            name = f"{word} {rng.choice(LAST_NAMES)} & {rng.choice(LAST_NAMES)}"
        used.add(name)
        organisations.append(
            _company(rng, name, division, trade, place(), lab=HANDWERK if rng.random() < 0.25 else "")
        )
    for index in range(45):  # retail, gastronomy, services
        word, division = OTHER_COMPANIES[index % len(OTHER_COMPANIES)]
        name = f"{word} {rng.choice(LAST_NAMES)}"
        while name in used:
            name = f"{word} {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        used.add(name)
        lab = (
            HANDEL if division == "47" and rng.random() < 0.5 else (FACHKRAEFTE if rng.random() < 0.1 else "")
        )
        organisations.append(_company(rng, name, division, "", place(), lab=lab))
    for sub_kind, name in CIVIL_SOCIETY:
        address = place()
        organisations.append(
            DemoOrganisation(
                name=name,
                kind="civil_society",
                sub_kind=sub_kind,
                street=address["street"],
                postcode=address["postcode"],
                district=address["district"],
                quarter=address["quarter"],
                needs=rng.sample(["networking", "visibility", "financing"], 1),
            )
        )
    for sub_kind, name in MULTIPLIERS:
        address = place()
        organisations.append(
            DemoOrganisation(
                name=name,
                kind="multiplier",
                sub_kind=sub_kind,
                street=address["street"],
                postcode=address["postcode"],
                district=address["district"],
                quarter=address["quarter"],
            )
        )

    people: list[DemoPerson] = []
    emails: set[str] = set()
    for org_index, organisation in enumerate(organisations):
        for _ in range(1 if rng.random() < 0.75 else 2):
            if len(people) >= 128:
                break
            people.append(_person(rng, emails, org_index, organisation))
    while len(people) < 135:  # people without an organisation (e.g. founders, citizens)
        people.append(_person(rng, emails, None, None))

    interactions: list[DemoInteraction] = []
    for _ in range(260):
        person_index = rng.randrange(len(people))
        person = people[person_index]
        kind = rng.choices(list(SUBJECTS), [25, 30, 20, 15, 10])[0]
        contact_org: int | None = person.organisation
        lab = organisations[contact_org].lab if contact_org is not None else ""
        days_ago = rng.randint(0, 900)
        follow_up = rng.choice(FOLLOW_UPS) if rng.random() < 0.25 else ""
        interactions.append(
            DemoInteraction(
                kind=kind,
                days_ago=days_ago,
                subject=rng.choice(SUBJECTS[kind]),
                organisation=contact_org,
                participants=[person_index],
                lab=lab,
                notes="Beispielnotiz: " + rng.choice(
                    ["Interesse an Beratung.", "Bedarf an Auszubildenden.", "Sucht größere Räume.",
                     "Möchte beim nächsten Treffen dabei sein.", "Fragt nach Förderprogrammen."]
                ),
                follow_up=follow_up,
                follow_up_in_days=rng.randint(-10, 21),
                follow_up_done=bool(follow_up) and days_ago > 60,
            )
        )  # fmt: skip
    return DemoActors(organisations=organisations, people=people, interactions=interactions)


def _company(
    rng: random.Random, name: str, division: str, trade: str, address: dict[str, str], *, lab: str
) -> DemoOrganisation:
    slug = _slug(name)
    alliance = rng.choices(["", "member", "applicant", "former"], [60, 30, 5, 5])[0]
    return DemoOrganisation(
        name=name,
        kind="company",
        sector=division,
        trade_prefix=trade,
        headcount_band=rng.choices(HEADCOUNTS, HEADCOUNT_WEIGHTS)[0],
        founding_year=rng.randint(1925, 2023) if rng.random() < 0.8 else None,
        email=f"info@{slug}.example",
        phone=f"02041 {rng.randint(10000, 99999)}",
        website=f"https://www.{slug}.example" if rng.random() < 0.6 else "",
        alliance_status=alliance,
        alliance_since_year=rng.randint(2016, 2024) if alliance in ("member", "former") else None,
        profile_published=rng.random() < 0.15,
        profile_text="Ein fiktiver Betrieb der Demo-Daten (Beispiel)." if rng.random() < 0.15 else "",
        needs=rng.sample(NEEDS, rng.choices([0, 1, 2, 3], [15, 40, 30, 15])[0]),
        motivations=rng.sample(MOTIVATIONS, rng.choices([0, 1, 2], [40, 40, 20])[0]),
        lab=lab,
        **address,
    )


def _person(
    rng: random.Random, emails: set[str], org_index: int | None, organisation: DemoOrganisation | None
) -> DemoPerson:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    domain = _slug(organisation.name) + ".example" if organisation else "mail.example"
    base = _slug(f"{first}.{last}").replace("-", ".")
    email, number = f"{base}@{domain}", 2
    while email in emails:
        email, number = f"{base}{number}@{domain}", number + 1
    emails.add(email)
    consents = []
    if rng.random() < 0.6:
        consents.append("newsletter")
    if rng.random() < 0.3:
        consents.append("event_follow_up")
    if rng.random() < 0.15:
        consents.append("matching")
    function = rng.choice(
        ["Inhaber/in", "Geschäftsführung", "Ausbildungsleitung", "Meister/in", "Büroleitung"]
    )
    return DemoPerson(
        first_name=first,
        last_name=last,
        function=function if organisation else "",
        email=email,
        phone=f"0171 {rng.randint(1000000, 9999999)}" if rng.random() < 0.5 else "",
        organisation=org_index,
        consents=consents,
        district=rng.choice(list(DISTRICTS)) if organisation is None else "",
    )
