"""The pure rules of importing: mapping suggestions, row checks, duplicates within the file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from reallabor.actors import importing
from reallabor.actors.importing import (
    ExistingIndex,
    Vocabularies,
    build_plan,
    check_mapping,
    is_formula_like,
    parse_date,
    parse_number,
    split_full_name,
    suggest_mapping,
)
from reallabor.actors.spreadsheets import Table
from reallabor.organisations.models import HEADCOUNT_BOUNDS


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Our msgids are English; the tests read them so, whatever the translations say."""
    with translation.override("en"):
        yield


TODAY = dt.date(2025, 6, 30)


def vocabularies(**overrides: object) -> Vocabularies:
    values: dict[str, object] = {
        "kinds": {"company": "company", "unternehmen": "company", "science": "science", "wissenschaft": "science",
                  "multiplier": "multiplier", "civilsociety": "civil_society"},
        "sub_kinds": {"university": "university", "hochschule": "university", "verein": "club", "club": "club"},
        "sub_kinds_of": {"science": ("university", "research_institute"), "civil_society": ("club",)},
        "sectors": {"16": 1016, "herstellungvonholz": 1016, "43": 1043},
        "trades": {"a24": 2024, "tischler": 2024, "a25": 2025},
        "needs": {"skilledworkers": 31, "fachkraefte": 31, "digitalisation": 32, "digitalisierung": 32},
        "motivations": {"image": 41, "innovation": 42},
        "labs": {"handwerk": 51, "handel": 52},
        "lab_names": {51: "Handwerk", 52: "Handel"},
        "editable_labs": frozenset({51}),
        "headcount_bands": dict(HEADCOUNT_BOUNDS),
        "alliance": {"member": "member", "mitglied": "member", "ja": "member", "ehemalig": "former", "nein": ""},
        "purposes_with_text": frozenset({"newsletter", "photos"}),
        "max_lengths": {"organisation.name": 200, "organisation.postcode": 10, "person.last_name": 100,
                        "organisation.email": 254, "person.email": 254, "organisation.website": 200},
        "today": TODAY,
    }  # fmt: skip
    values.update(overrides)
    return Vocabularies(**values)  # type: ignore[arg-type]


def table(headers: list[str], *rows: list[str]) -> Table:
    return Table(
        headers=headers,
        rows=[(number, list(cells)) for number, cells in enumerate(rows, start=2)],
        format="csv",
    )


def plan_of(headers: list[str], *rows: list[str], **overrides: object) -> importing.Plan:
    data = table(headers, *rows)
    mapping = suggest_mapping(headers)
    assert check_mapping(headers, mapping) == []
    return build_plan(data, mapping, vocabularies(**overrides))


def error_texts(plan: importing.Plan) -> list[str]:
    return [error.text for error in plan.errors]


# Mapping ----------------------------------------------------------------------------------------


def test_german_headers_are_recognised() -> None:
    headers = ["Firma", "Straße", "PLZ", "Ort", "Stadtteil", "Branche", "Gewerk", "Mitarbeiter", "Gründungsjahr",
               "Homepage", "Anrede", "Vorname", "Nachname", "Funktion", "E-Mail", "Telefon", "Handy", "Newsletter",
               "Bemerkung"]  # fmt: skip
    assert suggest_mapping(headers) == {
        "Firma": "organisation.name",
        "Straße": "organisation.street",
        "PLZ": "organisation.postcode",
        "Ort": "organisation.city",
        "Stadtteil": "organisation.district",
        "Branche": "organisation.sector",
        "Gewerk": "organisation.trade",
        "Mitarbeiter": "organisation.headcount_band",
        "Gründungsjahr": "organisation.founding_year",
        "Homepage": "organisation.website",
        "Anrede": "person.salutation",
        "Vorname": "person.first_name",
        "Nachname": "person.last_name",
        "Funktion": "person.function",
        "E-Mail": "person.email",
        "Telefon": "person.phone",
        "Handy": "person.mobile",
        "Newsletter": "consent.newsletter",
    }


