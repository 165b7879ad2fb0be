"""The people pages: writes by role (denied ones change nothing), forms, the list, the audit, panels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from conftest import ROLES, Portfolio
from reallabor.actors.models import Affiliation, Person, PersonalDataAccess, Relationship
from reallabor.actors.services import people as people_services
from reallabor.actors.services import relationships as relationship_services
from reallabor.actors.tests.matrix_people import organisation_relationship, people_relationship
from reallabor.core.testing.actors import Crm, affiliate, give_consent, make_person
from reallabor.labs.models import LabOrganisation
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import Tag, Term

pytestmark = pytest.mark.django_db

OFFICE = ("coordinator", "administrator")
WIFOE = "wirtschaftsfoerderung-bottrop"


def client_for(portfolio: Portfolio, role: str) -> Client:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def digest() -> dict[str, list[dict[str, Any]]]:
    """Every row a people page could change (one query per table)."""
    models = [
        *apps.get_app_config("actors").get_models(),
        apps.get_model("organisations", "Organisation"),
        apps.get_model("taxonomy", "Tag"),
        apps.get_model("history", "Version"),
    ]
    return {model._meta.label: list(model._default_manager.order_by("pk").values()) for model in models}


def person_form(person: Person, **changes: Any) -> dict[str, Any]:
    data = {field: getattr(person, field) for field in people_services.FIELDS}
    data["expected_revision"] = str(person.revision)
    data.update(changes)
    return data


def bernd_role(crm: Crm) -> Affiliation:
    return crm.bernd.affiliations.get()


# Writes by role --------------------------------------------------------------------------------------

Write = tuple[
    str,
    Callable[[Crm], str],
    Callable[[Crm], dict[str, Any]],
    Callable[[Crm], bool],
]

WRITES: list[Write] = [
    (
        "person-create",
        lambda crm: reverse("actors:person-create"),
        lambda crm: {
            "first_name": "Dora",
            "last_name": "Neumann",
            "email": "dora@example.org",
            "postcode": "46236",
            "organisation": "tischlerei-beispiel",
            "role": "Auszubildende",
        },
        lambda crm: Affiliation.objects.filter(
            person__last_name="Neumann", organisation=crm.tischlerei, role="Auszubildende"
        ).exists(),
    ),
    (
        "person-edit",
        lambda crm: reverse("actors:person-edit", kwargs={"uuid": crm.anna.uuid}),
        lambda crm: person_form(crm.anna, function="Inhaberin", phone="02041 123"),
        lambda crm: Person.objects.filter(pk=crm.anna.pk, function="Inhaberin", phone="02041 123").exists(),
    ),
    (
        "affiliation-create",
        lambda crm: reverse("actors:affiliation-create", kwargs={"uuid": crm.clara.uuid}),
        lambda crm: {"organisation": "tischlerei-beispiel", "role": "Beraterin", "start_date": "2024-01-15"},
        lambda crm: crm.clara.affiliations.filter(role="Beraterin", start_date=dt.date(2024, 1, 15)).exists(),
    ),
    (
        "affiliation-edit",
        lambda crm: reverse(
            "actors:affiliation-edit", kwargs={"uuid": crm.bernd.uuid, "pk": bernd_role(crm).pk}
        ),
        lambda crm: {"organisation": "tischlerei-beispiel", "role": "Altgeselle", "is_primary": "on"},
        lambda crm: crm.bernd.affiliations.filter(role="Altgeselle", is_primary=True).exists(),
    ),
    (
        "affiliation-end",
        lambda crm: reverse(
            "actors:affiliation-end", kwargs={"uuid": crm.bernd.uuid, "pk": bernd_role(crm).pk}
        ),
        lambda crm: {"end_date": timezone.localdate().isoformat()},
        lambda crm: crm.bernd.affiliations.filter(end_date=timezone.localdate()).exists(),
    ),
    (
        "affiliation-delete",
        lambda crm: reverse(
            "actors:affiliation-delete", kwargs={"uuid": crm.bernd.uuid, "pk": bernd_role(crm).pk}
        ),
        lambda crm: {},
        lambda crm: not crm.bernd.affiliations.exists(),
    ),
    (
        "person-relationship-create",
        lambda crm: reverse("actors:person-relationship-create", kwargs={"uuid": crm.anna.uuid}),
        lambda crm: {
            "direction": "in",
            "kind": "advises",
            "other": str(crm.clara.uuid),
            "note": "Steuerfragen",
        },
        lambda crm: Relationship.objects.filter(
            source_person=crm.clara, target_person=crm.anna, kind="advises", note="Steuerfragen"
        ).exists(),
    ),
    (
        "person-relationship-edit",
        lambda crm: reverse(
            "actors:person-relationship-edit",
            kwargs={"uuid": crm.anna.uuid, "pk": people_relationship(crm).pk},
        ),
        lambda crm: {"kind": "knows", "start_date": "2019-05-01", "note": "aus der Innung"},
        lambda crm: Relationship.objects.filter(
            note="aus der Innung", start_date=dt.date(2019, 5, 1)
        ).exists(),
    ),
    (
        "person-relationship-delete",
        lambda crm: reverse(
            "actors:person-relationship-delete",
            kwargs={"uuid": crm.anna.uuid, "pk": people_relationship(crm).pk},
        ),
        lambda crm: {},
        lambda crm: not Relationship.objects.filter(source_person=crm.anna).exists(),
    ),
    (
        "organisation-relationship-create",
        lambda crm: reverse("actors:organisation-relationship-create", kwargs={"slug": crm.tischlerei.slug}),
        lambda crm: {"direction": "out", "kind": "supplier_of", "other": WIFOE, "start_date": "2022-01-01"},
        lambda crm: Relationship.objects.filter(
            source_organisation=crm.tischlerei, target_organisation__slug=WIFOE, kind="supplier_of"
        ).exists(),
    ),
    (
        "organisation-relationship-edit",
        lambda crm: reverse(
            "actors:organisation-relationship-edit",
            kwargs={"slug": crm.tischlerei.slug, "pk": organisation_relationship(crm).pk},
        ),
        lambda crm: {"kind": "partner_of", "end_date": "2024-12-31"},
        lambda crm: Relationship.objects.filter(kind="partner_of", end_date=dt.date(2024, 12, 31)).exists(),
    ),
    (
        "organisation-relationship-delete",
        lambda crm: reverse(
            "actors:organisation-relationship-delete",
            kwargs={"slug": crm.tischlerei.slug, "pk": organisation_relationship(crm).pk},
        ),
        lambda crm: {},
        lambda crm: not Relationship.objects.filter(source_organisation=crm.tischlerei).exists(),
    ),
]


@contextmanager
def rolled_back() -> Iterator[None]:
    savepoint = transaction.savepoint_create()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


@pytest.mark.parametrize(("name", "url", "data", "done"), WRITES, ids=[write[0] for write in WRITES])
def test_writes_by_role(
    portfolio: Portfolio,
    crm: Crm,
    subtests: pytest.Subtests,
    name: str,
    url: Callable[[Crm], str],
    data: Callable[[Crm], dict[str, Any]],
    done: Callable[[Crm], bool],
) -> None:
    """The office writes; everybody else is refused (anonymous: to the login page) and nothing changes."""
    address, payload = url(crm), data(crm)
    before = digest()
    for role in ROLES:
        with subtests.test(role=role), rolled_back():
            response = client_for(portfolio, role).post(address, payload)
            if role in OFFICE:
                assert response.status_code == 302, response.content.decode()[:3000]
                assert done(crm)
            else:
                assert response.status_code == (302 if role == "anonymous" else 403)
                if role == "anonymous":
                    assert response["Location"].startswith(reverse("accounts:login"))
                assert digest() == before


# Forms -------------------------------------------------------------------------------------------------


def test_create_form_names_bad_fields_and_changes_nothing(portfolio: Portfolio, crm: Crm) -> None:
    before = digest()
    response = client_for(portfolio, "coordinator").post(
        reverse("actors:person-create"),
        {"last_name": "", "postcode": "123", "email": "nope", "organisation": "gibt-es-nicht"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"email", "organisation"}  # the form's own checks come first
    assert digest() == before
    response = client_for(portfolio, "coordinator").post(
        reverse("actors:person-create"),
        {"last_name": "", "postcode": "123", "organisation": "tischlerei-beispiel"},
    )
    errors = response.context["form"].errors
    assert errors["last_name"] == ["Enter the last name."]
    assert "five digits" in errors["postcode"][0]
    assert digest() == before


def test_create_form_puts_role_errors_on_the_role_fields(portfolio: Portfolio, crm: Crm) -> None:
    before = digest()
    response = client_for(portfolio, "administrator").post(
        reverse("actors:person-create"), {"last_name": "Neumann", "role": "Azubi"}
    )
    assert response.context["form"].errors == {"organisation": ["Choose the organisation of this role."]}
    assert digest() == before


def test_add_person_from_an_organisation_page(portfolio: Portfolio, crm: Crm) -> None:
    client = client_for(portfolio, "coordinator")
    url = reverse("actors:person-create") + "?organisation=tischlerei-beispiel"
    response = client.get(url)
    assert response.context["form"]["organisation"].value() == "tischlerei-beispiel"
    assert "Tischlerei Beispiel GmbH" in response.content.decode()
    assert client.get(reverse("actors:person-create") + "?organisation=%00x").status_code == 200


def test_edit_with_a_stale_revision_says_so(portfolio: Portfolio, crm: Crm) -> None:
    people_services.update_person(user=None, person=crm.anna, data={"function": "Chefin"})
    response = client_for(portfolio, "coordinator").post(
        reverse("actors:person-edit", kwargs={"uuid": crm.anna.uuid}),
        person_form(crm.anna, function="Meisterin", expected_revision="1"),
    )
    assert response.status_code == 200
    assert "changed by someone else" in str(response.context["form"].non_field_errors())
    crm.anna.refresh_from_db()
    assert crm.anna.function == "Chefin"


def test_affiliation_end_before_start_is_refused(portfolio: Portfolio, crm: Crm) -> None:
    affiliation = bernd_role(crm)
    Affiliation.objects.filter(pk=affiliation.pk).update(start_date=dt.date(2024, 5, 1))
    response = client_for(portfolio, "coordinator").post(
        reverse("actors:affiliation-end", kwargs={"uuid": crm.bernd.uuid, "pk": affiliation.pk}),
        {"end_date": "2024-04-30"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"end_date": ["The end must not be before the start."]}
    affiliation.refresh_from_db()
    assert affiliation.end_date is None


def test_relationship_form_refuses_a_self_link(portfolio: Portfolio, crm: Crm) -> None:
    before = digest()
    response = client_for(portfolio, "coordinator").post(
        reverse("actors:organisation-relationship-create", kwargs={"slug": crm.tischlerei.slug}),
        {"direction": "out", "kind": "partner_of", "other": "tischlerei-beispiel"},
    )
    assert response.status_code == 200
    assert "cannot have a relationship with itself" in response.context["form"].errors["other"][0]
    assert digest() == before


def test_relationship_form_finds_people_by_name_or_email(portfolio: Portfolio, crm: Crm) -> None:
    client = client_for(portfolio, "coordinator")
    url = reverse("actors:person-relationship-create", kwargs={"uuid": crm.anna.uuid})
    assert (
        client.post(url, {"direction": "out", "kind": "knows", "other": "Clara Einzeln"}).status_code == 302
    )
    assert (
        client.post(
            url, {"direction": "out", "kind": "advises", "other": "BERND@tischlerei-beispiel.example"}
        ).status_code
        == 302
    )
    response = client.post(url, {"direction": "out", "kind": "funds", "other": "Niemand Hier"})
    assert "There is no person" in response.context["form"].errors["other"][0]
    pairs = set(Relationship.objects.values_list("target_person__first_name", "kind"))
    assert pairs == {("Clara", "knows"), ("Bernd", "advises")}


def test_person_options(portfolio: Portfolio, crm: Crm) -> None:
    response = client_for(portfolio, "coordinator").get(reverse("actors:person-options"), {"q": "schrein"})
    text = response.content.decode()
    assert f'value="{crm.anna.uuid}"' in text and "Tischlerei Beispiel GmbH" in text
    assert str(crm.bernd.uuid) not in text
    assert client_for(portfolio, "coordinator").get(reverse("actors:person-options")).content.strip() == b""


def test_records_of_someone_else_are_404(portfolio: Portfolio, crm: Crm) -> None:
    client = client_for(portfolio, "administrator")
    anna_role = crm.anna.affiliations.get().pk
    relationship = people_relationship(crm)
    organisation_link = organisation_relationship(crm)
    for url in (
        reverse("actors:person-detail", kwargs={"uuid": "00000000-0000-0000-0000-000000000000"}),
        reverse("actors:affiliation-edit", kwargs={"uuid": crm.clara.uuid, "pk": anna_role}),
        reverse("actors:affiliation-end", kwargs={"uuid": crm.bernd.uuid, "pk": 10**15}),
        reverse("actors:person-relationship-delete", kwargs={"uuid": crm.clara.uuid, "pk": relationship.pk}),
        reverse("actors:organisation-relationship-edit", kwargs={"slug": WIFOE, "pk": relationship.pk}),
        reverse(
            "actors:organisation-relationship-edit",
            kwargs={"slug": "gibt-es-nicht", "pk": organisation_link.pk},
        ),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url


# The list ---------------------------------------------------------------------------------------------


def listed(portfolio: Portfolio, query: str = "") -> list[str]:
    response = client_for(portfolio, "coordinator").get(reverse("actors:person-list") + query)
    assert response.status_code == 200
    return [person.name for person in response.context["people"]]


def test_list_shows_people_with_their_current_organisations(portfolio: Portfolio, crm: Crm) -> None:
    response = client_for(portfolio, "coordinator").get(reverse("actors:person-list"))
    text = response.content.decode()
    assert [person.name for person in response.context["people"]] == [
        "Clara Einzeln",
        "Bernd Hobel",
        "Anna Schreiner",
    ]
    assert "Tischlerei Beispiel GmbH" in text and "Inhaberin" in text


def test_list_filters(portfolio: Portfolio, crm: Crm) -> None:
    need = Term.objects.filter(vocabulary__family="needs", vocabulary__retired_at__isnull=True).first()
    assert need is not None
    Tag.objects.create(term=need, content_object=crm.clara, priority=Tag.Priority.PRIMARY)
    assert listed(portfolio, "?q=anna") == ["Anna Schreiner"]
    assert listed(portfolio, "?kinds=company") == ["Bernd Hobel", "Anna Schreiner"]
    assert listed(portfolio, "?kinds=science") == []
    assert listed(portfolio, "?consent=newsletter") == ["Anna Schreiner"]
    assert listed(portfolio, "?districts=Kirchhellen") == ["Clara Einzeln"]
    assert listed(portfolio, "?districts=Mitte") == ["Bernd Hobel", "Anna Schreiner"]
    assert listed(portfolio, f"?needs={need.code}") == ["Clara Einzeln"]
    assert listed(portfolio, "?labs=digitale-koproduktion-im-handwerk") == ["Bernd Hobel", "Anna Schreiner"]
    assert listed(portfolio, "?labs=hybride-formen-des-handels") == []
    assert listed(portfolio, "?contacted_within_days=30") == ["Anna Schreiner"]
    assert listed(portfolio, "?not_contacted_for_days=30") == ["Clara Einzeln", "Bernd Hobel"]
    assert listed(portfolio, "?sectors=16") == ["Bernd Hobel", "Anna Schreiner"]
    assert listed(portfolio, "?sectors=c") == ["Bernd Hobel", "Anna Schreiner"]
    assert listed(portfolio, "?headcount_bands=5-9&alliance=none") == ["Bernd Hobel", "Anna Schreiner"]


def test_list_leaves_out_former_roles_and_anonymised_people(portfolio: Portfolio, crm: Crm) -> None:
    Affiliation.objects.filter(person=crm.bernd).update(end_date=timezone.localdate() - dt.timedelta(days=1))
    Person.objects.filter(pk=crm.clara.pk).update(anonymised_at=timezone.now())
    assert listed(portfolio, "?kinds=company") == ["Anna Schreiner"]
    assert listed(portfolio) == ["Bernd Hobel", "Anna Schreiner"]


@pytest.mark.parametrize(
    "query",
    [
        "?kinds=raumschiff",
        "?sectors=zz",
        "?contacted_within_days=abc",
        "?contacted_within_days=-1",
        "?consent=spam",
        "?labs=gibt-es-nicht",
        "?q=%00",
        "?page=abc",
        "?page=99999999999999999999",
    ],
)
def test_list_survives_garbage(portfolio: Portfolio, crm: Crm, query: str) -> None:
    response = client_for(portfolio, "coordinator").get(reverse("actors:person-list") + query)
    assert response.status_code == 200
    if "page" not in query and "q=" not in query:
        assert response.context["filter_errors"], query
        assert response.context["people"] == []
        assert 'role="alert"' in response.content.decode()


def test_list_answers_htmx_with_the_results_only(portfolio: Portfolio, crm: Crm) -> None:
    response = client_for(portfolio, "coordinator").get(
        reverse("actors:person-list") + "?q=bernd", HTTP_HX_REQUEST="true"
    )
    text = response.content.decode()
    assert "Bernd Hobel" in text and "Anna Schreiner" not in text
    assert "<html" not in text and "<form" not in text


def test_list_paginates(portfolio: Portfolio, crm: Crm) -> None:
    from reallabor.actors.views.people import PER_PAGE

    for number in range(PER_PAGE):
        make_person(first_name="Zacharias", last_name=f"Zz{number:03d}")
    client = client_for(portfolio, "coordinator")
    first = client.get(reverse("actors:person-list"))
    assert len(first.context["people"]) == PER_PAGE and first.context["has_next"]
    second = client.get(reverse("actors:person-list") + "?page=2")
    assert [person.name for person in second.context["people"]] == [
        "Zacharias Zz047",
        "Zacharias Zz048",
        "Zacharias Zz049",
    ]
    assert not second.context["has_next"]
    assert client.get(reverse("actors:person-list") + "?page=9").context["people"] == []


def test_list_query_count_does_not_grow_with_the_data(portfolio: Portfolio, crm: Crm) -> None:
    client = client_for(portfolio, "coordinator")
    url = reverse("actors:person-list") + "?kinds=company&consent=newsletter"
    client.get(url)  # warm up sessions and caches
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert len(response.context["people"]) == 1
    wifoe = Organisation.objects.get(slug=WIFOE)
    for number in range(30):
        person = make_person(last_name=f"Mehr{number:02d}")
        affiliate(person, crm.tischlerei, "Geselle")
        affiliate(person, wifoe, "Beirat")
        give_consent(person)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["people"]) == 31
    assert len(many) == len(few)
    assert len(few) <= 20


# A person's page --------------------------------------------------------------------------------------


def test_viewing_a_person_is_audited(portfolio: Portfolio, crm: Crm) -> None:
    user = portfolio.users["coordinator"]
    response = client_for(portfolio, "coordinator").get(crm.anna.get_absolute_url())
    assert response.status_code == 200
    [entry] = PersonalDataAccess.objects.all()
    assert (entry.user, entry.person, entry.person_uuid, entry.action) == (
        user,
        crm.anna,
        crm.anna.uuid,
        "viewed",
    )


def test_denied_views_are_not_audited(portfolio: Portfolio, crm: Crm) -> None:
    for role in ROLES:
        if role not in OFFICE:
            client_for(portfolio, role).get(crm.anna.get_absolute_url())
    assert not PersonalDataAccess.objects.exists()


def test_person_page_shows_current_and_former_roles(portfolio: Portfolio, crm: Crm) -> None:
    wifoe = Organisation.objects.get(slug=WIFOE)
    affiliate(crm.anna, wifoe, "Praktikantin", start_date=dt.date(2010, 1, 1), end_date=dt.date(2011, 6, 30))
    response = client_for(portfolio, "administrator").get(crm.anna.get_absolute_url())
    assert [row.role for row in response.context["current_affiliations"]] == ["Inhaberin"]
    assert [row.role for row in response.context["former_affiliations"]] == ["Praktikantin"]
    text = response.content.decode()
    assert "Former roles" in text and "Praktikantin" in text and "anna@tischlerei-beispiel.example" in text


# Panels ----------------------------------------------------------------------------------------------


def render_tag(portfolio: Portfolio, role: str, tag: str, obj: Any) -> str:
    request = RequestFactory().get("/")
    request.user = portfolio.users[role] or AnonymousUser()
    template = Template("{% load actors_people %}{% " + tag + " obj %}")
    with translation.override("en"):
        return template.render(Context({"request": request, "obj": obj})).strip()


def test_organisation_people_panel_is_for_the_office(portfolio: Portfolio, crm: Crm) -> None:
    Affiliation.objects.filter(person=crm.bernd).update(
        start_date=dt.date(2015, 1, 1), end_date=dt.date(2020, 12, 31)
    )
    for role in ROLES:
        html = render_tag(portfolio, role, "organisation_people", crm.tischlerei)
        if role in OFFICE:
            assert "Anna Schreiner" in html and "Inhaberin" in html
            assert "Former people" in html and "Bernd Hobel" in html
            assert reverse("actors:person-create") + "?organisation=tischlerei-beispiel" in html
        else:
            assert html == "", role


def test_relationships_panel_of_an_organisation(portfolio: Portfolio, crm: Crm) -> None:
    """Readers and partners see relationships between organisations they can see; only the office edits."""
    first = Organisation.objects.create(name="Händler Eins (fiktiv)", slug="haendler-eins", kind="company")
    LabOrganisation.objects.create(lab=portfolio.handel, organisation=first)
    relationship_services.create_relationship(
        user=None,
        source=first,
        target=crm.tischlerei,
        kind=Relationship.Kind.CUSTOMER_OF,
        start_date="2021-01-01",
    )
    second = Organisation.objects.create(name="Händler Zwei (fiktiv)", slug="haendler-zwei", kind="company")
    LabOrganisation.objects.create(lab=portfolio.handel, organisation=second)
    relationship_services.create_relationship(
        user=None, source=first, target=second, kind=Relationship.Kind.PARTNER_OF
    )
    add_url = reverse("actors:organisation-relationship-create", kwargs={"slug": "haendler-eins"})
    for role in ROLES:
        html = render_tag(portfolio, role, "relationships_panel", first)
        if role in ("anonymous", "outsider"):
            assert html == "", role
            continue
        assert "Händler Zwei (fiktiv)" in html, role
        assert ("Tischlerei Beispiel GmbH" in html) is (role != "partner"), role  # not in the partner's lab
        assert (add_url in html) is (role in OFFICE), role
    # An organisation the partner cannot see shows them nothing at all.
    assert render_tag(portfolio, "partner", "relationships_panel", crm.tischlerei) == ""


def test_relationships_panel_of_a_person_is_for_the_office(portfolio: Portfolio, crm: Crm) -> None:
    people_relationship(crm)
    for role in ROLES:
        html = render_tag(portfolio, role, "relationships_panel", crm.bernd)
        if role in OFFICE:
            assert "Anna Schreiner" in html and "knows" in html
            assert reverse("actors:person-relationship-create", kwargs={"uuid": crm.bernd.uuid}) in html
        else:
            assert html == "", role
