"""Duplicates in the database: finding them and merging two records (every relation moves)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone, translation

from conftest import ROLES, Portfolio
from reallabor.actors.models import (
    Affiliation,
    Consent,
    Interaction,
    Mailing,
    MailingRecipient,
    Person,
    PersonalDataAccess,
    Purpose,
    Relationship,
    StakeholderPosition,
)
from reallabor.actors.services import duplicates as services
from reallabor.actors.tests.test_api_role_matrix import actors_digest
from reallabor.core.testing.actors import Crm, affiliate, give_consent, make_person
from reallabor.core.testing.factories import OrganisationFactory, make_lab, make_measure
from reallabor.history.models import Version
from reallabor.labs.models import Actor, Lab, LabOrganisation, Measure
from reallabor.organisations.keys import name_key, web_domain
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import Tag, Term

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def english_client(portfolio: Portfolio, role: str) -> Any:
    """A page client asking for English, so the assertions hold whatever the translations say."""
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def organisation(name: str, slug: str, **fields: Any) -> Organisation:
    fields.setdefault("kind", "company")
    return Organisation.objects.create(
        name=name,
        slug=slug,
        name_key=name_key(name),
        web_domain=web_domain(fields.get("website", "")),
        **fields,
    )


def digest() -> dict[str, Any]:
    result = actors_digest()
    extra: tuple[type[Model], ...] = (Version, LabOrganisation, Actor, Lab, Measure.coordinators.through)
    for model in extra:
        result[model._meta.label] = list(model._default_manager.order_by("pk").values())
    return result


def tag(obj: Any, family: str, code: str) -> Tag:
    return Tag.objects.create(
        term=Term.objects.get(vocabulary__family=family, vocabulary__retired_at__isnull=True, code=code),
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        priority="primary",
    )


def codes(obj: Any) -> list[str]:
    return sorted(
        Tag.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk).values_list(
            "term__code", flat=True
        )
    )


# Finding -------------------------------------------------------------------------------------------


def test_organisation_groups_by_name_and_postcode_email_and_website(portfolio: Portfolio, crm: Crm) -> None:
    twin = organisation(
        "Tischlerei Beispiel", "tischlerei-2", postcode="46236", email="INFO@tischlerei-beispiel.example"
    )
    organisation("Holz & Co. KG", "holz-1", postcode="46240", website="https://www.holz.example")
    organisation("Ganz anders", "holz-2", postcode="10115", website="http://holz.example/impressum")
    organisation("Tischlerei Beispiel", "tischlerei-berlin", postcode="10115")  # another postcode
    groups = services.find_duplicate_organisations()
    assert [(g.reasons, g.shared, [m.slug for m in g.members]) for g in groups] == [
        (["name_postcode", "email"], "Tischlerei Beispiel · 46236", ["tischlerei-2", "tischlerei-beispiel"]),
        (["web_domain"], "holz.example", ["holz-2", "holz-1"]),
    ]
    assert groups[0].reason_labels == ["same name and postcode", "same e-mail address"]
    assert twin in groups[0].members


def test_people_groups_by_email_and_name_at_the_same_organisation(portfolio: Portfolio, crm: Crm) -> None:
    same_mail = make_person(first_name="A.", last_name="Schreiner", email="Anna@Tischlerei-Beispiel.example")
    same_name = make_person(first_name="Bernd", last_name="Hobel", email="")
    affiliate(same_name, crm.tischlerei)
    elsewhere = make_person(
        first_name="Clara", last_name="Einzeln", email=""
    )  # no organisation: no duplicate
    anonymised = make_person(
        first_name="X", last_name="Y", email="clara@example.org", anonymised_at=timezone.now()
    )
    groups = services.find_duplicate_people()
    assert [(g.reasons, [m.pk for m in g.members]) for g in groups] == [
        (["email"], [same_mail.pk, crm.anna.pk]),
        (["name_at_organisation"], [crm.bernd.pk, same_name.pk]),
    ]
    assert groups[1].shared == "Bernd Hobel · Tischlerei Beispiel GmbH"
    assert elsewhere.pk not in {m.pk for g in groups for m in g.members}
    assert anonymised.pk not in {m.pk for g in groups for m in g.members}


def test_finding_makes_a_constant_number_of_queries(
    portfolio: Portfolio, crm: Crm, django_assert_max_num_queries: Any
) -> None:
    for number in range(30):
        organisation(f"Firma {number}", f"firma-{number}-a", email=f"f{number}@x.example")
        organisation(
            f"Firma {number}", f"firma-{number}-b", email=f"f{number}@x.example", website=f"f{number}.example"
        )
        organisation(f"Firma {number} Zweig", f"firma-{number}-c", website=f"f{number}.example")
    with django_assert_max_num_queries(6):
        groups = services.find_duplicate_organisations()
    assert len(groups) == 60


# Merging organisations -----------------------------------------------------------------------------


def test_merging_an_organisation_moves_every_relation(portfolio: Portfolio, crm: Crm) -> None:
    keep = crm.tischlerei
    remove = organisation(
        "Tischlerei Beispiel", "tischlerei-2", postcode="46236", phone="02041 77", founding_year=1980,
        quarter="Altstadt", email="other@tischlerei.example",
    )  # fmt: skip
    other = organisation("Holzhandel", "holzhandel")
    lab = make_lab(name="Zweites Labor", slug="zweites-labor")
    measure = make_measure(lab, title="Maßnahme", slug="massnahme")
    shared_measure = make_measure(lab, title="Gemeinsam", slug="gemeinsam")
    # Roles: one person only at remove, anna at both with the same role (stays once).
    dora = make_person(first_name="Dora", last_name="Dübel")
    affiliate(dora, remove, "Azubi")
    affiliate(crm.anna, remove, "Inhaberin")
    interaction = Interaction.objects.create(
        kind="call", occurred_at=timezone.now(), subject="Anruf", organisation=remove
    )
    Relationship.objects.create(kind="supplier_of", source_organisation=other, target_organisation=remove)
    Relationship.objects.create(kind="partner_of", source_organisation=remove, target_organisation=other)
    Relationship.objects.create(
        kind="partner_of", source_organisation=keep, target_organisation=other
    )  # same
    Relationship.objects.create(
        kind="member_of", source_organisation=remove, target_organisation=keep
    )  # dropped
    tag(remove, "needs", "succession")
    tag(remove, "needs", "skilled-workers")
    tag(keep, "needs", "skilled-workers")
    StakeholderPosition.objects.create(lab=lab, organisation=remove, interest=4, influence=2)
    StakeholderPosition.objects.create(lab=portfolio.handwerk, organisation=remove, interest=1, influence=1)
    StakeholderPosition.objects.create(lab=portfolio.handwerk, organisation=keep, interest=5, influence=5)
    LabOrganisation.objects.create(lab=lab, organisation=remove, role="science")
    LabOrganisation.objects.create(
        lab=portfolio.handwerk, organisation=remove, role="supporter"
    )  # keep is there
    Actor.objects.create(measure=measure, organisation=remove, role="Werkstatt")
    Actor.objects.create(measure=shared_measure, organisation=remove, role="doppelt")
    Actor.objects.create(measure=shared_measure, organisation=keep, role="Gastgeber")
    measure.coordinators.add(remove)
    shared_measure.coordinators.add(remove, keep)
    Lab.objects.filter(pk=lab.pk).update(coordinator=remove)

    kept = services.merge_organisations(user=portfolio.users["coordinator"], keep=keep, remove=remove)

    assert not Organisation.objects.filter(pk=remove.pk).exists()
    assert kept.pk == keep.pk
    assert (kept.phone, kept.founding_year, kept.quarter) == ("02041 77", 1980, "Altstadt")
    assert (kept.name, kept.email) == ("Tischlerei Beispiel GmbH", "info@tischlerei-beispiel.example")
    assert sorted(
        Affiliation.objects.filter(organisation=keep).values_list("person__first_name", "role")
    ) == [
        ("Anna", "Inhaberin"),
        ("Bernd", "Meister"),
        ("Dora", "Azubi"),
    ]
    interaction.refresh_from_db()
    assert interaction.organisation == keep
    assert sorted(
        Relationship.objects.filter(source_organisation__in=[keep, other]).values_list(
            "kind", "source_organisation__slug", "target_organisation__slug"
        )
    ) == [
        ("partner_of", "tischlerei-beispiel", "holzhandel"),
        ("supplier_of", "holzhandel", "tischlerei-beispiel"),
    ]
    assert codes(keep) == ["skilled-workers", "succession"]
    assert sorted(
        StakeholderPosition.objects.filter(organisation=keep).values_list("lab__slug", "interest")
    ) == [
        ("digitale-koproduktion-im-handwerk", 5),
        ("zweites-labor", 4),
    ]
    assert sorted(LabOrganisation.objects.filter(organisation=keep).values_list("lab__slug", "role")) == [
        ("digitale-koproduktion-im-handwerk", "partner"),
        ("zweites-labor", "science"),
    ]
    assert sorted(Actor.objects.filter(organisation=keep).values_list("measure__slug", "role")) == [
        ("gemeinsam", "Gastgeber"),
        ("massnahme", "Werkstatt"),
    ]
    assert list(measure.coordinators.all()) == [keep]
    assert list(shared_measure.coordinators.all()) == [keep]
    assert Lab.objects.get(pk=lab.pk).coordinator == keep
    # The history: keep changed, remove deleted, the lab and the measures changed.
    versions = Version.objects.filter(content_type=ContentType.objects.get_for_model(Organisation))
    changed = versions.get(object_id=keep.pk)
    assert changed.action == "changed" and changed.comment == "Merged with “Tischlerei Beispiel”"
    assert versions.get(object_id=remove.pk).action == "deleted"
    lab_version = Version.objects.filter(
        content_type=ContentType.objects.get_for_model(Lab), object_id=lab.pk
    ).first()
    assert lab_version is not None and lab_version.data["coordinator"] == "tischlerei-beispiel"
    measure_version = Version.objects.filter(
        content_type=ContentType.objects.get_for_model(Measure), object_id=measure.pk
    ).first()
    assert measure_version is not None and measure_version.data["coordinators"] == ["tischlerei-beispiel"]


def test_merging_knows_every_relation() -> None:
    """A new relation to organisations or people (events, offers …) must be handled by merging."""

    def relations(model: Any) -> set[str]:
        return {
            f"{field.related_model._meta.label}.{field.field.name}"
            for field in model._meta.get_fields(include_hidden=True)
            if field.is_relation and field.auto_created and not field.concrete
        }

    assert relations(Organisation) == services.merged_relations("organisation")
    assert relations(Person) == services.merged_relations("person")


def test_merging_a_record_with_itself_is_refused_and_changes_nothing(portfolio: Portfolio, crm: Crm) -> None:
    before = digest()
    with pytest.raises(ValidationError) as error:
        services.merge_organisations(user=None, keep=crm.tischlerei, remove=crm.tischlerei)
    assert error.value.message_dict == {"remove": ["An organisation cannot be merged with itself."]}
    with pytest.raises(ValidationError, match="cannot be merged with itself"):
        services.merge_people(user=None, keep=crm.anna, remove=crm.anna)
    assert digest() == before


@pytest.mark.parametrize("role", ROLES)
def test_only_the_office_merges(portfolio: Portfolio, crm: Crm, role: str) -> None:
    twin = organisation("Tischlerei Beispiel", "tischlerei-2", postcode="46236")
    person = make_person(first_name="Anna", last_name="Schreiner", email="")
    user = portfolio.users[role] or AnonymousUser()
    before = digest()
    if role in ("coordinator", "administrator"):
        services.merge_organisations(user=user, keep=crm.tischlerei, remove=twin)
        services.merge_people(user=user, keep=crm.anna, remove=person)
        assert not Organisation.objects.filter(pk=twin.pk).exists()
        assert not Person.objects.filter(pk=person.pk).exists()
        return
    with pytest.raises(PermissionDenied):
        services.merge_organisations(user=user, keep=crm.tischlerei, remove=twin)
    with pytest.raises(PermissionDenied):
        services.merge_people(user=user, keep=crm.anna, remove=person)
    assert digest() == before


# Merging people ------------------------------------------------------------------------------------


def test_merging_a_person_moves_every_relation(portfolio: Portfolio, crm: Crm) -> None:
    keep, remove = (
        crm.anna,
        make_person(
            first_name="Anna",
            last_name="Schreiner",
            email="anna.privat@example.org",
            mobile="0170 1",
            salutation="Frau",
        ),
    )
    other_org = organisation("Holzhandel", "holzhandel")
    affiliate(remove, crm.tischlerei, "Inhaberin")  # the same role: stays once
    affiliate(remove, other_org, "Beirat")
    give_consent(remove, Purpose.PHOTOS)
    give_consent(remove, Purpose.NEWSLETTER, withdrawn_at=timezone.now())
    crm.interaction.participants.add(remove)  # both took part: once
    call = Interaction.objects.create(kind="call", occurred_at=timezone.now(), subject="Nur B")
    call.participants.add(remove)
    both = Mailing.objects.create(subject="Beide", body="…")
    MailingRecipient.objects.create(mailing=both, person=keep, email=keep.email, status="sent")
    MailingRecipient.objects.create(mailing=both, person=remove, email=remove.email, status="sent")
    only = Mailing.objects.create(subject="Nur B", body="…")
    MailingRecipient.objects.create(mailing=only, person=remove, email=remove.email, status="sent")
    access = PersonalDataAccess.objects.create(
        user=portfolio.users["administrator"], action="viewed", person=remove
    )
    Relationship.objects.create(kind="knows", source_person=remove, target_person=crm.clara)
    Relationship.objects.create(kind="knows", source_person=keep, target_person=remove)
    tag(remove, "motivations", "image")
    StakeholderPosition.objects.create(lab=portfolio.handwerk, person=remove, interest=3, influence=3)
    removed_uuid = remove.uuid

    services.merge_people(user=portfolio.users["administrator"], keep=keep, remove=remove)

    assert not Person.objects.filter(pk=remove.pk).exists()
    keep.refresh_from_db()
    assert (keep.mobile, keep.salutation, keep.email) == (
        "0170 1",
        "Frau",
        "anna@tischlerei-beispiel.example",
    )
    assert sorted(keep.affiliations.values_list("organisation__slug", "role")) == [
        ("holzhandel", "Beirat"),
        ("tischlerei-beispiel", "Inhaberin"),
    ]
    assert sorted((c.purpose, c.withdrawn_at is None) for c in keep.consents.all()) == [
        ("newsletter", False),
        ("newsletter", True),
        ("photos", True),
    ]
    assert Consent.objects.filter(person__isnull=True).count() == 0
    assert list(crm.interaction.participants.all()) == [keep]
    assert list(call.participants.all()) == [keep]
    assert list(
        MailingRecipient.objects.order_by("mailing__subject", "email").values_list(
            "mailing__subject", "person", "email"
        )
    ) == [
        ("Beide", None, "anna.privat@example.org"),  # the log keeps the line, without a second link
        ("Beide", keep.pk, "anna@tischlerei-beispiel.example"),
        ("Nur B", keep.pk, "anna.privat@example.org"),
    ]
    access.refresh_from_db()
    assert (access.person, access.person_uuid) == (keep, removed_uuid)
    assert list(Relationship.objects.filter(source_person=keep).values_list("kind", "target_person")) == [
        ("knows", crm.clara.pk)
    ]
    assert not Relationship.objects.filter(target_person=keep).exists()
    assert codes(keep) == ["image"]
    assert StakeholderPosition.objects.get(person=keep).lab == portfolio.handwerk
    versions = Version.objects.filter(content_type=ContentType.objects.get_for_model(Person))
    assert versions.get(object_id=keep.pk).action == "changed"
    assert versions.get(object_id=remove.pk).action == "deleted"
    assert versions.get(object_id=remove.pk).data["email"] == "anna.privat@example.org"


def test_an_anonymised_person_is_not_merged(portfolio: Portfolio, crm: Crm) -> None:
    ghost = make_person(
        first_name="", last_name="–", email="", anonymised_at=timezone.now() - dt.timedelta(days=1)
    )
    before = digest()
    with pytest.raises(ValidationError, match="anonymised"):
        services.merge_people(user=None, keep=crm.anna, remove=ghost)
    assert digest() == before


# Pages ---------------------------------------------------------------------------------------------


def test_the_duplicate_page_lists_groups_with_links_to_merge(
    portfolio: Portfolio, crm: Crm, django_assert_max_num_queries: Any
) -> None:
    organisation("Tischlerei Beispiel", "tischlerei-2", postcode="46236")
    client = english_client(portfolio, "coordinator")
    client.get(reverse("actors:duplicate-list"))
    for number in range(10):
        organisation(f"Doppelt {number}", f"doppelt-{number}-a", website=f"https://d{number}.example")
        organisation(f"Doppelt {number} Filiale", f"doppelt-{number}-b", website=f"d{number}.example")
    with django_assert_max_num_queries(14):
        response = client.get(reverse("actors:duplicate-list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "11 groups" in html
    assert (
        f"{reverse('actors:duplicate-merge')}?art=organisationen&amp;a=tischlerei-2&amp;b=tischlerei-beispiel"
        in html
    )
    people = client.get(reverse("actors:duplicate-list") + "?art=personen&seite=abc")
    assert people.status_code == 200 and "No duplicates found." in people.content.decode()


def test_the_merge_page_compares_and_merges(portfolio: Portfolio, crm: Crm) -> None:
    twin = organisation("Tischlerei Beispiel", "tischlerei-2", postcode="46236", phone="02041 77")
    client = english_client(portfolio, "administrator")
    url = reverse("actors:duplicate-merge") + "?art=organisationen&a=tischlerei-2&b=tischlerei-beispiel"
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "02041 77" in html and "Tischlerei Beispiel GmbH" in html
    response = client.post(
        reverse("actors:duplicate-merge"),
        {"art": "organisationen", "a": "tischlerei-2", "b": "tischlerei-beispiel", "keep": "b"},
    )
    assert response.status_code == 302 and response["Location"] == crm.tischlerei.get_absolute_url()
    assert not Organisation.objects.filter(pk=twin.pk).exists()
    assert Organisation.objects.get(pk=crm.tischlerei.pk).phone == "02041 77"


def test_the_merge_page_for_people(portfolio: Portfolio, crm: Crm) -> None:
    twin = make_person(first_name="Anna", last_name="Schreiner", email="")
    client = english_client(portfolio, "coordinator")
    response = client.post(
        reverse("actors:duplicate-merge"),
        {"art": "personen", "a": str(twin.uuid), "b": str(crm.anna.uuid), "keep": "a"},
    )
    assert response.status_code == 302 and response["Location"] == twin.get_absolute_url()
    assert not Person.objects.filter(pk=crm.anna.pk).exists()
    assert twin.affiliations.get().organisation == crm.tischlerei


def test_merging_a_record_with_itself_on_the_page_says_so(portfolio: Portfolio, crm: Crm) -> None:
    before = digest()
    client = english_client(portfolio, "administrator")
    data = {"art": "organisationen", "a": "tischlerei-beispiel", "b": "tischlerei-beispiel", "keep": "a"}
    response = client.post(reverse("actors:duplicate-merge"), data)
    assert response.status_code == 200
    assert "A record cannot be merged with itself." in response.content.decode()
    assert digest() == before


@pytest.mark.parametrize(
    "query",
    [
        "?art=organisationen&a=gibt-es-nicht&b=tischlerei-beispiel",
        "?art=personen&a=kaputt&b=kaputt",
        "?art=tiere&a=x&b=y",
    ],
)
def test_unknown_records_on_the_merge_page_are_404(portfolio: Portfolio, crm: Crm, query: str) -> None:
    assert (
        english_client(portfolio, "coordinator").get(reverse("actors:duplicate-merge") + query).status_code
        == 404
    )


@pytest.mark.parametrize("role", ["anonymous", "reader", "partner", "outsider"])
def test_others_cannot_merge_on_the_page(portfolio: Portfolio, crm: Crm, role: str) -> None:
    organisation("Tischlerei Beispiel", "tischlerei-2", postcode="46236")
    before = digest()
    response = english_client(portfolio, role).post(
        reverse("actors:duplicate-merge"),
        {"art": "organisationen", "a": "tischlerei-2", "b": "tischlerei-beispiel", "keep": "b"},
    )
    assert response.status_code == (302 if role == "anonymous" else 403)
    assert digest() == before


def test_merging_moves_what_the_events_app_holds(portfolio: Portfolio, crm: Crm) -> None:
    """Registrations, invitations, hosts and organiser roles follow the kept record (events hook)."""
    from reallabor.core.testing.events import make_event
    from reallabor.events.models import Invitation, Registration

    other = cast(Organisation, OrganisationFactory(name="Tischlerei Meyer (doppelt)"))
    event = make_event(host=other)
    event.organisers.add(other, crm.tischlerei)
    twin = make_person(first_name="Anna", last_name="Schäfer", email="anna.twin@example.org")
    registration = Registration.objects.create(
        event=event, person=twin, first_name="Anna", last_name="Schäfer", email=twin.email,
        organisation=other, organisation_name=other.name, code="ABCDEF",
    )  # fmt: skip
    Invitation.objects.create(event=event, person=twin)
    Invitation.objects.create(event=event, person=crm.anna)

    services.merge_organisations(user=None, keep=crm.tischlerei, remove=other)
    event.refresh_from_db()
    registration.refresh_from_db()
    assert event.host == crm.tischlerei and list(event.organisers.all()) == [crm.tischlerei]
    assert registration.organisation == crm.tischlerei

    services.merge_people(user=None, keep=crm.anna, remove=twin)
    registration.refresh_from_db()
    assert registration.person == crm.anna
    assert list(Invitation.objects.filter(event=event).values_list("person", flat=True)) == [crm.anna.pk]