def test_plain_email_and_phone_belong_to_the_organisation_when_no_person_is_named() -> None:
    assert suggest_mapping(["Unternehmen", "E-Mail", "Tel."]) == {
        "Unternehmen": "organisation.name",
        "E-Mail": "organisation.email",
        "Tel.": "organisation.phone",
    }


def test_name_is_the_last_name_next_to_a_company_column_and_compounds_are_understood() -> None:
    assert suggest_mapping(["Firma", "Vorname", "Name", "E-Mail Firma", "E-Mail Ansprechpartner"]) == {
        "Firma": "organisation.name",
        "Vorname": "person.first_name",
        "Name": "person.last_name",
        "E-Mail Firma": "organisation.email",
        "E-Mail Ansprechpartner": "person.email",
    }


def test_english_headers_and_our_own_field_names() -> None:
    assert suggest_mapping(["Company", "Zip code", "City", "First name", "Last name", "Email"]) == {
        "Company": "organisation.name",
        "Zip code": "organisation.postcode",
        "City": "organisation.city",
        "First name": "person.first_name",
        "Last name": "person.last_name",
        "Email": "person.email",
    }
    assert suggest_mapping(["organisation.name", "consent.photos"]) == {
        "organisation.name": "organisation.name",
        "consent.photos": "consent.photos",
    }


def test_ansprechpartner_is_a_full_name() -> None:
    assert suggest_mapping(["Firma", "Ansprechpartner", "E-Mail"]) == {
        "Firma": "organisation.name",
        "Ansprechpartner": "person.name",
        "E-Mail": "person.email",
    }


def test_check_mapping_names_every_problem() -> None:
    headers = ["Firma", "Ort", "Notiz"]
    assert check_mapping(headers, {"Firma": "organisation.name"}) == []
    assert check_mapping(headers, {"Ort": "organisation.city"}) == [
        "No column gives the organisation's name (“Organisation: name”) or the person's last name "
        "(“Person: last name”); map one of them."
    ]
    assert check_mapping(headers, {"Firma": "organisation.name", "Ort": "organisation.name"}) == [
        "The columns “Firma” and “Ort” both go to “Organisation: name”; choose one."
    ]
    assert check_mapping(headers, {"Firma": "organisation.name", "Spalte": "organisation.city"}) == [
        "The file has no column “Spalte”."
    ]
    assert check_mapping(headers, {"Firma": "organisation.nonsense"}) == [
        "Column “Firma”: “organisation.nonsense” is not a field that can be imported."
    ]


# Values -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12,5", Decimal("12.5")),
        ("-12,5", Decimal("-12.5")),
        ("1.234", Decimal("1234")),
        ("1.234,5", Decimal("1234.5")),
        ("1,234.5", Decimal("1234.5")),
        ("12.5", Decimal("12.5")),
        ("1.234.567", Decimal("1234567")),
        ("1,234,567", Decimal("1234567")),
        ("+7", Decimal("7")),
        (" 42 ", Decimal("42")),
        ("12,", None),
        ("1.2.3", None),
        ("abc", None),
        ("", None),
        ("1e5", None),
    ],
)
def test_parse_number(text: str, number: Decimal | None) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("31.12.2024", dt.date(2024, 12, 31)),
        ("1.2.2024", dt.date(2024, 2, 1)),
        ("2024-12-31", dt.date(2024, 12, 31)),
        ("2024-12-31 10:30", dt.date(2024, 12, 31)),
        ("2024-12-31T10:30:00", dt.date(2024, 12, 31)),
    ],
)
def test_parse_date(text: str, day: dt.date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize("text", ["31.02.2024", "2024/12/31", "12/31/2024", "morgen", "31.12.24"])
def test_parse_date_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "dangerous"),
    [
        ("=1+1", True),
        ('=HYPERLINK("http://x")', True),
        ("+1+cmd|' /C calc'!A0", True),
        ("-2+3", True),
        ("@SUM(A1)", True),
        ("\t=1", True),
        ("\r=1", True),
        ("-12,5", False),
        ("+49 2041 12345", False),
        ("+49 (0) 2041/123-45", False),
        ("-", False),
        ("Müller", False),
        ("a=b", False),
        ("", False),
    ],
)
def test_is_formula_like(text: str, dangerous: bool) -> None:
    assert is_formula_like(text) is dangerous


