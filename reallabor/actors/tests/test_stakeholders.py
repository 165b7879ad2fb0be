"""The stakeholder analysis per lab: the service, the analysis with its needs, the page and its forms."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from conftest import ROLES, Portfolio
from reallabor.accounts.models import User
from reallabor.actors.models import Person, StakeholderPosition
from reallabor.actors.services import needs as needs_services
from reallabor.actors.services import stakeholders as services
from reallabor.core.testing.actors import Crm, affiliate, make_person
from reallabor.labs.models import LabOrganisation, Measure
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import Tag, Term

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


def positions() -> list[Any]:
    return list(StakeholderPosition.objects.order_by("pk").values())


def tag_measure(measure: Measure, family: str, code: str) -> Tag:
    return Tag.objects.create(
        term=Term.objects.get(vocabulary__family=family, vocabulary__retired_at__isnull=True, code=code),
        content_type=ContentType.objects.get_for_model(Measure),
        object_id=measure.pk,
        priority="primary",
    )


# The service -----------------------------------------------------------------------------------------


def test_place_and_move_an_organisation_and_place_a_person(portfolio: Portfolio, crm: Crm) -> None:
    coordinator = user_of(portfolio, "coordinator")
    lab = portfolio.handwerk
    position = services.set_stakeholder_position(
        user=coordinator,
        lab=lab,
        organisation=crm.tischlerei.slug,
        interest=5,
        influence="2",
        note="Pilotbetrieb",
    )
    assert (position.organisation, position.interest, position.influence, position.note) == (
        crm.tischlerei,
        5,
        2,
        "Pilotbetrieb",
    )
    assert position.assessed_by == coordinator
    moved = services.set_stakeholder_position(
        user=user_of(portfolio, "administrator"),
        lab=lab,
        organisation=crm.tischlerei,
        interest=4,
        influence=4,
    )
    assert moved.pk == position.pk and (moved.interest, moved.influence, moved.note) == (4, 4, "")
    person = services.set_stakeholder_position(
        user=coordinator, lab=lab, person=str(crm.anna.uuid), interest=3, influence=1
    )
    assert person.person == crm.anna
    assert StakeholderPosition.objects.count() == 2
    assert services.find_position(lab, organisation=crm.tischlerei.slug) == moved
    assert services.find_position(lab, person=str(crm.anna.uuid)) == person
    assert services.find_position(lab, person="kaputt") is None
    services.remove_stakeholder_position(user=coordinator, position=person)
    assert StakeholderPosition.objects.count() == 1


@pytest.mark.parametrize(
    ("arguments", "field", "message"),
    [
        ({"interest": 0, "influence": 3}, "interest", "The interest is a whole number from 1 to 5."),
        ({"interest": 3, "influence": 6}, "influence", "The influence is a whole number from 1 to 5."),
        ({"interest": "viel", "influence": 3}, "interest", "from 1 to 5"),
        ({"interest": 3, "influence": 3, "note": "x" * 501}, "note", "at most 500"),
        (
            {"organisation": None, "interest": 3, "influence": 3},
            "organisation",
            "Choose an organisation or a person.",
        ),
        ({"person": "x", "interest": 3, "influence": 3}, "person", "not both"),
        (
            {"organisation": "gibt-es-nicht", "interest": 3, "influence": 3},
            "organisation",
            "There is no organisation",
        ),
        (
            {
                "organisation": None,
                "person": "00000000-0000-0000-0000-000000000000",
                "interest": 3,
                "influence": 3,
            },
            "person",
            "There is no person with the ID",
        ),
    ],
)
def test_bad_positions_are_refused(
    portfolio: Portfolio, crm: Crm, arguments: dict[str, Any], field: str, message: str
) -> None:
    values = {"organisation": crm.tischlerei.slug, **arguments}
    with pytest.raises(ValidationError) as error:
        services.set_stakeholder_position(
            user=user_of(portfolio, "coordinator"), lab=portfolio.handwerk, **values
        )
    assert message in error.value.message_dict[field][0]
    assert positions() == []


def test_anonymised_people_are_not_placed(portfolio: Portfolio, crm: Crm) -> None:
    Person.objects.filter(pk=crm.clara.pk).update(anonymised_at=timezone.now())
    with pytest.raises(ValidationError, match="anonymised"):
        services.set_stakeholder_position(
            user=None, lab=portfolio.handwerk, person=str(crm.clara.uuid), interest=2, influence=2
        )


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_and_the_labs_coordinators_change_positions(
    portfolio: Portfolio, crm: Crm, role: str
) -> None:
    user = portfolio.users[role] or AnonymousUser()
    placed = services.set_stakeholder_position(
        user=None, lab=portfolio.handel, organisation=crm.tischlerei, interest=1, influence=1
    )
    allowed_handwerk = role in ("coordinator", "administrator")
    allowed_handel = role == "administrator"
    before = positions()
    if allowed_handwerk:
        services.set_stakeholder_position(
            user=user, lab=portfolio.handwerk, organisation=crm.tischlerei, interest=2, influence=2
        )
        assert StakeholderPosition.objects.filter(lab=portfolio.handwerk).count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.set_stakeholder_position(
                user=user, lab=portfolio.handwerk, organisation=crm.tischlerei, interest=2, influence=2
            )
        assert positions() == before
    before = positions()
    if allowed_handel:
        services.remove_stakeholder_position(user=user, position=placed)
        assert not StakeholderPosition.objects.filter(pk=placed.pk).exists()
    else:
        with pytest.raises(PermissionDenied):
            services.remove_stakeholder_position(user=user, position=placed)
        assert positions() == before


# The analysis ----------------------------------------------------------------------------------------------


@pytest.fixture
def analysed(portfolio: Portfolio, crm: Crm) -> dict[str, Any]:
    """Two measures of the crafts lab with needs, the Tischlerei and Anna (who works there) on the grid."""
    first = portfolio.handwerk.measures.order_by("position", "id").first()
    assert first is not None
    second = Measure.objects.create(
        lab=portfolio.handwerk, title="Imagekampagne Handwerk", slug="imagekampagne", position=9
    )
    tag_measure(first, "needs", "digitalisation")
    tag_measure(first, "needs", "skilled-workers")
    tag_measure(second, "motivations", "image")
    other_lab_measure = portfolio.handel.measures.first()
    assert other_lab_measure is not None
    tag_measure(other_lab_measure, "needs", "succession")
    needs_services.record_need(user=None, obj=crm.tischlerei, family="needs", code="digitalisation")
    needs_services.record_need(user=None, obj=crm.tischlerei, family="motivations", code="image")
    needs_services.record_need(user=None, obj=crm.tischlerei, family="needs", code="succession")
    needs_services.record_need(user=None, obj=crm.anna, family="needs", code="skilled-workers")
    needs_services.record_need(user=None, obj=crm.bernd, family="needs", code="digitalisation")
    services.set_stakeholder_position(
        user=None, lab=portfolio.handwerk, organisation=crm.tischlerei, interest=5, influence=4
    )
    services.set_stakeholder_position(
        user=None, lab=portfolio.handwerk, person=crm.anna, interest=4, influence=2
    )
    return {"first": first, "second": second}


def test_analysis_links_actors_to_measures_by_their_needs(
    portfolio: Portfolio, crm: Crm, analysed: dict[str, Any]
) -> None:
    first, second = analysed["first"], analysed["second"]
    lab = portfolio.handwerk
    rows = services.stakeholder_analysis(
        user=user_of(portfolio, "coordinator"), lab=lab, positions=list(services.positions_of(lab))
    ).rows
    tischlerei, anna = rows
    assert (tischlerei.number, tischlerei.actor, tischlerei.quadrant, tischlerei.quadrant_label) == (
        1,
        crm.tischlerei,
        "key_players",
        "Key players",
    )
    assert [(link.code, link.label, link.measures, link.own, link.via) for link in tischlerei.links] == [
        ("digitalisation", "Digitalisation", [first], True, ()),
        ("image", "Image", [second], True, ()),
    ]  # succession is a need of the other lab's measure only
    assert (anna.actor, anna.quadrant) == (crm.anna, "keep_informed")
    assert [(link.code, link.measures, link.own, link.via) for link in anna.links] == [
        ("skilled-workers", [first], True, ()),
        ("digitalisation", [first], False, ("Tischlerei Beispiel GmbH",)),
        ("image", [second], False, ("Tischlerei Beispiel GmbH",)),
    ]


def test_a_persons_former_organisation_does_not_count(
    portfolio: Portfolio, crm: Crm, analysed: dict[str, Any]
) -> None:
    dora = make_person(first_name="Dora", last_name="Dübel")
    affiliate(dora, crm.tischlerei, end_date=timezone.localdate().replace(year=2020))
    services.set_stakeholder_position(user=None, lab=portfolio.handwerk, person=dora, interest=1, influence=1)
    lab = portfolio.handwerk
    rows = services.stakeholder_analysis(user=None, lab=lab, positions=list(services.positions_of(lab))).rows
    assert rows[-1].actor == dora and rows[-1].links == []


def test_measures_take_needs_through_their_own_tag_editor(portfolio: Portfolio, crm: Crm) -> None:
    """No extra service is needed: the measure's tag editor offers every current vocabulary."""
    from reallabor.labs.forms import tag_term_choices
    from reallabor.labs.services import update_measure

    measure = portfolio.handwerk.measures.order_by("position").first()
    assert measure is not None
    groups = [label for label, _options in tag_term_choices(measure)]
    assert "Needs" in groups and "Motivations" in groups
    kept = [
        {
            "term": {"family": t.term.vocabulary.family, "code": t.term.code},
            "priority": t.priority or "primary",
        }
        for t in Tag.objects.filter(measure=measure).select_related("term__vocabulary")
        if t.share is None
    ]
    update_measure(
        user=user_of(portfolio, "coordinator"),
        measure=measure,
        data={"tags": [*kept, {"term": "needs:digitalisation", "priority": "primary"}]},
    )
    assert Tag.objects.filter(
        measure=measure, term__vocabulary__family="needs", term__code="digitalisation"
    ).exists()


