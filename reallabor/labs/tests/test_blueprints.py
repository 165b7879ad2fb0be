"""Lab blueprints: export, import, the exact round trip, and every way a file can be refused.

A refused file must name the path of each bad field and must leave the database exactly as it
was (``refuse`` compares the row counts of everything an import could write).
"""

from __future__ import annotations

import copy
import datetime
import itertools
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from conftest import Portfolio
from reallabor.core.validation import error_dict
from reallabor.history.models import Version
from reallabor.history.services import versions_of
from reallabor.labs import blueprints, services
from reallabor.labs.models import (
    Activity,
    Actor,
    Financing,
    Lab,
    LabOrganisation,
    Measure,
    Result,
    TargetGroup,
)
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import MEGATREND_FAMILY, TARGET_GROUP_FAMILY, Tag, Term

pytestmark = pytest.mark.django_db

HANDEL = "hybride-formen-des-handels"
WRITTEN = (
    Lab,
    LabOrganisation,
    Measure,
    Activity,
    Financing,
    Actor,
    TargetGroup,
    Result,
    Tag,
    Organisation,
    Term,
    Version,
)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in WRITTEN}


def export(slug: str) -> dict[str, Any]:
    return services.export_blueprint(user=None, lab=Lab.objects.get(slug=slug))


def comparable(data: dict[str, Any]) -> dict[str, Any]:
    """A blueprint without what differs between two exports of equal labs: the time and the lab's slug."""
    data = copy.deepcopy(data)
    data.pop("exported_at")
    data["lab"].pop("slug")
    return data


def refuse(data: Any, *, slug: str | None = None) -> dict[str, list[str]]:
    """The problems of a refused import, having checked that nothing was written."""
    before = counts()
    with pytest.raises(ValidationError) as info:
        services.import_blueprint(user=None, data=data, slug=slug)
    assert counts() == before
    return error_dict(info.value)


@pytest.fixture
def three_measures(portfolio: Portfolio) -> dict[str, Any]:
    """The blueprint of »Hybride Formen des Handels« under a new slug, with a third measure."""
    data = export(HANDEL)
    data["lab"]["slug"] = "neues-labor"
    third = copy.deepcopy(data["lab"]["measures"][0])
    third.update({"title": "Dritte Maßnahme", "slug": "dritte-massnahme"})
    data["lab"]["measures"].append(third)
    return data


# Export -------------------------------------------------------------------------------------------