@settings(max_examples=300)
@given(st.sampled_from("=@"), st.text(max_size=30))
def test_is_formula_like_refuses_every_formula(start: str, rest: str) -> None:
    assert is_formula_like(start + rest)


@settings(max_examples=300)
@given(
    st.sampled_from("+-"),
    st.text(alphabet=st.characters(exclude_characters="0123456789 ()/-.,+"), min_size=1, max_size=20),
)
def test_is_formula_like_refuses_signed_text_that_is_no_number_or_phone(start: str, rest: str) -> None:
    assert is_formula_like(start + rest)


@settings(max_examples=200)
@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9))
def test_numbers_in_german_form_are_no_formulas(number: Decimal) -> None:
    text = f"{number:f}".replace(".", ",")
    assert not is_formula_like(text)
    assert parse_number(text) == number


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Anna Schreiner", ("", "Anna", "Schreiner")),
        ("Frau Dr. Anna Schreiner", ("Frau", "Dr. Anna", "Schreiner")),
        ("Schreiner, Anna", ("", "Anna", "Schreiner")),
        ("Herr Max von der Heide", ("Herr", "Max von der", "Heide")),
        ("Schreiner", ("", "", "Schreiner")),
    ],
)
def test_split_full_name(text: str, parts: tuple[str, str, str]) -> None:
    assert split_full_name(text) == parts


# Rows ---------------------------------------------------------------------------------------------


def test_a_good_row_of_an_organisation_with_a_person() -> None:
    plan = plan_of(
        ["Firma", "Art", "Branche", "Gewerk", "Mitarbeiter", "Gründungsjahr", "PLZ", "Ort", "Homepage",
         "Wirtschaftsallianz", "Bedarfe", "Motivation", "Reallabor", "Vorname", "Nachname", "E-Mail", "Newsletter", "Fotos"],
        ["Tischlerei Holz GmbH", "Unternehmen", "16.23", "Tischler", "12", "1998", "46236", "Bottrop",
         "www.holz.example", "Mitglied", "Fachkräfte; Digitalisierung", "Image", "Handwerk", "Anna", "Holz",
         "anna@holz.example", "ja", "x 01.03.2024"],
    )  # fmt: skip
    assert plan.errors == []
    [organisation] = plan.organisations
    assert organisation.values == {
        "name": "Tischlerei Holz GmbH",
        "kind": "company",
        "sub_kind": "",
        "sector_id": 1016,
        "trade_id": 2024,
        "headcount_band": "10-19",
        "founding_year": 1998,
        "postcode": "46236",
        "city": "Bottrop",
        "website": "https://www.holz.example",
        "alliance_status": "member",
    }
    assert (organisation.needs, organisation.motivations, organisation.labs) == ([31, 32], [41], [51])
    [person] = plan.people
    assert person.values == {"first_name": "Anna", "last_name": "Holz", "email": "anna@holz.example"}
    assert person.organisation == 0
    assert person.consents == [("newsletter", None), ("photos", dt.date(2024, 3, 1))]


def test_every_bad_cell_is_named_by_row_and_column() -> None:
    plan = plan_of(
        ["Firma", "PLZ", "E-Mail Firma", "Branche", "Gewerk", "Mitarbeiter", "Gründungsjahr", "Bedarfe", "Reallabor",
         "Allianz seit", "Homepage"],
        ["Gut GmbH", "46236", "info@gut.example", "16", "a-24", "1-4", "2001", "Fachkräfte", "", "", ""],
        ["Schlecht GmbH", "4623", "info(at)schlecht", "99", "Bäcker", "viele", "3000", "Glück, Fachkräfte",
         "Handel", "32.13.2020", "nicht eine url"],
    )  # fmt: skip
    assert error_texts(plan) == [
        "Row 3, column “Branche”: Unknown sector “99”: give a WZ 2008 division (two digits such as 16) or its name.",
        "Row 3, column “Gewerk”: Unknown trade “Bäcker”.",
        "Row 3, column “Mitarbeiter”: “viele” is not a number of employees (at least 1) nor one of the bands "
        "1-4, 5-9, 10-19, 20-49, 50-249, 250+.",
        "Row 3, column “Gründungsjahr”: “3000” is not a year between 1000 and 2025.",
        "Row 3, column “E-Mail Firma”: This is not a valid e-mail address.",
        "Row 3, column “Homepage”: “nicht eine url” is not a web address such as www.example.org.",
        "Row 3, column “Allianz seit”: “32.13.2020” is not a date; write it as 31.12.2024 or 2024-12-31.",
        "Row 3, column “Bedarfe”: Unknown need “Glück”.",
        "Row 3, column “Reallabor”: You may not add organisations to the lab “Handel”.",
    ]
    assert plan.error_rows() == [3]