# The page ------------------------------------------------------------------------------------------------


def page_url(lab_slug: str = "digitale-koproduktion-im-handwerk") -> str:
    return reverse("actors:stakeholder-list", kwargs={"slug": lab_slug})


def test_the_page_draws_the_grid_lists_the_quadrants_and_the_shared_needs(
    portfolio: Portfolio, crm: Crm, analysed: dict[str, Any]
) -> None:
    response = english_client(portfolio, "coordinator").get(page_url())
    html = response.content.decode()
    assert response.status_code == 200
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg and "<style" not in svg and "<script" not in svg and "style=" not in svg
    assert "<title>1: Tischlerei Beispiel GmbH</title>" in html
    assert "<title>2: Anna Schreiner</title>" in html
    for label in ("Key players", "Keep satisfied", "Keep informed", "Monitor"):
        assert label in html
    assert f'<a href="{analysed["first"].get_absolute_url()}">{analysed["first"].title}</a>' in html
    assert "via Tischlerei Beispiel GmbH" in html
    assert 'name="stakeholder-actor"' in html  # the coordinator of this lab changes it
    assert (
        reverse(
            "labs:measure-tags",
            kwargs={"lab_slug": "digitale-koproduktion-im-handwerk", "slug": "imagekampagne"},
        )
        in html
    )


