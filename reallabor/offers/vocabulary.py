"""The Förderbereich vocabulary (funding areas), a versioned taxonomy vocabulary like the sectors.

The terms follow the "Förderbereich" list of the federal funding database (foerderdatenbank.de) of
the Federal Ministry for Economic Affairs, so that an offer found there is entered with the same
words. It is a taxonomy vocabulary (family ``funding-areas``) and not a fixed choice list: the office
may add a term, and a revised list becomes version 2 without touching the offers tagged with v1.
Loaded by the migration ``offers.0002_load_funding_areas``.
"""

from __future__ import annotations

from typing import Any, Final

FUNDING_AREAS_FAMILY: Final = "funding-areas"

FUNDING_AREAS: Final = [
    ("arbeit", "Arbeit", "Employment"),
    ("aus-weiterbildung", "Aus- & Weiterbildung", "Education and training"),
    ("aussenwirtschaft", "Außenwirtschaft", "Foreign trade"),
    ("beratung", "Beratung", "Consulting"),
    ("digitalisierung", "Digitalisierung", "Digitalisation"),
    ("energie", "Energieeffizienz & Erneuerbare Energien", "Energy efficiency and renewable energy"),
    ("existenzgruendung", "Existenzgründung & -festigung", "Business start-up and consolidation"),
    ("forschung-themenoffen", "Forschung & Innovation (themenoffen)", "Research and innovation (open)"),
    (
        "forschung-themenspezifisch",
        "Forschung & Innovation (themenspezifisch)",
        "Research and innovation (specific topics)",
    ),
    ("frauenfoerderung", "Frauenförderung", "Support for women"),
    ("gesundheit-soziales", "Gesundheit & Soziales", "Health and social affairs"),
    ("infrastruktur", "Infrastruktur", "Infrastructure"),
    ("kultur-medien-sport", "Kultur, Medien & Sport", "Culture, media and sport"),
    ("landwirtschaft", "Landwirtschaft & Ländliche Entwicklung", "Agriculture and rural development"),
    ("messen", "Messen & Ausstellungen", "Trade fairs and exhibitions"),
    ("regionalfoerderung", "Regionalförderung", "Regional development"),
    ("smart-cities", "Smart Cities & Regionalentwicklung", "Smart cities and regional development"),
    ("staedtebau", "Städtebau & Stadterneuerung", "Urban development and renewal"),
    ("umwelt", "Umwelt- & Naturschutz", "Environmental and nature protection"),
    ("unternehmensfinanzierung", "Unternehmensfinanzierung", "Business finance"),
    ("wohnungsbau", "Wohnungsbau & Modernisierung", "Housing and modernisation"),
]


def load_funding_areas(Vocabulary: Any, Term: Any) -> None:
    """Create the vocabulary with its terms (idempotent; used by the data migration)."""
    vocabulary, _created = Vocabulary.objects.get_or_create(
        family=FUNDING_AREAS_FAMILY,
        version=1,
        defaults={
            "kind": "other",
            "name": "Förderbereiche",
            "name_en": "Funding areas",
            "description": "Nach den Förderbereichen der Förderdatenbank des Bundes (foerderdatenbank.de).",
        },
    )
    for position, (code, name, name_en) in enumerate(FUNDING_AREAS):
        Term.objects.get_or_create(
            vocabulary=vocabulary,
            code=code,
            defaults={"name": name, "name_en": name_en, "position": position},
        )
