"""The mailing pages: list, compose, preview, send confirmation, log, delete; who may write;
the mailings panel of a person's page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import ROLES, Portfolio
from reallabor.actors.models import Mailing, MailingRecipient, Person, Purpose
from reallabor.actors.services import mailings as services
from reallabor.actors.tests.test_api_role_matrix import actors_digest
from reallabor.actors.tests.test_mailings_send import World, make_world
from reallabor.core.testing.actors import Crm

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def world(portfolio: Portfolio, crm: Crm) -> World:
    return make_world(portfolio, crm)


def url(name: str, mailing: Mailing | None = None) -> str:
    return reverse(f"actors:{name}", kwargs={"uuid": mailing.uuid} if mailing else {})


def main(response: Any) -> str:
    html = response.content.decode()
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


def mark_sent(mailing: Mailing, count: int) -> None:
    """A sent mailing with ``count`` recipients (rows written directly: test data)."""
    people = Person.objects.bulk_create(
        [
            Person(first_name="R", last_name=f"Empfänger {n:04d}", email=f"r{n}@{mailing.pk}.example")
            for n in range(count)
        ]
    )
    MailingRecipient.objects.bulk_create(
        [
            MailingRecipient(
                mailing=mailing,
                person=person,
                email=person.email,
                status=MailingRecipient.Status.SENT if n % 3 else MailingRecipient.Status.FAILED,
                sent_at=timezone.now() if n % 3 else None,
                error="" if n % 3 else "SMTPRecipientsRefused: 550 No such user",
            )
            for n, person in enumerate(people)
        ]
    )
    Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.SENT, sent_at=timezone.now())


# --- list ----------------------------------------------------------------------------------------


def test_list_shows_the_mailings_with_constant_queries(world: World) -> None:
    client = world.portfolio.client("coordinator")
    mark_sent(world.crm.mailing, 4)
    few = queries(client, url("mailing-list"))
    page = main(client.get(url("mailing-list")))
    assert world.mailing.subject in page and world.crm.mailing.subject in page
    assert "2 / 4" in page  # sent of recipients
    for n in range(60):
        extra = services.create_mailing(user=None, data={"subject": f"Rundbrief {n}", "body": "Text"})
        if n % 10 == 0:
            mark_sent(extra, 5)
    assert queries(client, url("mailing-list")) == few
    assert queries(client, url("mailing-list") + "?page=2") == few
    assert 'rel="next"' in client.get(url("mailing-list")).content.decode()
    assert client.get(url("mailing-list") + "?page=x").status_code == 200


# --- compose -------------------------------------------------------------------------------------


def test_create_through_the_form(world: World) -> None:
    client = world.portfolio.client("coordinator")
    form = client.get(url("mailing-create")).content.decode()
    assert "Digitale Auftragsplanung" in form  # measures as checkboxes, grouped by lab
    assert str(world.segment.uuid) in form
    response = client.post(
        url("mailing-create"),
        {
            "subject": "Frühstück im März",
            "body": "Hallo *zusammen*",
            "segment": str(world.segment.uuid),
            "purpose": "event_follow_up",
            "measures": ["digitale-koproduktion-im-handwerk/digitale-auftragsplanung"],
        },
    )
    created = Mailing.objects.get(subject="Frühstück im März")
    assert response.status_code == 302
    assert response["Location"] == created.get_absolute_url()
    assert (created.segment, created.purpose, created.status) == (
        world.segment,
        Purpose.EVENT_FOLLOW_UP,
        "draft",
    )
    assert list(created.measures.all()) == [world.measure]
    assert created.created_by == world.portfolio.users["coordinator"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"subject": "", "body": "x", "purpose": "newsletter"}, "subject", "This field is required."),
        ({"subject": "a", "body": "x", "purpose": "spam"}, "purpose", "Select a valid choice."),
        (
            {"subject": "a", "body": "x", "purpose": "newsletter", "segment": "nope"},
            "segment",
            "Select a valid choice.",
        ),
        (
            {"subject": "a", "body": "x", "purpose": "newsletter", "measures": ["x/y"]},
            "measures",
            "Select a valid choice.",
        ),
        (
            {"subject": "a\x00", "body": "x", "purpose": "newsletter"},
            "subject",
            "Null characters are not allowed.",
        ),
    ],
)
def test_bad_form_input_names_the_field_and_creates_nothing(
    world: World, data: dict[str, Any], field: str, message: str
) -> None:
    before = actors_digest()
    response = world.portfolio.client("coordinator").post(url("mailing-create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert actors_digest() == before


def test_edit_a_draft_and_not_a_sent_mailing(world: World) -> None:
    client = world.portfolio.client("administrator")
    form = client.get(url("mailing-edit", world.mailing)).content.decode()
    assert "Digitale Auftragsplanung für Ihren Betrieb" in form
    assert re.search(r'value="digitale-koproduktion-im-handwerk/digitale-auftragsplanung"[^>]*checked', form)
    response = client.post(
        url("mailing-edit", world.mailing),
        {"subject": "Neu", "body": "Neuer Text", "segment": "", "purpose": "newsletter"},
    )
    assert response.status_code == 302
    world.mailing.refresh_from_db()
    assert (world.mailing.subject, world.mailing.segment, world.mailing.measures.count()) == ("Neu", None, 0)

    mark_sent(world.crm.mailing, 1)
    before = actors_digest()
    response = client.post(
        url("mailing-edit", world.crm.mailing),
        {"subject": "X", "body": "Y", "purpose": "newsletter"},
        follow=True,
    )
    assert "This mailing has been sent; it can no longer be changed." in response.content.decode()
    assert actors_digest() == before


def test_delete_a_draft_and_not_a_sent_mailing(world: World) -> None:
    client = world.portfolio.client("coordinator")
    assert "This cannot be undone" in client.get(url("mailing-delete", world.mailing)).content.decode()
    response = client.post(url("mailing-delete", world.mailing))
    assert response.status_code == 302
    assert not Mailing.objects.filter(pk=world.mailing.pk).exists()
    mark_sent(world.crm.mailing, 2)
    before = actors_digest()
    response = client.post(url("mailing-delete", world.crm.mailing))
    assert "it stays as the record of who received it" in response.content.decode()
    assert actors_digest() == before


# --- preview and send confirmation ---------------------------------------------------------------


def test_detail_of_a_draft_previews_the_message_with_the_counts(world: World) -> None:
    client = world.portfolio.client("coordinator")
    page = main(client.get(url("mailing-detail", world.mailing)))
    assert "People in the segment</dt><dd>7</dd>" in page
    assert "<strong>2</strong>" in page  # reachable
    assert "As Dora Mode will receive it" in page
    assert "Hello Dora Mode," in page  # the plain-text part
    assert "Schneller an Ersatzteile kommen." in page
    assert f'src="{url("mailing-preview", world.mailing)}"' in page
    assert 'sandbox=""' in page

    frame = client.get(url("mailing-preview", world.mailing))
    assert frame.status_code == 200
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    csp = frame["Content-Security-Policy"]
    assert (
        "style-src 'unsafe-inline'" in csp and "default-src 'none'" in csp and "frame-ancestors 'self'" in csp
    )
    html = frame.content.decode()
    assert "Hello Dora Mode," in html and "<strong>Papierkram</strong>" in html
    # The page itself keeps the strict policy.
    assert "unsafe-inline" not in client.get(url("mailing-detail", world.mailing))["Content-Security-Policy"]


def test_detail_says_when_nobody_can_receive_it(world: World) -> None:
    world.mailing.purpose = Purpose.MATCHING
    world.mailing.save()
    page = main(world.portfolio.client("coordinator").get(url("mailing-detail", world.mailing)))
    assert "Nobody in this segment has consented to “Matching with offers”" in page
    assert "For a made-up recipient" in page and "Hello Erika Mustermann," in page


def test_send_confirmation_names_the_count(world: World) -> None:
    page = main(world.portfolio.client("coordinator").get(url("mailing-send", world.mailing)))
    assert "Recipients (valid consent, working e-mail address)</dt><dd><strong>2</strong>" in page
    assert "Send to 2 recipients" in page
    world.mailing.segment = None
    world.mailing.save()
    page = main(world.portfolio.client("coordinator").get(url("mailing-send", world.mailing)))
    assert "Choose the segment the mailing goes to before sending it." in page
    assert "Send to" not in page


# --- the log ---------------------------------------------------------------------------------------


def test_log_of_a_sent_mailing_is_paginated_with_constant_queries(world: World) -> None:
    client = world.portfolio.client("coordinator")
    mark_sent(world.mailing, 6)
    few = queries(client, url("mailing-detail", world.mailing))
    page = main(client.get(url("mailing-detail", world.mailing)))
    assert "Sent</dt><dd>4</dd>" in page and "Failed</dt><dd>2</dd>" in page
    assert "SMTPRecipientsRefused: 550 No such user" in page
    assert "r0@" in page
    mark_sent(world.crm.mailing, 0)
    MailingRecipient.objects.filter(mailing=world.mailing).delete()
    mark_sent(world.mailing, 130)
    assert queries(client, url("mailing-detail", world.mailing)) == few
    assert queries(client, url("mailing-detail", world.mailing) + "?page=3") == few
    third = main(client.get(url("mailing-detail", world.mailing) + "?page=3"))
    assert "Empfänger 0129" in third and "Empfänger 0099" not in third
    fragment = client.get(url("mailing-detail", world.mailing) + "?page=2", headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="mailing-recipients"')


def test_garbage_in_the_url_is_a_404(world: World) -> None:
    client = world.portfolio.client("coordinator")
    assert client.get("/mailings/keine-uuid/").status_code == 404
    assert client.get("/mailings/7d7c2b9e-0000-4000-8000-000000000000/").status_code == 404


# --- who may write through the pages -----------------------------------------------------------------


def _queued(world: World) -> Mailing:
    MailingRecipient.objects.create(mailing=world.crm.mailing, person=world.anna, email=world.anna.email)
    Mailing.objects.filter(pk=world.crm.mailing.pk).update(status=Mailing.Status.QUEUED)
    return world.crm.mailing


def _unconfirmed(world: World) -> Mailing:
    """A sent mailing whose delivery to anna broke off long ago (unconfirmed)."""
    MailingRecipient.objects.create(
        mailing=world.crm.mailing,
        person=world.anna,
        email=world.anna.email,
        status=MailingRecipient.Status.SENDING,
        claimed_at=timezone.now() - services.UNCONFIRMED_AFTER - dt.timedelta(minutes=1),
    )
    Mailing.objects.filter(pk=world.crm.mailing.pk).update(status=Mailing.Status.SENT)
    return world.crm.mailing


PageWrite = tuple[str, Callable[[World], Mailing | None], dict[str, Any]]
WRITES: dict[str, PageWrite] = {
    "create": ("mailing-create", lambda w: None, {"subject": "S", "body": "B", "purpose": "newsletter"}),
    "edit": ("mailing-edit", lambda w: w.mailing, {"subject": "S", "body": "B", "purpose": "newsletter"}),
    "delete": ("mailing-delete", lambda w: w.mailing, {}),
    "send": ("mailing-send", lambda w: w.mailing, {}),
    "test-send": ("mailing-test-send", lambda w: w.mailing, {}),
    "resume": ("mailing-resume", _queued, {}),
    "resend-unconfirmed": ("mailing-resume", _unconfirmed, {"resend_unconfirmed": "on"}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", list(WRITES))
def test_page_writes_by_role(
    world: World, role: str, write: str, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail

    name, target, data = WRITES[write]
    path = url(name, target(world))
    before = actors_digest()
    with django_capture_on_commit_callbacks(execute=True):
        response = world.portfolio.client(role).post(path, data)
    if role in ("coordinator", "administrator"):
        assert response.status_code == 302, response.content.decode()[:500]
        if write == "test-send":
            assert [message.to for message in mail.outbox] == [[world.portfolio.users[role].email]]  # type: ignore[union-attr]
        else:
            assert actors_digest() != before
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
        if role == "anonymous":
            assert response["Location"].startswith(reverse("accounts:login"))
        assert actors_digest() == before
        assert mail.outbox == []


# --- the panel on a person's page --------------------------------------------------------------------


def test_mailings_panel_shows_what_a_person_received_to_the_office_only(world: World) -> None:
    mark_sent(world.crm.mailing, 0)
    MailingRecipient.objects.create(
        mailing=world.crm.mailing,
        person=world.anna,
        email=world.anna.email,
        status="sent",
        sent_at=timezone.now(),
    )
    template = Template("{% load actors_mailings %}{% mailings_panel person %}")
    for role in ROLES:
        request = RequestFactory().get("/")
        request.user = world.portfolio.users[role] or AnonymousUser()
        html = template.render(Context({"request": request, "person": world.anna}))
        if role in ("coordinator", "administrator"):
            assert "Mailings received" in html
            assert world.crm.mailing.subject in html and world.crm.mailing.get_absolute_url() in html
        else:
            assert html == ""
    request = RequestFactory().get("/")
    request.user = world.portfolio.users["coordinator"] or AnonymousUser()
    assert "No mailings yet." in template.render(Context({"request": request, "person": world.dora}))