def test_coordinators_of_other_labs_see_the_page_without_forms(portfolio: Portfolio, crm: Crm) -> None:
    services.set_stakeholder_position(
        user=None, lab=portfolio.handel, organisation=crm.tischlerei, interest=2, influence=5
    )
    html = (
        english_client(portfolio, "coordinator").get(page_url("hybride-formen-des-handels")).content.decode()
    )
    assert "Tischlerei Beispiel GmbH" in html and "Keep satisfied" in html
    assert 'name="stakeholder-actor"' not in html
    assert english_client(portfolio, "coordinator").get(page_url("gibt-es-nicht")).status_code == 404


def test_the_page_needs_a_constant_number_of_queries(
    portfolio: Portfolio, crm: Crm, analysed: dict[str, Any]
) -> None:
    client = english_client(portfolio, "coordinator")
    client.get(page_url())  # warm up (sessions, content types)

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(page_url()).status_code == 200
        return len(context.captured_queries)

    few = count()
    for number in range(12):
        organisation = Organisation.objects.create(
            name=f"Betrieb {number}", slug=f"betrieb-{number}", kind="company"
        )
        LabOrganisation.objects.create(lab=portfolio.handwerk, organisation=organisation)
        needs_services.record_need(user=None, obj=organisation, family="needs", code="digitalisation")
        person = make_person()
        affiliate(person, organisation)
        services.set_stakeholder_position(
            user=None, lab=portfolio.handwerk, organisation=organisation, interest=number % 5 + 1, influence=2
        )
        services.set_stakeholder_position(
            user=None, lab=portfolio.handwerk, person=person, interest=3, influence=3
        )
    assert count() == few


