"""The target groups of an organisation: the service, the panel on the organisation's page, its
form for every role (htmx and without JavaScript), and their effect on a mailing's Mehrwert
blocks."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from conftest import ROLES, Portfolio
from reallabor.actors.mail import Recipient, render_mail
from reallabor.actors.services import mailings as mailing_services
from reallabor.actors.services import needs as needs_services
from reallabor.actors.services import target_groups as services
from reallabor.actors.tests.test_mailings_send import World, world  # noqa: F401 - a fixture
from reallabor.core.testing.actors import Crm
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import TARGET_GROUP_FAMILY, Tag, Term
from reallabor.taxonomy.services import create_vocabulary_version, current_vocabulary, delete_term

pytestmark = pytest.mark.django_db

WRITE_STATUSES = dict(zip(ROLES, (302, 403, 403, 302, 302, 403), strict=True))


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def client_of(portfolio: Portfolio, role: str) -> Any:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def tag_rows() -> list[Any]:
    """Every tag (target groups, needs, anything): equal lists mean nothing changed."""
    return list(
        Tag.objects.order_by("pk").values(
            "pk", "term_id", "content_type_id", "object_id", "priority", "share", "note", "created_by_id"
        )
    )


def codes(organisation: Organisation) -> list[str]:
    return [tag.term.code for tag in services.target_groups_of(organisation)]


def set_url(organisation: Organisation) -> str:
    return reverse("actors:target-groups-organisation-set", kwargs={"slug": organisation.slug})


def codes_label(code: str) -> str:
    return str(
        Term.objects.get(
            vocabulary__family=TARGET_GROUP_FAMILY, vocabulary__retired_at__isnull=True, code=code
        ).label
    )


def render_panel(portfolio: Portfolio, role: str, obj: Any) -> str:
    request = RequestFactory().get("/")
    request.user = portfolio.users[role] or AnonymousUser()
    template = Template("{% load actors_crm %}{% target_groups_panel obj %}")
    return template.render(RequestContext(request, {"obj": obj}))


# The service ---------------------------------------------------------------------------------------------


def test_set_and_remove_target_groups_keeping_the_other_tags(portfolio: Portfolio, crm: Crm) -> None:
    coordinator = portfolio.users["coordinator"]
    need = needs_services.record_need(user=None, obj=crm.tischlerei, family="needs", code="financing")
    before = timezone.now()
    tags = services.set_target_groups(
        user=coordinator,
        organisation=crm.tischlerei,
        codes=["handwerksbetriebe", " einzelhandel ", "einzelhandel"],
    )
    assert [tag.term.code for tag in tags] == codes(crm.tischlerei)
    assert set(codes(crm.tischlerei)) == {"handwerksbetriebe", "einzelhandel"}
    first = {tag.term.code: tag for tag in tags}["handwerksbetriebe"]
    assert first.created_by == coordinator and first.created_at is not None and first.created_at >= before
    assert first.priority == Tag.Priority.PRIMARY and first.term.vocabulary.family == TARGET_GROUP_FAMILY

    # Remove one, keep the other as it was (same row), add a third.
    services.set_target_groups(
        user=None, organisation=crm.tischlerei, codes=["handwerksbetriebe", "gastronomie"]
    )
    assert set(codes(crm.tischlerei)) == {"handwerksbetriebe", "gastronomie"}
    assert Tag.objects.filter(pk=first.pk).exists()
    assert Tag.objects.filter(pk=need.pk).exists()  # the needs are left alone

    services.set_target_groups(user=None, organisation=crm.tischlerei, codes=[])
    assert codes(crm.tischlerei) == []
    assert Tag.objects.filter(pk=need.pk).exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["handwerksbetriebe", "gibt-es-nicht"], "Unknown target group “gibt-es-nicht”; known:"),
        ("handwerksbetriebe", "Give the target groups as a list of their codes."),
        ([3], "Give the target groups as a list of their codes."),
        ([f"g{n}" for n in range(101)], "At most 100 target groups."),
    ],
)
def test_bad_target_groups_name_the_field_and_change_nothing(
    portfolio: Portfolio, crm: Crm, value: Any, message: str
) -> None:
    services.set_target_groups(user=None, organisation=crm.tischlerei, codes=["einzelhandel"])
    before = tag_rows()
    with pytest.raises(ValidationError) as error:
        services.set_target_groups(
            user=portfolio.users["administrator"], organisation=crm.tischlerei, codes=value
        )
    assert list(error.value.message_dict) == ["target_groups"]
    assert error.value.message_dict["target_groups"][0].startswith(message)
    assert tag_rows() == before


@pytest.mark.parametrize("role", ROLES)
def test_only_those_who_edit_the_organisation_set_target_groups(
    portfolio: Portfolio, crm: Crm, role: str
) -> None:
    before = tag_rows()
    user = portfolio.users[role] or AnonymousUser()
    if role in ("coordinator", "administrator"):
        services.set_target_groups(user=user, organisation=crm.tischlerei, codes=["dienstleister"])
        assert codes(crm.tischlerei) == ["dienstleister"]
    else:
        with pytest.raises(PermissionDenied):
            services.set_target_groups(user=user, organisation=crm.tischlerei, codes=["dienstleister"])
        assert tag_rows() == before


def test_a_group_of_a_retired_vocabulary_version_is_kept_while_chosen(portfolio: Portfolio, crm: Crm) -> None:
    old = services.set_target_groups(user=None, organisation=crm.tischlerei, codes=["gastronomie"])[0]
    successor = create_vocabulary_version(user=None, vocabulary=current_vocabulary(TARGET_GROUP_FAMILY))
    delete_term(user=None, term=Term.objects.get(vocabulary=successor, code="gastronomie"))
    # Still carried (from version 1), kept as it is; a new group comes from the current version.
    tags = services.set_target_groups(
        user=None, organisation=crm.tischlerei, codes=["gastronomie", "einzelhandel"]
    )
    by_code = {tag.term.code: tag for tag in tags}
    assert by_code["gastronomie"].pk == old.pk and by_code["gastronomie"].term.vocabulary.is_retired
    assert by_code["einzelhandel"].term.vocabulary == successor
    # Another organisation cannot take the retired group any more.
    other = Organisation.objects.create(name="Neu GmbH", slug="neu-gmbh", name_key="neugmbh")
    with pytest.raises(ValidationError, match="Unknown target group “gastronomie”"):
        services.set_target_groups(user=None, organisation=other, codes=["gastronomie"])
    # The panel offers the retired group to keep it, marked.
    html = render_panel(portfolio, "coordinator", crm.tischlerei)
    assert 'value="gastronomie" ' in html and "checked" in html and "retired term" in html


# The panel on the organisation's page --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees", "may_edit"),
    [
        ("anonymous", False, False),
        ("outsider", False, False),
        ("reader", True, False),
        ("partner", True, False),
        ("coordinator", True, True),
        ("administrator", True, True),
    ],
)
def test_panel_shows_the_groups_to_internal_viewers_and_the_form_to_editors(
    portfolio: Portfolio, crm: Crm, role: str, sees: bool, may_edit: bool
) -> None:
    services.set_target_groups(
        user=portfolio.users["coordinator"], organisation=crm.tischlerei, codes=["handwerksbetriebe"]
    )
    html = render_panel(portfolio, role, crm.tischlerei)
    label = codes_label("handwerksbetriebe")
    assert ('id="target-groups"' in html) is sees
    assert (f"<strong>{label}</strong>" in html) is sees
    assert (set_url(crm.tischlerei) in html) is may_edit
    if may_edit:
        assert "<legend>Choose the target groups</legend>" in html
        assert 'name="target_groups" value="handwerksbetriebe"' in html
        assert 'hx-target="#target-groups"' in html
    if not sees:
        assert html.strip() == ""
    assert render_panel(portfolio, role, crm.anna).strip() == ""  # organisations only


def test_the_organisation_page_includes_the_panel(portfolio: Portfolio, crm: Crm) -> None:
    page = client_of(portfolio, "coordinator").get(crm.tischlerei.get_absolute_url()).content.decode()
    assert 'id="target-groups-heading"' in page and set_url(crm.tischlerei) in page
    page = client_of(portfolio, "reader").get(crm.tischlerei.get_absolute_url()).content.decode()
    assert 'id="target-groups-heading"' in page and set_url(crm.tischlerei) not in page


# The form behind the panel -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_setting_target_groups_per_role(portfolio: Portfolio, crm: Crm, role: str) -> None:
    services.set_target_groups(user=None, organisation=crm.tischlerei, codes=["gastronomie"])
    before = tag_rows()
    client = client_of(portfolio, role)
    response = client.post(set_url(crm.tischlerei), {"target_groups": ["handwerksbetriebe", "einzelhandel"]})
    assert response.status_code == WRITE_STATUSES[role]
    if role in ("coordinator", "administrator"):
        assert response["Location"] == crm.tischlerei.get_absolute_url() + "#target-groups"
        assert set(codes(crm.tischlerei)) == {"handwerksbetriebe", "einzelhandel"}
        # Unticking everything removes them.
        response = client.post(set_url(crm.tischlerei), {"next": "/kontakte/"})
        assert response.status_code == 302 and response["Location"] == "/kontakte/"
        assert codes(crm.tischlerei) == []
    else:
        if role == "anonymous":
            assert response["Location"].startswith(reverse("accounts:login"))
        assert tag_rows() == before


def test_htmx_swaps_the_panel_and_names_errors(portfolio: Portfolio, crm: Crm) -> None:
    client = client_of(portfolio, "coordinator")
    response = client.post(
        set_url(crm.tischlerei), {"target_groups": ["einzelhandel"]}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="target-groups-panel" id="target-groups"')
    assert "The target groups were saved." in html and 'role="status"' in html
    assert 'value="einzelhandel" ' in html and "checked" in html
    before = tag_rows()
    response = client.post(
        set_url(crm.tischlerei), {"target_groups": ["einzelhandel", "kaputt"]}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "Select a valid choice. kaputt is not one of the available choices." in html
    assert 'role="alert"' in html and "The target groups were saved." not in html
    assert tag_rows() == before


def test_errors_without_javascript_come_back_as_messages(portfolio: Portfolio, crm: Crm) -> None:
    before = tag_rows()
    response = client_of(portfolio, "coordinator").post(
        set_url(crm.tischlerei), {"target_groups": ["kaputt"]}, follow=True
    )
    assert response.status_code == 200
    assert "kaputt is not one of the available choices" in response.content.decode()
    assert tag_rows() == before


def test_unknown_organisation_and_get_are_refused(portfolio: Portfolio, crm: Crm) -> None:
    client = client_of(portfolio, "coordinator")
    url = reverse("actors:target-groups-organisation-set", kwargs={"slug": "gibt-es-nicht"})
    assert client.post(url, {"target_groups": ["einzelhandel"]}).status_code == 404
    assert client.get(set_url(crm.tischlerei)).status_code == 405


# The effect on mailings -----------------------------------------------------------------------------------


def test_target_groups_set_on_the_page_choose_the_mehrwert_blocks(world: World) -> None:  # noqa: F811
    dora = world.dora
    modehaus = Organisation.objects.get(slug="modehaus-beispiel")
    blocks = mailing_services.mailing_blocks(world.mailing)

    def text_for_dora() -> str:
        groups = mailing_services.recipient_groups([dora.pk]).get(dora.pk, frozenset())
        return render_mail(world.mailing, blocks, Recipient.of(dora, groups=groups)).text

    # Without target groups dora's shop gets every block.
    assert "Weniger **Papierkram**" in text_for_dora() and "Schneller an Ersatzteile" in text_for_dora()
    client = client_of(world.portfolio, "coordinator")
    response = client.post(set_url(modehaus), {"target_groups": ["einzelhandel"]})
    assert response.status_code == 302
    assert mailing_services.recipient_groups([dora.pk]) == {dora.pk: frozenset({"einzelhandel"})}
    text = text_for_dora()
    assert "Schneller an Ersatzteile" in text and "Papierkram" not in text
    assert (
        ContentType.objects.get_for_model(Organisation).pk
        == Tag.objects.get(term__code="einzelhandel", object_id=modehaus.pk).content_type_id
    )
