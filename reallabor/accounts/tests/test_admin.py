"""The admin shows records to administrators and changes nothing: all writes go through the services."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from conftest import Portfolio
from reallabor.accounts.models import ApiToken, User
from reallabor.accounts.services import create_api_token
from reallabor.core.testing.factories import UserFactory, make_lab, make_measure
from reallabor.labs.models import Lab

OUR_APPS = {"accounts", "organisations", "taxonomy", "labs", "history"}
DOMAIN_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in OUR_APPS),
    key=lambda model: model._meta.label,
)


@pytest.fixture
def admin_client(db: None) -> Client:
    """An administrator as ``create_user --role administrator`` makes one (staff, not superuser)."""
    client = Client(headers={"accept-language": "en"})
    client.force_login(UserFactory.create(role=User.Role.ADMINISTRATOR, is_staff=True))
    return client


@pytest.fixture
def lab(db: None) -> Lab:
    lab = make_lab(name="Hybride Formen des Handels", slug="hybride-formen-des-handels")
    make_measure(lab, title="Digitale Schaufenster")
    return lab


def url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_domain_model_is_registered() -> None:
    labels = {model._meta.label for model in DOMAIN_MODELS}
    assert {
        "accounts.User",
        "accounts.ApiToken",
        "organisations.Organisation",
        "taxonomy.Vocabulary",
        "taxonomy.Term",
        "taxonomy.Tag",
        "labs.Lab",
        "labs.Measure",
        "labs.LabMembership",
        "history.Version",
    } <= labels


def test_administrator_sees_the_lab(admin_client: Client, lab: Lab) -> None:
    assert admin_client.get(reverse("admin:index")).status_code == 200
    listing = admin_client.get(url(Lab, "changelist"))
    assert listing.status_code == 200
    assert "Hybride Formen des Handels" in listing.content.decode()
    detail = admin_client.get(url(Lab, "change", lab.pk))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Hybride Formen des Handels" in html
    assert 'name="_save"' not in html
    assert "Digitale Schaufenster" in html  # the measures inline


def test_adding_a_lab_is_forbidden(admin_client: Client, lab: Lab) -> None:
    assert admin_client.get(url(Lab, "add")).status_code == 403
    response = admin_client.post(
        url(Lab, "add"), {"name": "Neues Labor", "slug": "neues-labor", "phase": "co_design"}
    )
    assert response.status_code == 403
    assert "You are not allowed to do this" in response.content.decode()
    assert list(Lab.objects.values_list("slug", flat=True)) == ["hybride-formen-des-handels"]


def test_changing_a_lab_is_forbidden(admin_client: Client, lab: Lab) -> None:
    response = admin_client.post(
        url(Lab, "change", lab.pk),
        {"name": "Umbenannt", "slug": "umbenannt", "phase": "ended", "position": 0, "_save": "Save"},
    )
    assert response.status_code == 403
    lab.refresh_from_db()
    assert (lab.name, lab.slug, lab.phase, lab.revision) == (
        "Hybride Formen des Handels",
        "hybride-formen-des-handels",
        Lab.Phase.CO_DESIGN,
        1,
    )


def test_deleting_a_lab_is_forbidden(admin_client: Client, lab: Lab) -> None:
    assert admin_client.post(url(Lab, "delete", lab.pk), {"post": "yes"}).status_code == 403
    response = admin_client.post(
        url(Lab, "changelist"), {"action": "delete_selected", "_selected_action": [lab.pk], "post": "yes"}
    )
    assert response.status_code == 200  # no such action for this user: the list again, nothing done
    assert Lab.objects.filter(pk=lab.pk).exists()


@pytest.mark.parametrize("model", DOMAIN_MODELS, ids=lambda model: model._meta.label)
def test_every_domain_model_is_read_only(admin_client: Client, model: type[Model]) -> None:
    model_admin = admin.site._registry[model]
    request = admin_client.get(reverse("admin:index")).wsgi_request
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert admin_client.get(url(model, "changelist")).status_code == 200
    assert admin_client.post(url(model, "add"), {}).status_code == 403


def test_staff_member_without_administrator_role_sees_nothing(lab: Lab) -> None:
    client = Client()
    client.force_login(UserFactory.create(is_staff=True))  # role: member
    assert client.get(url(Lab, "changelist")).status_code == 403
    assert client.get(url(Lab, "change", lab.pk)).status_code == 403


@pytest.mark.parametrize("role", [User.Role.READER, User.Role.MEMBER])
def test_other_roles_are_sent_to_the_admin_login(lab: Lab, role: str) -> None:
    client = Client()
    client.force_login(UserFactory.create(role=role))
    response = client.get(url(Lab, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_user_admin_does_not_show_the_password_hash(admin_client: Client) -> None:
    user = UserFactory.create(email="anna@example.org")
    html = admin_client.get(url(User, "change", user.pk)).content.decode()
    assert "anna@example.org" in html
    assert user.password not in html


def test_administrator_revokes_tokens_through_the_service(admin_client: Client) -> None:
    anna = UserFactory.create(email="anna@example.org")
    token, _key = create_api_token(user=None, owner=anna, name="Export")
    kept, _key = create_api_token(user=None, owner=anna, name="Kept")
    response = admin_client.post(
        url(ApiToken, "changelist"), {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "1 token revoked." in response.content.decode()
    assert list(ApiToken.objects.all()) == [kept]


@pytest.mark.parametrize("model", DOMAIN_MODELS, ids=lambda model: model._meta.label)
def test_every_change_page_shows_the_demo_data(
    portfolio: Portfolio, admin_client: Client, model: type[Model]
) -> None:
    create_api_token(user=None, owner=portfolio.users["partner"], name="Export")  # type: ignore[arg-type]
    client = admin_client
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"the demo data has no {model._meta.label}"
    assert client.get(url(model, "changelist")).status_code == 200
    response = client.get(url(model, "change", obj.pk))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
