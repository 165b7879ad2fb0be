"""The home page and the statements (accessibility, imprint)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from conftest import Portfolio
from reallabor.core.testing.factories import make_lab


def t(text: str) -> str:
    """What the interface shows for an English source text: its translation into the default language."""
    with translation.override(django_settings.LANGUAGE_CODE):
        return translation.gettext(text)


LAB_NAMES = ["Hybride Formen des Handels", "Digitale Koproduktion im Handwerk", "Fachkräftesicherung"]


def card_names(content: str) -> list[str]:
    return re.findall(r'<li class="card">\s*<h3><a href="[^"]+">([^<]+)</a>', content)


def test_home_explains_the_platform_and_links_the_portfolio(portfolio: Portfolio) -> None:
    response = portfolio.client("anonymous").get(reverse("core:home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert f"<h1>{t('Real-world labs in %(city)s') % {'city': 'Bottrop'}}</h1>" in content
    assert f'href="{reverse("labs:portfolio")}"' in content.split('<main id="main"', 1)[1]
    assert card_names(content) == LAB_NAMES
    assert 'href="/labore/fachkraeftesicherung/"' in content


@pytest.mark.parametrize(
    ("role", "sees_draft"), [("anonymous", False), ("outsider", False), ("reader", True)]
)
def test_home_shows_draft_labs_only_to_those_who_may_see_them(
    portfolio: Portfolio, role: str, sees_draft: bool
) -> None:
    make_lab(name="Kreislaufwirtschaft", is_published=False)
    content = portfolio.client(role).get(reverse("core:home")).content.decode()
    assert ("Kreislaufwirtschaft" in card_names(content)) is sees_draft
    if sees_draft:
        assert f'<span class="badge badge--draft">{t("Draft")}</span>' in content


def test_home_shows_a_dozen_labs_and_links_the_rest(db: None, django_assert_num_queries: Any) -> None:
    for number in range(13):
        make_lab(name=f"Lab {number:02d}", position=number)
    with django_assert_num_queries(1):
        response = Client().get(reverse("core:home"))
    content = response.content.decode()
    assert card_names(content) == [f"Lab {number:02d}" for number in range(12)]
    assert f'<a href="{reverse("labs:lab-list")}">{t("All real-world labs")}</a>' in content


def test_home_without_labs(db: None) -> None:
    content = Client().get(reverse("core:home")).content.decode()
    assert t("No real-world lab has been published yet.") in content


@pytest.mark.parametrize(
    ("name", "heading"), [("core:accessibility", "Accessibility statement"), ("core:imprint", "Imprint")]
)
def test_statements(db: None, name: str, heading: str) -> None:
    response = Client().get(reverse(name))
    assert response.status_code == 200
    content = response.content.decode()
    assert f"<h1>{t(heading)}</h1>" in content
    assert '<span aria-current="page">' in content  # the breadcrumbs end with this page
    assert "Wirtschaftsförderung Bottrop" in content
