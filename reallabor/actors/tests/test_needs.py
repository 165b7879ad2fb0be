"""Needs and motivations: the service, the panel on organisation and person pages, its forms."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from conftest import ROLES, Portfolio
from reallabor.accounts.models import User
from reallabor.actors.models import Person
from reallabor.actors.services import needs as services
from reallabor.core.testing.actors import Crm
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import Tag, Term
from reallabor.taxonomy.services import create_vocabulary_version, current_vocabulary, delete_term

pytestmark = pytest.mark.django_db


def user_of(portfolio: Portfolio, role: str) -> User:
    user = portfolio.users[role]
    assert user is not None
    return user


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def english_client(portfolio: Portfolio, role: str) -> Any:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def need_rows() -> list[Any]:
    return list(
        Tag.objects.filter(term__vocabulary__family__in=services.NEED_FAMILIES)
        .order_by("pk")
        .values("pk", "term_id", "content_type_id", "object_id", "priority", "note", "created_by_id")
    )


# The service -------------------------------------------------------------------------------------------


def test_record_a_need_of_an_organisation_with_who_and_when(portfolio: Portfolio, crm: Crm) -> None:
    coordinator = user_of(portfolio, "coordinator")
    before = timezone.now()
    tag = services.record_need(user=coordinator, obj=crm.tischlerei, family="needs", code="digitalisation")
    assert tag.term.code == "digitalisation" and tag.term.vocabulary.family == "needs"
    assert tag.content_type == ContentType.objects.get_for_model(Organisation)
    assert tag.object_id == crm.tischlerei.pk
    assert tag.priority == "primary" and tag.share is None and tag.note == ""
    assert tag.created_by == coordinator
    assert tag.created_at is not None and tag.created_at >= before
    second = services.record_need(
        user=user_of(portfolio, "administrator"),
        obj=crm.tischlerei,
        family="motivations",
        code="image",
        priority="secondary",
        note="  Ausbildungsbetrieb zeigen  ",
    )
    assert (second.priority, second.note) == ("secondary", "Ausbildungsbetrieb zeigen")
    assert [t.term.code for t in services.needs_of(crm.tischlerei)] == ["digitalisation", "image"]


def test_record_a_need_of_a_person(portfolio: Portfolio, crm: Crm) -> None:
    tag = services.record_need(
        user=user_of(portfolio, "coordinator"), obj=crm.anna, family="needs", code="succession"
    )
    assert tag.content_type == ContentType.objects.get_for_model(Person)
    assert services.find_need(crm.anna, "needs", "succession") == tag
    assert services.find_need(crm.bernd, "needs", "succession") is None
    assert services.find_need(crm.anna, "sdg", "8") is None


@pytest.mark.parametrize(
    ("family", "code", "extra", "field", "message"),
    [
        (
            "needs",
            "teleportation",
            {},
            "code",
            "Unknown term “teleportation” in “Bedarfe” (known: skilled-workers,",
        ),
        ("sdg", "8", {}, "family", "Choose “needs” or “motivations”; “sdg” is not one of them."),
        ("needs", "", {}, "code", "Choose a need or motivation."),
        ("needs", "financing", {"priority": "urgent"}, "priority", "“primary” or “secondary”, not “urgent”"),
        ("needs", "financing", {"note": "x" * 201}, "note", "The note has 201 characters; at most 200"),
    ],
)
def test_bad_needs_are_refused_with_a_clear_message(
    portfolio: Portfolio, crm: Crm, family: str, code: str, extra: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        services.record_need(
            user=user_of(portfolio, "coordinator"), obj=crm.tischlerei, family=family, code=code, **extra
        )
    assert message in error.value.message_dict[field][0]
    assert need_rows() == []


def test_duplicates_are_refused(portfolio: Portfolio, crm: Crm) -> None:
    user = user_of(portfolio, "coordinator")
    services.record_need(user=user, obj=crm.tischlerei, family="needs", code="premises")
    before = need_rows()
    with pytest.raises(ValidationError) as error:
        services.record_need(
            user=user, obj=crm.tischlerei, family="needs", code="premises", priority="secondary"
        )
    assert error.value.message_dict["code"] == [
        "“Premises” is already recorded for Tischlerei Beispiel GmbH."
    ]
    assert need_rows() == before


def test_retired_vocabulary_terms_take_no_new_entries_but_old_ones_count_as_duplicates(
    portfolio: Portfolio, crm: Crm
) -> None:
    user = user_of(portfolio, "administrator")
    old = services.record_need(user=user, obj=crm.tischlerei, family="needs", code="financing")
    successor = create_vocabulary_version(user=None, vocabulary=current_vocabulary("needs"))
    delete_term(user=None, term=Term.objects.get(vocabulary=successor, code="visibility"))
    with pytest.raises(ValidationError) as error:
        services.record_need(user=user, obj=crm.anna, family="needs", code="visibility")
    assert error.value.message_dict["code"] == [
        "“Visibility” belongs to the retired version 1 of “Bedarfe” and takes no new entries; "
        "choose a term of the current version."
    ]
    # "financing" of version 1 is still recorded: the same need of version 2 is a duplicate.
    with pytest.raises(ValidationError):
        services.record_need(user=user, obj=crm.tischlerei, family="needs", code="financing")
    assert services.find_need(crm.tischlerei, "needs", "financing") == old
    new = services.record_need(user=user, obj=crm.anna, family="needs", code="financing")
    assert new.term.vocabulary == successor


def test_anonymised_people_get_no_needs(portfolio: Portfolio, crm: Crm) -> None:
    Person.objects.filter(pk=crm.clara.pk).update(anonymised_at=timezone.now())
    crm.clara.refresh_from_db()
    with pytest.raises(ValidationError, match="anonymised"):
        services.record_need(
            user=user_of(portfolio, "coordinator"), obj=crm.clara, family="needs", code="financing"
        )


@pytest.mark.parametrize("role", ["anonymous", "reader", "partner", "outsider"])
def test_only_the_office_records_and_removes_needs(portfolio: Portfolio, crm: Crm, role: str) -> None:
    tag = services.record_need(user=None, obj=crm.tischlerei, family="needs", code="networking")
    before = need_rows()
    user = portfolio.users[role] or AnonymousUser()
    with pytest.raises(PermissionDenied):
        services.record_need(user=user, obj=crm.tischlerei, family="needs", code="financing")
    with pytest.raises(PermissionDenied):
        services.remove_need(user=user, tag=tag)
    assert need_rows() == before


def test_remove_a_need_and_refuse_to_remove_other_tags(portfolio: Portfolio, crm: Crm) -> None:
    user = user_of(portfolio, "coordinator")
    tag = services.record_need(user=user, obj=crm.anna, family="needs", code="training")
    services.remove_need(user=user, tag=tag)
    assert need_rows() == []
    measure_tag = Tag.objects.filter(measure__isnull=False).first()
    assert measure_tag is not None
    with pytest.raises(ValidationError, match="not a need or motivation"):
        services.remove_need(user=user, tag=measure_tag)
    assert Tag.objects.filter(pk=measure_tag.pk).exists()


# The panel ---------------------------------------------------------------------------------------------


def render_panel(portfolio: Portfolio, role: str, obj: Any) -> str:
    request = RequestFactory().get("/")
    request.user = portfolio.users[role] or AnonymousUser()
    template = Template("{% load actors_crm %}{% needs_panel obj %}")
    return template.render(RequestContext(request, {"obj": obj}))


@pytest.mark.parametrize(
    ("role", "sees_organisation", "sees_person", "may_edit"),
    [
        ("anonymous", False, False, False),
        ("outsider", False, False, False),
        ("reader", True, False, False),
        ("partner", True, False, False),
        ("coordinator", True, True, True),
        ("administrator", True, True, True),
    ],
)
def test_needs_panel_shows_business_needs_widely_and_personal_ones_to_the_office(
    portfolio: Portfolio, crm: Crm, role: str, sees_organisation: bool, sees_person: bool, may_edit: bool
) -> None:
    coordinator = user_of(portfolio, "coordinator")
    services.record_need(
        user=coordinator, obj=crm.tischlerei, family="needs", code="skilled-workers", note="Azubis"
    )
    services.record_need(user=coordinator, obj=crm.anna, family="motivations", code="responsibility")
    organisation_html = render_panel(portfolio, role, crm.tischlerei)
    person_html = render_panel(portfolio, role, crm.anna)
    assert ("Skilled workers" in organisation_html) is sees_organisation
    assert ("Responsibility for the city" in person_html) is sees_person
    if sees_organisation:
        assert "Azubis" in organisation_html
        assert f"recorded by {coordinator}" in organisation_html
        assert timezone.localdate().strftime("%m/%d/%Y") in organisation_html
    add_url = reverse("actors:needs-organisation-add", kwargs={"slug": crm.tischlerei.slug})
    assert (add_url in organisation_html) is may_edit
    if not sees_organisation:
        assert organisation_html.strip() == ""


def test_needs_panel_of_nothing_recorded_offers_the_form(portfolio: Portfolio, crm: Crm) -> None:
    html = render_panel(portfolio, "coordinator", crm.bernd)
    assert "No needs or motivations recorded yet." in html
    assert 'name="need-term"' in html
    assert '<optgroup label="Needs">' in html and '<optgroup label="Motivations">' in html
    assert render_panel(portfolio, "coordinator", portfolio.handwerk).strip() == ""


# The forms behind the panel ----------------------------------------------------------------------------


def _urls(crm: Crm) -> dict[str, tuple[str, str]]:
    return {
        "organisation": (
            reverse("actors:needs-organisation-add", kwargs={"slug": crm.tischlerei.slug}),
            reverse("actors:needs-organisation-remove", kwargs={"slug": crm.tischlerei.slug}),
        ),
        "person": (
            reverse("actors:needs-person-add", kwargs={"uuid": crm.anna.uuid}),
            reverse("actors:needs-person-remove", kwargs={"uuid": crm.anna.uuid}),
        ),
    }


WRITE_STATUSES = dict(zip(ROLES, (302, 403, 403, 302, 302, 403), strict=True))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("holder", ["organisation", "person"])
def test_adding_and_removing_needs_per_role(portfolio: Portfolio, crm: Crm, role: str, holder: str) -> None:
    add_url, remove_url = _urls(crm)[holder]
    obj = crm.tischlerei if holder == "organisation" else crm.anna
    existing = services.record_need(user=None, obj=obj, family="needs", code="financing")
    before = need_rows()
    client = english_client(portfolio, role)
    response = client.post(add_url, {"need-term": "needs:digitalisation", "need-priority": "primary"})
    assert response.status_code == WRITE_STATUSES[role]
    allowed = role in ("coordinator", "administrator")
    if not allowed:
        assert need_rows() == before
        response = client.post(remove_url, {"need": "needs:financing"})
        assert response.status_code == WRITE_STATUSES[role]
        assert need_rows() == before
        return
    assert response["Location"] == obj.get_absolute_url() + "#needs"
    assert services.find_need(obj, "needs", "digitalisation") is not None
    response = client.post(remove_url, {"need": "needs:financing", "next": "/kontakte/"})
    assert response.status_code == 302 and response["Location"] == "/kontakte/"
    assert not Tag.objects.filter(pk=existing.pk).exists()
    assert client.post(remove_url, {"need": "needs:financing"}).status_code == 404


def test_htmx_swaps_the_panel_and_names_errors(portfolio: Portfolio, crm: Crm) -> None:
    add_url, remove_url = _urls(crm)["organisation"]
    client = english_client(portfolio, "coordinator")
    response = client.post(
        add_url,
        {"need-term": "needs:premises", "need-priority": "secondary", "need-note": "Halle"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<section") and 'id="needs"' in html
    assert "“Premises” was recorded." in html and "Halle" in html
    # The same again: the duplicate is named on the form, nothing is added.
    before = need_rows()
    response = client.post(
        add_url, {"need-term": "needs:premises", "need-priority": "primary"}, HTTP_HX_REQUEST="true"
    )
    assert "is already recorded for Tischlerei Beispiel GmbH" in response.content.decode()
    assert need_rows() == before
    response = client.post(
        add_url, {"need-term": "needs:nope", "need-priority": "primary"}, HTTP_HX_REQUEST="true"
    )
    assert "Select a valid choice" in response.content.decode()
    response = client.post(remove_url, {"need": "needs:premises"}, HTTP_HX_REQUEST="true")
    assert "“Premises” was removed." in response.content.decode()
    assert need_rows() == []


def test_errors_without_javascript_come_back_as_messages(portfolio: Portfolio, crm: Crm) -> None:
    add_url, _remove = _urls(crm)["person"]
    client = english_client(portfolio, "coordinator")
    response = client.post(add_url, {"need-term": "", "need-priority": "primary"}, follow=True)
    assert "This field is required." in response.content.decode()
    assert need_rows() == []


def test_needs_of_invisible_or_unknown_actors_are_404(portfolio: Portfolio, crm: Crm) -> None:
    client = english_client(portfolio, "coordinator")
    assert (
        client.post(reverse("actors:needs-organisation-add", kwargs={"slug": "gibt-es-nicht"})).status_code
        == 404
    )
    url = reverse("actors:needs-person-add", kwargs={"uuid": "00000000-0000-0000-0000-000000000000"})
    assert client.post(url).status_code == 404
    assert client.get(_urls(crm)["person"][0]).status_code == 405
