"""The vocabulary pages: every signed-in user reads; administrators edit terms and start versions."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from conftest import ROLES, Portfolio
from reallabor.taxonomy.models import Tag, Term, Vocabulary


def client_for(portfolio: Portfolio, role: str) -> Client:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def snapshot() -> list[Any]:
    return [
        list(Vocabulary.objects.order_by("pk").values_list("family", "version", "retired_at")),
        list(
            Term.objects.order_by("pk").values_list("vocabulary_id", "code", "name", "local_name", "position")
        ),
        list(Tag.objects.order_by("pk").values_list("term_id", "object_id")),
    ]


SIGNED_IN = {role: 200 for role in ROLES} | {"anonymous": 302}
ADMIN_ONLY = {role: 403 for role in ROLES} | {"anonymous": 302, "administrator": 200}
FIXED = {role: 403 for role in ROLES} | {"anonymous": 302}

PAGES = [
    ("list", "taxonomy:vocabulary-list", {}, SIGNED_IN),
    ("sdg", "taxonomy:vocabulary-detail", {"family": "sdg"}, SIGNED_IN),
    ("megatrends", "taxonomy:vocabulary-detail", {"family": "megatrends"}, SIGNED_IN),
    ("version", "taxonomy:vocabulary-version", {"family": "megatrends", "version": 1}, SIGNED_IN),
    ("term create", "taxonomy:term-create", {"family": "megatrends"}, ADMIN_ONLY),
    ("term edit", "taxonomy:term-edit", {"family": "megatrends", "code": "digitalisierung"}, ADMIN_ONLY),
    ("sdg wording", "taxonomy:term-edit", {"family": "sdg", "code": "8.5"}, ADMIN_ONLY),
    ("sdg term create", "taxonomy:term-create", {"family": "sdg"}, FIXED),
    ("new version", "taxonomy:vocabulary-new-version", {"family": "strategy"}, ADMIN_ONLY),
    ("sdg new version", "taxonomy:vocabulary-new-version", {"family": "sdg"}, FIXED),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "name", "kwargs", "expected"), PAGES, ids=[page[0] for page in PAGES])
def test_pages_by_role(
    portfolio: Portfolio, label: str, name: str, kwargs: dict[str, Any], expected: dict[str, int]
) -> None:
    for role in ROLES:
        response = client_for(portfolio, role).get(reverse(name, kwargs=kwargs))
        assert response.status_code == expected[role], role


@pytest.mark.django_db
def test_unknown_vocabulary_and_term_are_404(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "administrator")
    assert client.get(reverse("taxonomy:vocabulary-detail", kwargs={"family": "nichts"})).status_code == 404
    assert (
        client.get(reverse("taxonomy:vocabulary-version", kwargs={"family": "sdg", "version": 9})).status_code
        == 404
    )
    url = reverse("taxonomy:term-edit", kwargs={"family": "megatrends", "code": "nichts"})
    assert client.get(url).status_code == 404


WRITES = [
    (
        "term create",
        "taxonomy:term-create",
        {"family": "megatrends"},
        {"name": "Konnektivität", "name_en": "Connectivity"},
    ),
    (
        "term edit",
        "taxonomy:term-edit",
        {"family": "megatrends", "code": "digitalisierung"},
        {"code": "digitalisierung", "name": "Digitale Transformation", "position": "2"},
    ),
    ("sdg wording", "taxonomy:term-edit", {"family": "sdg", "code": "8"}, {"local_name": "Gute Arbeit"}),
    ("new version", "taxonomy:vocabulary-new-version", {"family": "megatrends"}, {}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "name", "kwargs", "data"), WRITES, ids=[write[0] for write in WRITES])
def test_writes_by_role(
    portfolio: Portfolio, label: str, name: str, kwargs: dict[str, Any], data: dict[str, Any]
) -> None:
    expected = {role: 403 for role in ROLES} | {"anonymous": 302, "administrator": 302}
    for role in ROLES:
        with transaction.atomic():
            before = snapshot()
            response = client_for(portfolio, role).post(reverse(name, kwargs=kwargs), data)
            assert response.status_code == expected[role], role
            assert (snapshot() != before) == (role == "administrator"), role
            transaction.set_rollback(True)


@pytest.mark.django_db
def test_fixed_vocabulary_cannot_get_terms_or_versions(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "administrator")
    before = snapshot()
    assert (
        client.post(reverse("taxonomy:term-create", kwargs={"family": "sdg"}), {"name": "18"}).status_code
        == 403
    )
    assert (
        client.post(reverse("taxonomy:vocabulary-new-version", kwargs={"family": "sdg"})).status_code == 403
    )
    assert snapshot() == before


@pytest.mark.django_db
def test_admin_adds_and_edits_terms(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "administrator")
    response = client.post(
        reverse("taxonomy:term-create", kwargs={"family": "megatrends"}),
        {"name": "Neo-Ökologie", "name_en": "Neo-ecology", "colour": "#3F7E44"},
    )
    assert response.status_code == 302
    term = Term.objects.get(
        vocabulary__family="megatrends", vocabulary__retired_at__isnull=True, name="Neo-Ökologie"
    )
    assert (term.code, term.colour) == ("neo-oekologie", "#3F7E44")

    before = snapshot()
    url = reverse("taxonomy:term-create", kwargs={"family": "megatrends"})
    response = client.post(url, {"code": "digitalisierung", "name": "Doppelt"})
    assert response.status_code == 200
    assert "already used" in response.context["form"].errors["code"][0]  # the service's message
    response = client.post(url, {"name": "Farbig", "colour": "grün", "code": "Groß"})
    errors = response.context["form"].errors
    assert "#RRGGBB" in errors["colour"][0]
    assert errors["code"]
    assert snapshot() == before

    url = reverse("taxonomy:term-edit", kwargs={"family": "megatrends", "code": "migration"})
    response = client.post(url, {"code": "migration", "name": "Zuwanderung", "name_en": "Immigration"})
    assert response.status_code == 302
    assert (
        Term.objects.get(
            vocabulary__retired_at__isnull=True, vocabulary__family="megatrends", code="migration"
        ).name
        == "Zuwanderung"
    )


@pytest.mark.django_db
def test_sdg_local_wording(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "administrator")
    url = reverse("taxonomy:term-edit", kwargs={"family": "sdg", "code": "8"})
    response = client.get(url)
    assert list(response.context["form"].fields) == ["local_name"]
    response = client.post(url, {"local_name": "Gute Arbeit für alle"})
    assert response.status_code == 302
    term = Term.objects.get(vocabulary__family="sdg", code="8")
    assert term.local_name == "Gute Arbeit für alle"
    assert term.name != term.local_name


@pytest.mark.django_db
def test_new_version_retires_the_current_one_and_keeps_old_tags(portfolio: Portfolio) -> None:
    old_tags = list(Tag.objects.filter(term__vocabulary__family="megatrends").values_list("pk", "term_id"))
    assert old_tags
    client = client_for(portfolio, "administrator")
    response = client.post(reverse("taxonomy:vocabulary-new-version", kwargs={"family": "megatrends"}))
    assert response.status_code == 302
    current = Vocabulary.objects.get(family="megatrends", retired_at__isnull=True)
    assert current.version == 2
    assert Vocabulary.objects.get(family="megatrends", version=1).is_retired
    assert (
        list(Tag.objects.filter(pk__in=[pk for pk, _term in old_tags]).values_list("pk", "term_id"))
        == old_tags
    )
    assert current.terms.count() == 4

    content = client.get(reverse("taxonomy:vocabulary-list")).content.decode()
    assert reverse("taxonomy:vocabulary-version", kwargs={"family": "megatrends", "version": 1}) in content
    retired = client.get(
        reverse("taxonomy:vocabulary-version", kwargs={"family": "megatrends", "version": 1})
    )
    assert "This version was retired" in retired.content.decode()
    assert retired.context["may_edit_terms"] is False


@pytest.mark.django_db
def test_sdg_detail_is_a_tree_of_goals_and_targets(portfolio: Portfolio) -> None:
    response = client_for(portfolio, "reader").get(
        reverse("taxonomy:vocabulary-detail", kwargs={"family": "sdg"})
    )
    tree = response.context["tree"]
    assert [goal.code for goal, _targets in tree] == [str(number) for number in range(1, 18)]
    targets = dict((goal.code, [target.code for target in children]) for goal, children in tree)
    assert targets["8"][:2] == ["8.1", "8.2"]
    assert sum(len(children) for _goal, children in tree) == 169
