"""Friendly error pages: 403 and 404 in the site's layout, 500 standalone."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from reallabor.accounts.models import User
from reallabor.core.testing.factories import UserFactory

TEMPLATES = Path(settings.BASE_DIR) / "reallabor" / "templates"


def test_404_explains_the_link_may_be_wrong_or_unpublished(client: Client, db: None) -> None:
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert response.templates[0].name == "404.html"
    html = response.content.decode()
    assert "Page not found" in html
    assert "The link may be wrong or out of date, or the content has not been published (yet)." in html
    assert "/konto/anmelden/?next=/gibt-es-nicht/" in html
    assert 'class="site-header"' in html  # in the site's layout


def test_403_explains_the_missing_right_and_whom_to_ask(client: Client, db: None) -> None:
    client.force_login(UserFactory.create(role=User.Role.ADMINISTRATOR, is_staff=True))
    response = client.get("/admin/labs/lab/add/")
    assert response.status_code == 403
    assert response.templates[0].name == "403.html"
    html = response.content.decode()
    assert "You are not allowed to do this" in html
    assert "ask the coordinator of your lab, or the" in html
    assert settings.OFFICE_NAME in html


def test_500_is_standalone_and_renders_without_a_request_context() -> None:
    source = (TEMPLATES / "500.html").read_text()
    assert "{% extends" not in source
    assert "{% url" not in source
    assert "{% static" not in source
    with translation.override("en"):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Something went wrong on our side" in html
    assert 'href="/"' in html