def test_export_holds_the_lab_with_organisations_by_name_and_kind_and_terms_by_code(
    portfolio: Portfolio,
) -> None:
    data = export(HANDEL)
    assert blueprints.validate_document(data) == []
    assert {key: data[key] for key in ("$schema", "format", "version", "source")} == {
        "$schema": "reallabor-blueprint-v1.schema.json",
        "format": "reallabor-blueprint",
        "version": 1,
        "source": {"city": settings.CITY_NAME, "office": settings.OFFICE_NAME},
    }
    assert datetime.datetime.fromisoformat(data["exported_at"]).tzinfo is not None
    lab = data["lab"]
    wifoe = {
        "name": "Stadt Bottrop – Amt für Wirtschaftsförderung und Standortmanagement",
        "kind": "administration",
    }
    assert {
        key: lab[key] for key in ("name", "slug", "phase", "funding_start", "funding_end", "coordinator")
    } == {
        "name": "Hybride Formen des Handels",
        "slug": HANDEL,
        "phase": "continued",
        "funding_start": "2020-01-01",
        "funding_end": "2022-06-30",
        "coordinator": wifoe,
    }
    assert lab["organisations"] == [
        {"organisation": {"name": "Buchhandlung Seitenweise (fiktiv)", "kind": "company"}, "role": "partner"},
        {"organisation": {"name": "Café am Pferdemarkt (fiktiv)", "kind": "company"}, "role": "partner"},
        {"organisation": {"name": "Marketing für Bottrop e.V.", "kind": "multiplier"}, "role": "partner"},
        {"organisation": wifoe, "role": "coordination"},
    ]
    fairtrade, hallobot = lab["measures"]
    assert (fairtrade["slug"], hallobot["slug"]) == ("fairtrade-town", "hallobot")
    assert fairtrade["coordinators"] == [wifoe]
    assert fairtrade["actors"][:2] == [
        {"organisation": None, "group_name": "Einzelhändler", "role": ""},
        {"organisation": {"name": "Rat der Stadt Bottrop", "kind": "politics"}, "group_name": "", "role": ""},
    ]
    assert fairtrade["tags"][0] == {
        "term": {
            "vocabulary": "megatrends",
            "code": "faires-handeln",
            "name": "Faires Handeln",
            "name_en": "Fair trade",
        },
        "priority": "primary",
        "share": None,
        "note": "",
    }
    assert [(tag["term"]["vocabulary"], tag["term"]["code"]) for tag in fairtrade["tags"]] == [
        ("megatrends", "faires-handeln"),
        ("sdg", "11"),
        ("sdg", "12"),
    ]
    assert fairtrade["results"][0] == {
        "date": "2020-10-01",
        "text": "Steuerungsgruppe gegründet (17 Mitglieder zum Zeitpunkt der Auszeichnung).",
        "evidence_url": "",
    }
    assert hallobot["financing"][1] == {
        "source_kind": "programme",
        "source": "WiFi4EU (Europäische Union)",
        "amount": "15000.00",
        "start": None,
        "end": None,
    }
    assert [row["term"]["code"] for row in hallobot["target_groups"]] == [
        "einzelhandel",
        "gastronomie",
        "dienstleister",
    ]
    assert hallobot["tags"][0]["note"] == "durch die Covid-19-Pandemie gestärkt"
    # What does not travel: publication, members, history, evidence files.
    text = json.dumps(data)
    for absent in ("is_published", "members", "evidence_file", "revision", "partner@example.org"):
        assert absent not in text


def test_export_costs_a_constant_number_of_queries(
    portfolio: Portfolio, three_measures: dict[str, Any], django_assert_num_queries: Any
) -> None:
    big = services.import_blueprint(user=None, data=three_measures).lab
    assert big is not None
    for lab in (portfolio.handwerk, big):
        with django_assert_num_queries(10):
            services.export_blueprint(user=None, lab=lab)


def test_only_administrators_export(portfolio: Portfolio) -> None:
    for role in ("reader", "partner", "coordinator", "outsider"):
        with pytest.raises(PermissionDenied):
            services.export_blueprint(user=portfolio.users[role], lab=portfolio.handwerk)
    admin_export = services.export_blueprint(user=portfolio.users["administrator"], lab=portfolio.handwerk)
    assert admin_export["lab"]["slug"] == portfolio.handwerk.slug


# The round trip -----------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", [HANDEL, "digitale-koproduktion-im-handwerk", "fachkraeftesicherung"])
def test_round_trip_under_a_new_slug_gives_the_same_blueprint(portfolio: Portfolio, slug: str) -> None:
    first = export(slug)
    before = counts()
    result = services.import_blueprint(user=None, data=first, slug="kopie")
    assert result.lab is not None
    assert (result.slug, result.measures, result.created_organisations, result.created_terms) == (
        "kopie",
        len(first["lab"]["measures"]),
        [],
        [],
    )
    second = services.export_blueprint(user=None, lab=result.lab)
    assert second["lab"]["slug"] == "kopie"
    assert comparable(second) == comparable(first)
    # Nothing but the new lab and its measures: no organisation or term was added.
    after = counts()
    assert (after["Organisation"], after["Term"], after["Lab"]) == (
        before["Organisation"],
        before["Term"],
        before["Lab"] + 1,
    )


def test_imported_lab_and_measures_start_unpublished_with_history(portfolio: Portfolio) -> None:
    admin = portfolio.users["administrator"]
    result = services.import_blueprint(user=admin, data=export(HANDEL), slug="kopie")
    lab = Lab.objects.get(slug="kopie")
    assert result.lab == lab
    assert not lab.is_published
    assert list(lab.measures.values_list("slug", "is_published")) == [
        ("fairtrade-town", False),
        ("hallobot", False),
    ]
    assert lab.memberships.count() == 0
    for measure in lab.measures.all():
        assert versions_of(measure).get().data == services.measure_state(measure)
    assert lab.position == Lab.objects.exclude(pk=lab.pk).order_by("-position")[0].position + 1
    versions = [version for obj in (lab, *lab.measures.all()) for version in versions_of(obj)]
    assert {version.user for version in versions} == {admin}
    assert len([version for version in versions if version.action == Version.Action.CREATED]) == 3


