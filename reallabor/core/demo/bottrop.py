"""The Bottrop demo portfolio (see docs and the domain brief).

Public institutions keep their real names; companies and persons are fictional. Facts that
are not known are left empty. Everything is written through the services.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from reallabor.accounts.models import User
from reallabor.accounts.services import create_user
from reallabor.labs import services as labs
from reallabor.organisations.models import Organisation
from reallabor.organisations.services import create_organisation
from reallabor.taxonomy.models import MEGATREND_FAMILY, STRATEGY_FAMILY, TARGET_GROUP_FAMILY, Term
from reallabor.taxonomy.services import create_term, current_vocabulary, set_local_wording

DEMO_PASSWORD = "reallabor-demo"  # noqa: S105 - printed for the demo accounts

DEMO_ACCOUNTS = [
    # e-mail, first name, last name, global role, (lab slug, lab role) or None
    ("verwaltung@reallabor.example", "Petra", "Lindner", User.Role.ADMINISTRATOR, None),
    (
        "koordination@reallabor.example",
        "Jonas",
        "Becker",
        User.Role.MEMBER,
        ("digitale-koproduktion-im-handwerk", "coordinator"),
    ),
    (
        "partner@reallabor.example",
        "Aylin",
        "Demir",
        User.Role.MEMBER,
        ("hybride-formen-des-handels", "partner"),
    ),
    ("leser@reallabor.example", "Thomas", "Krüger", User.Role.READER, None),
]

ORGANISATIONS: list[dict[str, Any]] = [
    {
        "slug": "wirtschaftsfoerderung-bottrop",
        "kind": "administration",
        "city": "Bottrop",
        "district": "Alt-Bottrop",
        "name": "Stadt Bottrop – Amt für Wirtschaftsförderung und Standortmanagement",
    },
    {
        "slug": "rat-der-stadt-bottrop",
        "kind": "politics",
        "city": "Bottrop",
        "district": "Alt-Bottrop",
        "name": "Rat der Stadt Bottrop",
    },
    {
        "slug": "wirtschaftsallianz-bottrop",
        "kind": "multiplier",
        "city": "Bottrop",
        "name": "Wirtschaftsallianz Bottrop (WiAll)",
    },
    {
        "slug": "hochschule-ruhr-west",
        "kind": "science",
        "city": "Bottrop",
        "name": "Hochschule Ruhr West",
        "website": "https://www.hochschule-ruhr-west.de/",
    },
    {"slug": "fablab-hrw", "kind": "science", "city": "Bottrop", "name": "FabLab der Hochschule Ruhr West"},
    {
        "slug": "institut-arbeit-und-technik",
        "kind": "science",
        "city": "Gelsenkirchen",
        "name": "Institut Arbeit und Technik",
        "website": "https://www.iat.eu/",
    },
    {
        "slug": "handwerkskammer-muenster",
        "kind": "multiplier",
        "city": "Münster",
        "name": "Handwerkskammer Münster",
        "website": "https://www.hwk-muenster.de/",
    },
    {
        "slug": "kreishandwerkerschaft-emscher-lippe-west",
        "kind": "multiplier",
        "city": "Bottrop",
        "name": "Kreishandwerkerschaft Emscher-Lippe-West",
    },
    {
        "slug": "ihk-nord-westfalen",
        "kind": "multiplier",
        "city": "Münster",
        "name": "IHK Nord Westfalen",
        "website": "https://www.ihk.de/nordwestfalen/",
    },
    {"slug": "agentur-fuer-arbeit", "kind": "multiplier", "city": "Bottrop", "name": "Agentur für Arbeit"},
    {"slug": "jobcenter-bottrop", "kind": "multiplier", "city": "Bottrop", "name": "Jobcenter Bottrop"},
    {
        "slug": "marketing-fuer-bottrop",
        "kind": "multiplier",
        "city": "Bottrop",
        "name": "Marketing für Bottrop e.V.",
    },
    # Fictional companies.
    {
        "slug": "malerbetrieb-kowalski",
        "kind": "company",
        "city": "Bottrop",
        "district": "Eigen",
        "name": "Malerbetrieb Kowalski GmbH (fiktiv)",
    },
    {
        "slug": "elektro-brinkmann",
        "kind": "company",
        "city": "Bottrop",
        "district": "Kirchhellen",
        "name": "Elektro Brinkmann & Söhne (fiktiv)",
    },
    {
        "slug": "cafe-am-pferdemarkt",
        "kind": "company",
        "city": "Bottrop",
        "district": "Alt-Bottrop",
        "name": "Café am Pferdemarkt (fiktiv)",
    },
    {
        "slug": "buchhandlung-seitenweise",
        "kind": "company",
        "city": "Bottrop",
        "district": "Alt-Bottrop",
        "name": "Buchhandlung Seitenweise (fiktiv)",
    },
]

MEGATRENDS = [
    ("faires-handeln", "Faires Handeln", "Fair trade"),
    ("digitalisierung", "Digitalisierung", "Digitalisation"),
    ("demografischer-wandel", "demografischer Wandel", "Demographic change"),
    ("migration", "Migration", "Migration"),
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
    ("gefluechtete", "Geflüchtete", "Refugees"),
    ("buergerschaft", "Bürgerinnen und Bürger", "Citizens"),
]

HANDWERK_BACKGROUND = """Schon in der ersten Projektphase fiel der thematische Fokus des Reallabors »Digitale Koproduktion im Handwerk« auf den Megatrend Digitalisierung. Insbesondere die Zusammenarbeit mit der Hochschule Ruhr West (HRW) bzw. dessen FabLab ist hier zu nennen. Der Transfer der theoretischen Digitalisierungsstrategie und -möglichkeiten in die Praxis des Bottroper Handwerks blieb jedoch aus. Zudem steht das Handwerk im Allgemeinen und so auch in Bottrop vor der Herausforderung des Nachwuchs- und Fachkräftemangels. Die Konzentration der handwerklichen Betriebe auf das tägliche Kerngeschäft erschwert eine verbesserte Fachkräftesicherung sowie die Auseinandersetzung mit Digitalisierungsmethoden. An diesen Punkten setzt das Reallabor in der zweiten Projektphase an.

