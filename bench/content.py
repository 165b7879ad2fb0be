"""The words the benchmark data is made of: German names, titles and sentences of the domain."""

from __future__ import annotations

import datetime
import random

MEGATRENDS = [
    ("digitalisierung", "Digitalisierung", "Digitalisation"),
    ("demografischer-wandel", "Demografischer Wandel", "Demographic change"),
    ("faires-handeln", "Faires Handeln", "Fair trade"),
    ("migration", "Migration", "Migration"),
    ("klimawandel", "Klimawandel", "Climate change"),
    ("urbanisierung", "Urbanisierung", "Urbanisation"),
    ("neue-arbeit", "Neue Arbeit", "New work"),
    ("wissenskultur", "Wissenskultur", "Knowledge culture"),
]
STRATEGY_GOALS = [
    ("attraktiv", "Attraktiv", "Attractive"),
    ("nachhaltig", "Nachhaltig", "Sustainable"),
    ("resilient", "Resilient", "Resilient"),
    ("zirkulaere-wertschoepfung", "Zirkuläre Wertschöpfung", "Circular value creation"),
]
TARGET_GROUPS = [
    ("handwerksbetriebe", "Handwerksbetriebe", "Craft businesses"),
    ("einzelhandel", "Einzelhandel", "Retail"),
    ("gastronomie", "Gastronomie", "Gastronomy"),
    ("dienstleister", "Dienstleistungsunternehmen", "Service companies"),
    ("unternehmen", "Unternehmen", "Companies"),
    ("gruendende", "Gründerinnen und Gründer", "Founders"),
    ("gefluechtete", "Geflüchtete", "Refugees"),
    ("auszubildende", "Auszubildende", "Apprentices"),
    ("fachkraefte", "Fachkräfte", "Skilled workers"),
    ("buergerschaft", "Bürgerinnen und Bürger", "Citizens"),
]
# An economic development office: SDG 8, 9, 11 and 12 most often.
SDG_GOAL_WEIGHTS = {
    "1": 1, "2": 1, "3": 1, "4": 3, "5": 1, "6": 1, "7": 2, "8": 8, "9": 5,
    "10": 2, "11": 5, "12": 4, "13": 3, "14": 1, "15": 1, "16": 1, "17": 3,
}  # fmt: skip

