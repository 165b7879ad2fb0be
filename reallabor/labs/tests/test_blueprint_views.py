"""The blueprint pages: download for administrators, the import form, its errors, and every role."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from conftest import ROLES, Portfolio
from reallabor.history.models import Version
from reallabor.labs import services
from reallabor.labs.models import Lab, LabOrganisation, Measure
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import Tag, Term

pytestmark = pytest.mark.django_db

HANDWERK = "digitale-koproduktion-im-handwerk"
HANDEL = "hybride-formen-des-handels"
IMPORT_URL = reverse("labs:lab-import")
EXPORT_URL = reverse("labs:lab-export", kwargs={"slug": HANDWERK})
# anonymous, reader, partner, coordinator, administrator, outsider (conftest.ROLES)
ADMIN_ONLY = (302, 403, 403, 403, 200, 403)


def client_for(portfolio: Portfolio, role: str) -> Client:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def snapshot() -> dict[str, Any]:
    return {
        "labs": {lab.slug: services.lab_state(lab) for lab in Lab.objects.all()},
        "measures": {m.pk: services.measure_state(m) for m in Measure.objects.all()},
        "counts": [
            model._default_manager.count() for model in (LabOrganisation, Organisation, Term, Tag, Version)
        ],
    }


def upload(data: Any, name: str = "blueprint.json") -> SimpleUploadedFile:
    content = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()
    return SimpleUploadedFile(name, content, content_type="application/json")


def blueprint(portfolio: Portfolio) -> dict[str, Any]:
    return services.export_blueprint(user=None, lab=portfolio.handel)


@pytest.mark.parametrize("url", [EXPORT_URL, IMPORT_URL], ids=["export", "import"])
def test_pages_by_role(portfolio: Portfolio, url: str) -> None:
    got = tuple(client_for(portfolio, role).get(url).status_code for role in ROLES)
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, ADMIN_ONLY, strict=True))
    response = portfolio.client("anonymous").get(url)
    assert response["Location"].startswith(reverse("accounts:login"))


def test_export_of_an_unknown_lab_is_404(portfolio: Portfolio) -> None:
    url = reverse("labs:lab-export", kwargs={"slug": "gibt-es-nicht"})
    assert client_for(portfolio, "administrator").get(url).status_code == 404


def test_export_is_a_json_download(portfolio: Portfolio) -> None:
    response = client_for(portfolio, "administrator").get(EXPORT_URL)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{HANDWERK}-blaupause.json"'
    data = json.loads(response.content.decode())
    expected = services.export_blueprint(user=None, lab=portfolio.handwerk)
    data.pop("exported_at"), expected.pop("exported_at")
    assert data == expected


def test_export_refuses_post(portfolio: Portfolio) -> None:
    assert client_for(portfolio, "administrator").post(EXPORT_URL).status_code == 405


def test_import_creates_the_lab_and_says_what_it_created(portfolio: Portfolio) -> None:
    data = blueprint(portfolio)
    data["lab"]["measures"][0]["tags"][0]["term"] = {
        "vocabulary": "megatrends",
        "code": "neo-oekologie",
        "name": "Neo-Ökologie",
        "name_en": "Neo-ecology",
    }
    client = client_for(portfolio, "administrator")
    response = client.post(IMPORT_URL, {"file": upload(data), "slug": "kopie"})
    assert response.status_code == 302
    assert response["Location"] == reverse("labs:lab-detail", kwargs={"slug": "kopie"})
    lab = Lab.objects.get(slug="kopie")
    assert not lab.is_published
    page = client.get(response["Location"])
    texts = [str(message) for message in page.context["messages"]]
    assert texts == [
        "The lab “Hybride Formen des Handels” was imported with 2 measures; it and its measures are unpublished.",
        "New vocabulary terms: Megatrends: Neo-Ökologie (neo-oekologie).",
    ]


def test_broken_file_lists_every_problem_and_changes_nothing(portfolio: Portfolio) -> None:
    data = blueprint(portfolio)
    data["lab"]["measures"][1]["activities"][0].update({"start": "2021-05-01", "end": "2021-04-01"})
    data["lab"]["measures"][0]["tags"][2]["term"]["code"] = "99"
    before = snapshot()
    response = client_for(portfolio, "administrator").post(
        IMPORT_URL, {"file": upload(data), "slug": "kopie"}
    )
    assert response.status_code == 200
    assert snapshot() == before
    assert response.context["problems"] == [
        "lab.measures[0].tags[2].term.code: There is no term “99” in the vocabulary "
        "“UN Sustainable Development Goals (SDGs)”.",
        "lab.measures[1].activities[0].end: The end must not be before the start.",
    ]
    html = response.content.decode()
    assert "Fix these 2 problems and try again" in html
    assert "lab.measures[1].activities[0].end: The end must not be before the start." in html


def test_slug_clash_is_reported_on_the_form(portfolio: Portfolio) -> None:
    before = snapshot()
    response = client_for(portfolio, "administrator").post(IMPORT_URL, {"file": upload(blueprint(portfolio))})
    assert snapshot() == before
    assert response.context["problems"][0].startswith(
        "lab.slug: The short name “hybride-formen-des-handels” is already used"
    )


def test_invalid_json_names_line_and_column(portfolio: Portfolio) -> None:
    response = client_for(portfolio, "administrator").post(IMPORT_URL, {"file": upload(b'{"format": ]')})
    assert response.context["problems"] == [
        "The file is not valid JSON: Expecting value (line 1, column 12)."
    ]


def test_too_large_file_is_refused(portfolio: Portfolio, settings: Any) -> None:
    settings.MAX_UPLOAD_BYTES = 1024
    before = snapshot()
    response = client_for(portfolio, "administrator").post(
        IMPORT_URL, {"file": upload(blueprint(portfolio)), "slug": "kopie"}
    )
    assert snapshot() == before
    assert response.status_code == 200
    assert response.context["form"].errors["file"][0].startswith("The file “blueprint.json” is ")
    assert response.context["form"].errors["file"][0].endswith("at most 0 MB are allowed.")


def test_missing_file_and_bad_slug_are_form_errors(portfolio: Portfolio) -> None:
    response = client_for(portfolio, "administrator").post(IMPORT_URL, {"slug": "kein slug"})
    assert set(response.context["form"].errors) == {"file", "slug"}


def test_dry_run_only_checks(portfolio: Portfolio) -> None:
    before = snapshot()
    response = client_for(portfolio, "administrator").post(
        IMPORT_URL, {"file": upload(blueprint(portfolio)), "slug": "kopie", "dry_run": "on"}
    )
    assert response.status_code == 200
    assert snapshot() == before
    assert [str(message) for message in response.context["messages"]] == [
        "The blueprint is valid: importing it would create the lab “Hybride Formen des Handels” with 2 measures."
    ]


@pytest.mark.parametrize("role", [role for role in ROLES if role != "administrator"])
def test_denied_import_changes_nothing(portfolio: Portfolio, role: str) -> None:
    before = snapshot()
    response = client_for(portfolio, role).post(
        IMPORT_URL, {"file": upload(blueprint(portfolio)), "slug": "kopie"}
    )
    assert response.status_code == (302 if role == "anonymous" else 403)
    assert snapshot() == before


def test_import_link_on_the_lab_list_for_administrators_only(portfolio: Portfolio) -> None:
    lab_list = reverse("labs:lab-list")
    assert IMPORT_URL in client_for(portfolio, "administrator").get(lab_list).content.decode()
    # The administrator's render is not cached: the others (cached or not) never get the link.
    for role in ("anonymous", "reader", "partner", "coordinator", "outsider"):
        assert IMPORT_URL not in client_for(portfolio, role).get(lab_list).content.decode(), role


def test_export_link_for_the_lab_page_is_for_administrators_only(portfolio: Portfolio) -> None:
    for role in ROLES:
        user = portfolio.users[role] or AnonymousUser()
        html = render_to_string(
            "labs/includes/blueprint_actions.html", {"lab": portfolio.handwerk, "user": user}
        )
        assert (EXPORT_URL in html) == (role == "administrator"), role


def test_the_lab_page_offers_export_and_import_to_administrators_only(portfolio: Portfolio) -> None:
    lab_page = reverse("labs:lab-detail", kwargs={"slug": HANDWERK})
    html = client_for(portfolio, "administrator").get(lab_page).content.decode()
    assert EXPORT_URL in html and IMPORT_URL in html
    for role in ("anonymous", "reader", "partner", "coordinator", "outsider"):
        html = client_for(portfolio, role).get(lab_page).content.decode()
        assert EXPORT_URL not in html and IMPORT_URL not in html, role
