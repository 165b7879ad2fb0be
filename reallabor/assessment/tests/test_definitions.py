"""The definition files: the DMA as dma.md specifies it, both languages, and broken definitions refused."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from reallabor.assessment import engine

# dma.md, verbatim: dimension titles, question types and German item texts.
DMA = {
    "1": ("Digitale Geschäftsstrategie", {
        "1a": ("invest_grid", "Produkt- und Dienstleistungsentwicklung; Projektplanung und Kalkulation; Ausführung und Fertigung; Zusammenarbeit mit Partnern und Lieferanten; Materialbeschaffung und Lager; Marketing, Vertrieb und Kundenservice; Lieferung und Montage beim Kunden; Verwaltung und Personal; Einkauf; IT-Sicherheit und Datenschutz"),
        "1b": ("tick_list", "Bedarfe erkannt und mit Unternehmenszielen abgestimmt; Finanzierung für mindestens ein Jahr gesichert; IT-Infrastruktur bereit; IT-Fachleute (intern oder extern) verfügbar; Leitung bereit, den Wandel zu führen; Beschäftigte bereit; Abläufe können angepasst werden; Dienstleistungen rund um das Produkt ausgebaut; Kundenzufriedenheit wird online erfasst; Risiken der Digitalisierung bedacht"),
    }),
    "2": ("Digitale Bereitschaft", {
        "2a": ("tick_list", "Internetanschluss und Cloud-Dienste; eigene Website; Online-Formulare (z. B. Terminanfrage); Chat oder soziale Medien; Online-Verkauf; Online-Marketing; Online-Behördengänge; Werkzeuge für Zusammenarbeit aus der Ferne; Intranet; Unternehmenssoftware (ERP, CRM, E-Rechnung)"),
        "2b": ("scale", "Simulation und digitaler Zwilling; Virtuelle oder erweiterte Realität; CAD/CAM; Fertigungssteuerung; Vernetzte Geräte und Sensoren (IoT); Blockchain; 3D-Druck"),
    }),
    "3": ("Mensch im Mittelpunkt", {
        "3a": ("tick_list", "Kompetenzen erhoben; Weiterbildungsplan; kurze Schulungen; Lernen in der Praxis; Praktika oder Traineeprogramme; externe Weiterbildung bezahlt; geförderte Programme genutzt"),
        "3b": ("tick_list", "Beschäftigte informiert; offene Kommunikation über Ziele; Akzeptanz und Nebenwirkungen beobachtet; Beschäftigte an der Gestaltung beteiligt; mehr Eigenständigkeit durch digitale Werkzeuge; Arbeitsplätze nach Rückmeldung angepasst; flexible Arbeitszeiten und -orte; Ansprechperson für Fragen zur Technik"),
    }),
    "4": ("Daten und Vernetzung", {
        "4a": ("tick_list", "Regeln für den Umgang mit Daten; Daten digital gespeichert; Systeme über Schnittstellen verbunden; Daten in Echtzeit verfügbar; Daten werden systematisch ausgewertet; externe Daten werden einbezogen; Auswertungen ohne IT-Fachleute möglich"),
        "4b": ("tick_list", "Regeln zur Datensicherheit; Kundendaten geschützt; Beschäftigte geschult; Bedrohungen werden beobachtet; Sicherung an einem anderen Ort; Notfallplan für den Betrieb"),
    }),
    "5": ("Automatisierung und KI", {
        "5a": ("scale", "Sprachverarbeitung und Chatbots; Bilderkennung; Sprach- und Audioerkennung; Roboter und autonome Geräte; Auswertung und Entscheidungsunterstützung"),
    }),
    "6": ("Grüne Digitalisierung", {
        "6a": ("tick_list", "Kreislaufwirtschaft im Geschäftsmodell; nachhaltige Dienstleistungen; umweltgerechte Produktgestaltung; nachhaltige Fertigung; Emissionen und Abfall verringert; eigene Energieerzeugung; Materialeinsatz optimiert; weniger Transport und Verpackung; Kundschaft zu nachhaltigem Verhalten angeregt; papierlose Verwaltung"),
        "6b": ("yes_partly_no", "Umweltfragen Teil der Digitalstrategie; Umweltmanagementsystem oder Zertifizierung; Umweltkriterien beim Einkauf von IT; Energieverbrauch der IT wird beobachtet; Geräte werden weiterverwendet oder recycelt"),
    }),
}  # fmt: skip

DEFINITION_FILE = engine.QUESTIONNAIRES_DIR / "dma-handwerk" / "v1.json"


def test_the_dma_definition_is_dma_md() -> None:
    definition = engine.load_definition("dma-handwerk")
    assert (definition.slug, definition.version, definition.scoring) == ("dma-handwerk", 1, "dma")
    assert [section.id for section in definition.sections] == ["1", "2", "3", "4", "5", "6"]
    assert definition.relevance_sections == ("1", "2", "3", "4", "5", "6")
    for section in definition.sections:
        title, questions = DMA[section.id]
        assert section.title.de == title
        assert [question.id for question in section.questions] == list(questions)
        for question in section.questions:
            kind, items = questions[question.id]
            assert question.type == kind
            assert question.required and question.scored
            assert [item.de for item in question.items] == items.split("; ")
    four_a = definition.questions["4a"]
    assert four_a.exclusive is not None and four_a.exclusive.de == "Daten werden nicht digital erfasst"
    assert four_a.exclusive_number == 8
    assert four_a.item_text(8) == four_a.exclusive
    assert four_a.item_numbers == ("1", "2", "3", "4", "5", "6", "7")
    assert [q.id for q in definition.questions.values() if q.exclusive is not None] == ["4a"]


def texts(definition: engine.Definition) -> list[tuple[str, engine.Text]]:
    found = [("title", definition.title)]
    for section in definition.sections:
        found.append((f"section {section.id}", section.title))
        for question in section.questions:
            found.append((question.id, question.text))
            found += [(f"{question.id} item {n}", item) for n, item in enumerate(question.items, 1)]
            if question.exclusive is not None:
                found.append((f"{question.id} exclusive", question.exclusive))
    return found


@pytest.mark.parametrize(("slug", "version"), [(s, v) for s in engine.questionnaire_slugs() for v in engine.questionnaire_versions(s)])  # fmt: skip
def test_every_text_of_every_definition_is_given_in_german_and_english(slug: str, version: int) -> None:
    definition = engine.load_definition(slug, version)
    for where, text in texts(definition):
        assert text.de.strip() and text.en.strip(), where
        assert text.de == text.de.strip() and text.en == text.en.strip(), where
    # Every item of a question is distinct in each language.
    for question in definition.questions.values():
        for language in engine.LANGUAGES:
            shown = [item.get(language) for item in question.items]
            assert len(set(shown)) == len(shown), (question.id, language)


def test_texts_are_shown_in_the_active_language_german_by_default() -> None:
    question = engine.load_definition("dma-handwerk").questions["2b"]
    with translation.override("en"):
        assert str(question.items[6]) == "3D printing"
    with translation.override("de"):
        assert str(question.items[6]) == "3D-Druck"
    with translation.override("en-gb"):
        assert question.text.get() == question.text.en
    with translation.override(None):
        assert question.text.get() == question.text.de
    assert question.text.get("fr") == question.text.de


def test_the_definition_is_read_once_and_unknown_names_are_refused() -> None:
    assert engine.load_definition("dma-handwerk") is engine.load_definition("dma-handwerk", 1)
    assert engine.questionnaire_versions("dma-handwerk") == (1,)
    assert engine.questionnaire_versions("../dma-handwerk") == ()
    for slug, version in [("no-such-check", None), ("dma-handwerk", 2), ("../questionnaires", None)]:
        with pytest.raises(engine.UnknownQuestionnaire):
            engine.load_definition(slug, version)


# --- broken definitions ----------------------------------------------------------------------------------


def dma_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEFINITION_FILE.read_text(encoding="utf-8"))
    return data


SURVEY: dict[str, Any] = {
    "slug": "survey",
    "version": 1,
    "title": {"de": "Umfrage", "en": "Survey"},
    "sections": [
        {
            "id": "a",
            "title": {"de": "Betrieb", "en": "Business"},
            "questions": [
                {
                    "id": "size",
                    "type": "single_choice",
                    "text": {"de": "Größe", "en": "Size"},
                    "items": [{"de": "klein", "en": "small"}, {"de": "groß", "en": "large"}],
                },
                {
                    "id": "staff",
                    "type": "number",
                    "text": {"de": "Beschäftigte", "en": "Staff"},
                    "min": 0,
                    "max": 10000,
                    "integer": True,
                },
                {
                    "id": "share",
                    "type": "number",
                    "text": {"de": "Anteil", "en": "Share"},
                    "min": 0,
                    "max": 1.5,
                    "required": False,
                },
                {
                    "id": "notes",
                    "type": "free_text",
                    "text": {"de": "Anmerkungen", "en": "Notes"},
                    "max_length": 20,
                    "required": False,
                },
            ],
        }
    ],
}


def test_a_definition_of_the_unscored_types_is_read() -> None:
    definition = engine.parse_definition(copy.deepcopy(SURVEY))
    assert definition.scoring is None and definition.relevance_sections == ()
    staff = definition.questions["staff"]
    assert (staff.type, staff.minimum, staff.maximum, staff.integer, staff.scored) == (
        "number",
        0,
        10000,
        True,
        False,
    )
    assert definition.questions["notes"].max_length == 20
    assert not definition.questions["notes"].required
    assert [str(item.en) for item in definition.questions["size"].items] == ["small", "large"]


def broken(change: Any) -> list[str]:
    data = dma_data()
    change(data)
    with pytest.raises(engine.DefinitionError) as error:
        engine.parse_definition(data, source="v1.json")
    return error.value.problems


def question(data: dict[str, Any], question_id: str) -> dict[str, Any]:
    for section in data["sections"]:
        for entry in section["questions"]:
            if entry["id"] == question_id:
                return entry
    raise KeyError(question_id)


def test_duplicate_question_and_section_ids_are_refused() -> None:
    def change(data: dict[str, Any]) -> None:
        question(data, "2a")["id"] = "1a"
        data["sections"][2]["id"] = "1"

    assert broken(change) == [
        'sections[1].questions[0].id: duplicate question id "1a"',
        'sections[2].id: duplicate section id "1"',
    ]


def test_unknown_types_keys_and_missing_texts_are_refused_all_at_once() -> None:
    def change(data: dict[str, Any]) -> None:
        question(data, "1b")["type"] = "checkboxes"
        question(data, "2b")["exclusiv"] = {"de": "keine", "en": "none"}
        del question(data, "3a")["items"][2]["en"]
        question(data, "3b")["items"][0]["de"] = " "
        data["scoring"] = "eu"
        data["colour"] = "blue"

    assert broken(change) == [
        "colour: unknown key",
        'scoring: unknown scoring "eu" (known: dma)',
        'sections[0].questions[1].type: unknown type "checkboxes" (known: tick_list, invest_grid, scale, '
        "yes_partly_no, single_choice, number, free_text)",
        "sections[1].questions[1].exclusiv: unknown key",
        "sections[2].questions[0].items[2].en: missing",
        "sections[2].questions[1].items[0].de: expected a non-empty string",
    ]


def test_type_specific_rules_are_checked() -> None:
    data = copy.deepcopy(SURVEY)
    questions = data["sections"][0]["questions"]
    questions[0]["exclusive"] = {"de": "keine", "en": "none"}  # only tick lists have an exclusive item
    questions[0]["items"] = []
    del questions[1]["max"]
    questions[1]["integer"] = "yes"
    questions[2]["min"] = 2
    questions[2]["max"] = True
    questions[3]["max_length"] = 0
    questions.append({"id": "size", "type": "scale", "text": {"de": "x", "en": "x"}, "items": [{"de": "a", "en": "a"}], "required": False})  # fmt: skip
    with pytest.raises(engine.DefinitionError) as error:
        engine.parse_definition(data, source="survey/v1.json")
    assert error.value.problems == [
        "sections[0].questions[0].exclusive: unknown key",
        "sections[0].questions[0].items: expected a non-empty list",
        "sections[0].questions[1].max: missing",
        "sections[0].questions[1].integer: expected true or false",
        "sections[0].questions[2].max: expected a number",
        "sections[0].questions[3].max_length: expected a whole number ≥ 1",
        'sections[0].questions[4].id: duplicate question id "size"',
        "sections[0].questions[4].required: a scored question is always required",
    ]
    assert str(error.value).startswith("survey/v1.json: sections[0].questions[0].exclusive: unknown key; ")


def test_min_above_max_and_a_dma_dimension_without_a_scored_question_are_refused() -> None:
    data = copy.deepcopy(SURVEY)
    data["scoring"] = "dma"
    data["sections"][0]["questions"][1]["min"] = 20000
    with pytest.raises(engine.DefinitionError) as error:
        engine.parse_definition(data)
    assert error.value.problems == [
        "sections[0].questions[1].max: must not be less than min",
        "sections[0]: a dimension needs at least one scored question",
    ]


def test_a_file_whose_place_does_not_match_its_slug_and_version_or_is_not_json_is_refused(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "dma-handwerk"
    folder.mkdir()
    (folder / "v2.json").write_text(DEFINITION_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(engine.DefinitionError) as error:
        engine.load_definition_file(folder / "v2.json")
    assert error.value.problems == ["version: 1 does not match the file name 'v2.json'"]

    other = tmp_path / "other"
    other.mkdir()
    (other / "v1.json").write_text(DEFINITION_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(engine.DefinitionError) as error:
        engine.load_definition_file(other / "v1.json")
    assert error.value.problems == ["slug: 'dma-handwerk' does not match the folder 'other'"]

    (other / "v3.json").write_text('{"slug": "other", ', encoding="utf-8")
    with pytest.raises(engine.DefinitionError, match="not valid JSON"):
        engine.load_definition_file(other / "v3.json")
    with pytest.raises(engine.DefinitionError, match="cannot be read"):
        engine.load_definition_file(other / "v4.json")