ORG_FIRST = [
    ("Nordstern", "nordstern"), ("Emscher", "emscher"), ("Ruhrtal", "ruhrtal"), ("Zeche", "zeche"),
    ("Malakoff", "malakoff"), ("Tetraeder", "tetraeder"), ("Kirchhellener", "kirchhellener"),
    ("Grafenwald", "grafenwald"), ("Boy", "boy"), ("Eigen", "eigen"), ("Fuhlenbrock", "fuhlenbrock"),
    ("Vonderort", "vonderort"), ("Batenbrock", "batenbrock"), ("Welheim", "welheim"),
    ("Ebel", "ebel"), ("Lehmkuhle", "lehmkuhle"), ("Prosper", "prosper"), ("Haldenblick", "haldenblick"),
    ("Glückauf", "glueckauf"), ("Rheinbaben", "rheinbaben"), ("Lippe", "lippe"), ("Quadrat", "quadrat"),
    ("Brinkmann", "brinkmann"), ("Kowalski", "kowalski"), ("Demir", "demir"), ("Schulte", "schulte"),
    ("Wagner", "wagner"), ("Yilmaz", "yilmaz"), ("Becker", "becker"), ("Nowak", "nowak"),
]  # fmt: skip
ORG_SECOND = {
    "company": [
        ("Elektrotechnik GmbH", "elektrotechnik-gmbh"), ("Malerbetrieb", "malerbetrieb"),
        ("Bäckerei", "baeckerei"), ("Logistik GmbH & Co. KG", "logistik-gmbh-co-kg"),
        ("Software AG", "software-ag"), ("Café", "cafe"), ("Buchhandlung", "buchhandlung"),
        ("Metallbau GmbH", "metallbau-gmbh"), ("Sanitär und Heizung", "sanitaer-und-heizung"),
        ("Modehaus", "modehaus"), ("Druckerei", "druckerei"), ("Ingenieurbüro", "ingenieurbuero"),
    ],
    "science": [
        ("Institut für Transformation", "institut-fuer-transformation"), ("Hochschule", "hochschule"),
        ("FabLab", "fablab"), ("Forschungszentrum", "forschungszentrum"),
    ],
    "multiplier": [
        ("Wirtschaftsallianz", "wirtschaftsallianz"), ("Werbegemeinschaft", "werbegemeinschaft"),
        ("Handwerkerschaft", "handwerkerschaft"), ("Unternehmerverband", "unternehmerverband"),
        ("Stadtmarketing e.V.", "stadtmarketing-ev"),
    ],
    "politics": [("Bezirksvertretung", "bezirksvertretung"), ("Ratsfraktion", "ratsfraktion")],
    "civil_society": [
        ("Bürgerverein", "buergerverein"), ("Nachbarschaftsinitiative", "nachbarschaftsinitiative"),
        ("Kulturverein", "kulturverein"), ("Sportverein", "sportverein"),
    ],
    "administration": [
        ("Fachbereich Wirtschaft", "fachbereich-wirtschaft"), ("Jobcenter", "jobcenter"),
        ("Stadtplanungsamt", "stadtplanungsamt"),
    ],
}  # fmt: skip
ORG_KIND_WEIGHTS = {
    "company": 60, "science": 6, "multiplier": 10, "politics": 3, "civil_society": 14, "administration": 7,
}  # fmt: skip
DISTRICTS = [
    "Alt-Bottrop",
    "Eigen",
    "Fuhlenbrock",
    "Batenbrock",
    "Boy",
    "Welheim",
    "Kirchhellen",
    "Grafenwald",
]
STREETS = ["Hochstraße", "Gladbecker Straße", "Osterfelder Straße", "Kirchhellener Straße", "Prosperstraße"]