def test_import_creates_missing_terms_and_organisations(portfolio: Portfolio) -> None:
    """A fresh installation has empty megatrend and target-group vocabularies and none of the organisations."""
    originals = {slug: export(slug) for slug in Lab.objects.values_list("slug", flat=True)}
    for lab in Lab.objects.all():
        services.delete_lab(user=None, lab=lab)
    Term.objects.filter(vocabulary__family__in=[MEGATREND_FAMILY, TARGET_GROUP_FAMILY]).delete()
    Organisation.objects.all().delete()

    handel = services.import_blueprint(user=None, data=originals[HANDEL])
    assert handel.created_terms == [
        "Megatrends: Faires Handeln (faires-handeln)",
        "Target groups: Einzelhandel (einzelhandel)",
        "Target groups: Gastronomie (gastronomie)",
        "Target groups: Dienstleistungsunternehmen (dienstleister)",
        "Megatrends: Digitalisierung (digitalisierung)",
    ]
    assert handel.created_organisations[0] == (
        "Stadt Bottrop – Amt für Wirtschaftsförderung und Standortmanagement (Administration)"
    )
    assert len(handel.created_organisations) == Organisation.objects.count() == 5
    digitalisation = Term.objects.get(vocabulary__family=MEGATREND_FAMILY, code="digitalisierung")
    assert (digitalisation.name, digitalisation.name_en) == ("Digitalisierung", "Digitalisation")

    for slug, original in originals.items():
        if slug != HANDEL:
            services.import_blueprint(user=None, data=original)
        again = export(slug)
        assert again["lab"]["slug"] == slug
        assert comparable(again) == comparable(original)


def test_dry_run_checks_and_reports_but_writes_nothing(portfolio: Portfolio) -> None:
    data = export(HANDEL)
    data["lab"]["measures"][0]["tags"][0]["term"] = {
        "vocabulary": "megatrends",
        "code": "neo-oekologie",
        "name": "Neo-Ökologie",
    }
    data["lab"]["measures"][0]["actors"][0] = {
        "organisation": {"name": "Neue GmbH", "kind": "company"},
        "role": "",
    }
    before = counts()
    result = services.import_blueprint(user=None, data=data, slug="probe", dry_run=True)
    assert counts() == before
    assert (result.lab, result.slug, result.dry_run) == (None, "probe", True)
    assert result.created_terms == ["Megatrends: Neo-Ökologie (neo-oekologie)"]
    assert result.created_organisations == ["Neue GmbH (Company)"]


def test_organisations_match_by_name_ignoring_case_and_spaces_and_by_kind(portfolio: Portfolio) -> None:
    data = export(HANDEL)
    actors = data["lab"]["measures"][0]["actors"]
    actors[1]["organisation"] = {"name": "  RAT DER STADT BOTTROP ", "kind": "politics"}
    actors.append(
        {"organisation": {"name": "Rat der Stadt Bottrop", "kind": "administration"}, "role": "Gast"}
    )
    result = services.import_blueprint(user=None, data=data, slug="kopie")
    assert result.created_organisations == ["Rat der Stadt Bottrop (Administration)"]
    rat = Organisation.objects.get(slug="rat-der-stadt-bottrop")
    measure = Measure.objects.get(lab__slug="kopie", slug="fairtrade-town")
    assert [actor.organisation for actor in measure.actors.all() if actor.organisation] == [
        rat,
        Organisation.objects.get(name="Rat der Stadt Bottrop", kind="administration"),
    ]


