"""The SDG vocabulary loaded by the data migration matches the bundled data files exactly."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.utils import translation

from reallabor.taxonomy.models import SDG_FAMILY, Term, Vocabulary
from reallabor.taxonomy.sdg import GOAL_COLOURS, repair_text, sdg_entries

DATA = Path(__file__).resolve().parents[1] / "data" / "sdg"
TARGET_KEY = re.compile(r"^(\d+)-([0-9a-z]+)-title$")

pytestmark = pytest.mark.django_db


def _yaml(name: str) -> dict[str, Any]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def goals_de() -> dict[str, Any]:
    return _yaml("global_goals.de.yml")


@pytest.fixture(scope="module")
def goals_en() -> dict[str, Any]:
    return _yaml("global_goals.en.yml")


@pytest.fixture(scope="module")
def targets_de() -> dict[str, Any]:
    return _yaml("global_targets.de.yml")


@pytest.fixture(scope="module")
def targets_en() -> dict[str, Any]:
    return _yaml("global_targets.en.yml")


def sdg_terms() -> Any:
    return Term.objects.filter(vocabulary__family=SDG_FAMILY).select_related("parent", "vocabulary")


def test_one_current_sdg_vocabulary_that_administrators_cannot_edit() -> None:
    vocabulary = Vocabulary.objects.get(family=SDG_FAMILY)
    assert vocabulary.version == 1
    assert vocabulary.retired_at is None
    assert vocabulary.kind == Vocabulary.Kind.SDG
    assert vocabulary.abbreviation == "SDG"
    assert vocabulary.is_editable is False


def test_17_goals_and_169_targets() -> None:
    assert sdg_terms().filter(parent__isnull=True).count() == 17
    assert sdg_terms().filter(parent__isnull=False).count() == 169
    assert sdg_terms().count() == 186


def test_goal_names_come_from_the_yaml_in_german_and_english(
    goals_de: dict[str, Any], goals_en: dict[str, Any]
) -> None:
    goals = {term.code: term for term in sdg_terms().filter(parent__isnull=True)}
    assert set(goals) == {str(number) for number in range(1, 18)}
    for code, term in goals.items():
        assert term.name == goals_de[f"{code}-short"]
        assert term.name_en == goals_en[f"{code}-short"]
        assert term.description == goals_de[f"{code}-title"]
        assert term.description_en == goals_en[f"{code}-title"]


def test_target_names_come_from_the_yaml_in_german_and_english(
    targets_de: dict[str, Any], targets_en: dict[str, Any]
) -> None:
    targets = {term.code: term for term in sdg_terms().filter(parent__isnull=False)}
    expected = {}
    for key in targets_de:
        match = TARGET_KEY.match(key)
        assert match, key
        expected[f"{match.group(1)}.{match.group(2)}"] = key
    assert set(targets) == set(expected)
    for code, key in expected.items():
        assert targets[code].name == repair_text(targets_de[key])
        assert targets[code].name_en == repair_text(targets_en[key])


def test_target_codes_with_digits_and_letters_have_their_goal_as_parent(targets_de: dict[str, Any]) -> None:
    target_85 = sdg_terms().get(code="8.5")
    assert target_85.parent is not None
    assert target_85.parent.code == "8"
    assert target_85.name == targets_de["8-5-title"]
    target_12a = sdg_terms().get(code="12.a")
    assert target_12a.parent is not None
    assert target_12a.parent.code == "12"
    assert target_12a.name == targets_de["12-a-title"]
    for target in sdg_terms().filter(parent__isnull=False):
        assert target.parent is not None
        assert target.code.split(".")[0] == target.parent.code
        assert target.parent.parent_id is None


def test_goals_carry_the_official_colours_and_targets_their_goals_colour() -> None:
    assert sdg_terms().get(code="8").colour == "#A21942"
    assert sdg_terms().get(code="11").colour == "#FD9D24"
    assert sdg_terms().get(code="12").colour == "#BF8B2E"
    for term in sdg_terms():
        goal = term.parent or term
        assert term.colour == GOAL_COLOURS[int(goal.code)]
        assert re.fullmatch(r"#[0-9A-F]{6}", term.colour)
    assert len(set(GOAL_COLOURS.values())) == 17


def test_terms_are_ordered_goal_by_goal_numbered_targets_before_lettered_ones() -> None:
    codes = list(
        sdg_terms().filter(code__regex=r"^(8|8\..+)$").order_by("position").values_list("code", flat=True)
    )
    assert codes == ["8", *(f"8.{n}" for n in range(1, 11)), "8.a", "8.b"]
    goals = list(sdg_terms().filter(parent__isnull=True).order_by("position").values_list("code", flat=True))
    assert goals == [str(number) for number in range(1, 18)]


def test_sdg_entries_match_the_database() -> None:
    entries = sdg_entries()
    assert len(entries) == 186
    stored = {term.code: term for term in sdg_terms()}
    for entry in entries:
        term = stored[entry.code]
        assert (term.name, term.name_en, term.colour, term.position) == (
            entry.name_de,
            entry.name_en,
            entry.colour,
            entry.position,
        )
        assert (term.parent.code if term.parent else None) == entry.parent_code


def test_display_follows_the_seed_documents_in_german_and_uses_english_names_in_english() -> None:
    goal = sdg_terms().get(code="8")
    with translation.override("de"):
        assert goal.display == "SDG 8 »Menschenwürdige Arbeit und Wirtschaftswachstum«"
        assert sdg_terms().get(code="10").display == "SDG 10 »Weniger Ungleichheiten«"
        assert sdg_terms().get(code="11").display == "SDG 11 »Nachhaltige Städte und Gemeinden«"
    with translation.override("en"):
        assert goal.display == "SDG 8 »Decent work and economic growth«"


def test_the_other_vocabularies_start_empty_with_their_abbreviations() -> None:
    expected = {"megatrends": "MT", "strategy": "", "target-groups": ""}
    for family, abbreviation in expected.items():
        vocabulary = Vocabulary.objects.get(family=family, retired_at__isnull=True)
        assert vocabulary.abbreviation == abbreviation
        assert vocabulary.is_editable is True
        assert vocabulary.terms.count() == 0


def test_no_control_characters_reach_the_database() -> None:
    """The source writes cp1252 quotes as C1 control characters (target 14.c); they arrive as „ and “."""
    texts = Term.objects.filter(vocabulary__family="sdg").values_list("name", "name_en", "description")
    assert not [text for row in texts for text in row if any(0x80 <= ord(char) <= 0x9F for char in text)]
    name = Term.objects.get(vocabulary__family="sdg", code="14.c").name
    assert "„Die Zukunft, die wir wollen“" in name


def test_repair_text_maps_c1_controls_as_windows_1252() -> None:
    assert repair_text("\x84a\x93 \x96 b") == "„a“ – b"
    assert repair_text("plain „text“") == "plain „text“"