Zwei übergeordnete Zielsetzungen wurden dabei verfolgt: Imageförderung des Wirtschaftszweigs Handwerk sowie Digitalisierungs-, und Innovationsförderung der handwerklichen Betriebe innerhalb des Bottroper Stadtgebiets. Unmittelbar damit verbunden wurde eine Kampagne, die auf eine Attraktivitätssteigerung des Handwerks, eine Sensibilisierung der allgemeinen Öffentlichkeit und auf die Förderung der Sichtbarkeit des Berufszweigs als wettbewerbsfähiger, zukunftsfähiger und sicherer Arbeitgeber abzielte, angestoßen."""

HANDWERK_OUTLOOK = """Die effektiven Maßnahmen im Reallabor konnten erst in der zweiten Hälfte 2021 umgesetzt werden. Die Themen Digitalisierung und Fachkräftesicherung werden das Handwerk in Bottrop allerdings langfristig begleiten. Vor diesem Hintergrund war es zentral eine Kooperation zwischen den wichtigsten Akteuren am Standort zu initiieren, die neben den angestoßenen Aktivitäten zukünftig weitere Themenschwerpunkte setzen und bespielen können. Dazu zählt u.a. die Weiterführung des Handwerker-Frühstücks als Netzwerk- und Informationsformat. Zudem liegt das Bestreben darin, die Kooperation innerhalb der Branche als relevanten Partner zu etablieren, indem sie Informationen sowie Beratungs- und Förderangebote an die Handwerksbetriebe heranträgt."""

HANDEL_BACKGROUND = """Das Reallabor richtet sich an die kleine und mittelständische Wirtschaft in Einzelhandel, Gastronomie und Dienstleistung. Die Lockdowns der Covid-19-Pandemie haben gezeigt, dass viele Betriebe weder digital präsent waren noch ein Online-Angebot hatten.

Ziele: die lokale Wirtschaft weiter bei der Digitalisierung unterstützen und den Standort nachhaltiger machen – daher das Thema Fairer Handel."""

FACHKRAEFTE_BACKGROUND = """Die Bottroper Unternehmen erwarten einen Mangel an Fachkräften und spüren ihn bereits; der demografische Wandel lässt die heutige Belegschaft Schritt für Schritt in den Ruhestand gehen.

