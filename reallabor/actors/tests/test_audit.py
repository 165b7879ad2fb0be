"""The audit trail: what is logged, the page with its filters (administrators) and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import Portfolio
from reallabor.actors.models import PersonalDataAccess
from reallabor.actors.services import privacy
from reallabor.api.tests.conftest import api_client, call
from reallabor.core.testing.actors import Crm, make_person

pytestmark = pytest.mark.django_db


def client_for(portfolio: Portfolio, role: str, **headers: str) -> Client:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.defaults.update(headers)
    return client


def test_log_access_keeps_the_uuid(portfolio: Portfolio, crm: Crm) -> None:
    entry = privacy.log_access(
        user=portfolio.users["coordinator"], person=crm.anna, action="viewed", detail="x" * 900
    )
    assert entry.person_uuid == crm.anna.uuid and len(entry.detail) == 500
    system = privacy.log_access(user=None, person=None, action="list_exported", detail="people list")
    assert system.user is None and system.person_uuid is None
    gone = make_person().uuid
    by_uuid = privacy.log_access(user=None, person=None, person_uuid=gone, action="erased")
    assert by_uuid.person_uuid == gone


def test_only_administrators_read_the_trail(portfolio: Portfolio) -> None:
    with pytest.raises(PermissionDenied):
        privacy.audit_entries(user=portfolio.users["coordinator"])
    privacy.audit_entries(user=portfolio.users["administrator"])


def make_trail(portfolio: Portfolio, crm: Crm) -> None:
    coordinator, admin = portfolio.users["coordinator"], portfolio.users["administrator"]
    privacy.log_access(user=coordinator, person=crm.anna, action="viewed")
    privacy.export_person(user=coordinator, person=crm.bernd)
    old = privacy.log_access(user=admin, person=crm.clara, action="viewed")
    PersonalDataAccess.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=40))
    privacy.erase_person(user=admin, person=crm.clara)


def test_the_page_and_its_filters(portfolio: Portfolio, crm: Crm) -> None:
    make_trail(portfolio, crm)
    clara_uuid = PersonalDataAccess.objects.get(action="erased").person_uuid
    client = client_for(portfolio, "administrator")
    url = reverse("actors:audit-list")
    page = client.get(url)
    assert page.status_code == 200
    assert "Anna Schreiner" in page.text and "Bernd Hobel" in page.text
    assert (
        "Clara Einzeln" not in page.text
        and "Einzeln" not in page.text
        and f"erased ({clara_uuid})" in page.text
    )

    def rows(**params: str) -> str:
        response = client.get(url, params)
        assert response.status_code == 200
        return response.text

    exported = rows(action="exported")
    assert "Bernd Hobel" in exported and "Anna Schreiner" not in exported
    by_person = rows(person=str(crm.anna.uuid))
    assert "Anna Schreiner" in by_person and "Bernd Hobel" not in by_person
    erased_person = rows(person=str(clara_uuid))
    assert erased_person.count(f"erased ({clara_uuid})") == 2  # viewed earlier, then erased
    by_user = rows(user=portfolio.users["coordinator"].email)  # type: ignore[union-attr]
    assert "Anna Schreiner" in by_user and f"erased ({clara_uuid})" not in by_user
    today = timezone.localdate().isoformat()
    recent = rows(date_from=today, date_to=today)
    assert recent.count(f"erased ({clara_uuid})") == 1
    past = rows(date_to=(timezone.localdate() - dt.timedelta(days=30)).isoformat())
    assert past.count(f"erased ({clara_uuid})") == 1 and "Anna Schreiner" not in past
    assert "No entry matches the filters." in rows(action="anonymised")
    bad = rows(person="kein-uuid", date_from="gestern", action="nonsense", page="-1")
    assert "Enter the person&#x27;s ID as shown on their page." in bad
    assert "Anna Schreiner" in bad  # invalid filters are ignored
    fragment = client_for(portfolio, "administrator", HTTP_HX_REQUEST="true").get(url, {"action": "viewed"})
    assert "<html" not in fragment.text and 'id="audit-results"' in fragment.text


def test_the_page_needs_constant_queries(portfolio: Portfolio, crm: Crm) -> None:
    client = client_for(portfolio, "administrator")
    url = reverse("actors:audit-list")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    privacy.log_access(user=portfolio.users["coordinator"], person=crm.anna, action="viewed")
    few = queries()
    for index in range(15):
        person = make_person(last_name=f"Person {index}")
        privacy.log_access(user=portfolio.users["administrator"], person=person, action="exported")
    privacy.erase_person(user=None, person=crm.bernd)
    assert queries() == few


def test_pagination(portfolio: Portfolio, crm: Crm) -> None:
    from reallabor.actors.views.privacy import PER_PAGE

    PersonalDataAccess.objects.bulk_create(
        [
            PersonalDataAccess(action="viewed", person=crm.anna, person_uuid=crm.anna.uuid)
            for _ in range(PER_PAGE + 1)
        ]
    )
    client = client_for(portfolio, "administrator")
    first = client.get(reverse("actors:audit-list"))
    assert 'rel="next"' in first.text
    second = client.get(reverse("actors:audit-list"), {"page": "2"})
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
    assert second.text.count("Anna Schreiner") == 1


def test_the_api(portfolio: Portfolio, crm: Crm) -> None:
    make_trail(portfolio, crm)
    client = api_client(portfolio.users["administrator"])
    body = call(client, "get", "/api/v1/privacy/audit").json()
    assert body["count"] == 4
    assert [item["action"] for item in body["items"]] == ["erased", "exported", "viewed", "viewed"]
    erased = body["items"][0]
    assert erased["person_exists"] is False and erased["user"] == str(portfolio.users["administrator"])
    filtered = call(client, "get", f"/api/v1/privacy/audit?person={crm.anna.uuid}").json()
    assert filtered["count"] == 1 and filtered["items"][0]["person_uuid"] == str(crm.anna.uuid)
    assert call(client, "get", "/api/v1/privacy/audit?action=exported").json()["count"] == 1
    assert call(client, "get", "/api/v1/privacy/audit?action=nonsense").status_code == 422
    assert call(client, "get", "/api/v1/privacy/audit?person=kein-uuid").status_code == 422
    assert call(client, "get", "/api/v1/privacy/audit?date_from=gestern").status_code == 422
