"""The interaction pages: list and filters, recording, detail, follow-ups in place, "my open
follow-ups", the timeline panel, and every write for every role."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from conftest import ROLES, Portfolio
from reallabor.accounts.models import User
from reallabor.actors.models import FollowUp, Interaction, Person
from reallabor.actors.services import interactions as services
from reallabor.core.testing.actors import Crm, make_person
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def user_of(portfolio: Portfolio, role: str) -> User:
    user = portfolio.users[role]
    assert user is not None
    return user


LIST = reverse("actors:interaction-list")
CREATE = reverse("actors:interaction-create")
FOLLOW_UPS = reverse("actors:followup-list")


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def english_client(portfolio: Portfolio, role: str) -> Any:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def digest() -> dict[str, Any]:
    return {
        "interactions": list(Interaction.objects.order_by("pk").values()),
        "participants": list(Interaction.participants.through.objects.order_by("pk").values()),
        "follow_ups": list(FollowUp.objects.order_by("pk").values()),
        "organisations": list(Organisation.objects.order_by("pk").values("pk", "last_contact_at")),
        "people": list(Person.objects.order_by("pk").values("pk", "last_contact_at")),
    }


def record(portfolio: Portfolio, crm: Crm, **data: Any) -> Interaction:
    values: dict[str, Any] = {
        "kind": "call",
        "occurred_at": timezone.now() - dt.timedelta(days=1),
        "subject": "Anruf",
        "organisation": crm.tischlerei,
    }
    values.update(data)
    return services.record_interaction(user=user_of(portfolio, "administrator"), data=values)


# The list -----------------------------------------------------------------------------------------------


def test_list_filters_by_kind_staff_organisation_person_lab_and_period(
    portfolio: Portfolio, crm: Crm
) -> None:
    admin = user_of(portfolio, "administrator")
    other = Organisation.objects.create(name="Bäckerei Korn", slug="baeckerei-korn", kind="company")
    old_mail = record(
        portfolio,
        crm,
        kind="email",
        subject="Alte E-Mail",
        organisation=other,
        occurred_at=dt.datetime(2024, 12, 31, 22, 30, tzinfo=dt.UTC),  # 31 Dec 23:30 in Berlin
        staff=admin,
    )
    clara_call = record(portfolio, crm, subject="Claras Anruf", organisation=None, participants=[crm.clara])
    client = english_client(portfolio, "coordinator")

    def subjects(**query: str) -> list[str]:
        response = client.get(LIST, query)
        assert response.status_code == 200
        return [i.subject for i in response.context["interactions"]]

    assert subjects() == ["Claras Anruf", "Besuch in der Werkstatt", "Alte E-Mail"]
    assert subjects(kind="email") == ["Alte E-Mail"]
    assert subjects(staff=str(user_of(portfolio, "coordinator").pk)) == ["Besuch in der Werkstatt"]
    assert subjects(organisation=crm.tischlerei.slug) == ["Besuch in der Werkstatt"]
    assert subjects(person=str(crm.clara.uuid)) == ["Claras Anruf"]
    assert subjects(lab=portfolio.handwerk.slug) == ["Besuch in der Werkstatt"]
    assert subjects(date_from="2024-12-31", date_to="2024-12-31") == ["Alte E-Mail"]
    assert subjects(date_to="2024-12-30") == []
    assert subjects(date_from="2025-01-01") == ["Claras Anruf", "Besuch in der Werkstatt"]
    # Bad filters are named and ignored, never a 500.
    response = client.get(
        LIST, {"organisation": "gibt-es-nicht", "date_from": "gestern", "kind": "fax", "page": "x"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "These filters were not applied:" in html
    assert "There is no organisation “gibt-es-nicht”" in html
    assert "Enter a valid date." in html
    assert [i.subject for i in response.context["interactions"]] == [
        "Claras Anruf",
        "Besuch in der Werkstatt",
        "Alte E-Mail",
    ]
    response = client.get(LIST, {"person": str(crm.clara.uuid)})
    assert "Interactions with Clara Einzeln" in response.content.decode()
    assert f"{CREATE}?person={crm.clara.uuid}" in response.content.decode()
    assert old_mail.pk and clara_call.pk


def test_list_pages_and_htmx_get_only_the_results(portfolio: Portfolio, crm: Crm) -> None:
    for number in range(55):
        record(
            portfolio,
            crm,
            subject=f"Anruf {number:02d}",
            occurred_at=timezone.now() - dt.timedelta(days=10 + number),
        )
    client = english_client(portfolio, "coordinator")
    first = client.get(LIST)
    assert len(first.context["interactions"]) == 50 and first.context["has_next"]
    second = client.get(LIST, {"page": "2"})
    assert [i.subject for i in second.context["interactions"]][-1] == "Anruf 54"
    assert not second.context["has_next"]
    partial = client.get(LIST, {"page": "2"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="interaction-results"') and "<html" not in partial


def test_list_needs_a_constant_number_of_queries(portfolio: Portfolio, crm: Crm) -> None:
    client = english_client(portfolio, "coordinator")
    client.get(LIST)

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(LIST).status_code == 200
        return len(context.captured_queries)

    few = count()
    for number in range(20):
        person = make_person()
        interaction = record(
            portfolio,
            crm,
            subject=f"Gespräch {number}",
            participants=[person, crm.anna],
            lab=portfolio.handwerk,
            measure=portfolio.handwerk.measures.first(),
            follow_ups=[
                {"title": "Nachfassen", "due_date": timezone.localdate() + dt.timedelta(days=number)}
            ],
        )
        assert interaction.pk
    client.get(LIST)  # the filter choices are cached until the content changes: warm them again
    assert count() == few


# Recording and editing ------------------------------------------------------------------------------------


def test_create_form_is_prefilled_from_an_organisation_or_a_person(portfolio: Portfolio, crm: Crm) -> None:
    client = english_client(portfolio, "coordinator")
    html = client.get(CREATE, {"organisation": crm.tischlerei.slug}).content.decode()
    assert f'value="{crm.tischlerei.slug}"' in html
    assert "Anna Schreiner" in html and "Bernd Hobel" in html  # the people working there to tick
    response = client.get(CREATE, {"person": str(crm.anna.uuid)})
    form = response.context["form"]
    assert form.initial["participants"] == [str(crm.anna.uuid)]
    assert form.initial["organisation"] == crm.tischlerei.slug
    assert response.context["about"] == crm.anna
    response = client.get(CREATE, {"person": "kaputt", "organisation": "x" * 500})
    assert response.status_code == 200 and response.context["about"] is None


def form_data(portfolio: Portfolio, crm: Crm, **overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "visit",
        "occurred_at": "2025-02-18T09:30",
        "subject": "Besuch zur Nachfolge",
        "notes": "Sohn übernimmt 2027.",
        "staff": str(user_of(portfolio, "coordinator").pk),
        "organisation": crm.tischlerei.slug,
        "participants": [str(crm.anna.uuid)],
        "more_participants": "clara@example.org",
        "lab": portfolio.handwerk.slug,
        "measure": "",
        "follow_up_title": "Nachfolgeberatung vermitteln",
        "follow_up_due_date": "2025-03-01",
        "follow_up_assignee": "",
    }
    data.update(overrides)
    return data


def test_record_an_interaction_through_the_form(portfolio: Portfolio, crm: Crm) -> None:
    client = english_client(portfolio, "coordinator")
    response = client.post(CREATE, form_data(portfolio, crm))
    interaction = Interaction.objects.get(subject="Besuch zur Nachfolge")
    assert response.status_code == 302 and response["Location"] == interaction.get_absolute_url()
    assert interaction.occurred_at == dt.datetime(2025, 2, 18, 8, 30, tzinfo=dt.UTC)
    assert set(interaction.participants.all()) == {crm.anna, crm.clara}
    assert interaction.lab == portfolio.handwerk
    (follow_up,) = interaction.follow_ups.all()
    assert (follow_up.title, follow_up.due_date, follow_up.assignee) == (
        "Nachfolgeberatung vermitteln",
        dt.date(2025, 3, 1),
        user_of(portfolio, "coordinator"),
    )
    detail = client.get(interaction.get_absolute_url()).content.decode()
    for text in (
        "Besuch zur Nachfolge",
        "Sohn übernimmt 2027.",
        "Clara Einzeln",
        "Nachfolgeberatung vermitteln",
        "02/18/2025 9:30 a.m.",
    ):
        assert text in detail


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"occurred_at": "2999-01-01T10:00"}, "occurred_at", "once it has happened"),
        ({"subject": ""}, "subject", "This field is required."),
        ({"organisation": "gibt-es-nicht"}, "organisation", "There is no organisation “gibt-es-nicht”"),
        ({"more_participants": "niemand@example.org"}, "more_participants", "There is no person"),
        ({"participants": ["00000000-0000-0000-0000-000000000000"]}, "participants", "Select a valid choice"),
        ({"measure": "hybride-formen-des-handels/x"}, "measure", "Select a valid choice"),
        ({"follow_up_due_date": ""}, "follow_up_due_date", "A follow-up needs what to do and a due date."),
        ({"follow_up_due_date": "2025-01-01"}, "follow_up_due_date", "must not be before the interaction"),
        (
            {"organisation": "", "participants": [], "more_participants": ""},
            "participants",
            "Name the organisation",
        ),
    ],
)
def test_bad_form_input_is_named_and_changes_nothing(
    portfolio: Portfolio, crm: Crm, overrides: dict[str, Any], field: str, message: str
) -> None:
    before = digest()
    response = english_client(portfolio, "coordinator").post(CREATE, form_data(portfolio, crm, **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in text for text in errors.get(field, [])), errors
    assert digest() == before


def test_a_measure_of_another_lab_is_refused(portfolio: Portfolio, crm: Crm) -> None:
    measure = portfolio.handel.measures.first()
    assert measure is not None
    value = f"{portfolio.handel.slug}/{measure.slug}"
    response = english_client(portfolio, "coordinator").post(CREATE, form_data(portfolio, crm, measure=value))
    assert "is not a measure of the lab" in response.context["form"].errors["measure"][0]


def test_edit_and_delete(portfolio: Portfolio, crm: Crm) -> None:
    client = english_client(portfolio, "administrator")
    edit_url = reverse("actors:interaction-edit", kwargs={"uuid": crm.interaction.uuid})
    form = client.get(edit_url).context["form"]
    assert form.initial["participants"] == [str(crm.anna.uuid)]
    assert "follow_up_title" not in form.fields
    data = {
        "kind": "meeting",
        "occurred_at": "2025-01-10T14:00",
        "subject": "Treffen im Handwerkerhof",
        "staff": str(user_of(portfolio, "administrator").pk),
        "organisation": crm.tischlerei.slug,
        "participants": [str(crm.bernd.uuid)],
        "lab": portfolio.handwerk.slug,
    }
    response = client.post(edit_url, data)
    assert response.status_code == 302
    crm.interaction.refresh_from_db()
    assert crm.interaction.subject == "Treffen im Handwerkerhof"
    assert list(crm.interaction.participants.all()) == [crm.bernd]
    crm.anna.refresh_from_db()
    crm.bernd.refresh_from_db()
    assert crm.anna.last_contact_at is None
    assert crm.bernd.last_contact_at == dt.datetime(2025, 1, 10, 13, 0, tzinfo=dt.UTC)
    delete_url = reverse("actors:interaction-delete", kwargs={"uuid": crm.interaction.uuid})
    assert "1 follow-up" in client.get(delete_url).content.decode()
    response = client.post(delete_url)
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Interaction.objects.exists() and not FollowUp.objects.exists()
    assert client.get(edit_url).status_code == 404


# Follow-ups ----------------------------------------------------------------------------------------------


def test_follow_ups_are_added_completed_and_reopened_in_place(portfolio: Portfolio, crm: Crm) -> None:
    client = english_client(portfolio, "coordinator")
    uuid = crm.interaction.uuid
    add_url = reverse("actors:followup-add", kwargs={"uuid": uuid})
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        add_url,
        {
            "follow-up-title": "Fotos schicken",
            "follow-up-due_date": due,
            "follow-up-assignee": user_of(portfolio, "administrator").pk,
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="follow-ups"')
    assert "Fotos schicken" in html and "The follow-up was added." in html
    added = FollowUp.objects.get(title="Fotos schicken")
    assert added.assignee == user_of(portfolio, "administrator")
    response = client.post(
        add_url, {"follow-up-title": "", "follow-up-due_date": "kaputt"}, HTTP_HX_REQUEST="true"
    )
    assert "This field is required." in response.content.decode()
    assert FollowUp.objects.count() == 2

    complete_url = reverse("actors:followup-complete", kwargs={"uuid": added.uuid})
    assert complete_url == f"/aufgaben/{added.uuid}/erledigt/"
    response = client.post(complete_url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="follow-up follow-up--done" id="follow-up-{added.uuid}"')
    assert "“Fotos schicken” is done." in html and "Reopen" in html
    added.refresh_from_db()
    assert added.done_by == user_of(portfolio, "coordinator")
    response = client.post(complete_url, HTTP_HX_REQUEST="true")
    assert "“Fotos schicken” is already done." in response.content.decode()

    reopen_url = reverse("actors:followup-reopen", kwargs={"uuid": added.uuid})
    response = client.post(reopen_url, {"next": FOLLOW_UPS})
    assert response.status_code == 302 and response["Location"] == FOLLOW_UPS
    added.refresh_from_db()
    assert added.done_at is None
    response = client.post(reopen_url, follow=True)
    assert "“Fotos schicken” is still open." in response.content.decode()
    missing = reverse("actors:followup-complete", kwargs={"uuid": uuid_module.uuid4()})
    assert client.post(missing).status_code == 404
    assert client.post(f"/aufgaben/{uuid}-kaputt/erledigt/").status_code == 404
    assert client.get(complete_url).status_code == 405


def test_my_open_follow_ups_overdue_first_and_grouped_by_due_date(portfolio: Portfolio, crm: Crm) -> None:
    coordinator = user_of(portfolio, "coordinator")
    today = timezone.localdate()
    interaction = record(
        portfolio, crm, subject="Alter Besuch", occurred_at=timezone.now() - dt.timedelta(days=30)
    )
    for title, days, assignee in [
        ("Überfällig A", -5, coordinator),
        ("Überfällig B", -5, coordinator),
        ("Heute", 0, coordinator),
        ("Fremd", -1, user_of(portfolio, "administrator")),
        ("Erledigt", -2, coordinator),
    ]:
        services.add_follow_up(
            user=None,
            interaction=interaction,
            title=title,
            due_date=today + dt.timedelta(days=days),
            assignee=assignee,
        )
    erledigt = FollowUp.objects.get(title="Erledigt")
    services.complete_follow_up(user=None, follow_up=erledigt)
    response = english_client(portfolio, "coordinator").get(FOLLOW_UPS)
    groups = response.context["groups"]
    assert [(g["date"], g["overdue"], [f.title for f in g["follow_ups"]]) for g in groups] == [
        (today - dt.timedelta(days=5), True, ["Überfällig A", "Überfällig B"]),
        (today, False, ["Heute"]),
        (today + dt.timedelta(days=7), False, ["Angebot Digitalberatung schicken"]),
    ]
    html = response.content.decode()
    assert "4 open follow-ups" in html and "2 overdue" in html
    assert "Due today" in html and html.count("follow-up--overdue") == 2
    assert "Fremd" not in html and "Erledigt" not in html
    assert english_client(portfolio, "administrator").get(FOLLOW_UPS).context["count"] == 1


def test_my_follow_ups_need_a_constant_number_of_queries(portfolio: Portfolio, crm: Crm) -> None:
    client = english_client(portfolio, "coordinator")
    client.get(FOLLOW_UPS)

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            client.get(FOLLOW_UPS)
        return len(context.captured_queries)

    few = count()
    for number in range(15):
        interaction = record(
            portfolio, crm, subject=f"Besuch {number}", occurred_at=timezone.now() - dt.timedelta(days=30)
        )
        services.add_follow_up(
            user=None,
            interaction=interaction,
            title=f"Aufgabe {number}",
            due_date=timezone.localdate() + dt.timedelta(days=number - 5),
            assignee=user_of(portfolio, "coordinator"),
        )
    assert count() == few


# The timeline panel ---------------------------------------------------------------------------------------


def render_timeline(portfolio: Portfolio, role: str, obj: Any) -> str:
    request = RequestFactory().get("/organisationen/x/")
    request.user = portfolio.users[role] or AnonymousUser()
    return Template("{% load actors_crm %}{% timeline_panel obj %}").render(
        RequestContext(request, {"obj": obj})
    )


@pytest.mark.parametrize("role", ROLES)
def test_timeline_is_for_the_office_only(portfolio: Portfolio, crm: Crm, role: str) -> None:
    html = render_timeline(portfolio, role, crm.tischlerei)
    if role in ("coordinator", "administrator"):
        assert "Besuch in der Werkstatt" in html and "Angebot Digitalberatung schicken" in html
    else:
        assert html.strip() == ""


def test_timeline_shows_the_newest_twenty_with_a_link_to_all(portfolio: Portfolio, crm: Crm) -> None:
    for number in range(21):
        record(
            portfolio,
            crm,
            subject=f"Kontakt {number:02d}",
            occurred_at=timezone.now() - dt.timedelta(days=100 - number),
            participants=[crm.bernd],
        )
    html = render_timeline(portfolio, "coordinator", crm.tischlerei)
    assert html.index("Besuch in der Werkstatt") < html.index("Kontakt 20") < html.index("Kontakt 02")
    assert "Kontakt 01" not in html and "Kontakt 00" not in html
    assert f'href="{LIST}?organisation={crm.tischlerei.slug}">All interactions' in html
    assert f"{CREATE}?organisation={crm.tischlerei.slug}" in html
    person_html = render_timeline(portfolio, "coordinator", crm.bernd)
    assert "Kontakt 20" in person_html and "Besuch in der Werkstatt" not in person_html
    assert f"{LIST}?person={crm.bernd.uuid}" in person_html
    quiet = render_timeline(portfolio, "coordinator", crm.clara)
    assert "No interactions recorded yet." in quiet


def test_timeline_needs_a_constant_number_of_queries(portfolio: Portfolio, crm: Crm) -> None:
    render_timeline(portfolio, "coordinator", crm.tischlerei)

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            render_timeline(portfolio, "coordinator", crm.tischlerei)
        return len(context.captured_queries)

    few = count()
    for number in range(5):
        record(
            portfolio,
            crm,
            subject=f"Kontakt {number}",
            participants=[make_person(), crm.anna],
            follow_ups=[{"title": "Nachfassen", "due_date": timezone.localdate()}],
        )
    assert count() == few


# Every write for every role ---------------------------------------------------------------------------------


WRITE = dict(zip(ROLES, (302, 403, 403, 302, 302, 403), strict=True))


def _writes(portfolio: Portfolio, crm: Crm) -> list[tuple[str, str, dict[str, Any]]]:
    uuid = crm.interaction.uuid
    return [
        ("create", CREATE, form_data(portfolio, crm)),
        (
            "edit",
            reverse("actors:interaction-edit", kwargs={"uuid": uuid}),
            {
                k: v
                for k, v in form_data(portfolio, crm, subject="Geändert").items()
                if not k.startswith("follow_up")
            },
        ),
        (
            "follow-up",
            reverse("actors:followup-add", kwargs={"uuid": uuid}),
            {
                "follow-up-title": "Neu",
                "follow-up-due_date": "2999-01-01",
                "follow-up-assignee": user_of(portfolio, "coordinator").pk,
            },
        ),
        ("complete", reverse("actors:followup-complete", kwargs={"uuid": crm.follow_up.uuid}), {}),
        ("delete", reverse("actors:interaction-delete", kwargs={"uuid": uuid}), {}),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_write_per_role(portfolio: Portfolio, crm: Crm, role: str) -> None:
    client = english_client(portfolio, role)
    for name, url, data in _writes(portfolio, crm):
        before = digest()
        response = client.post(url, data)
        assert response.status_code == WRITE[role], (name, response.status_code)
        if role in ("coordinator", "administrator"):
            assert digest() != before, name
        else:
            assert digest() == before, name
    if role in ("coordinator", "administrator"):
        assert not Interaction.objects.filter(pk=crm.interaction.pk).exists()
        assert Interaction.objects.filter(subject="Besuch zur Nachfolge").exists()
