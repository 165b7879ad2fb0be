"""The vocabularies of the actors' data: needs, motivations, WZ 2008 sectors and the crafts' trades.

Needs and motivations are the city's own, editable lists, seeded with the ones the office works
with. The sectors (Klassifikation der Wirtschaftszweige, Ausgabe 2008: sections and their
divisions) and the trades (Handwerksordnung, Anlage A and Anlage B Abschnitte 1 and 2) are fixed
reference data read from ``data/wz2008.json`` and ``data/trades.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"

NEEDS = [
    ("skilled-workers", "Fachkräfte", "Skilled workers"),
    ("digitalisation", "Digitalisierung", "Digitalisation"),
    ("succession", "Unternehmensnachfolge", "Business succession"),
    ("premises", "Gewerbeflächen", "Premises"),
    ("financing", "Finanzierung", "Financing"),
    ("visibility", "Sichtbarkeit", "Visibility"),
    ("networking", "Vernetzung", "Networking"),
    ("training", "Aus- und Weiterbildung", "Training"),
]

MOTIVATIONS = [
    ("lower-costs", "Kosten senken", "Lower costs"),
    ("new-customers", "Neue Kundschaft", "New customers"),
    ("responsibility", "Verantwortung für die Stadt", "Responsibility for the city"),
    ("innovation", "Innovation", "Innovation"),
    ("image", "Image", "Image"),
]


def read_data(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def load_actor_vocabularies(Vocabulary: Any, Term: Any) -> None:
    """Create the four vocabularies with their terms (idempotent; used by the data migration)."""
    for family, kind, name, name_en, terms in [
        ("needs", "need", "Bedarfe", "Needs", NEEDS),
        ("motivations", "motivation", "Motivationen", "Motivations", MOTIVATIONS),
    ]:
        vocabulary, _ = Vocabulary.objects.get_or_create(
            family=family, version=1, defaults={"kind": kind, "name": name, "name_en": name_en}
        )
        for position, (code, term_name, term_en) in enumerate(terms):
            Term.objects.get_or_create(
                vocabulary=vocabulary,
                code=code,
                defaults={"name": term_name, "name_en": term_en, "position": position},
            )

    wz = read_data("wz2008.json")
    vocabulary, _ = Vocabulary.objects.get_or_create(
        family="wz2008",
        version=1,
        defaults={
            "kind": "sector",
            "name": "Wirtschaftszweige (WZ 2008)",
            "name_en": "Economic sectors (WZ 2008)",
            "abbreviation": "WZ",
            "is_editable": False,
            "description": wz.get("source", ""),
        },
    )
    position = 0
    for section in wz["sections"]:
        parent, _ = Term.objects.get_or_create(
            vocabulary=vocabulary,
            code=section["code"],
            defaults={"name": section["name"], "name_en": section.get("name_en", ""), "position": position},
        )
        position += 1
        for division in section["divisions"]:
            Term.objects.get_or_create(
                vocabulary=vocabulary,
                code=division["code"],
                defaults={
                    "name": division["name"],
                    "name_en": division.get("name_en", ""),
                    "parent": parent,
                    "position": position,
                },
            )
            position += 1

    trades = read_data("trades.json")
    vocabulary, _ = Vocabulary.objects.get_or_create(
        family="trades",
        version=1,
        defaults={
            "kind": "trade",
            "name": "Gewerke (Handwerksordnung)",
            "name_en": "Trades (crafts code)",
            "is_editable": False,
            "description": trades.get("source", ""),
        },
    )
    position = 0
    for group in trades["lists"]:
        parent, _ = Term.objects.get_or_create(
            vocabulary=vocabulary,
            code=group["code"],
            defaults={"name": group["name"], "name_en": group.get("name_en", ""), "position": position},
        )
        position += 1
        for trade in group["trades"]:
            Term.objects.get_or_create(
                vocabulary=vocabulary,
                code=trade["code"],
                defaults={
                    "name": trade["name"],
                    "name_en": trade.get("name_en", ""),
                    "parent": parent,
                    "position": position,
                },
            )
            position += 1