LAB_THEMES = [
    "Hybride Formen des Handels", "Digitale Koproduktion im Handwerk", "Fachkräftesicherung",
    "Kreislaufwirtschaft im Gewerbegebiet", "Lebendige Innenstadt", "Klimaneutrale Logistik",
    "Gründungskultur", "Smarte Quartiere", "Energie aus der Region", "Kultur- und Kreativwirtschaft",
    "Gesundheitswirtschaft", "Urbane Produktion", "Tourismus im Revier", "Bildung und Beruf",
]  # fmt: skip
MEASURE_ACTIONS = [
    "Beratungsangebot", "Netzwerk", "Veranstaltungsreihe", "Onlineplattform", "Kampagne",
    "Werkstatt", "Förderprogramm", "Pilotprojekt", "Lotsendienst", "Reallabor-Sprechstunde",
    "Studie", "Wettbewerb", "Mentoringprogramm", "Leerstandsmanagement", "Frühstücksreihe",
]  # fmt: skip
MEASURE_SUBJECTS = [
    "für Handwerksbetriebe", "für den Einzelhandel", "zur Digitalisierung", "für Gründerinnen und Gründer",
    "zur Fachkräftesicherung", "für die Innenstadt", "zum fairen Handel", "zur Energiewende",
    "für Auszubildende", "zur Integration Geflüchteter", "für die Gastronomie", "zur Kreislaufwirtschaft",
]  # fmt: skip
SENTENCES = [
    "Die Maßnahme richtet sich an kleine und mittlere Unternehmen in allen Stadtteilen.",
    "Gemeinsam mit den Partnern werden Angebote entwickelt, erprobt und ausgewertet.",
    "Die Covid-19-Pandemie hat gezeigt, wie wichtig ein digitales Angebot ist.",
    "Im Mittelpunkt steht der Austausch zwischen Wirtschaft, Wissenschaft und Verwaltung.",
    "Die Ergebnisse fließen in die Wirtschaftsförderungsstrategie der Stadt ein.",
    "Ein fester Termin im Monat sorgt dafür, dass das Netzwerk lebendig bleibt.",
    "Betriebe berichten aus der Praxis, Expertinnen und Experten ordnen ein.",
    "Die Teilnahme ist kostenfrei; eine Anmeldung ist erwünscht.",
    "Der Fachkräftemangel trifft das Handwerk besonders stark.",
    "Leerstehende Ladenlokale werden für befristete Nutzungen geöffnet.",
    "Die Hochschule begleitet das Vorhaben wissenschaftlich.",
    "Erste Erfahrungen werden in einem Leitfaden für andere Städte festgehalten.",
]  # fmt: skip
GROUP_NAMES = [
    "Einzelhändler", "Gastronomie", "Schulen", "Vereine", "Kitas", "Glaubensgemeinschaften",
    "Innenstadtunternehmen", "Digitalisierungsexpertinnen und -experten", "Auszubildende",
    "Studierende", "Nachbarschaft", "Immobilieneigentümer",
]  # fmt: skip
ACTOR_ROLES = ["", "", "Koordination", "Partner", "Gastgeber", "Wissenschaftliche Begleitung", "Förderer"]
PROGRAMMES = [
    "Bottrop 2018+", "WiFi4EU (Europäische Union)", "EFRE NRW", "Städtebauförderung",
    "Sofortprogramm Innenstadt NRW", "ESF Plus",
]  # fmt: skip
FUNDERS = ["Sparkasse Bottrop", "Stiftung Ruhrgebiet", "Emschergenossenschaft", "Volksbank"]
NOTES = ["", "", "", "", "durch die Covid-19-Pandemie gestärkt", "im Stadtteil besonders sichtbar"]
STATUS_WEIGHTS = {"planned": 20, "running": 45, "completed": 30, "stopped": 5}
PHASES = ["co_design", "co_production", "co_evaluation", "continued", "ended"]


def paragraphs(rng: random.Random, count: int, sentences: int = 3) -> str:
    return "\n\n".join(" ".join(rng.sample(SENTENCES, sentences)) for _ in range(count))


def markdown(rng: random.Random) -> str:
    """Some Markdown as editors write it: a paragraph, sometimes emphasis and a list."""
    text = " ".join(rng.sample(SENTENCES, 2))
    if rng.random() < 0.3:
        text = f"**{text}**"
    if rng.random() < 0.3:
        text += "\n\n" + "\n".join(f"- {item}" for item in rng.sample(GROUP_NAMES, 3))
    return text


def day(rng: random.Random, start_year: int = 2019, end_year: int = 2026) -> datetime.date:
    first = datetime.date(start_year, 1, 1).toordinal()
    last = datetime.date(end_year, 12, 31).toordinal()
    return datetime.date.fromordinal(rng.randint(first, last))


def period(rng: random.Random) -> tuple[datetime.date | None, datetime.date | None]:
    if rng.random() < 0.15:
        return None, None
    start = day(rng)
    end = start + datetime.timedelta(days=rng.randint(30, 900)) if rng.random() < 0.6 else None
    return start, end


def split_shares(rng: random.Random, count: int) -> list[int | None]:
    """Shares in percent for ``count`` tags, adding up to at most 100."""
    if count == 0:
        return []
    budget = rng.choice([100, 100, 90, 80])
    cuts = sorted(rng.sample(range(1, budget // 5), count - 1)) if count > 1 else []
    bounds = [0, *cuts, budget // 5]
    return [(bounds[index + 1] - bounds[index]) * 5 for index in range(count)]


SLUG_TABLE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})


def slug(text: str) -> str:
    from django.utils.text import slugify

    return slugify(text.translate(SLUG_TABLE))[:60]