EMAILS = [
    "anna@holz.example", "a.b-c+d_e@sub.holz-bau.example", "ANNA@HOLZ.EXAMPLE", "x@localhost", "a@b.c",
    "a..b@holz.example", ".a@holz.example", "a.@holz.example", "a@-holz.example", "a@holz-.example",
    "a@holz.e1", "a@holz..example", "a@holz", "müller@holz.example", "a@müller.example", '"a b"@holz.example',
    "a@[127.0.0.1]", "a@holz.xn--p1ai", "a@" + "h" * 64 + ".example", "a@" + "h" * 63 + ".example",
    "a" * 300 + "@holz.example", "a@holz.example.", "a b@holz.example", "a@holz.exam\nple", "@holz.example",
    "mailto:anna@holz.example",
]  # fmt: skip


@pytest.mark.parametrize("address", EMAILS)
def test_email_addresses_are_checked_as_django_checks_them(address: str) -> None:
    plan = plan_of(["Nachname", "E-Mail"], ["Holz", address], max_lengths={})
    try:
        validate_email(address.removeprefix("mailto:"))
    except ValidationError:
        valid = False
    else:
        valid = True
    assert (not plan.errors) == valid, error_texts(plan)
    if valid:
        assert plan.people[0].values["email"] == address.removeprefix("mailto:")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.emails(), st.text(alphabet='aZ09.-_+@é[]:" ', min_size=1, max_size=24)))
def test_any_email_address_is_checked_as_django_checks_it(address: str) -> None:
    text = address.strip()
    if not text or is_formula_like(text):
        return
    plan = plan_of(["Nachname", "E-Mail"], ["Holz", text], max_lengths={})
    try:
        validate_email(text.removeprefix("mailto:"))
    except ValidationError:
        valid = False
    else:
        valid = True
    assert (not plan.errors) == valid, error_texts(plan)


def test_a_four_digit_postcode_lost_its_leading_zero_and_others_are_refused() -> None:
    plan = plan_of(["Firma", "PLZ"], ["A", "1067"], ["B", "123"], ["C", "D-46236"], ["D", "4623x"])
    assert [o.values.get("postcode") for o in plan.organisations] == ["01067", "46236"]
    assert error_texts(plan) == [
        "Row 3, column “PLZ”: “123” is not a German postcode of five digits.",
        "Row 5, column “PLZ”: “4623x” is not a German postcode of five digits.",
    ]


def test_formula_cells_are_refused_with_row_and_column() -> None:
    plan = plan_of(
        ["Firma", "Telefon", "Ort"],
        ['=HYPERLINK("http://böse.example";"Klick")', "+49 2041 1234", "Bottrop"],
        ["Gut", "-12,5", "@SUMME(A1)"],
        ["Auch gut", "+49 (0)2041/55-66", "-"],
    )
    assert error_texts(plan) == [
        # (The cells are not quoted: they may hold personal data, and the report is kept.)
        "Row 2, column “Firma”: This is a spreadsheet formula; formulas are not imported. Enter the value as text.",
        "Row 3, column “Ort”: This is a spreadsheet formula; formulas are not imported. Enter the value as text.",
    ]
    assert [o.values["name"] for o in plan.organisations] == ["Auch gut"]


