"""Loading the 17 SDGs and their 169 targets (German and English) from the bundled data files.

The files come unchanged from open-sdg/sdg-translations (MIT licence, see data/sdg/LICENSE).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data" / "sdg"

# The official colours of the goals (UN communications guidelines).
GOAL_COLOURS = {
    1: "#E5243B",
    2: "#DDA63A",
    3: "#4C9F38",
    4: "#C5192D",
    5: "#FF3A21",
    6: "#26BDE2",
    7: "#FCC30B",
    8: "#A21942",
    9: "#FD6925",
    10: "#DD1367",
    11: "#FD9D24",
    12: "#BF8B2E",
    13: "#3F7E44",
    14: "#0A97D9",
    15: "#56C02B",
    16: "#00689D",
    17: "#19486A",
}


@dataclass(frozen=True)
class SdgEntry:
    code: str
    parent_code: str | None
    name_de: str
    name_en: str
    description_de: str
    description_en: str
    position: int
    colour: str


_C1_CONTROLS = re.compile("[\x80-\x9f]")


def repair_text(text: str) -> str:
    """Windows-1252 punctuation that the source files carry as C1 control characters, as meant.

    The German target 14.c quotes »Die Zukunft, die wir wollen« with \\x84 and \\x93 (cp1252's „ and “);
    no font has glyphs for control characters, so the PDF report showed empty boxes.
    """
    return _C1_CONTROLS.sub(lambda match: bytes([ord(match.group())]).decode("cp1252", "replace"), text)


def _load(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return {key: repair_text(value) if isinstance(value, str) else value for key, value in data.items()}


def _target_position(goal: int, target: str) -> int:
    # Numbered targets first (8.1 … 8.10), then lettered ones (8.a, 8.b).
    if target.isdigit():
        return goal * 1000 + int(target)
    return goal * 1000 + 100 + (ord(target) - ord("a"))


def sdg_entries() -> list[SdgEntry]:
    goals_de, goals_en = _load("global_goals.de.yml"), _load("global_goals.en.yml")
    targets_de, targets_en = _load("global_targets.de.yml"), _load("global_targets.en.yml")
    entries = []
    for goal in range(1, 18):
        entries.append(
            SdgEntry(
                code=str(goal),
                parent_code=None,
                name_de=goals_de[f"{goal}-short"],
                name_en=goals_en[f"{goal}-short"],
                description_de=goals_de[f"{goal}-title"],
                description_en=goals_en[f"{goal}-title"],
                position=goal * 1000,
                colour=GOAL_COLOURS[goal],
            )
        )
    pattern = re.compile(r"^(\d+)-([0-9a-z]+)-title$")
    for key, title_de in targets_de.items():
        match = pattern.match(key)
        if not match:
            continue
        goal, target = int(match.group(1)), match.group(2)
        entries.append(
            SdgEntry(
                code=f"{goal}.{target}",
                parent_code=str(goal),
                name_de=title_de,
                name_en=targets_en[key],
                description_de="",
                description_en="",
                position=_target_position(goal, target),
                colour=GOAL_COLOURS[goal],
            )
        )
    return sorted(entries, key=lambda entry: entry.position)


def load_sdg_vocabulary(vocabulary_model: Any, term_model: Any) -> Any:
    """Create the SDG vocabulary with goals and targets (used by the data migration)."""
    vocabulary, _created = vocabulary_model.objects.get_or_create(
        family="sdg",
        version=1,
        defaults={
            "kind": "sdg",
            "name": "UN-Nachhaltigkeitsziele (SDGs)",
            "name_en": "UN Sustainable Development Goals (SDGs)",
            "abbreviation": "SDG",
            "is_editable": False,
        },
    )
    by_code: dict[str, Any] = {}
    for entry in sdg_entries():
        term, _ = term_model.objects.update_or_create(
            vocabulary=vocabulary,
            code=entry.code,
            defaults={
                "name": entry.name_de,
                "name_en": entry.name_en,
                "description": entry.description_de,
                "description_en": entry.description_en,
                "parent": by_code.get(entry.parent_code) if entry.parent_code else None,
                "position": entry.position,
                "colour": entry.colour,
            },
        )
        by_code[entry.code] = term
    return vocabulary