Leitfrage: In welchem Umfang und unter welchen Bedingungen kann die Beschäftigung von Geflüchteten den Fachkräftemangel lindern? Ausgangspunkt ist die Perspektive der Unternehmen; der Schwerpunkt liegt auf Handwerksbetrieben, die häufiger Geflüchtete beschäftigen und eher zur Mitwirkung bereit waren. Die Ergebnisse sollen auf alle Branchen übertragbar sein."""

BOTTROP_2018 = {"source_kind": "programme", "source": "Bottrop 2018+"}


def _mt(code: str, note: str = "") -> dict[str, Any]:
    return {"term": {"family": MEGATREND_FAMILY, "code": code}, "priority": "primary", "note": note}


def _sdg(code: str) -> dict[str, Any]:
    return {"term": {"family": "sdg", "code": code}, "priority": "primary"}


def _tg(code: str, added_value: str = "") -> dict[str, Any]:
    return {"term": {"family": TARGET_GROUP_FAMILY, "code": code}, "added_value": added_value}


def _group(name: str, role: str = "") -> dict[str, Any]:
    return {"group_name": name, "role": role}


def _org(slug: str, role: str = "") -> dict[str, Any]:
    return {"organisation": slug, "role": role}


LABS: list[dict[str, Any]] = [
    {
        "lab": {
            "name": "Hybride Formen des Handels",
            "slug": "hybride-formen-des-handels",
            "phase": "continued",
            "summary": "Digitalisierung und Nachhaltigkeit für Einzelhandel, Gastronomie und Dienstleistung.",
            "background": HANDEL_BACKGROUND,
            "outlook": "",
            "funding_start": "2020-01-01",
            "funding_end": "2022-06-30",
            "coordinator": "wirtschaftsfoerderung-bottrop",
            "is_published": True,
        },
        "organisations": [
            ("wirtschaftsfoerderung-bottrop", "coordination"),
            ("marketing-fuer-bottrop", "partner"),
            ("cafe-am-pferdemarkt", "partner"),
            ("buchhandlung-seitenweise", "partner"),
        ],
        "measures": [
            {
                "title": "Fairtrade-Town – Auszeichnung und Netzwerk",
                "slug": "fairtrade-town",
                "status": "running",
                "summary": "Bottrop erfüllt die Kriterien der Kampagne Fairtrade-Towns und baut das Netzwerk »Fairtrade Bottrop« auf.",
                "start": "2020-10-01",
                "is_published": True,
                "coordinators": ["wirtschaftsfoerderung-bottrop"],
                "activities": [
                    {"title": "Kriterien für die Auszeichnung erfüllen", "text": ""},
                    {"title": "Akteure vernetzen und für den fairen Handel gewinnen", "text": ""},
                    {"title": "Netzwerk »Fairtrade Bottrop«", "text": ""},
                ],
                "financing": [BOTTROP_2018],
                "actors": [
                    _group("Einzelhändler"),
                    _org("rat-der-stadt-bottrop"),
                    _group("Gastronomie"),
                    _group("Glaubensgemeinschaften"),
                    _group("Schulen"),
                    _group("Vereine"),
                    _group("Kitas"),
                ],
                "results": [
                    {
                        "date": "2020-10-01",
                        "text": "Steuerungsgruppe gegründet (17 Mitglieder zum Zeitpunkt der Auszeichnung).",
                    },
                    {"date": "2021-11-26", "text": "Auszeichnung als 775. Fairtrade-Town in Deutschland."},
                    {"date": "2023-01-01", "text": "Titel für zwei weitere Jahre erneuert."},
                ],
                "tags": [_mt("faires-handeln"), _sdg("11"), _sdg("12")],
            },
            {
                "title": "HalloBot – Onlineplattform und Digitalisierungsangebot",
                "slug": "hallobot",
                "status": "running",
                "summary": "Freies WLAN in der Innenstadt, eine Veranstaltungsreihe zur Digitalisierung und die Informationsplattform hallo-bot.de.",
                "is_published": True,
                "coordinators": ["wirtschaftsfoerderung-bottrop"],
                "activities": [
                    {
                        "title": "Freies WLAN in der Innenstadt",
                        "text": "Sechs Outdoor-Hotspots, gefördert mit einem WiFi4EU-Gutschein der EU über 15.000 EUR; die Stadt trägt den Betrieb für mindestens drei Jahre.",
                    },
                    {"title": "Veranstaltungsreihe »Digitalisierungsausbau in Unternehmen«", "text": ""},
                    {
                        "title": "Onlineplattform hallo-bot.de",
                        "text": "Informationsplattform für die lokale Wirtschaft; sie beherbergt auch die Seiten der Fairtrade-Town.",
                    },
                ],
                "financing": [
                    BOTTROP_2018,
                    {
                        "source_kind": "programme",
                        "source": "WiFi4EU (Europäische Union)",
                        "amount": "15000.00",
                    },
                ],
                "actors": [
                    _group("Sechs Innenstadtunternehmen", "Standorte der Hotspots"),
                    _group("Digitalisierungsexpertinnen und -experten"),
                    _group("Unternehmen aus Handel, Gastronomie und Gewerbe"),
                ],
                "target_groups": [_tg("einzelhandel"), _tg("gastronomie"), _tg("dienstleister")],
                "tags": [_mt("digitalisierung", "durch die Covid-19-Pandemie gestärkt")],
            },
        ],
    },
    {
        "lab": {
            "name": "Digitale Koproduktion im Handwerk",
            "slug": "digitale-koproduktion-im-handwerk",
            "phase": "continued",
            "summary": "Eine Kooperation der wichtigsten Akteure bringt Informations-, Beratungs- und Förderangebote zu den Handwerksbetrieben.",
            "background": HANDWERK_BACKGROUND,
            "outlook": HANDWERK_OUTLOOK,
            "funding_start": "2020-01-01",
            "funding_end": "2022-06-30",
            "coordinator": "wirtschaftsfoerderung-bottrop",
            "is_published": True,
        },
        "organisations": [
            ("wirtschaftsfoerderung-bottrop", "coordination"),
            ("handwerkskammer-muenster", "partner"),
            ("kreishandwerkerschaft-emscher-lippe-west", "partner"),
            ("agentur-fuer-arbeit", "partner"),
            ("hochschule-ruhr-west", "science"),
            ("malerbetrieb-kowalski", "partner"),
            ("elektro-brinkmann", "partner"),
        ],
        "measures": [
            {
                "title": "Kooperation zur Erhöhung des Digitalisierungsstands der Bottroper Handwerksunternehmen",
                "slug": "kooperation-digitalisierung-handwerk",
                "status": "running",
                "start": "2021-01-01",
                "summary": "Die Kooperation bringt Informationen sowie Beratungs- und Förderangebote an die Handwerksbetriebe heran.",
                "is_published": True,
                "coordinators": [
                    "wirtschaftsfoerderung-bottrop",
                    "handwerkskammer-muenster",
                    "kreishandwerkerschaft-emscher-lippe-west",
                    "agentur-fuer-arbeit",
                    "wirtschaftsallianz-bottrop",
                ],
                "activities": [
                    {
                        "title": "Auftaktveranstaltungsreihe »Gemeinsam Zukunft gestalten. Bottrop – digital und innovativ«",
                        "start": "2021-01-01",
                        "end": "2021-12-31",
                        "text": "",
                    },
                    {
                        "title": "Imagekampagne für das Handwerk",
                        "text": "Das Handwerk als wettbewerbsfähigen, zukunftsfähigen und sicheren Arbeitgeber sichtbar machen.",
                    },
                    {
                        "title": "Bottroper Handwerksfrühstück",
                        "start": "2025-02-18",
                        "text": "Netzwerk- und Informationsfrühstück, reihum bei einem Bottroper Handwerksbetrieb. Das 7. Frühstück am 18. Februar 2025 hatte die Fachkräftesicherung im Handwerk zum Thema, mit Vortrag und Betriebsbesichtigung.",
                    },
                ],
                "financing": [BOTTROP_2018],
                "actors": [
                    _org("wirtschaftsfoerderung-bottrop", "Koordination"),
                    _org("handwerkskammer-muenster"),
                    _org("kreishandwerkerschaft-emscher-lippe-west"),
                    _org("agentur-fuer-arbeit"),
                    _org("wirtschaftsallianz-bottrop"),
                ],
                "target_groups": [_tg("handwerksbetriebe")],
                "results": [
                    {
                        "date": "2021-07-01",
                        "text": "Die effektiven Maßnahmen starteten in der zweiten Hälfte 2021.",
                    },
                    {
                        "date": "2025-02-18",
                        "text": "7. Bottroper Handwerksfrühstück zur Fachkräftesicherung im Handwerk.",
                    },
                ],
                "tags": [_mt("digitalisierung"), _sdg("8")],
            },
        ],
    },
    {
        "lab": {
            "name": "Fachkräftesicherung",
            "slug": "fachkraeftesicherung",
            "phase": "continued",
            "summary": "Unter welchen Bedingungen kann die Beschäftigung von Geflüchteten den Fachkräftemangel lindern?",
            "background": FACHKRAEFTE_BACKGROUND,
            "outlook": "",
            "funding_start": "2020-01-01",
            "funding_end": "2022-06-30",
            "coordinator": "wirtschaftsfoerderung-bottrop",
            "is_published": True,
        },
        "organisations": [
            ("wirtschaftsfoerderung-bottrop", "coordination"),
            ("jobcenter-bottrop", "partner"),
            ("agentur-fuer-arbeit", "partner"),
            ("kreishandwerkerschaft-emscher-lippe-west", "partner"),
            ("institut-arbeit-und-technik", "science"),
        ],
        "measures": [
            {
                "title": "Unterstützung der Integration von Geflüchteten in Bottroper Unternehmen",
                "slug": "integration-gefluechteter",
                "status": "running",
                "is_published": True,
                "summary": "Eine Toolbox, die individuelle Unterstützungsangebote dem Einzelfall zuordnet: einer Person, einem Unternehmen, einer Stelle.",
                "coordinators": ["wirtschaftsfoerderung-bottrop"],
                "activities": [
                    {
                        "title": "Unternehmensbefragung in der Wirtschaftsallianz",
                        "text": "Erfahrungen mit der Beschäftigung und Ausbildung von Geflüchteten.",
                    },
                    {
                        "title": "Austauschtreffen von Unternehmen und Stadtverwaltung",
                        "text": "Mit der Wirtschaftsförderung, dem Fachbereich Migration und dem Sozialamt der Stadt.",
                    },
                    {
                        "title": "Toolbox der Unterstützungsangebote",
                        "text": "Ziel: individuelle Unterstützungsmaßnahmen passend zum Einzelfall (Person, Unternehmen, Stelle).",
                    },
                ],
                "financing": [BOTTROP_2018],
                "actors": [
                    _org("wirtschaftsfoerderung-bottrop", "Koordination"),
                    _org("wirtschaftsallianz-bottrop"),
                    _group("Fachbereich Migration der Stadt Bottrop"),
                    _group("Sozialamt der Stadt Bottrop"),
                    _group("Bottroper Unternehmen, vor allem Handwerksbetriebe"),
                ],
                "target_groups": [
                    _tg("unternehmen", "Gewinnen Fachkräfte und Auszubildende (Win-win)."),
                    _tg("gefluechtete", "Finden Arbeit und Ausbildung in Bottroper Unternehmen (Win-win)."),
                ],
                "tags": [_mt("demografischer-wandel"), _mt("migration"), _sdg("8"), _sdg("10")],
            },
        ],
    },
]


def _vocabulary_terms(family: str, entries: list[tuple[str, str, str]]) -> None:
    vocabulary = current_vocabulary(family)
    for position, (code, name, name_en) in enumerate(entries, start=1):
        if not vocabulary.terms.filter(code=code).exists():
            create_term(
                user=None,
                vocabulary=vocabulary,
                data={"code": code, "name": name, "name_en": name_en, "position": position},
            )


@transaction.atomic
def load() -> list[tuple[str, str]]:
    """Load the Bottrop portfolio; returns the demo accounts as (e-mail, role description)."""
    _vocabulary_terms(MEGATREND_FAMILY, MEGATRENDS)
    _vocabulary_terms(STRATEGY_FAMILY, STRATEGY_GOALS)
    _vocabulary_terms(TARGET_GROUP_FAMILY, TARGET_GROUPS)
    # The seed documents' wording of SDG 12.
    sdg12 = Term.objects.get(vocabulary__family="sdg", code="12")
    set_local_wording(user=None, term=sdg12, local_name="Nachhaltige/r Konsum und Produktion")
    for data in ORGANISATIONS:
        create_organisation(user=None, data=data)
    for entry in LABS:
        lab = labs.create_lab(user=None, data=entry["lab"])
        for slug, role in entry["organisations"]:
            labs.set_lab_organisation(
                user=None, lab=lab, organisation=Organisation.objects.get(slug=slug), role=role
            )
        for measure in entry["measures"]:
            labs.create_measure(user=None, lab=lab, data=measure)
    accounts = []
    for email, first, last, role, membership in DEMO_ACCOUNTS:
        user = create_user(
            user=None, email=email, password=DEMO_PASSWORD, first_name=first, last_name=last, role=role
        )
        description = str(User.Role(role).label)
        if membership:
            lab = labs.Lab.objects.get(slug=membership[0])
            labs.set_lab_member(user=None, lab=lab, member=user, role=membership[1])
            description = f"{labs.LabMembership.Role(membership[1]).label} – {lab.name}"
        accounts.append((email, description))
    return accounts