def test_vocabulary_values_by_code_or_name_in_any_spelling() -> None:
    plan = plan_of(
        ["Firma", "Art", "Unterart", "Bedarfe"],
        ["Uni", "", "Hochschule", "skilled workers | DIGITALISIERUNG"],
        ["Verein", "Zivilgesellschaft", "Verein", ""],
        ["Falsch", "Wissenschaft", "Verein", ""],
        ["Unbekannt", "Sekte", "", ""],
        kinds={
            "company": "company",
            "science": "science",
            "wissenschaft": "science",
            "zivilgesellschaft": "civil_society",
        },
    )
    assert [(o.values["kind"], o.values["sub_kind"]) for o in plan.organisations] == [
        ("science", "university"),
        ("civil_society", "club"),
    ]
    assert plan.organisations[0].needs == [31, 32]
    assert error_texts(plan) == [
        "Row 4, column “Unterart”: The sub-kind “Verein” does not belong to the kind “Wissenschaft”.",
        "Row 5, column “Art”: Unknown kind “Sekte”.",
    ]


def test_headcount_as_bands_or_numbers() -> None:
    plan = plan_of(
        ["Firma", "Mitarbeiter"],
        ["A", "1–4"], ["B", "250+"], ["C", "ab 250"], ["D", "14"], ["E", "1.500"], ["F", "10 - 19 Beschäftigte"],
        ["G", "0"], ["H", "3-7"], ["I", "12,5"],
    )  # fmt: skip
    assert [o.values["headcount_band"] for o in plan.organisations] == [
        "1-4",
        "250+",
        "250+",
        "10-19",
        "250+",
        "10-19",
    ]
    assert plan.error_rows() == [8, 9, 10]


def test_consents_need_a_yes_a_known_text_and_no_future_date() -> None:
    plan = plan_of(
        ["Nachname", "Newsletter", "Fotos", "Einwilligung Matching"],
        ["A", "ja", "nein", ""],
        ["B", "2025-07-01", "", ""],
        ["C", "vielleicht", "", ""],
        ["D", "", "", "x"],
        ["E", "nein 01.01.2024", "", ""],
    )
    assert [p.consents for p in plan.people] == [[("newsletter", None)]]
    assert error_texts(plan) == [
        "Row 3, column “Newsletter”: A consent cannot be given in the future.",
        "Row 4, column “Newsletter”: “vielleicht” is not a consent: write “ja” or “x”, optionally with the date "
        "(ja 31.12.2024).",
        "Row 5, column “Einwilligung Matching”: There is no consent text for “Consent: matching with offers” yet; "
        "the office writes one before importing consents.",
        "Row 6, column “Newsletter”: A date is given but the consent says “no”.",
    ]


def test_rows_without_a_name_say_what_is_missing() -> None:
    plan = plan_of(
        ["Firma", "Ort", "Vorname", "Nachname", "Notiz"],
        ["", "Bottrop", "", "", ""],
        ["", "", "Anna", "", ""],
        ["", "", "", "", "nur eine Notiz"],
        ["Firma ohne Leute", "", "", "", ""],
    )
    assert error_texts(plan) == [
        "Row 2: The row has data of an organisation but no name (column “Ort”).",
        "Row 3, column “Nachname”: The person's last name is missing.",
        "Row 4: The row names neither an organisation nor a person.",
    ]


def test_a_consent_saying_no_does_not_make_a_person() -> None:
    plan = plan_of(["Firma", "Newsletter"], ["Holz GmbH", "nein"])
    assert plan.errors == []
    assert plan.people == []


def test_texts_longer_than_the_field_are_refused() -> None:
    plan = plan_of(["Firma"], ["x" * 201])
    assert error_texts(plan) == [
        "Row 2, column “Firma”: The text has 201 characters; at most 200 are possible."
    ]


# Duplicates within the file -----------------------------------------------------------------------


def test_rows_naming_the_same_organisation_share_it_and_add_people() -> None:
    plan = plan_of(
        ["Firma", "PLZ", "Ort", "Bedarfe", "Vorname", "Nachname"],
        ["Müller Bau GmbH", "46236", "Bottrop", "Fachkräfte", "Anna", "Müller"],
        ["Mueller-Bau", "46236", "", "Digitalisierung", "Bernd", "Müller"],
        ["Müller Bau GmbH", "46240", "Bottrop", "", "Clara", "Müller"],
    )
    assert plan.errors == []
    assert [(o.rows, o.values["name"]) for o in plan.organisations] == [
        ([2, 3], "Müller Bau GmbH"),
        ([4], "Müller Bau GmbH"),
    ]
    assert plan.organisations[0].needs == [31, 32]
    assert [p.organisation for p in plan.people] == [0, 0, 1]


