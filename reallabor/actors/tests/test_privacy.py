"""Data protection of a person: the JSON export, erasure and anonymisation (services, pages, API)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from conftest import ROLES, Portfolio
from reallabor.actors.models import (
    Consent,
    FollowUp,
    Interaction,
    MailingRecipient,
    Person,
    PersonalDataAccess,
    Purpose,
    Relationship,
    StakeholderPosition,
)
from reallabor.actors.services import privacy
from reallabor.api.tests.conftest import api_client, call
from reallabor.core.testing.actors import Crm, affiliate, give_consent, make_person
from reallabor.history.models import Version
from reallabor.history.services import record_version
from reallabor.taxonomy.models import Tag, Term

pytestmark = pytest.mark.django_db

NAME = "Dora Datenreich"
EMAIL = "dora.datenreich@beispiel.example"
PHONE = "02041 987654"


@dataclass
class Dora:
    """A person with every kind of data the platform keeps about people."""

    person: Person
    interaction: Interaction
    own_interaction: Interaction
    follow_up: FollowUp
    need: Term
    motivation: Term


def make_dora(portfolio: Portfolio, crm: Crm) -> Dora:
    admin, coordinator = portfolio.users["administrator"], portfolio.users["coordinator"]
    assert coordinator is not None
    now = timezone.now()
    person = make_person(
        salutation="Frau",
        first_name="Dora",
        last_name="Datenreich",
        function="Prokuristin",
        email=EMAIL,
        phone=PHONE,
        mobile="0171 2345678",
        street="Hauptstraße 5",
        postcode="46236",
        city="Bottrop",
        district="Mitte",
        notes="Spricht gern über Nachfolge.",
    )
    record_version(
        obj=person, user=admin, action="created", data={"last_name": "Datenreich", "email": EMAIL}, revision=1
    )
    affiliate(person, crm.tischlerei, "Prokuristin", start_date=dt.date(2020, 1, 1))
    Relationship.objects.create(
        kind=Relationship.Kind.KNOWS, source_person=person, target_person=crm.anna, note="Schwestern"
    )
    Relationship.objects.create(kind=Relationship.Kind.ADVISES, source_person=crm.bernd, target_person=person)
    person_type = ContentType.objects.get_for_model(Person)
    need = Term.objects.filter(vocabulary__family="needs", vocabulary__retired_at__isnull=True).first()
    motivation = Term.objects.filter(
        vocabulary__family="motivations", vocabulary__retired_at__isnull=True
    ).first()
    assert need is not None and motivation is not None
    for position, term in enumerate((need, motivation)):
        Tag.objects.create(
            term=term,
            content_type=person_type,
            object_id=person.pk,
            priority=Tag.Priority.PRIMARY,
            position=position,
            created_at=now,
            created_by=coordinator,
        )
    crm.interaction.participants.add(person)
    own = Interaction.objects.create(
        kind=Interaction.Kind.CALL,
        occurred_at=now - dt.timedelta(days=10),
        subject=f"Telefonat mit {NAME}",
        notes=f"{NAME} ({EMAIL}, {PHONE}) fragt nach Förderung. Frau Datenreich ruft wieder an.",
        staff=coordinator,
        organisation=crm.tischlerei,
    )
    own.participants.add(person, crm.bernd)
    follow_up = FollowUp.objects.create(
        interaction=own,
        title="dora datenreich zurückrufen",
        due_date=timezone.localdate(),
        assignee=coordinator,
    )
    StakeholderPosition.objects.create(
        lab=portfolio.handwerk,
        person=person,
        interest=4,
        influence=2,
        note="Treibt das Thema",
        assessed_by=coordinator,
    )
    give_consent(person, Purpose.NEWSLETTER, recorded_by=coordinator)
    give_consent(person, Purpose.PHOTOS, withdrawn_at=now, withdrawal_note="per Post")
    MailingRecipient.objects.create(
        mailing=crm.mailing, person=person, email=EMAIL, status=MailingRecipient.Status.SENT, sent_at=now
    )
    privacy.log_access(user=coordinator, person=person, action="viewed", detail=f"Seite von {NAME}")
    return Dora(
        person=person,
        interaction=crm.interaction,
        own_interaction=own,
        follow_up=follow_up,
        need=need,
        motivation=motivation,
    )


@pytest.fixture
def dora(portfolio: Portfolio, crm: Crm) -> Dora:
    return make_dora(portfolio, crm)


def traces(*needles: str) -> list[str]:
    """Every row of the actors app, the tags and the history that contains one of ``needles``."""
    models: list[type[Model]] = [*apps.get_app_config("actors").get_models(), Tag, Version]
    found = []
    for model in models:
        for row in model._default_manager.values():
            text = json.dumps(row, default=str, ensure_ascii=False).casefold()
            for needle in needles:
                if needle.casefold() in text:
                    found.append(f"{model._meta.label}: {text[:200]}")
    return found


def actors_digest() -> dict[str, list[dict[str, Any]]]:
    """Every row of the actors app, the organisations, the tags and the history: equal digests
    mean nothing changed."""
    models: list[type[Model]] = [
        *apps.get_app_config("actors").get_models(),
        apps.get_model("organisations", "Organisation"),
        Tag,
        Version,
    ]
    return {model._meta.label: list(model._default_manager.order_by("pk").values()) for model in models}


def client_for(portfolio: Portfolio, role: str, **headers: str) -> Client:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.defaults.update(headers)
    return client


# Export --------------------------------------------------------------------------------------------


def test_export_contains_everything(portfolio: Portfolio, crm: Crm, dora: Dora) -> None:
    coordinator = portfolio.users["coordinator"]
    data = privacy.export_person(user=coordinator, person=dora.person)
    json.dumps(data)  # plain JSON
    assert data["format"] == "reallabor.person-export"
    assert data["person"]["uuid"] == str(dora.person.uuid)
    assert (
        data["person"].items()
        >= {
            "salutation": "Frau",
            "first_name": "Dora",
            "last_name": "Datenreich",
            "function": "Prokuristin",
            "email": EMAIL,
            "phone": PHONE,
            "mobile": "0171 2345678",
            "street": "Hauptstraße 5",
            "postcode": "46236",
            "city": "Bottrop",
            "district": "Mitte",
            "notes": "Spricht gern über Nachfolge.",
        }.items()
    )
    assert data["affiliations"] == [
        {
            "organisation": {"slug": "tischlerei-beispiel", "name": "Tischlerei Beispiel GmbH"},
            "role": "Prokuristin",
            "start_date": "2020-01-01",
            "end_date": None,
            "is_primary": False,
        }
    ]
    relations = {
        (r["direction"], r["kind"], r["other_person"]["uuid"], r["note"]) for r in data["relationships"]
    }
    assert relations == {
        ("outgoing", "knows", str(crm.anna.uuid), "Schwestern"),
        ("incoming", "advises", str(crm.bernd.uuid), ""),
    }
    assert [(n["code"], n["recorded_by"]) for n in data["needs"]] == [(dora.need.code, str(coordinator))]
    assert [m["code"] for m in data["motivations"]] == [dora.motivation.code]
    assert data["needs"][0]["recorded_at"] is not None
    interactions = {i["uuid"]: i for i in data["interactions"]}
    assert set(interactions) == {str(dora.interaction.uuid), str(dora.own_interaction.uuid)}
    own = interactions[str(dora.own_interaction.uuid)]
    assert own["kind"] == "call" and own["subject"] == f"Telefonat mit {NAME}"
    assert (
        own["notes"].startswith(NAME) and own["occurred_at"] == dora.own_interaction.occurred_at.isoformat()
    )
    assert [f["title"] for f in own["follow_ups"]] == ["dora datenreich zurückrufen"]
    visit = interactions[str(dora.interaction.uuid)]
    assert [f["title"] for f in visit["follow_ups"]] == ["Angebot Digitalberatung schicken"]
    assert data["stakeholder_positions"] == [
        {
            "lab": {"slug": portfolio.handwerk.slug, "name": portfolio.handwerk.name},
            "interest": 4,
            "influence": 2,
            "note": "Treibt das Thema",
            "assessed_at": data["stakeholder_positions"][0]["assessed_at"],
            "assessed_by": str(coordinator),
        }
    ]
    consents = {c["purpose"]: c for c in data["consents"]}
    assert consents["newsletter"]["valid_now"] is True
    assert consents["photos"]["valid_now"] is False and consents["photos"]["withdrawal_note"] == "per Post"
    assert consents["newsletter"]["text"]["version"] == 1
    assert "Art. 6 Abs. 1 lit. a DSGVO" in consents["newsletter"]["text"]["text"]
    assert data["mailings"] == [
        {
            "mailing": {"uuid": str(crm.mailing.uuid), "subject": crm.mailing.subject},
            "email": EMAIL,
            "status": "sent",
            "sent_at": data["mailings"][0]["sent_at"],
        }
    ]
    assert [(e["action"], e["user"], e["detail"]) for e in data["audit_trail"]] == [
        ("viewed", str(coordinator), f"Seite von {NAME}")
    ]
    # The export itself is logged.
    assert (
        PersonalDataAccess.objects.filter(person=dora.person, action="exported", user=coordinator).count()
        == 1
    )


@pytest.mark.parametrize("role", ROLES)
def test_only_the_office_exports(portfolio: Portfolio, dora: Dora, role: str) -> None:
    user = portfolio.users[role] or AnonymousUser()
    if role in ("coordinator", "administrator"):
        assert privacy.export_person(user=user, person=dora.person)["person"]["email"] == EMAIL
    else:
        before = PersonalDataAccess.objects.count()
        with pytest.raises(PermissionDenied):
            privacy.export_person(user=user, person=dora.person)
        assert PersonalDataAccess.objects.count() == before


def test_export_download(portfolio: Portfolio, dora: Dora) -> None:
    response = client_for(portfolio, "administrator").get(
        reverse("actors:person-export", args=[dora.person.uuid])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == f'attachment; filename="person-{dora.person.uuid}.json"'
    data = json.loads(response.content.decode("utf-8"))
    assert data["person"]["last_name"] == "Datenreich" and len(data["interactions"]) == 2
    assert PersonalDataAccess.objects.filter(person=dora.person, action="exported").count() == 1


def test_export_through_the_api(portfolio: Portfolio, dora: Dora) -> None:
    response = call(
        api_client(portfolio.users["coordinator"]), "get", f"/api/v1/people/{dora.person.uuid}/export"
    )
    assert response.status_code == 200
    assert response.json()["person"]["email"] == EMAIL
    assert {c["purpose"] for c in response.json()["consents"]} == {"newsletter", "photos"}


# Erasure --------------------------------------------------------------------------------------------


def test_erase_removes_every_trace(portfolio: Portfolio, crm: Crm, dora: Dora) -> None:
    admin = portfolio.users["administrator"]
    person_uuid, pk = dora.person.uuid, dora.person.pk
    counts_before = {i.pk: i.anonymous_participants for i in Interaction.objects.all()}
    anna_consents = list(Consent.objects.filter(person=crm.anna).values())
    assert len(traces("Datenreich", EMAIL)) >= 8  # the scan finds what is there
    impact = privacy.erase_person(user=admin, person=dora.person)

    assert impact.as_dict() == {
        "affiliations": 1,
        "relationships": 2,
        "consents": 2,
        "valid_consents": 1,
        "tags": 2,
        "stakeholder_positions": 1,
        "interactions": 2,
        "mailing_recipients": 1,
        "audit_entries": 1,
        "versions": 1,
    }
    assert not Person.objects.filter(pk=pk).exists()
    # Interactions remain, counting the person without a name.
    for interaction in (dora.interaction, dora.own_interaction):
        interaction.refresh_from_db()
        assert interaction.anonymous_participants == counts_before[interaction.pk] + 1
        assert pk not in interaction.participants.values_list("pk", flat=True)
    assert list(dora.own_interaction.participants.all()) == [crm.bernd]
    assert dora.own_interaction.subject == "Telefonat mit […]"
    assert dora.own_interaction.notes == "[…] ([…], […]) fragt nach Förderung. Frau […] ruft wieder an."
    dora.follow_up.refresh_from_db()
    assert dora.follow_up.title == "[…] zurückrufen"
    # The mailing log keeps the delivery, without person and address.
    recipient = MailingRecipient.objects.get(mailing=crm.mailing)
    assert (recipient.person, recipient.email, recipient.status) == (None, "", "sent")
    # No row anywhere still names the person.
    assert traces("Datenreich", EMAIL, PHONE, "0171 2345678", "Hauptstraße 5") == []
    # The audit trail keeps the uuid only.
    entries = PersonalDataAccess.objects.filter(person_uuid=person_uuid).order_by("at", "id")
    assert [(e.action, e.person_id) for e in entries] == [("viewed", None), ("erased", None)]
    assert entries.last().user == admin  # type: ignore[union-attr]
    assert entries.first().detail == "Seite von […]"  # type: ignore[union-attr]
    # Nobody else is touched.
    assert list(Consent.objects.filter(person=crm.anna).values()) == anna_consents
    assert Person.objects.filter(pk__in=[crm.anna.pk, crm.bernd.pk, crm.clara.pk]).count() == 3


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_erase_and_anonymise(portfolio: Portfolio, dora: Dora, role: str) -> None:
    user = portfolio.users[role] or AnonymousUser()
    before = actors_digest()
    if role == "administrator":
        privacy.anonymise_person(user=user, person=dora.person)
        privacy.erase_person(user=user, person=dora.person)
        assert not Person.objects.filter(pk=dora.person.pk).exists()
    else:
        with pytest.raises(PermissionDenied):
            privacy.erase_person(user=user, person=dora.person)
        with pytest.raises(PermissionDenied):
            privacy.anonymise_person(user=user, person=dora.person)
        assert actors_digest() == before


def test_erase_of_a_queued_recipient_skips_the_mail(portfolio: Portfolio, crm: Crm) -> None:
    MailingRecipient.objects.create(mailing=crm.mailing, person=crm.clara, email=crm.clara.email)
    privacy.erase_person(user=portfolio.users["administrator"], person=crm.clara)
    recipient = MailingRecipient.objects.get(mailing=crm.mailing)
    assert (recipient.person, recipient.email, recipient.status) == (None, "", "skipped")


def test_erase_page_says_what_happens_and_wants_the_name(portfolio: Portfolio, dora: Dora) -> None:
    client = client_for(portfolio, "administrator")
    url = reverse("actors:person-erase", args=[dora.person.uuid])
    page = client.get(url)
    assert page.status_code == 200
    for text in (
        "1 role at an organisation",
        "2 relationships",
        "2 consents",
        "1 of them valid",
        "2 needs and motivations",
        "1 stakeholder position",
        "2 interactions they took part in",
        "1 entry in the mailing log",
        "1 entry of the audit trail",
        "1 entry of the change history",
        str(dora.person.uuid),
    ):
        assert text in page.text, text
    before = actors_digest()
    wrong = client.post(url, {"confirm_name": "Dora Datenarm"})
    assert wrong.status_code == 200 and "The name does not match" in wrong.text
    assert client.post(url, {}).status_code == 200
    assert actors_digest() == before
    done = client.post(url, {"confirm_name": "  dora   DATENREICH "})
    assert done.status_code == 302 and done["Location"] == reverse("actors:person-list")
    assert not Person.objects.filter(pk=dora.person.pk).exists()
    assert client.get(url).status_code == 404


def test_anonymised_person_is_erased_with_a_checkbox(portfolio: Portfolio, dora: Dora) -> None:
    admin = portfolio.users["administrator"]
    privacy.anonymise_person(user=admin, person=dora.person)
    client = client_for(portfolio, "administrator")
    url = reverse("actors:person-erase", args=[dora.person.uuid])
    assert client.post(url, {}).status_code == 200
    assert Person.objects.filter(pk=dora.person.pk).exists()
    assert client.post(url, {"confirm": "on"}).status_code == 302
    assert not Person.objects.filter(pk=dora.person.pk).exists()


def test_erase_through_the_api(portfolio: Portfolio, dora: Dora) -> None:
    response = call(
        api_client(portfolio.users["administrator"]), "post", f"/api/v1/people/{dora.person.uuid}/erase"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["uuid"] == str(dora.person.uuid) and body["erased"] is True
    assert body["impact"]["interactions"] == 2
    assert traces("Datenreich", EMAIL) == []


# Anonymisation ------------------------------------------------------------------------------------


def test_anonymise_keeps_statistics_without_identity(portfolio: Portfolio, crm: Crm, dora: Dora) -> None:
    admin = portfolio.users["administrator"]
    person = privacy.anonymise_person(user=admin, person=dora.person)
    person.refresh_from_db()
    with translation.override("en"):
        assert person.name == "anonymised person"
    for field in privacy.PERSONAL_FIELDS:
        assert getattr(person, field) == "", field
    assert (person.city, person.district) == ("Bottrop", "Mitte")
    assert person.anonymised_at is not None
    # Kept: organisations and roles, needs and motivations, participation.
    assert list(person.affiliations.values_list("organisation__name", "role")) == [
        ("Tischlerei Beispiel GmbH", "Prokuristin")
    ]
    assert (
        Tag.objects.filter(
            content_type=ContentType.objects.get_for_model(Person), object_id=person.pk
        ).count()
        == 2
    )
    assert set(person.interactions.all()) == {dora.interaction, dora.own_interaction}
    assert StakeholderPosition.objects.get(person=person).note == ""
    # Every consent withdrawn; nothing can be sent to them any more.
    assert Consent.objects.filter(person=person).count() == 2
    assert not Consent.objects.valid().filter(person=person).exists()
    assert Consent.objects.get(person=person, purpose="photos").withdrawal_note == "per Post"
    assert MailingRecipient.objects.get(person=person).email == ""
    # Nothing names them any more.
    assert traces("Datenreich", EMAIL, PHONE, "Hauptstraße 5") == []
    assert PersonalDataAccess.objects.filter(person=person, action="anonymised", user=admin).exists()
    with pytest.raises(ValidationError):
        privacy.anonymise_person(user=admin, person=person)


def test_anonymise_page(portfolio: Portfolio, dora: Dora) -> None:
    client = client_for(portfolio, "administrator")
    url = reverse("actors:person-anonymise", args=[dora.person.uuid])
    page = client.get(url)
    assert page.status_code == 200
    assert "2 consents, all withdrawn" in page.text and "1 role at an organisation" in page.text
    before = actors_digest()
    refused = client.post(url, {})
    assert refused.status_code == 200 and "This field is required." in refused.text
    assert actors_digest() == before
    done = client.post(url, {"confirm": "on"})
    assert done.status_code == 302
    dora.person.refresh_from_db()
    assert dora.person.anonymised_at is not None
    again = client.get(url)
    assert "This person has been anonymised already." in again.text


def test_anonymise_through_the_api(portfolio: Portfolio, dora: Dora) -> None:
    client = api_client(portfolio.users["administrator"])
    response = call(client, "post", f"/api/v1/people/{dora.person.uuid}/anonymise")
    assert response.status_code == 200
    assert response.json()["uuid"] == str(dora.person.uuid)
    twice = call(client, "post", f"/api/v1/people/{dora.person.uuid}/anonymise")
    assert twice.status_code == 422
    assert twice.json()["detail"][0]["loc"] == ["body", "person"]


PAGE_WRITES = [
    ("erase", "actors:person-erase", {"confirm_name": NAME}),
    ("anonymise", "actors:person-anonymise", {"confirm": "on"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("label", "name", "data"), PAGE_WRITES, ids=[w[0] for w in PAGE_WRITES])
def test_page_writes_by_role(
    portfolio: Portfolio, dora: Dora, role: str, label: str, name: str, data: Any
) -> None:
    before = actors_digest()
    response = client_for(portfolio, role).post(reverse(name, args=[dora.person.uuid]), data)
    if role == "administrator":
        assert response.status_code == 302
        assert actors_digest() != before
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
        if role == "anonymous":
            assert response["Location"].startswith(reverse("accounts:login"))
        assert actors_digest() == before


def test_scrub_replaces_whole_words_only() -> None:
    needles = ["Anna Bauer", "Bauer"]
    assert privacy.scrub("Bauernhof: Frau BAUER und anna bauer.", needles) == "Bauernhof: Frau […] und […]."
    assert privacy._needles(Person(first_name="Li", last_name="Wu", phone="112")) == ["Wu, Li", "Li Wu"]
    assert privacy._needles(Person(last_name="Wu", phone="112")) == []  # too short to find safely