def test_json_numbers_are_accepted_as_amounts(portfolio: Portfolio) -> None:
    data = export(HANDEL)
    data["lab"]["measures"][1]["financing"][1]["amount"] = 15000
    data["lab"]["measures"][1]["financing"][0]["amount"] = 99.5
    services.import_blueprint(user=None, data=data, slug="kopie")
    financing = Measure.objects.get(lab__slug="kopie", slug="hallobot").financing.all()
    assert [row.amount for row in financing] == [Decimal("99.50"), Decimal("15000.00")]


def test_names_of_fixed_vocabularies_are_informational(portfolio: Portfolio) -> None:
    data = export(HANDEL)
    data["lab"]["measures"][0]["tags"][1]["term"]["name"] = "Irgendein Name"
    result = services.import_blueprint(user=None, data=data, slug="kopie")
    assert result.created_terms == []
    assert (
        Term.objects.get(vocabulary__family="sdg", vocabulary__retired_at__isnull=True, code="11").name
        != "Irgendein Name"
    )


def test_only_administrators_import(portfolio: Portfolio) -> None:
    data = export(HANDEL)
    before = counts()
    for role in ("reader", "partner", "coordinator", "outsider"):
        with pytest.raises(PermissionDenied):
            services.import_blueprint(user=portfolio.users[role], data=data, slug="kopie")
    assert counts() == before


