"""The organisation pages: internal for every signed-in user; changes by role through the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import ROLES, Portfolio
from reallabor.organisations import services
from reallabor.organisations.models import Organisation
from reallabor.organisations.views import PER_PAGE

ORG = "wirtschaftsfoerderung-bottrop"


def client_for(portfolio: Portfolio, role: str, **headers: str) -> Client:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.defaults.update(headers)
    return client


def snapshot() -> dict[str, Any]:
    return {org.slug: (services.organisation_state(org), org.revision) for org in Organisation.objects.all()}


def form_data(organisation: Organisation, **changes: Any) -> dict[str, Any]:
    data = {**services.organisation_state(organisation), "expected_revision": str(organisation.revision)}
    data.update(changes)
    return data


SIGNED_IN = {role: 200 for role in ROLES} | {"anonymous": 302}
CREATORS = {**SIGNED_IN, "reader": 403, "outsider": 403}
EDITORS = {**CREATORS, "partner": 403}
ADMIN_ONLY = {**EDITORS, "coordinator": 403}

PAGES = [
    ("list", reverse("organisations:organisation-list"), SIGNED_IN),
    ("detail", reverse("organisations:organisation-detail", kwargs={"slug": ORG}), SIGNED_IN),
    ("options", reverse("organisations:organisation-options") + "?q=bot", SIGNED_IN),
    ("create", reverse("organisations:organisation-create"), CREATORS),
    ("edit", reverse("organisations:organisation-edit", kwargs={"slug": ORG}), EDITORS),
    ("delete", reverse("organisations:organisation-delete", kwargs={"slug": ORG}), ADMIN_ONLY),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "url", "expected"), PAGES, ids=[page[0] for page in PAGES])
def test_pages_by_role(portfolio: Portfolio, label: str, url: str, expected: dict[str, int]) -> None:
    for role in ROLES:
        response = client_for(portfolio, role).get(url)
        assert response.status_code == expected[role], role
        if role == "anonymous":
            assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_unknown_organisation_is_404(portfolio: Portfolio) -> None:
    url = reverse("organisations:organisation-detail", kwargs={"slug": "gibt-es-nicht"})
    assert client_for(portfolio, "reader").get(url).status_code == 404


WRITES = [
    (
        "create",
        lambda: reverse("organisations:organisation-create"),
        lambda: {"name": "Bäckerei Sonnenschein (fiktiv)", "kind": "company", "city": "Bottrop"},
        {**CREATORS, "partner": 302, "coordinator": 302, "administrator": 302},
    ),
    (
        "edit",
        lambda: reverse("organisations:organisation-edit", kwargs={"slug": ORG}),
        lambda: form_data(Organisation.objects.get(slug=ORG), street="Ernst-Wilczok-Platz 1"),
        {**EDITORS, "coordinator": 302, "administrator": 302},
    ),
    (
        "delete",
        lambda: reverse("organisations:organisation-delete", kwargs={"slug": "buchhandlung-seitenweise"}),
        dict,
        # The administrator sees the service's message: the organisation still takes part in a lab.
        {**ADMIN_ONLY, "administrator": 200},
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "url", "data", "expected"), WRITES, ids=[write[0] for write in WRITES])
def test_writes_by_role(
    portfolio: Portfolio, label: str, url: Any, data: Any, expected: dict[str, int]
) -> None:
    for role in ROLES:
        with transaction.atomic():
            before = snapshot()
            response = client_for(portfolio, role).post(url(), data())
            assert response.status_code == expected[role], role
            if expected[role] == 302 and role != "anonymous":
                assert snapshot() != before, role
            else:
                assert snapshot() == before, role
            transaction.set_rollback(True)


@pytest.mark.django_db
def test_create_derives_the_slug_and_reports_collisions(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "partner")
    response = client.post(
        reverse("organisations:organisation-create"),
        {"name": "Bäckerei Sonnenschein", "kind": "company", "website": "https://example.org"},
    )
    created = Organisation.objects.get(name="Bäckerei Sonnenschein")
    assert response.status_code == 302
    assert response["Location"] == created.get_absolute_url()
    assert created.slug == "baeckerei-sonnenschein"

    before = snapshot()
    response = client.post(
        reverse("organisations:organisation-create"),
        {"name": "Noch eine", "slug": "baeckerei-sonnenschein", "kind": "unknown", "website": "kein link"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"slug", "kind", "website"}
    assert snapshot() == before


@pytest.mark.django_db
def test_edit_saves_and_reports_conflicts(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "coordinator")
    url = reverse("organisations:organisation-edit", kwargs={"slug": ORG})
    organisation = Organisation.objects.get(slug=ORG)
    stale = form_data(organisation, postcode="46236")
    response = client.post(url, form_data(organisation, district="Kirchhellen"))
    assert response.status_code == 302
    assert Organisation.objects.get(slug=ORG).district == "Kirchhellen"
    before = snapshot()
    response = client.post(url, stale)
    assert response.status_code == 200
    assert "changed by someone else" in response.context["form"].non_field_errors()[0]
    assert snapshot() == before


@pytest.mark.django_db
def test_delete_of_a_used_organisation_explains_itself(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "administrator")
    before = snapshot()
    response = client.post(reverse("organisations:organisation-delete", kwargs={"slug": ORG}))
    assert response.status_code == 200
    assert "cannot be deleted" in response.content.decode()
    assert snapshot() == before

    unused = services.create_organisation(user=None, data={"name": "Unbenutzt", "kind": "company"})
    response = client.post(reverse("organisations:organisation-delete", kwargs={"slug": unused.slug}))
    assert response.status_code == 302
    assert not Organisation.objects.filter(slug=unused.slug).exists()


@pytest.mark.django_db
def test_detail_shows_labs_and_measures(portfolio: Portfolio) -> None:
    content = (
        client_for(portfolio, "reader")
        .get(reverse("organisations:organisation-detail", kwargs={"slug": "handwerkskammer-muenster"}))
        .content.decode()
    )
    assert "Digitale Koproduktion im Handwerk" in content
    assert "Kooperation zur Erhöhung des Digitalisierungsstands" in content


@pytest.mark.django_db
def test_list_search_filters_and_pagination(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "reader")
    url = reverse("organisations:organisation-list")
    names = lambda response: [org.name for org in response.context["organisations"]]  # noqa: E731
    assert "Handwerkskammer Münster" in names(client.get(url, {"q": "handwerks"}))
    assert names(client.get(url, {"kind": "politics"})) == ["Rat der Stadt Bottrop"]
    assert names(client.get(url, {"district": "Kirchhellen"})) == ["Elektro Brinkmann & Söhne (fiktiv)"]
    # Bad filter values are ignored, never an error.
    assert client.get(url, {"kind": "nonsense", "page": "x"}).status_code == 200

    Organisation.objects.bulk_create(
        Organisation(name=f"Firma {number:03}", slug=f"firma-{number:03}", kind="company")
        for number in range(120)
    )
    first = client.get(url, {"q": "Firma"})
    assert len(first.context["organisations"]) == PER_PAGE and first.context["has_next"]
    third = client.get(url, {"q": "Firma", "page": "3"})
    assert names(third) == [f"Firma {number:03}" for number in range(100, 120)]
    assert not third.context["has_next"]


@pytest.mark.django_db
def test_list_never_counts(portfolio: Portfolio) -> None:
    client = client_for(portfolio, "reader")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("organisations:organisation-list"), {"q": "bottrop", "page": "2"})
    assert response.status_code == 200
    assert not any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)


@pytest.mark.django_db
def test_list_with_htmx_returns_the_results_fragment(portfolio: Portfolio) -> None:
    response = client_for(portfolio, "reader", HTTP_HX_REQUEST="true").get(
        reverse("organisations:organisation-list"), {"q": "Jobcenter"}
    )
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="organisation-results">')
    assert "Jobcenter Bottrop" in content
    assert "HX-Request" in response["Vary"]
