"""Load the demo catalogue of offers (issue 6): about 30 offers for the crafts lab's businesses.

Real where the team knows the offer for certain (``is_example=False``): the Handwerkskammer
Münster's advisors for innovation and technology, the FabLab of the Hochschule Ruhr West in
Bottrop, the NRW programme »Mittelstand Innovativ & Digital« (MID-Digitalisierung), the federal
Mittelstand-Digital Zentrum Handwerk, BAFA's support for business consulting and the NRW.BANK's
loan for digitalisation. Their descriptions stay general and name no amounts or dates the team has
not checked; the office verifies them before it relies on them. Everything else is an example
(``is_example=True``, and its description says so), among them one offer past its deadline, one
draft and several not verified for more than six months, so that every state shows in the demo.
The federal programmes »Digital Jetzt« and »go-digital« ended in 2024 and are not included.

Goes through ``offers.services`` (and ``organisations.services`` for missing providers);
deterministic; loading twice adds nothing. Runs after ``actors.load()``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from reallabor.offers import services
from reallabor.offers.models import Offer
from reallabor.organisations.models import Organisation
from reallabor.organisations.services import create_organisation

SMALL = ["1-4", "5-9", "10-19", "20-49"]
SME = [*SMALL, "50-249"]
EXAMPLE = "*Beispielangebot (fiktiv) für die Demo: kein echtes Angebot.* "
CHECK = " Die Angaben sind allgemein gehalten; Details bitte beim Anbieter erfragen."

PROVIDERS: list[dict[str, Any]] = [
    {
        "slug": "mwike-nrw",
        "kind": "administration",
        "city": "Düsseldorf",
        "name": "Ministerium für Wirtschaft, Industrie, Klimaschutz und Energie des Landes Nordrhein-Westfalen",
    },
    {
        "slug": "nrw-bank",
        "kind": "multiplier",
        "sub_kind": "agency",
        "city": "Düsseldorf",
        "name": "NRW.BANK",
    },
    {
        "slug": "bafa",
        "kind": "administration",
        "city": "Eschborn",
        "name": "Bundesamt für Wirtschaft und Ausfuhrkontrolle (BAFA)",
    },
    {
        "slug": "mittelstand-digital-zentrum-handwerk",
        "kind": "multiplier",
        "sub_kind": "agency",
        "name": "Mittelstand-Digital Zentrum Handwerk",
    },
    {
        "slug": "digitalagentur-emscher-lippe",
        "kind": "multiplier",
        "sub_kind": "agency",
        "city": "Gelsenkirchen",
        "name": "Digitalagentur Emscher-Lippe (fiktiv)",
    },
    {
        "slug": "buergschaftsbank-beispiel",
        "kind": "multiplier",
        "sub_kind": "agency",
        "city": "Neuss",
        "name": "Beispiel-Bürgschaftsbank (fiktiv)",
    },
]


def _offer(
    slug: str,
    provider: str,
    kind: str,
    title: str,
    description: str,
    *,
    example: bool = True,
    verified_days_ago: int | None = 30,
    deadline_days: int | None = None,
    status: str = "published",
    **data: Any,
) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "slug": slug,
        "provider": provider,
        "kind": kind,
        "title": title,
        "description": (EXAMPLE + description) if example else description + CHECK,
        "is_example": example,
        "verified_on": today - dt.timedelta(days=verified_days_ago)
        if verified_days_ago is not None
        else None,
        "deadline": today + dt.timedelta(days=deadline_days) if deadline_days is not None else None,
        "status": status,
        **data,
    }


def offers() -> list[dict[str, Any]]:
    bottrop: dict[str, Any] = {"region_level": "city", "region_code": "bottrop", "region_name": "Bottrop"}
    nrw: dict[str, Any] = {"region_level": "state", "region_code": "NW"}
    crafts: dict[str, Any] = {"trades": ["a", "b1", "b2"]}
    return [
        # --- real offers (general descriptions) -------------------------------------------------------
        _offer(
            "hwk-muenster-bit",
            "handwerkskammer-muenster",
            "consulting",
            "Beauftragte für Innovation und Technologie (BIT) der Handwerkskammer Münster",
            "Die Beraterinnen und Berater für Innovation und Technologie der Handwerkskammer Münster "
            "unterstützen Mitgliedsbetriebe bei Digitalisierung, neuen Technologien und "
            "Innovationsvorhaben; die Beratung ist für Mitgliedsbetriebe in der Regel kostenfrei.",
            example=False,
            funding_types=["consulting"],
            funding_areas=["beratung", "digitalisierung"],
            supported="Beratung zu Digitalisierung, Technik und Innovation im Betrieb",
            eligibility="Mitgliedsbetriebe der Handwerkskammer Münster",
            dimensions=["1", "2", "4", "5"],
            needs=["digitalisation"],
            link="https://www.hwk-muenster.de/",
            contact="Handwerkskammer Münster, Technologie- und Innovationsberatung",
            region_level="city",
            region_code="bottrop",
            region_name="Bottrop (Kammerbezirk Münster)",
            **crafts,
        ),
        _offer(
            "fablab-hrw-offene-werkstatt",
            "fablab-hrw",
            "training",
            "FabLab der Hochschule Ruhr West: digitale Fertigung ausprobieren",
            "Im FabLab der Hochschule Ruhr West in Bottrop lassen sich 3D-Druck, Lasercutter und "
            "andere Werkzeuge der digitalen Fertigung kennenlernen und für eigene Ideen nutzen.",
            example=False,
            funding_types=["other"],
            funding_areas=["digitalisierung", "forschung-themenoffen"],
            supported="Zugang zu Geräten der digitalen Fertigung, Einführung",
            eligibility="Offen für Betriebe, Studierende und Interessierte",
            dimensions=["2", "5"],
            needs=["digitalisation", "networking"],
            link="https://www.hochschule-ruhr-west.de/",
            **bottrop,
        ),
        _offer(
            "mid-digitalisierung",
            "mwike-nrw",
            "funding",
            "Mittelstand Innovativ & Digital (MID): MID-Digitalisierung",
            "Das Land Nordrhein-Westfalen fördert mit MID-Digitalisierung Digitalisierungsvorhaben "
            "kleiner und mittlerer Unternehmen, auch des Handwerks, mit einem Zuschuss.",
            example=False,
            funding_types=["grant"],
            funding_areas=["digitalisierung"],
            supported="Digitalisierungsprojekte in Betrieben (Software, Prozesse, IT-Sicherheit)",
            eligibility="Kleine und mittlere Unternehmen mit Sitz in NRW",
            headcount_bands=SME,
            dimensions=["1", "2", "4"],
            needs=["digitalisation", "financing"],
            link="https://www.wirtschaft.nrw/",
            **nrw,
        ),
        _offer(
            "mittelstand-digital-zentrum-handwerk",
            "mittelstand-digital-zentrum-handwerk",
            "information",
            "Mittelstand-Digital Zentrum Handwerk: Informationen und Praxisbeispiele",
            "Das vom Bund geförderte Mittelstand-Digital Zentrum Handwerk informiert Handwerksbetriebe "
            "kostenfrei über Digitalisierung, mit Veranstaltungen und Praxisbeispielen.",
            example=False,
            verified_days_ago=240,
            funding_types=["other"],
            funding_areas=["digitalisierung", "beratung"],
            supported="Information, Veranstaltungen, Praxisbeispiele",
            eligibility="Handwerksbetriebe",
            dimensions=["1", "2", "3"],
            needs=["digitalisation", "training"],
            link="https://www.mittelstand-digital.de/",
            region_level="federal",
            **crafts,
        ),
        _offer(
            "bafa-unternehmensberatung",
            "bafa",
            "funding",
            "Förderung von Unternehmensberatungen für KMU",
            "Der Bund bezuschusst Beratungen kleiner und mittlerer Unternehmen durch "
            "Beraterinnen und Berater zu wirtschaftlichen, finanziellen, personellen und "
            "organisatorischen Fragen.",
            example=False,
            verified_days_ago=200,
            funding_types=["grant", "consulting"],
            funding_areas=["beratung"],
            supported="Ein Teil der Kosten einer Unternehmensberatung",
            eligibility="Kleine und mittlere Unternehmen",
            headcount_bands=SME,
            dimensions=["1", "3"],
            needs=["financing", "succession"],
            link="https://www.bafa.de/",
            region_level="federal",
        ),
        _offer(
            "nrw-bank-digitalisierung-innovation",
            "nrw-bank",
            "funding",
            "NRW.BANK.Digitalisierung und Innovation",
            "Förderdarlehen der NRW.BANK für Digitalisierungs- und Innovationsvorhaben von "
            "Unternehmen in Nordrhein-Westfalen, beantragt über die Hausbank.",
            example=False,
            funding_types=["loan"],
            funding_areas=["digitalisierung", "unternehmensfinanzierung"],
            supported="Investitionen und Betriebsmittel für Digitalisierung und Innovation",
            eligibility="Unternehmen mit Sitz in NRW (über die Hausbank)",
            dimensions=["1", "2", "5"],
            needs=["financing", "digitalisation"],
            link="https://www.nrwbank.de/",
            **nrw,
        ),
        # --- examples -------------------------------------------------------------------------------------
        _offer(
            "digitalsprechstunde-handwerk",
            "wirtschaftsfoerderung-bottrop",
            "consulting",
            "Digitalsprechstunde für Handwerksbetriebe",
            "Einmal im Monat beantworten die Wirtschaftsförderung und Fachleute aus dem Netzwerk "
            "Fragen zu Website, Terminbuchung und E-Rechnung – kostenfrei, 30 Minuten.",
            funding_types=["consulting"],
            funding_areas=["beratung", "digitalisierung"],
            headcount_bands=SMALL,
            dimensions=["2"],
            needs=["digitalisation"],
            **bottrop,
            **crafts,
        ),
        _offer(
            "e-rechnung-kompakt",
            "kreishandwerkerschaft-emscher-lippe-west",
            "training",
            "E-Rechnung kompakt: Workshop für kleine Betriebe",
            "Halbtägiger Workshop: was die Pflicht zur E-Rechnung für Handwerksbetriebe bedeutet und "
            "wie Angebote, Rechnungen und Buchhaltung digital zusammenspielen.",
            funding_types=["other"],
            funding_areas=["aus-weiterbildung", "digitalisierung"],
            headcount_bands=SMALL,
            dimensions=["2", "4"],
            needs=["digitalisation", "training"],
            deadline_days=60,
            **bottrop,
            **crafts,
        ),
        _offer(
            "it-sicherheits-check",
            "digitalagentur-emscher-lippe",
            "consulting",
            "IT-Sicherheits-Check vor Ort",
            "Eine Fachkraft prüft an einem Vormittag Datensicherung, Passwörter, Updates und "
            "Notfallplan des Betriebs und gibt eine Liste der nächsten Schritte.",
            funding_types=["consulting"],
            funding_areas=["beratung", "digitalisierung"],
            dimensions=["4"],
            needs=["digitalisation"],
            verified_days_ago=250,
            **nrw,
        ),
        _offer(
            "datensicherung-zuschuss",
            "wirtschaftsfoerderung-bottrop",
            "funding",
            "Zuschuss Datensicherung und Notfallplan",
            "Zuschuss für eine externe Datensicherung und einen Notfallplan in kleinen Betrieben.",
            funding_types=["grant"],
            funding_areas=["digitalisierung"],
            headcount_bands=SMALL,
            dimensions=["4"],
            needs=["digitalisation", "financing"],
            amount_min="500",
            amount_max="2500",
            deadline_days=120,
            **bottrop,
        ),
        _offer(
            "ki-im-buero",
            "ihk-nord-westfalen",
            "training",
            "KI im Büro: Texte, Angebote, Kundenanfragen",
            "Abendseminar: Werkzeuge der künstlichen Intelligenz sicher im Büroalltag nutzen.",
            funding_types=["other"],
            funding_areas=["aus-weiterbildung", "digitalisierung"],
            dimensions=["5", "3"],
            needs=["training", "digitalisation"],
            **nrw,
        ),
        _offer(
            "robotik-schnuppertag",
            "hochschule-ruhr-west",
            "event",
            "Robotik-Schnuppertag für Handwerk und Mittelstand",
            "Einen Tag lang Roboter, Sensoren und Bilderkennung im Labor der Hochschule ausprobieren.",
            funding_types=["other"],
            funding_areas=["forschung-themenoffen", "digitalisierung"],
            dimensions=["5"],
            needs=["networking"],
            deadline_days=45,
            **bottrop,
        ),
        _offer(
            "innovationsgutschein-beispiel",
            "mwike-nrw",
            "funding",
            "Innovationsgutschein Handwerk (Beispiel)",
            "Zuschuss für die Zusammenarbeit mit einer Hochschule bei einem Innovationsvorhaben.",
            funding_types=["grant"],
            funding_areas=["forschung-themenoffen"],
            headcount_bands=SME,
            dimensions=["1", "5"],
            needs=["financing"],
            amount_max="15000",
            **nrw,
            **crafts,
        ),
        _offer(
            "gruenderzuschuss-digital",
            "wirtschaftsfoerderung-bottrop",
            "funding",
            "Startbonus Digital für Gründerinnen und Gründer",
            "Zuschuss zu Website, Software und Geräten im ersten Jahr nach der Gründung.",
            funding_types=["grant"],
            funding_areas=["existenzgruendung", "digitalisierung"],
            founders="only",
            dimensions=["2"],
            needs=["financing", "digitalisation"],
            amount_max="3000",
            **bottrop,
        ),
        _offer(
            "nachfolge-digital",
            "handwerkskammer-muenster",
            "consulting",
            "Betriebsnachfolge digital vorbereiten",
            "Beratung: Kundendaten, Abläufe und Wissen so ordnen, dass eine Übergabe gelingt.",
            funding_types=["consulting"],
            funding_areas=["beratung", "existenzgruendung"],
            dimensions=["1", "4"],
            needs=["succession"],
            verified_days_ago=400,
            **nrw,
            **crafts,
        ),
        _offer(
            "azubi-social-media",
            "kreishandwerkerschaft-emscher-lippe-west",
            "training",
            "Azubis finden über soziale Medien",
            "Praxisworkshop: Instagram und Co. für die Suche nach Auszubildenden nutzen.",
            funding_types=["other"],
            funding_areas=["aus-weiterbildung"],
            dimensions=["3", "2"],
            needs=["skilled-workers", "visibility"],
            **bottrop,
            **crafts,
        ),
        _offer(
            "weiterbildungsbonus",
            "agentur-fuer-arbeit",
            "funding",
            "Zuschuss zur Weiterbildung Beschäftigter (Beispiel)",
            "Zuschuss zu Lehrgangskosten, wenn Beschäftigte digitale Kompetenzen erwerben.",
            funding_types=["grant"],
            funding_areas=["aus-weiterbildung", "arbeit"],
            headcount_bands=SME,
            dimensions=["3"],
            needs=["training", "skilled-workers"],
            region_level="federal",
        ),
        _offer(
            "energie-monitoring",
            "digitalagentur-emscher-lippe",
            "consulting",
            "Energieverbrauch digital messen",
            "Beratung und Leihgeräte: den Energieverbrauch von Werkstatt, IT und Fuhrpark messen.",
            funding_types=["consulting"],
            funding_areas=["energie", "digitalisierung"],
            dimensions=["6"],
            needs=["digitalisation"],
            **nrw,
        ),
        _offer(
            "gruene-werkstatt",
            "wirtschaftsfoerderung-bottrop",
            "funding",
            "Grüne Werkstatt: Zuschuss für ressourcenschonende Technik",
            "Zuschuss für Geräte und Software, die Material, Energie oder Transporte sparen.",
            funding_types=["grant"],
            funding_areas=["energie", "umwelt"],
            headcount_bands=SMALL,
            dimensions=["6"],
            needs=["financing"],
            amount_min="1000",
            amount_max="10000",
            **bottrop,
        ),
        _offer(
            "buergschaft-digitalisierung",
            "buergschaftsbank-beispiel",
            "funding",
            "Bürgschaft für Digitalisierungskredite",
            "Bürgschaft für Kredite der Hausbank, wenn Sicherheiten für eine Investition fehlen.",
            funding_types=["guarantee"],
            funding_areas=["unternehmensfinanzierung"],
            dimensions=["1"],
            needs=["financing"],
            amount_max="1250000",
            **nrw,
        ),
        _offer(
            "beteiligung-wachstum",
            "buergschaftsbank-beispiel",
            "funding",
            "Stille Beteiligung für wachsende Betriebe",
            "Eine stille Beteiligung stärkt das Eigenkapital für größere Digitalisierungsvorhaben.",
            funding_types=["equity"],
            funding_areas=["unternehmensfinanzierung"],
            headcount_bands=["10-19", "20-49", "50-249"],
            dimensions=["1", "5"],
            needs=["financing"],
            amount_min="50000",
            amount_max="500000",
            **nrw,
        ),
        _offer(
            "eu-digital-skills",
            "digitalagentur-emscher-lippe",
            "training",
            "Digitale Grundkompetenzen für Beschäftigte (EU-Programm, Beispiel)",
            "Kurse zu digitalen Grundkompetenzen, gefördert aus Mitteln der Europäischen Union.",
            funding_types=["grant"],
            funding_areas=["aus-weiterbildung"],
            dimensions=["3"],
            needs=["training"],
            region_level="eu",
        ),
        _offer(
            "website-check",
            "marketing-fuer-bottrop",
            "consulting",
            "Website-Check: gefunden werden in Bottrop",
            "Kurzanalyse der Website und des Eintrags in Kartendiensten, mit Tipps.",
            funding_types=["consulting"],
            funding_areas=["beratung"],
            dimensions=["2"],
            needs=["visibility"],
            **bottrop,
        ),
        _offer(
            "handwerksfruehstueck",
            "wirtschaftsfoerderung-bottrop",
            "event",
            "Bottroper Handwerksfrühstück",
            "Austausch am Morgen bei einem Bottroper Betrieb, mit einem kurzen Impuls zu einem Thema.",
            funding_types=["other"],
            funding_areas=["regionalfoerderung"],
            dimensions=["1", "3"],
            needs=["networking"],
            **bottrop,
            **crafts,
        ),
        _offer(
            "cad-einstieg",
            "fablab-hrw",
            "training",
            "CAD für Tischlereien und Metallbau: Einstieg",
            "Zweitägiger Kurs: vom Aufmaß zur Konstruktion und zur Datei für die Maschine.",
            funding_types=["other"],
            funding_areas=["aus-weiterbildung"],
            trades=["a-27", "a-13", "a-16"],
            dimensions=["2"],
            needs=["training", "digitalisation"],
            **bottrop,
        ),
        _offer(
            "digitaler-bauantrag",
            "wirtschaftsfoerderung-bottrop",
            "information",
            "Online-Dienste der Stadt für Betriebe",
            "Übersicht der Verwaltungsleistungen, die Betriebe online erledigen können.",
            funding_types=["other"],
            funding_areas=["digitalisierung"],
            sectors=["f", "g"],
            dimensions=["2"],
            needs=["digitalisation"],
            **bottrop,
        ),
        _offer(
            "bau-digital",
            "ihk-nord-westfalen",
            "training",
            "Baustelle digital: Dokumentation per App",
            "Seminar für Bau- und Ausbaubetriebe: Fotos, Mängel und Stunden per App erfassen.",
            funding_types=["other"],
            funding_areas=["aus-weiterbildung", "digitalisierung"],
            sectors=["f"],
            dimensions=["2", "4"],
            needs=["digitalisation"],
            **nrw,
        ),
        _offer(
            "digitalbonus-2025",
            "mwike-nrw",
            "funding",
            "Digitalbonus 2025 (abgelaufen, Beispiel)",
            "Ein abgelaufenes Programm: die Frist ist vorbei, Betriebe sehen es nicht mehr.",
            funding_types=["grant"],
            funding_areas=["digitalisierung"],
            headcount_bands=SMALL,
            dimensions=["2", "4"],
            needs=["digitalisation"],
            deadline_days=-30,
            verified_days_ago=300,
            **nrw,
        ),
        _offer(
            "kooperation-einkauf",
            "kreishandwerkerschaft-emscher-lippe-west",
            "information",
            "Gemeinsam einkaufen: Plattform für Handwerksbetriebe (Entwurf)",
            "Ein Entwurf: die Kreishandwerkerschaft plant eine gemeinsame Einkaufsplattform.",
            funding_types=["other"],
            funding_areas=["digitalisierung"],
            dimensions=["1"],
            needs=["networking"],
            status="draft",
            verified_days_ago=None,
            **bottrop,
            **crafts,
        ),
        _offer(
            "fachkraefte-ausland",
            "agentur-fuer-arbeit",
            "consulting",
            "Fachkräfte aus dem Ausland gewinnen",
            "Beratung zu Anerkennung, Visum und Einarbeitung ausländischer Fachkräfte.",
            funding_types=["consulting"],
            funding_areas=["arbeit", "beratung"],
            dimensions=["3"],
            needs=["skilled-workers"],
            verified_days_ago=190,
            **bottrop,
        ),
    ]


@transaction.atomic
def load() -> int:
    """Write the demo providers (where missing) and offers; returns how many offers were added."""
    for data in PROVIDERS:
        if not Organisation.objects.filter(slug=data["slug"]).exists():
            create_organisation(user=None, data=data)
    existing = set(Offer.objects.values_list("slug", flat=True))
    vocabularies = services.vocabulary_codes()
    added = 0
    for data in offers():
        if data["slug"] in existing:
            continue
        services.create_offer(user=None, data=data, vocabularies=vocabularies)
        added += 1
    return added
