"""Exports of segments and lists (pages and the command line): really written, read back, audited."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command, execute_from_command_line
from django.test import Client
from django.urls import reverse
from django.utils import translation

from conftest import Portfolio
from reallabor.actors.exports import is_formula_like
from reallabor.actors.models import PersonalDataAccess, Segment
from reallabor.actors.services import segments as service
from reallabor.actors.tests.test_filters import World, make_world, tag
from reallabor.core.testing.actors import Crm, affiliate, make_person
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(portfolio: Portfolio, crm: Crm) -> World:
    """The world of test_filters, with the Bäckerei and the Kita in »Testheide« (no other data there)."""
    built = make_world(portfolio)
    Organisation.objects.filter(pk__in=[built.baeckerei.pk, built.kita.pk]).update(district="Testheide")
    return built


def english(portfolio: Portfolio, role: str = "coordinator") -> Client:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def content_of(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def read_xlsx(content: bytes) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def rows_of(response: Any, fmt: str) -> list[list[Any]]:
    content = content_of(response)
    return read_csv(content) if fmt == "csv" else read_xlsx(content)


def as_dicts(rows: list[list[Any]]) -> list[dict[str, Any]]:
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


# The tables -----------------------------------------------------------------------------------------


@translation.override("en")
def test_the_organisation_table_has_every_column(world: World) -> None:
    tag(world.baeckerei, "needs", "training")
    header, rows = service.organisation_table(Organisation.objects.filter(pk=world.baeckerei.pk))
    (row,) = list(rows)
    values = dict(zip(header, row, strict=True))
    assert values["Name"] == "Bäckerei Korn (fiktiv)"
    assert values["Kind"] == "Company"
    assert values["Sub-kind"] == ""
    assert values["WZ code"] == "10"
    assert values["Sector"] == "Manufacture of food products"
    assert values["Headcount"] == "10–19 employees"
    assert values["Founding year"] == 1921
    assert (values["Street and number"], values["Postcode"], values["City"]) == (
        "Hauptstraße 1",
        "46244",
        "Bottrop",
    )
    assert (values["District"], values["Quarter"]) == ("Testheide", "Kirchhellen-Mitte")
    assert values["E-mail"] == "info@baeckerei-korn.example"
    assert values["Phone"] == "+49 2045 1234-0"
    assert values["Website"] == "https://baeckerei-korn.example"
    assert values["Wirtschaftsallianz"] == "member"
    assert str(values["Member since"]) == "2021-03-01"
    assert values["Needs"] == "Skilled workers; Training"
    assert values["Motivations"] == "New customers"
    assert values["Labs"] == "Hybride Formen des Handels"
    assert values["Last contact"] is not None


@translation.override("en")
def test_the_person_table_has_every_column(world: World) -> None:
    affiliate(world.ben, world.kita, "Elternbeirat")
    header, rows = service.person_table(world.people.order_by())
    table = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(table) == {"Ben", "Dora", "Emil", "Frida"}  # not the anonymised Gert
    ben = table["Ben"]
    assert (ben["Last name"], ben["Function"], ben["E-mail"]) == (
        "Korn",
        "Inhaber",
        "ben@baeckerei-korn.example",
    )
    assert (
        ben["Organisations (role)"]
        == "Bäckerei Korn (fiktiv) (Inhaber); Kita Sonnenschein (fiktiv) (Elternbeirat)"
    )
    assert ben["Needs"] == "Business succession"
    assert ben["Valid consents"] == "Newsletter"
    assert ben["Last contact"] is not None
    assert (
        table["Dora"]["Organisations (role)"] == "Hochschule Ruhr (fiktiv) (Referentin)"
    )  # not the former one
    assert table["Dora"]["Valid consents"] == "Photos"
    assert table["Emil"]["Valid consents"] == ""  # withdrawn
    assert table["Emil"]["District"] == "Kirchhellen"
    assert table["Frida"]["Valid consents"] == ""  # expired


def test_export_tables_take_a_constant_number_of_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    organisations = Organisation.objects.filter(district="Testheide")
    people = world.people
    with django_assert_num_queries(3):  # organisations, their tags, their labs
        small = len(list(service.organisation_table(organisations)[1]))
    with django_assert_num_queries(4):  # people, their organisations, consents, tags
        few = len(list(service.person_table(people)[1]))
    for number in range(30):
        organisation = Organisation.objects.create(
            name=f"Betrieb {number}", slug=f"betrieb-{number}", kind="company", district="Testheide"
        )
        tag(organisation, "needs", "financing")
        person = make_person(last_name=f"Person {number}")
        affiliate(person, organisation, "Chefin")
    people = people.model.objects.filter(
        pk__in=list(people.values_list("pk", flat=True))
    ) | people.model.objects.filter(last_name__startswith="Person ")
    with django_assert_num_queries(3):
        assert len(list(service.organisation_table(organisations)[1])) == small + 30
    with django_assert_num_queries(4):
        assert len(list(service.person_table(people)[1])) == few + 30


# Pages ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_a_people_segment(portfolio: Portfolio, world: World, fmt: str) -> None:
    segment = Segment.objects.create(
        name="Fachkräfte Testheide",
        subject="people",
        criteria={"needs": ["skilled-workers"], "districts": ["Testheide"]},
    )
    user = portfolio.users["coordinator"]
    response = english(portfolio).get(
        reverse("actors:segment-export", kwargs={"uuid": segment.uuid, "fmt": fmt})
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "text/csv" if fmt == "csv" else "application/vnd.openxmlformats"
    )
    assert 'filename="segment-fachkrafte-testheide-' in response["Content-Disposition"]
    table = as_dicts(rows_of(response, fmt))
    assert [(row["First name"], row["Last name"]) for row in table] == [("Ben", "Korn"), ("Frida", "Mehl")]
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.action, access.person) == (user, "list_exported", None)
    assert "Fachkräfte Testheide" in access.detail and fmt in access.detail


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_an_organisation_segment_and_the_people_there(
    portfolio: Portfolio, world: World, fmt: str
) -> None:
    segment = Segment.objects.create(
        name="Testheide", subject="organisations", criteria={"districts": ["Testheide"]}
    )
    url = reverse("actors:segment-export", kwargs={"uuid": segment.uuid, "fmt": fmt})
    client = english(portfolio)
    organisations = as_dicts(rows_of(client.get(url), fmt))
    assert [row["Name"] for row in organisations] == ["Bäckerei Korn (fiktiv)", "Kita Sonnenschein (fiktiv)"]
    people = as_dicts(rows_of(client.get(url + "?kind=people"), fmt))
    assert [row["First name"] for row in people] == ["Ben", "Frida"]
    assert PersonalDataAccess.objects.count() == 2


def test_a_people_segment_has_no_organisations_to_export(portfolio: Portfolio, crm: Crm) -> None:
    url = reverse("actors:segment-export", kwargs={"uuid": crm.segment.uuid, "fmt": "csv"})
    for query in ("?kind=organisations", "?kind=bots"):
        response = english(portfolio).get(url + query)
        assert response.status_code == 400
        assert "kind" in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_a_segment_with_vanished_codes_is_not_exported(portfolio: Portfolio, crm: Crm) -> None:
    segment = Segment.objects.create(name="Alt", subject="people", criteria={"needs": ["vanished"]})
    response = english(portfolio).get(
        reverse("actors:segment-export", kwargs={"uuid": segment.uuid, "fmt": "xlsx"})
    )
    assert response.status_code == 400
    assert "vanished" in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_the_organisation_list_with_criteria(portfolio: Portfolio, world: World, fmt: str) -> None:
    url = reverse("actors:organisation-list-export", kwargs={"fmt": fmt})
    response = english(portfolio, "administrator").get(url + "?districts=Testheide&kind=company&page=3")
    assert response.status_code == 200
    assert [row["Name"] for row in as_dicts(rows_of(response, fmt))] == ["Bäckerei Korn (fiktiv)"]
    access = PersonalDataAccess.objects.get()
    assert "kinds=company" in access.detail and "districts=Testheide" in access.detail


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_the_people_list_with_criteria(portfolio: Portfolio, world: World, fmt: str) -> None:
    url = reverse("actors:person-list-export", kwargs={"fmt": fmt})
    response = english(portfolio).get(url + "?districts=Testheide&consent=newsletter")
    assert [row["First name"] for row in as_dicts(rows_of(response, fmt))] == ["Ben"]
    assert PersonalDataAccess.objects.get().action == "list_exported"


def test_an_export_without_criteria_holds_everybody(portfolio: Portfolio, world: World) -> None:
    response = english(portfolio).get(reverse("actors:organisation-list-export", kwargs={"fmt": "csv"}))
    assert len(read_csv(content_of(response))) == Organisation.objects.count() + 1


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("sectors=zz", "Sector (WZ 2008)"),
        ("consent=spam", "Valid consent"),
        ("not_contacted_for_days=-1", "No contact"),
    ],
)
def test_bad_criteria_of_a_list_export_are_named(
    portfolio: Portfolio, crm: Crm, query: str, named: str
) -> None:
    for name in ("actors:organisation-list-export", "actors:person-list-export"):
        response = english(portfolio).get(reverse(name, kwargs={"fmt": "xlsx"}) + "?" + query)
        assert response.status_code == 400
        assert named in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_other_formats_are_404(portfolio: Portfolio, crm: Crm) -> None:
    client = english(portfolio)
    assert client.get(reverse("actors:organisation-list-export", kwargs={"fmt": "pdf"})).status_code == 404
    assert (
        client.get(
            reverse("actors:segment-export", kwargs={"uuid": crm.segment.uuid, "fmt": "json"})
        ).status_code
        == 404
    )
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize("role", ["anonymous", "reader", "partner", "outsider"])
def test_only_the_office_exports(portfolio: Portfolio, crm: Crm, role: str) -> None:
    client = portfolio.client(role)
    for url in (
        reverse("actors:organisation-list-export", kwargs={"fmt": "csv"}),
        reverse("actors:person-list-export", kwargs={"fmt": "xlsx"}),
        reverse("actors:segment-export", kwargs={"uuid": crm.segment.uuid, "fmt": "csv"}),
    ):
        assert client.get(url).status_code == (302 if role == "anonymous" else 403)
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formulas_in_the_data_are_neutralised_in_exports(portfolio: Portfolio, crm: Crm, fmt: str) -> None:
    Organisation.objects.create(
        name='=HYPERLINK("http://evil.example";"Klick")',
        slug="boese",
        kind="company",
        district="Formelhausen",
        phone="+49 2041 70-0",
        street="@SUM(1+1)",
        city="-2+3+cmd|' /C calc'!A0",
    )
    response = english(portfolio).get(
        reverse("actors:organisation-list-export", kwargs={"fmt": fmt}) + "?districts=Formelhausen"
    )
    (row,) = as_dicts(rows_of(response, fmt))
    assert row["Name"] == '\'=HYPERLINK("http://evil.example";"Klick")'
    assert row["Street and number"] == "'@SUM(1+1)"
    assert row["City"] == "'-2+3+cmd|' /C calc'!A0"
    assert row["Phone"] == "+49 2041 70-0"  # a phone number stays readable
    assert not any(isinstance(value, str) and is_formula_like(value) for value in row.values())


def test_page_exports_take_a_constant_number_of_queries(
    portfolio: Portfolio, world: World, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = english(portfolio)
    url = reverse("actors:person-list-export", kwargs={"fmt": "xlsx"}) + "?districts=Testheide"
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        small = len(read_xlsx(content_of(client.get(url))))
    baeckerei = world.baeckerei
    for number in range(25):
        affiliate(make_person(last_name=f"Bäcker {number}"), baeckerei, "Verkauf")
    with django_assert_max_num_queries(len(first)):
        assert len(read_xlsx(content_of(client.get(url)))) == small + 25


# The command line ---------------------------------------------------------------------------------------


def test_cli_exports_everything_as_xlsx(world: World, tmp_path: Path) -> None:
    target = tmp_path / "alle.xlsx"
    stderr = io.StringIO()
    call_command("export_actors", "-o", str(target), "--language", "en", stderr=stderr)
    rows = read_xlsx(target.read_bytes())
    assert rows[0][0] == "Name"
    assert len(rows) == Organisation.objects.count() + 1
    assert f"Wrote {Organisation.objects.count()} row(s) of all organisations" in stderr.getvalue()
    access = PersonalDataAccess.objects.get()
    assert access.user is None and access.action == "list_exported"


def test_cli_exports_a_segment_as_csv(world: World, tmp_path: Path) -> None:
    Segment.objects.create(name="Testheide", subject="organisations", criteria={"districts": ["Testheide"]})
    target = tmp_path / "testheide.csv"
    call_command("export_actors", "--segment", "testheide", "-o", str(target), stderr=io.StringIO())
    assert [row[0] for row in read_csv(target.read_bytes())[1:]] == [
        "Bäckerei Korn (fiktiv)",
        "Kita Sonnenschein (fiktiv)",
    ]
    call_command(
        "export_actors", "--segment", "Testheide", "--kind", "people", "-o", str(target), stderr=io.StringIO()
    )
    assert [row[0] for row in read_csv(target.read_bytes())[1:]] == ["Ben", "Frida"]


def test_cli_writes_csv_to_standard_output(world: World) -> None:
    segment = Segment.objects.create(
        name="Testheide", subject="people", criteria={"districts": ["Testheide"]}
    )
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("export_actors", "--segment", str(segment.uuid), "-o", "-", stdout=stdout, stderr=stderr)
    rows = read_csv(stdout.getvalue().encode("utf-8"))
    assert [row[0] for row in rows[1:]] == ["Ben", "Frida"]
    assert "standard output" in stderr.getvalue() or "Standardausgabe" in stderr.getvalue()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--segment", "Gibt es nicht", "-o", "{dir}/x.csv"],
            "There is no segment “Gibt es nicht”. Segments: Handwerksbetriebe",
        ),
        (["--segment", "Handwerksbetriebe", "--kind", "organisations", "-o", "{dir}/x.csv"], "holds people"),
        (["-o", "{dir}/x.pdf"], "ending in .csv or .xlsx"),
        (["-o", "{dir}/x"], "ending in .csv or .xlsx"),
        (["-o", "{dir}/fehlt/x.csv"], "the directory does not exist"),
    ],
)
def test_cli_refuses_bad_arguments_with_a_message(
    crm: Crm, tmp_path: Path, arguments: list[str], message: str
) -> None:
    arguments = [argument.format(dir=tmp_path) for argument in arguments]
    with pytest.raises(CommandError) as caught:
        call_command("export_actors", *arguments, "--language", "en")
    assert message in str(caught.value)
    assert not list(tmp_path.iterdir())
    assert not PersonalDataAccess.objects.exists()


def test_cli_unknown_segment_exits_with_1_and_no_traceback(
    crm: Crm, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        execute_from_command_line(
            [
                "reallabor",
                "export_actors",
                "--segment",
                "Nope",
                "-o",
                str(tmp_path / "x.csv"),
                "--language",
                "en",
            ]
        )
    assert caught.value.code == 1
    error = capsys.readouterr().err
    assert "There is no segment “Nope”" in error
    assert "Traceback" not in error
