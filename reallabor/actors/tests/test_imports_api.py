"""The import and duplicate endpoints of the API: real multipart uploads, all or nothing."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from conftest import Portfolio
from reallabor.actors.models import ImportJob, Person, Purpose
from reallabor.actors.services import imports as services
from reallabor.actors.spreadsheets import write_csv
from reallabor.actors.tests.test_imports import digest
from reallabor.api.tests.conftest import api_client, call
from reallabor.core.testing.actors import Crm, affiliate, consent_text, make_person
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db

API = "/api/v1"
GOOD = write_csv(
    [["Firma", "PLZ", "Vorname", "Nachname", "Newsletter"], ["Holz GmbH", "46236", "Ina", "Holz", "ja"]]
)
BAD = write_csv([["Firma", "PLZ"], ["Holz GmbH", "46236"], ["Span GmbH", "123"], ["=1+1", "46236"]])


def post_file(client: Any, content: bytes, name: str = "akteure.csv", **fields: str) -> Any:
    file = io.BytesIO(content)
    file.name = name
    return client.post(f"{API}/imports", {"file": file, **fields})


def test_upload_imports_and_returns_the_job(portfolio: Portfolio, crm: Crm) -> None:
    consent_text(Purpose.NEWSLETTER)
    client = api_client(portfolio.users["coordinator"])
    response = post_file(client, GOOD)
    assert response.status_code == 201, response.content
    body = response.json()
    job = ImportJob.objects.get()
    assert (body["uuid"], body["status"], body["filename"]) == (str(job.uuid), "imported", "akteure.csv")
    assert body["report"]["result"]["created_people"] == 1
    assert Person.objects.get(last_name="Holz").consents.get().source == "import"
    again = call(client, "get", f"{API}/imports/{job.uuid}")
    assert again.status_code == 200 and again.json()["report"]["counts"]["new_organisations"] == 1
    # The job keeps the report, not the uploaded file.
    assert (
        bytes(job.content) == b""
        and again.json()["report"]["file_removed_at"] == body["report"]["imported_at"]
    )


def test_bad_rows_give_422_naming_row_and_column_and_write_nothing(portfolio: Portfolio, crm: Crm) -> None:
    before = digest()
    response = post_file(api_client(portfolio.users["administrator"]), BAD)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [(item["loc"], item["msg"]) for item in detail] == [
        (["body", "file", 3, "PLZ"], "Row 3, column “PLZ”: “123” is not a German postcode of five digits."),
        (
            ["body", "file", 4, "Firma"],
            "Row 4, column “Firma”: This is a spreadsheet formula; formulas are not imported. Enter the value as text.",
        ),
    ]
    assert response.json()["report"]["error_rows"] == [3, 4]
    assert digest() == before


def test_a_dry_run_reports_and_writes_nothing(portfolio: Portfolio, crm: Crm) -> None:
    before = digest()
    response = post_file(api_client(portfolio.users["coordinator"]), GOOD, dry_run="true")
    assert response.status_code == 200
    assert response.json()["uuid"] is None and response.json()["status"] == "checked"
    assert response.json()["report"]["counts"]["new_people"] == 1
    assert digest() == before


def test_a_mapping_and_merging_duplicates(portfolio: Portfolio, crm: Crm) -> None:
    content = write_csv(
        [["Betrieb", "Postleitzahl", "Telefonnummer"], ["Tischlerei Beispiel", "46236", "02041 5"]]
    )
    mapping = {
        "Betrieb": "organisation.name",
        "Postleitzahl": "organisation.postcode",
        "Telefonnummer": "organisation.phone",
    }
    response = post_file(
        api_client(portfolio.users["coordinator"]), content, mapping=json.dumps(mapping), on_duplicate="merge"
    )
    assert response.status_code == 201, response.content
    assert response.json()["report"]["result"]["merged_organisations"] == 1
    assert Organisation.objects.get(pk=crm.tischlerei.pk).phone == "02041 5"


@pytest.mark.parametrize(
    ("content", "fields", "loc", "message"),
    [
        (b"", {}, ["body", "file"], "The file is empty."),
        (b"Firma;PLZ\r\n", {}, ["body", "file"], "The file holds only a header row and no data."),
        (b"Ort\r\nBottrop\r\n", {}, ["body", "mapping"], "No column gives the organisation's name"),
        (GOOD, {"mapping": "{kaputt"}, ["body", "mapping"], "The mapping is not valid JSON"),
        (GOOD, {"mapping": "[1]"}, ["body", "mapping"], "The mapping is a JSON object"),
        (GOOD, {"dry_run": "vielleicht"}, ["body", "dry_run"], "Send true or false."),
        (GOOD, {"on_duplicate": "delete"}, ["body", "on_duplicate"], "Choose “skip” or “merge”."),
    ],
)
def test_bad_uploads_say_why(
    portfolio: Portfolio, crm: Crm, content: bytes, fields: dict[str, str], loc: list[str], message: str
) -> None:
    before = digest()
    response = post_file(api_client(portfolio.users["coordinator"]), content, **fields)
    assert response.status_code == 422, response.content
    [item] = response.json()["detail"]
    assert item["loc"] == loc and item["msg"].startswith(message)
    assert digest() == before


def test_without_a_file_or_as_json(portfolio: Portfolio, crm: Crm) -> None:
    client = api_client(portfolio.users["coordinator"])
    response = client.post(f"{API}/imports", {"dry_run": "true"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "file"]
    response = call(client, "post", f"{API}/imports", {"file": "Firma\nA"})
    assert response.status_code == 415 and "multipart/form-data" in response.json()["detail"]


def test_too_big(portfolio: Portfolio, crm: Crm, settings: Any) -> None:
    settings.MAX_IMPORT_BYTES = 10
    response = post_file(api_client(portfolio.users["coordinator"]), GOOD)
    assert response.status_code == 422 and "too large" in response.json()["detail"][0]["msg"]


def test_unknown_import_is_404(portfolio: Portfolio) -> None:
    client = api_client(portfolio.users["coordinator"])
    assert call(client, "get", f"{API}/imports/nonsense").status_code == 404
    assert call(client, "get", f"{API}/imports/00000000-0000-0000-0000-000000000000").status_code == 404


# Duplicates ---------------------------------------------------------------------------------------


def _organisation(name: str, **fields: Any) -> Organisation:
    from reallabor.organisations.keys import name_key, web_domain

    slug = fields.pop("slug")
    return Organisation.objects.create(
        name=name,
        slug=slug,
        kind="company",
        name_key=name_key(name),
        web_domain=web_domain(fields.get("website", "")),
        **fields,
    )


def test_duplicate_lists_with_a_constant_number_of_queries(
    portfolio: Portfolio, crm: Crm, django_assert_max_num_queries: Any
) -> None:
    client = api_client(portfolio.users["coordinator"])
    _organisation("Tischlerei Beispiel", slug="tischlerei-2", postcode="46236")
    with django_assert_max_num_queries(12):
        response = call(client, "get", f"{API}/duplicates/organisations")
    assert response.json()["count"] == 1
    [group] = response.json()["items"]
    assert group["reasons"] == ["name_postcode"]
    assert [m["ref"] for m in group["members"]] == ["tischlerei-2", "tischlerei-beispiel"]
    for number in range(10):
        _organisation(f"Doppelt {number}", slug=f"doppelt-{number}-a", email=f"d{number}@x.example")
        _organisation(f"Anders {number}", slug=f"doppelt-{number}-b", email=f"D{number}@x.example")
    with django_assert_max_num_queries(12):
        response = call(client, "get", f"{API}/duplicates/organisations?limit=5&offset=3")
    assert response.json()["count"] == 11 and len(response.json()["items"]) == 5

    twin = make_person(first_name="Anna", last_name="Schreiner", email="other@example.org")
    affiliate(twin, crm.tischlerei)
    response = call(client, "get", f"{API}/duplicates/people")
    assert response.json()["count"] == 1
    assert response.json()["items"][0]["reasons"] == ["name_at_organisation"]


def test_merge_through_the_api(portfolio: Portfolio, crm: Crm) -> None:
    client = api_client(portfolio.users["coordinator"])
    twin = make_person(first_name="Anna", last_name="Schreiner", email="", mobile="0170 9")
    response = call(
        client,
        "post",
        f"{API}/duplicates/merge",
        {"kind": "people", "keep": str(crm.anna.uuid), "remove": str(twin.uuid)},
    )
    assert response.status_code == 200, response.content
    assert response.json()["kept"]["ref"] == str(crm.anna.uuid)
    assert not Person.objects.filter(pk=twin.pk).exists()
    crm.anna.refresh_from_db()
    assert crm.anna.mobile == "0170 9"


@pytest.mark.parametrize(
    ("data", "loc", "message"),
    [
        ({"kind": "organisations", "keep": "tischlerei-beispiel", "remove": "tischlerei-beispiel"}, ["body", "remove"], "cannot be merged with itself"),
        ({"kind": "organisations", "keep": "tischlerei-beispiel", "remove": "gibt-es-nicht"}, ["body", "remove"], "There is no organisation"),
        ({"kind": "people", "keep": "kaputt", "remove": "kaputt"}, ["body", "keep"], "There is no person"),
        ({"kind": "tiere", "keep": "a", "remove": "b"}, ["body", "kind"], ""),
    ],
)  # fmt: skip
def test_bad_merges_say_why_and_change_nothing(
    portfolio: Portfolio, crm: Crm, data: dict[str, str], loc: list[str], message: str
) -> None:
    before = digest()
    response = call(api_client(portfolio.users["administrator"]), "post", f"{API}/duplicates/merge", data)
    assert response.status_code == 422
    [item] = response.json()["detail"]
    assert item["loc"] == loc and message in item["msg"]
    assert digest() == before


def test_services_jobs_are_visible_to_the_office_only(portfolio: Portfolio, crm: Crm) -> None:
    job = services.upload_import(user=None, filename="a.csv", content=b"Firma\r\nA\r\n")
    for role, status in (("reader", 403), ("partner", 403), ("coordinator", 200), ("administrator", 200)):
        response = call(api_client(portfolio.users[role]), "get", f"{API}/imports/{job.uuid}")
        assert response.status_code == status, role
    assert call(api_client(None), "get", f"{API}/imports/{job.uuid}").status_code == 401