SET_STATUSES = dict(zip(ROLES, (302, 403, 403, 302, 302, 403), strict=True))


@pytest.mark.parametrize("role", ROLES)
def test_page_writes_per_role(portfolio: Portfolio, crm: Crm, role: str) -> None:
    client = english_client(portfolio, role)
    set_url = reverse("actors:stakeholder-set", kwargs={"slug": portfolio.handwerk.slug})
    remove_url = reverse("actors:stakeholder-remove", kwargs={"slug": portfolio.handwerk.slug})
    data = {
        "stakeholder-actor": f"organisation:{crm.tischlerei.slug}",
        "stakeholder-interest": "4",
        "stakeholder-influence": "5",
    }
    before = positions()
    response = client.post(set_url, data)
    assert response.status_code == SET_STATUSES[role]
    if SET_STATUSES[role] != 302 or role == "anonymous":
        assert positions() == before
        services.set_stakeholder_position(
            user=None, lab=portfolio.handwerk, organisation=crm.tischlerei, interest=1, influence=1
        )
        before = positions()
        assert (
            client.post(remove_url, {"actor": f"organisation:{crm.tischlerei.slug}"}).status_code
            == SET_STATUSES[role]
        )
        assert positions() == before
        return
    assert response["Location"] == page_url()
    position = StakeholderPosition.objects.get()
    assert (position.lab, position.organisation, position.interest, position.influence) == (
        portfolio.handwerk,
        crm.tischlerei,
        4,
        5,
    )
    assert client.post(remove_url, {"actor": f"organisation:{crm.tischlerei.slug}"}).status_code == 302
    assert positions() == []
    assert client.post(remove_url, {"actor": f"organisation:{crm.tischlerei.slug}"}).status_code == 404


def test_coordinators_change_only_their_own_labs_grid(portfolio: Portfolio, crm: Crm) -> None:
    placed = services.set_stakeholder_position(
        user=None, lab=portfolio.handel, organisation=crm.tischlerei, interest=1, influence=1
    )
    before = positions()
    client = english_client(portfolio, "coordinator")
    url = reverse("actors:stakeholder-set", kwargs={"slug": portfolio.handel.slug})
    data = {
        "stakeholder-actor": f"organisation:{crm.tischlerei.slug}",
        "stakeholder-interest": "5",
        "stakeholder-influence": "5",
    }
    assert client.post(url, data).status_code == 403
    url = reverse("actors:stakeholder-remove", kwargs={"slug": portfolio.handel.slug})
    assert client.post(url, {"actor": f"organisation:{crm.tischlerei.slug}"}).status_code == 403
    assert positions() == before
    assert StakeholderPosition.objects.get().pk == placed.pk


def test_htmx_form_places_other_actors_and_names_errors(portfolio: Portfolio, crm: Crm) -> None:
    client = english_client(portfolio, "coordinator")
    url = reverse("actors:stakeholder-set", kwargs={"slug": portfolio.handwerk.slug})
    response = client.post(
        url,
        {
            "stakeholder-other_person": str(crm.clara.uuid),
            "stakeholder-interest": "2",
            "stakeholder-influence": "4",
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="stakeholder-analysis">')
    assert "Clara Einzeln: interest 2, influence 4." in html
    assert StakeholderPosition.objects.get().person == crm.clara
    before = positions()
    response = client.post(
        url,
        {
            "stakeholder-actor": f"organisation:{crm.tischlerei.slug}",
            "stakeholder-other_person": str(crm.clara.uuid),
            "stakeholder-interest": "9",
            "stakeholder-influence": "4",
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "Select a valid choice. 9 is not one of the available choices." in html
    response = client.post(
        url,
        {
            "stakeholder-other_organisation": "gibt-es-nicht",
            "stakeholder-interest": "1",
            "stakeholder-influence": "1",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "There is no organisation “gibt-es-nicht”" in response.content.decode()
    response = client.post(
        url, {"stakeholder-interest": "1", "stakeholder-influence": "1"}, HTTP_HX_REQUEST="true"
    )
    assert "Choose an actor of the lab, another organisation or another person." in response.content.decode()
    assert positions() == before