def test_duplicates_within_the_file_are_errors() -> None:
    plan = plan_of(
        ["Firma", "PLZ", "Ort", "E-Mail Firma", "Homepage", "Vorname", "Nachname", "E-Mail Ansprechpartner"],
        ["Holz GmbH", "46236", "Bottrop", "info@holz.example", "holz.example", "Anna", "Holz", "anna@holz.example"],
        ["Holz GmbH", "46236", "Gladbeck", "", "", "Bernd", "Holz", ""],
        ["Holz GmbH", "46236", "", "", "", "", "", ""],
        ["Holz AG", "46236", "", "", "", "Anna", "Holz", ""],
        ["Span GmbH", "46236", "", "info@HOLZ.example", "", "", "", ""],
        ["Brett GmbH", "46236", "", "", "https://www.holz.example/kontakt", "", "", ""],
        ["Brett2 GmbH", "46236", "", "", "", "Zora", "Brett", "ANNA@holz.example"],
    )  # fmt: skip
    assert error_texts(plan) == [
        "Row 3, column “Ort”: Row 2 gives the same organisation with “Bottrop”.",
        "Row 4: The row repeats the organisation “Holz GmbH” of row 2.",
        "Row 5: Row 2 names the same person at the same organisation.",
        "Row 6, column “E-Mail Firma”: The organisation “Holz GmbH” of row 2 has the same e-mail address.",
        "Row 7, column “Homepage”: The organisation “Holz GmbH” of row 2 has the same website.",
        "Row 8, column “E-Mail Ansprechpartner”: The person of row 2 has the same e-mail address.",
    ]


# Duplicates of existing records --------------------------------------------------------------------


def test_matching_existing_records_by_every_key() -> None:
    plan = plan_of(
        ["Firma", "PLZ", "E-Mail Firma", "Homepage", "Vorname", "Nachname", "E-Mail Ansprechpartner"],
        ["Holz GmbH", "46236", "", "", "Anna", "Holz", ""],
        ["Span", "46236", "Info@Span.example", "", "Bernd", "Span", "bernd@span.example"],
        ["Brett", "46236", "", "http://brett.example", "", "", ""],
        ["Neu", "46236", "", "", "Clara", "Neu", ""],
    )
    index = ExistingIndex(
        organisations_by_name={("holz", "46236"): 1},
        organisations_by_email={"info@span.example": 2},
        organisations_by_domain={"brett.example": 3},
        people_by_email={"bernd@span.example": 20},
        people_by_name={(1, "anna", "holz"): 10},
    )
    importing.match_organisations(plan, index)
    importing.match_people(plan, index)
    assert [(o.existing, o.reasons) for o in plan.organisations] == [
        (1, ["name_postcode"]),
        (2, ["email"]),
        (3, ["web_domain"]),
        (None, []),
    ]
    assert [(p.existing, p.reasons) for p in plan.people] == [
        (10, ["name_at_organisation"]),
        (20, ["email"]),
        (None, []),
    ]
    assert importing.plan_counts(plan) == {
        "rows": 4,
        "new_organisations": 1,
        "duplicate_organisations": 3,
        "new_people": 1,
        "duplicate_people": 2,
        "consents": 0,
        "errors": 0,
    }
    assert importing.decisions_for(plan, {"organisation:2": "merge", "person:3": "nonsense"}) == {
        "organisation:2": "merge",
        "organisation:3": "skip",
        "organisation:4": "skip",
        "person:2": "skip",
        "person:3": "skip",
    }


def test_the_check_reports_its_progress() -> None:
    rows = [[f"Firma {n}", "46236"] for n in range(10_001)]
    seen: list[int] = []
    plan = build_plan(
        table(["Firma", "PLZ"], *rows),
        suggest_mapping(["Firma", "PLZ"]),
        vocabularies(),
        progress=seen.append,
    )
    assert not plan.errors and len(plan.organisations) == 10_001
    assert seen == [5000, 10_000]