# Broken files -------------------------------------------------------------------------------------


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change of the document at ``path`` (``lab.measures.2.title``)."""

    def change(data: dict[str, Any]) -> None:
        *parents, last = [int(part) if part.isdigit() else part for part in path.split(".")]
        target: Any = data
        for part in parents:
            target = target[part]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value

    return change


_DELETE = object()
BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], dict[str, list[str]]]] = [
    (
        "wrong format",
        _set("format", "something-else"),
        {"format": ["This is not a Reallabor blueprint: “format” must be “reallabor-blueprint”."]},
    ),
    (
        "unsupported version",
        _set("version", 2),
        {
            "version": [
                "Version 2 of the blueprint format is not supported; this installation reads version 1."
            ]
        },
    ),
    ("version as text", _set("version", "1"), {"version": ["Expected a whole number, found text."]}),
    ("missing lab", _set("lab", _DELETE), {"lab": ["This field is required."]}),
    (
        "missing title",
        _set("lab.measures.1.title", _DELETE),
        {"lab.measures[1].title": ["This field is required."]},
    ),
    (
        "amount that is no number",
        _set("lab.measures.2.financing.0.amount", "12x"),
        {
            "lab.measures[2].financing[0].amount": [
                "“12x” is not a valid amount; write euros with a dot and at most two decimals, e.g. “15000.00”."
            ]
        },
    ),
    (
        "negative amount as text",
        _set("lab.measures.1.financing.1.amount", "-5.00"),
        {
            "lab.measures[1].financing[1].amount": [
                "“-5.00” is not a valid amount; write euros with a dot and at most two decimals, e.g. “15000.00”."
            ]
        },
    ),
    (
        "negative amount as number",
        _set("lab.measures.1.financing.1.amount", -5),
        {"lab.measures[1].financing[1].amount": ["The amount must not be negative."]},
    ),
    (
        "amount with three decimals",
        _set("lab.measures.1.financing.1.amount", 1.125),
        {"lab.measures[1].financing[1].amount": ["Ensure that there are no more than 2 decimal places."]},
    ),
    (
        "activity that ends before it starts",
        _set(
            "lab.measures.0.activities.1",
            {"title": "Rückwärts", "start": "2021-05-01", "end": "2021-04-01", "text": ""},
        ),
        {"lab.measures[0].activities[1].end": ["The end must not be before the start."]},
    ),
    (
        "unknown SDG code",
        _set("lab.measures.0.tags.1.term.code", "99"),
        {
            "lab.measures[0].tags[1].term.code": [
                "There is no term “99” in the vocabulary “UN Sustainable Development Goals (SDGs)”."
            ]
        },
    ),
    (
        "unknown vocabulary family",
        _set("lab.measures.0.tags.0.term.vocabulary", "trends"),
        {
            "lab.measures[0].tags[0].term.vocabulary": [
                "There is no vocabulary “trends” (known: funding-areas, megatrends, motivations, needs, sdg, strategy, target-groups, trades, wz2008)."
            ]
        },
    ),
    (
        "new megatrend without a name",
        _set("lab.measures.0.tags.0.term", {"vocabulary": "megatrends", "code": "neo-oekologie"}),
        {
            "lab.measures[0].tags[0].term.name": [
                "“neo-oekologie” is not yet a term of “Megatrends”; give its name so that it can be created."
            ]
        },
    ),
    (
        "unknown organisation kind",
        _set("lab.organisations.0.organisation.kind", "club"),
        {
            "lab.organisations[0].organisation.kind": [
                "“club” is not one of the allowed values: “company”, “science”, “multiplier”, “politics”, "
                "“civil_society”, “administration”."
            ]
        },
    ),
    (
        "duplicate measure slug",
        _set("lab.measures.2.slug", "hallobot"),
        {
            "lab.measures[2].slug": [
                "The short name “hallobot” is already used by lab.measures[1] in this file."
            ]
        },
    ),
    (
        "organisation listed twice",
        _set(
            "lab.organisations.1",
            {"organisation": {"name": "buchhandlung seitenweise (fiktiv)", "kind": "company"}},
        ),
        {
            "lab.organisations[1].organisation": [
                "This organisation is already listed as lab.organisations[0]."
            ]
        },
    ),
    ("unknown field", _set("lab.measures.0.colour", "red"), {"lab.measures[0].colour": ["Unknown field."]}),
    ("name of the wrong type", _set("lab.name", 5), {"lab.name": ["Expected text, found a whole number."]}),
    (
        "impossible date",
        _set("lab.funding_start", "2021-02-30"),
        {"lab.funding_start": ["“2021-02-30” is not a valid date; write it as YYYY-MM-DD."]},
    ),
    (
        "empty title",
        _set("lab.measures.0.title", ""),
        {"lab.measures[0].title": ["This field must not be empty."]},
    ),
    (
        "bad short name",
        _set("lab.measures.0.slug", "Fair Trade"),
        {
            "lab.measures[0].slug": [
                "“Fair Trade” is not a valid short name; use only letters, digits, hyphens and underscores."
            ]
        },
    ),
    (
        "shares above 100 %",
        _set(
            "lab.measures.0.tags",
            [
                {"term": {"vocabulary": "sdg", "code": "11"}, "priority": "", "share": 60, "note": ""},
                {"term": {"vocabulary": "sdg", "code": "12"}, "priority": "", "share": 50, "note": ""},
            ],
        ),
        {
            "lab.measures[0].tags": [
                "The shares of the “sdg” tags add up to 110 %; at most 100 % are possible."
            ]
        },
    ),
    (
        "actor that is organisation and group",
        _set("lab.measures.0.actors.1.group_name", "Ratsmitglieder"),
        {"lab.measures[0].actors[1]": ["Name either an organisation or a group, not both."]},
    ),
    (
        "blank measure title",
        _set("lab.measures.1.title", "   "),
        {"lab.measures[1].title": ["This field cannot be blank."]},
    ),
    (
        "error in the last measure only",
        _set("lab.measures.2.results.0.evidence_url", "kein Link"),
        {"lab.measures[2].results[0].evidence_url": ["Enter a valid URL."]},
    ),
]


@pytest.mark.parametrize(("change", "expected"), [row[1:] for row in BROKEN], ids=[row[0] for row in BROKEN])
def test_broken_file_names_the_path_and_writes_nothing(
    three_measures: dict[str, Any], change: Callable[[dict[str, Any]], None], expected: dict[str, list[str]]
) -> None:
    services.import_blueprint(user=None, data=copy.deepcopy(three_measures), dry_run=True)  # valid as it is
    change(three_measures)
    assert refuse(three_measures) == expected


def test_a_file_that_is_no_object_is_refused(portfolio: Portfolio) -> None:
    message = "A blueprint is a JSON object with the fields “format”, “version” and “lab”."
    assert refuse([1, 2]) == {"__all__": [message]}


def test_slug_clash_suggests_another_short_name_and_as_fixes_it(portfolio: Portfolio) -> None:
    data = export(HANDEL)
    assert refuse(data) == {
        "lab.slug": [
            "The short name “hybride-formen-des-handels” is already used by the lab “Hybride Formen des Handels”; "
            "import under another short name (command line: --as NEW-SLUG)."
        ]
    }
    assert refuse(data, slug="neu") == {"lab.slug": ["“neu” is reserved; choose another short name."]}
    assert refuse(data, slug="importieren") == {
        "lab.slug": ["“importieren” is reserved; choose another short name."]
    }
    assert services.import_blueprint(user=None, data=data, slug="kopie").slug == "kopie"


def test_every_problem_of_a_file_is_reported_at_once(three_measures: dict[str, Any]) -> None:
    data = three_measures
    data["lab"]["slug"] = HANDEL
    data["lab"]["funding_end"] = "2019-01-01"
    data["lab"]["measures"][0]["tags"][1]["term"]["code"] = "99"
    data["lab"]["measures"][1]["activities"][0].update({"start": "2021-05-01", "end": "2021-04-01"})
    data["lab"]["measures"][2]["results"][0]["evidence_url"] = "kein Link"
    problems = refuse(data)
    assert list(problems) == [
        "lab.funding_end",
        "lab.measures[0].tags[1].term.code",
        "lab.measures[1].activities[0].end",
        "lab.measures[2].results[0].evidence_url",
        "lab.slug",
    ]


def test_lab_errors_are_reported_with_the_measures(three_measures: dict[str, Any]) -> None:
    three_measures["lab"]["funding_end"] = "2019-01-01"
    three_measures["lab"]["measures"][2]["results"][0]["evidence_url"] = "kein Link"
    assert refuse(three_measures) == {
        "lab.funding_end": ["The end must not be before the start."],
        "lab.measures[2].results[0].evidence_url": ["Enter a valid URL."],
    }


def test_schema_problems_are_capped(portfolio: Portfolio) -> None:
    data = export(HANDEL)
    measure = data["lab"]["measures"][1]
    data["lab"]["measures"] = [
        {**copy.deepcopy(measure), "slug": f"m{index}", "title": 7}
        for index in range(blueprints.MAX_PROBLEMS + 20)
    ]
    problems = refuse(data)
    assert len(problems) == blueprints.MAX_PROBLEMS + 1
    assert problems["lab.measures[0].title"] == ["Expected text, found a whole number."]
    assert problems["__all__"] == ["… and 20 more problems."]


# Reading files ------------------------------------------------------------------------------------


def test_parse_names_line_and_column_of_invalid_json() -> None:
    with pytest.raises(ValidationError) as info:
        blueprints.parse(b'{\n  "format": "reallabor-blueprint",\n  "version": 1,,\n}')
    assert error_dict(info.value) == {
        "__all__": [
            "The file is not valid JSON: Expecting property name enclosed in double quotes (line 3, column 16)."
        ]
    }


def test_parse_refuses_a_file_nested_too_deeply() -> None:
    with pytest.raises(ValidationError) as info:
        blueprints.parse(b"[" * 100_000)
    assert error_dict(info.value) == {"__all__": ["The file is nested too deeply to be a blueprint."]}


def test_an_organisation_named_twice_as_coordinator_counts_once(three_measures: dict[str, Any]) -> None:
    measure = three_measures["lab"]["measures"][0]
    measure["coordinators"] = [measure["coordinators"][0], dict(measure["coordinators"][0])]
    services.import_blueprint(user=None, data=three_measures)
    imported = Lab.objects.get(slug="neues-labor").measures.get(slug=measure["slug"])
    [version] = Version.objects.filter(object_id=imported.pk, content_type__model="measure")
    assert version.data["coordinators"] == list(imported.coordinators.values_list("slug", flat=True))
    assert len(version.data["coordinators"]) == 1


def test_parse_refuses_other_encodings_and_accepts_a_byte_order_mark() -> None:
    with pytest.raises(ValidationError) as info:
        blueprints.parse('{"name": "Büro"}'.encode("latin-1"))
    assert error_dict(info.value) == {"__all__": ["The file is not UTF-8 text (byte 12)."]}
    assert blueprints.parse('\ufeff{"a": "ä"}'.encode()) == {"a": "ä"}


# The pure parts ----------------------------------------------------------------------------------


def test_paths() -> None:
    assert (
        blueprints.format_path(["lab", "measures", 2, "financing", 0, "amount"])
        == "lab.measures[2].financing[0].amount"
    )
    assert blueprints.format_path([]) == "__all__"
    assert (
        blueprints.join_path("lab.measures[2]", "financing[0].amount")
        == "lab.measures[2].financing[0].amount"
    )
    assert blueprints.join_path("lab.measures[2]", "__all__") == "lab.measures[2]"
    assert blueprints.join_path("lab.measures[2].coordinators", "[1]") == "lab.measures[2].coordinators[1]"
    assert blueprints.error_lines({"__all__": ["Bad file."], "lab.slug": ["Taken.", "Too long."]}) == [
        "Bad file.",
        "lab.slug: Taken.",
        "lab.slug: Too long.",
    ]
    ordered = blueprints.in_document_order(
        [
            ("lab.measures[10].title", "b"),
            ("lab.measures[2].title", "a"),
            ("__all__", "c"),
            ("lab.measures[2]", "d"),
        ]
    )
    assert [path for path, _message in ordered] == [
        "__all__",
        "lab.measures[2]",
        "lab.measures[2].title",
        "lab.measures[10].title",
    ]


def test_amounts_become_decimal_strings() -> None:
    assert [blueprints.normalise_amount(value) for value in (None, "", "15000.00", 15000, 99.5)] == [
        None,
        None,
        "15000.00",
        "15000",
        "99.5",
    ]


def test_schema_is_valid_and_documented_unchanged() -> None:
    Draft202012Validator.check_schema(blueprints.schema())
    documented = Path(settings.BASE_DIR) / "docs" / "blueprints" / blueprints.SCHEMA_NAME
    assert documented.read_text(encoding="utf-8") == blueprints.SCHEMA_PATH.read_text(encoding="utf-8")


def test_schema_choices_are_the_models_choices() -> None:
    definitions = blueprints.schema()["$defs"]
    assert definitions["organisationKind"]["enum"] == Organisation.Kind.values
    assert definitions["lab"]["properties"]["phase"]["enum"] == Lab.Phase.values
    assert definitions["labOrganisation"]["properties"]["role"]["enum"] == LabOrganisation.Role.values
    assert definitions["measure"]["properties"]["status"]["enum"] == Measure.Status.values
    assert definitions["financing"]["properties"]["source_kind"]["enum"] == Financing.SourceKind.values
    assert definitions["tag"]["properties"]["priority"]["enum"] == [*Tag.Priority.values, ""]


def test_documented_example_imports(db: None) -> None:
    example = Path(settings.BASE_DIR) / "docs" / "blueprints" / "example-lab.json"
    data = blueprints.parse(example.read_bytes())
    result = services.import_blueprint(user=None, data=data)
    assert result.lab is not None
    again = services.export_blueprint(user=None, lab=result.lab)
    assert again["lab"] == data["lab"]


# Property: edits of a measure's profile survive the round trip --------------------------------------

ORGANISATIONS = [
    {"name": "Muster GmbH", "kind": "company"},
    {"name": "Hochschule Beispiel", "kind": "science"},
]
MEGATRENDS = [
    ("digitalisierung", "Digitalisierung", "Digitalisation"),
    ("migration", "Migration", "Migration"),
]
TARGET_GROUPS = [("einzelhandel", "Einzelhandel", "Retail"), ("handwerk", "Handwerk", "Crafts")]
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüß ABCXYZ0123456789-", min_size=1, max_size=30).filter(
    lambda value: value.strip() == value and value != ""
)
# Any text a person could type (no control characters: PostgreSQL refuses NUL).
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
dates = st.dates(min_value=datetime.date(2015, 1, 1), max_value=datetime.date(2035, 12, 31))


@st.composite
def periods(draw: st.DrawFn, *, start_required: bool = False) -> tuple[str | None, str | None]:
    start = draw(dates if start_required else st.none() | dates)
    if start is None:
        return None, None
    end = draw(
        st.none() | st.integers(min_value=0, max_value=800).map(lambda days: start + datetime.timedelta(days))
    )
    return start.isoformat(), end.isoformat() if end else None


@st.composite
def profiles(draw: st.DrawFn) -> dict[str, Any]:
    activities = []
    for _index in range(draw(st.integers(0, 3))):
        start, end = draw(periods(start_required=draw(st.booleans())))
        activities.append({"title": draw(words), "start": start, "end": end, "text": draw(texts)})
    financing = []
    for _index in range(draw(st.integers(0, 3))):
        start, end = draw(periods())
        amount = draw(st.none() | st.decimals(min_value=0, max_value=10**9, places=2).map(str))
        kind = draw(st.sampled_from(["programme", "funder"]))
        financing.append(
            {"source_kind": kind, "source": draw(words), "amount": amount, "start": start, "end": end}
        )
    actors = []
    for _index in range(draw(st.integers(0, 3))):
        organisation = draw(st.none() | st.sampled_from(ORGANISATIONS))
        group = "" if organisation else draw(words)
        actors.append({"organisation": organisation, "group_name": group, "role": draw(st.just("") | words)})
    target_groups = [
        {
            "term": {"vocabulary": TARGET_GROUP_FAMILY, "code": code, "name": name, "name_en": name_en},
            "added_value": draw(texts),
        }
        for code, name, name_en in draw(st.lists(st.sampled_from(TARGET_GROUPS), unique=True, max_size=2))
    ]
    tags: list[dict[str, Any]] = []
    for code, name, name_en in draw(st.lists(st.sampled_from(MEGATRENDS), unique=True, max_size=2)):
        term = {"vocabulary": MEGATREND_FAMILY, "code": code, "name": name, "name_en": name_en}
        weight = draw(st.sampled_from([("primary", None), ("secondary", None), ("", 30), ("", 70)]))
        tags.append(
            {"term": term, "priority": weight[0], "share": weight[1], "note": draw(st.just("") | words)}
        )
    if sum(tag["share"] or 0 for tag in tags) > 100:
        tags = tags[:1]
    results = [
        {
            "date": draw(st.none() | dates.map(datetime.date.isoformat)),
            "text": draw(words),
            "evidence_url": draw(st.sampled_from(["", "https://example.org/a"])),
        }
        for _index in range(draw(st.integers(0, 2)))
    ]
    return {
        "coordinators": draw(
            st.lists(st.sampled_from(ORGANISATIONS), unique_by=lambda org: org["name"], max_size=2)
        ),
        "activities": activities,
        "financing": financing,
        "actors": actors,
        "target_groups": target_groups,
        "results": results,
        "tags": tags,
    }


_numbers = itertools.count(1)


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(profile=profiles())
def test_edited_profiles_survive_the_round_trip(profile: dict[str, Any]) -> None:
    number = next(_numbers)
    measure: dict[str, Any] = {
        "title": "Maßnahme",
        "slug": "massnahme",
        "summary": "",
        "status": "running",
        "start": None,
        "end": None,
    }
    measure.update(profile)
    measure["coordinators"] = sorted(measure["coordinators"], key=lambda org: (org["name"], org["kind"]))
    lab = {
        "name": f"Labor {number}",
        "slug": f"labor-{number}",
        "summary": "",
        "background": "",
        "outlook": "",
        "phase": "co_design",
        "funding_start": None,
        "funding_end": None,
        "coordinator": None,
        "organisations": [],
        "measures": [measure],
    }
    data = blueprints.document(
        lab, exported_at="2025-01-01T00:00:00+00:00", city="Bottrop", office="Wirtschaftsförderung"
    )
    result = services.import_blueprint(user=None, data=data)
    assert result.lab is not None
    again = services.export_blueprint(user=None, lab=result.lab)
    assert again["lab"]["measures"] == [measure]
    # The history holds the state as stored (create_measure records it without reading it back).
    stored = Measure.objects.get(lab=result.lab)
    assert versions_of(stored).get().data == services.measure_state(stored)
