"""The mailings API: compose, preview, send, the log; errors name the field; lists keep their queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import Portfolio
from reallabor.actors.models import Consent, Mailing, MailingRecipient, Purpose
from reallabor.actors.services import mailings as services
from reallabor.actors.tests.test_api_role_matrix import actors_digest
from reallabor.actors.tests.test_mailings_pages import mark_sent
from reallabor.actors.tests.test_mailings_send import World, make_world
from reallabor.api.tests.conftest import API, api_client, call
from reallabor.core.testing.actors import Crm

pytestmark = pytest.mark.django_db

MEASURE = "digitale-koproduktion-im-handwerk/digitale-auftragsplanung"


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def world(portfolio: Portfolio, crm: Crm) -> World:
    return make_world(portfolio, crm)


def office(world: World, role: str = "coordinator") -> Any:
    return api_client(world.portfolio.users[role])


def count_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(captured)


def test_create_get_patch_delete(world: World) -> None:
    client = office(world)
    response = call(
        client,
        "post",
        f"{API}/mailings",
        {
            "subject": "Einladung",
            "body": "Kommen Sie **vorbei**.",
            "segment": str(world.segment.uuid),
            "purpose": "newsletter",
            "measures": [MEASURE],
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "draft"
    assert data["segment"] == {"uuid": str(world.segment.uuid), "name": "Unternehmen"}
    assert data["measures"] == [
        {
            "lab": "digitale-koproduktion-im-handwerk",
            "slug": "digitale-auftragsplanung",
            "title": "Digitale Auftragsplanung",
        }
    ]
    assert data["counts"] == {"total": 0, "queued": 0, "sending": 0, "sent": 0, "failed": 0, "skipped": 0}
    url = f"{API}/mailings/{data['uuid']}"
    assert data["url"] == f"/mailings/{data['uuid']}/"
    assert client.get(url).json()["subject"] == "Einladung"

    patched = call(client, "patch", url, {"purpose": "event_follow_up", "measures": []}).json()
    assert (patched["purpose"], patched["measures"], patched["subject"]) == (
        "event_follow_up",
        [],
        "Einladung",
    )

    assert call(client, "delete", url).status_code == 204
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("data", "loc", "message"),
    [
        ({"subject": "x", "body": "y", "measures": ["nowhere"]}, ["body", "measures"], "write “lab/measure”"),
        (
            {"subject": "x", "body": "y", "measures": ["a/b"]},
            ["body", "measures"],
            "Unknown measure(s): a/b.",
        ),
        ({"subject": "", "body": "y"}, ["body", "subject"], "Give the mailing a subject."),
        ({"subject": "x\ny", "body": "y"}, ["body", "subject"], "single line"),
        (
            {"subject": "x", "body": "y", "segment": "7d7c2b9e-0000-4000-8000-000000000000"},
            ["body", "segment"],
            "There is no segment",
        ),
        ({"subject": "x", "body": "y", "segment": "kaputt"}, ["body", "segment"], ""),
        ({"subject": "x", "body": "y", "purpose": "spam"}, ["body", "purpose"], ""),
        ({"subject": "x", "body": "y", "colour": "red"}, ["body", "colour"], ""),
        ({"subject": "x", "body": "a\x00b"}, ["body", "body"], ""),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    world: World, data: dict[str, Any], loc: list[str], message: str
) -> None:
    before = actors_digest()
    response = call(office(world), "post", f"{API}/mailings", data)
    assert response.status_code == 422, response.content
    errors = response.json()["detail"]
    assert any(error["loc"] == loc and message in error["msg"] for error in errors), errors
    assert actors_digest() == before


def test_preview_with_counts(world: World) -> None:
    data = office(world).get(f"{API}/mailings/{world.mailing.uuid}/preview").json()
    assert (data["people_in_segment"], data["reachable"], data["sample_recipient"]) == (7, 2, "Dora Mode")
    assert data["subject"] == world.mailing.subject
    assert data["text"].startswith("Hello Dora Mode,")
    assert "<strong>Papierkram</strong>" in data["html"]


def test_send_then_the_log(world: World, django_capture_on_commit_callbacks: Any) -> None:
    from django.core import mail

    client = office(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = call(client, "post", f"{API}/mailings/{world.mailing.uuid}/send")
    assert response.status_code == 200, response.content
    assert response.json() == {"uuid": str(world.mailing.uuid), "status": "queued", "recipients": 2}
    assert sorted(message.to[0] for message in mail.outbox) == [
        "anna@tischlerei-beispiel.example",
        "dora@modehaus.example",
    ]
    detail = client.get(f"{API}/mailings/{world.mailing.uuid}").json()
    assert detail["status"] == "sent"
    assert detail["counts"] == {"total": 2, "queued": 0, "sending": 0, "sent": 2, "failed": 0, "skipped": 0}
    log = client.get(f"{API}/mailings/{world.mailing.uuid}/recipients").json()
    assert log["count"] == 2
    assert {(item["name"], item["status"]) for item in log["items"]} == {
        ("Anna Schreiner", "sent"),
        ("Dora Mode", "sent"),
    }
    assert {item["person"] for item in log["items"]} == {str(world.anna.uuid), str(world.dora.uuid)}

    # Twice: 409, nothing changes. A sent mailing is neither changed nor deleted.
    before = actors_digest()
    again = call(client, "post", f"{API}/mailings/{world.mailing.uuid}/send")
    assert again.status_code == 409
    assert "cannot be sent twice" in again.json()["detail"]
    assert call(client, "patch", f"{API}/mailings/{world.mailing.uuid}", {"subject": "x"}).status_code == 409
    assert call(client, "delete", f"{API}/mailings/{world.mailing.uuid}").status_code == 409
    assert actors_digest() == before
    assert len(mail.outbox) == 2


def test_send_without_consenting_recipients_is_a_422_and_changes_nothing(world: World) -> None:
    Consent.objects.filter(purpose=Purpose.NEWSLETTER).update(withdrawn_at=timezone.now())
    before = actors_digest()
    response = call(office(world), "post", f"{API}/mailings/{world.mailing.uuid}/send")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "segment"]
    assert error["msg"].startswith(
        "Nobody in this segment has consented to “Newsletter”, so nothing can be sent."
    )
    assert actors_digest() == before


def test_unknown_and_garbage_ids_are_404(world: World) -> None:
    client = office(world)
    for uuid in ("nope", "7d7c2b9e-0000-4000-8000-000000000000", "x" * 300):
        for suffix in ("", "/preview", "/recipients"):
            response = client.get(f"{API}/mailings/{uuid}{suffix}")
            assert response.status_code == 404, (uuid, suffix)
            assert "not found" in response.json()["detail"]


def test_lists_keep_their_queries(world: World) -> None:
    client = office(world)
    mark_sent(world.crm.mailing, 3)
    few_mailings = count_queries(client, f"{API}/mailings")
    few_recipients = count_queries(client, f"{API}/mailings/{world.crm.mailing.uuid}/recipients")
    for n in range(30):
        services.create_mailing(user=None, data={"subject": f"R{n}", "body": "B", "measures": [MEASURE]})
    MailingRecipient.objects.filter(mailing=world.crm.mailing).delete()
    Mailing.objects.filter(pk=world.crm.mailing.pk).update(status="draft")
    mark_sent(world.crm.mailing, 120)
    assert count_queries(client, f"{API}/mailings") == few_mailings
    assert count_queries(client, f"{API}/mailings/{world.crm.mailing.uuid}/recipients") == few_recipients
    page = client.get(f"{API}/mailings/{world.crm.mailing.uuid}/recipients?limit=50&offset=100").json()
    assert page["count"] == 120 and len(page["items"]) == 20
