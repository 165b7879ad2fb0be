"""The office's pages of organisation memberships (``/konto/mitgliedschaften/``), every role."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import ROLES, Portfolio
from reallabor.accounts.models import OrganisationMembership, User
from reallabor.core.testing.factories import OrganisationFactory, UserFactory
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db

HWK = "handwerkskammer-muenster"
OFFICE = {
    "anonymous": 302,
    "reader": 403,
    "partner": 403,
    "coordinator": 200,
    "administrator": 200,
    "outsider": 403,
}


def english(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def client(portfolio: Portfolio, role: str) -> Client:
    return english(portfolio.client(role))


def memberships() -> list[tuple[int, int]]:
    return sorted(OrganisationMembership.objects.values_list("user_id", "organisation_id"))


@pytest.fixture
def linked(portfolio: Portfolio) -> User:
    user: User = UserFactory(email="inhaber@tischlerei.example", first_name="Ida", last_name="Inhaber")  # type: ignore[assignment]
    OrganisationMembership.objects.create(user=user, organisation=Organisation.objects.get(slug=HWK))
    return user


def test_the_urls() -> None:
    assert reverse("accounts:membership-list") == "/konto/mitgliedschaften/"
    assert (
        reverse("accounts:membership-organisation", kwargs={"slug": HWK}) == f"/konto/mitgliedschaften/{HWK}/"
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["accounts:membership-list", "accounts:membership-organisation"])
def test_only_the_office_sees_the_memberships(
    portfolio: Portfolio, linked: User, role: str, name: str
) -> None:
    url = reverse(name, kwargs={"slug": HWK} if name.endswith("organisation") else {})
    page = client(portfolio, role).get(url)
    assert page.status_code == OFFICE[role]
    if page.status_code == 200:
        assert "inhaber@tischlerei.example" in page.content.decode()
    elif role == "anonymous":
        assert "/konto/anmelden/" in page["Location"]
    else:
        assert "inhaber@tischlerei.example" not in page.content.decode()


def test_an_unknown_organisation_is_404(portfolio: Portfolio) -> None:
    url = reverse("accounts:membership-organisation", kwargs={"slug": "gibt-es-nicht"})
    assert client(portfolio, "administrator").get(url).status_code == 404


def test_opening_an_organisation_by_short_name(portfolio: Portfolio) -> None:
    admin = client(portfolio, "administrator")
    url = reverse("accounts:membership-list")
    page = admin.get(url, {"organisation": HWK})
    assert page.status_code == 302 and page["Location"] == f"/konto/mitgliedschaften/{HWK}/"
    page = admin.get(url, {"organisation": "gibt-es-nicht"})
    assert page.status_code == 400
    assert "There is no organisation with this short name." in page.content.decode()
    page = admin.get(url, {"organisation": "<b>kaputt</b>"})
    assert page.status_code == 400 and "<b>kaputt</b>" not in page.content.decode()


ADD = {
    "anonymous": 302,
    "reader": 403,
    "partner": 403,
    "coordinator": 403,
    "administrator": 302,
    "outsider": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_link_a_user(portfolio: Portfolio, role: str) -> None:
    newcomer: User = UserFactory(email="neu@betrieb.example")  # type: ignore[assignment]
    before = memberships()
    url = reverse("accounts:membership-organisation", kwargs={"slug": HWK})
    page = client(portfolio, role).post(url, {"email": "NEU@betrieb.example "})
    assert page.status_code == ADD[role]
    if role != "administrator":
        assert memberships() == before
        return
    assert page["Location"] == url
    assert OrganisationMembership.objects.filter(user=newcomer, organisation__slug=HWK).exists()
    assert len(memberships()) == len(before) + 1


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_remove_a_user(portfolio: Portfolio, linked: User, role: str) -> None:
    before = memberships()
    url = reverse("accounts:membership-remove", kwargs={"slug": HWK})
    page = client(portfolio, role).post(url, {"email": linked.email})
    assert page.status_code == ADD[role]
    if role != "administrator":
        assert memberships() == before
        return
    assert not OrganisationMembership.objects.filter(user=linked).exists()


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "This field is required."),
        ("kein-at-zeichen", "Enter a valid email address."),
        (
            "niemand@example.org",
            "There is no account with this e-mail address. The person needs an account first.",
        ),
        ("x" * 300 + "@example.org", "Ensure this value has at most 254 characters"),
    ],
)
def test_bad_input_changes_nothing_and_names_the_field(
    portfolio: Portfolio, email: str, message: str
) -> None:
    before = memberships()
    url = reverse("accounts:membership-organisation", kwargs={"slug": HWK})
    page = client(portfolio, "administrator").post(url, {"email": email})
    assert page.status_code == 400
    html = page.content.decode()
    assert message in html and 'id="id_email_error"' in html
    assert memberships() == before


def test_a_deactivated_account_is_refused(portfolio: Portfolio) -> None:
    UserFactory(email="alt@example.org", is_active=False)
    url = reverse("accounts:membership-organisation", kwargs={"slug": HWK})
    page = client(portfolio, "administrator").post(url, {"email": "alt@example.org"})
    assert page.status_code == 400 and "This account is deactivated." in page.content.decode()
    assert not OrganisationMembership.objects.filter(user__email="alt@example.org").exists()


def test_linking_twice_keeps_one_membership(portfolio: Portfolio, linked: User) -> None:
    url = reverse("accounts:membership-organisation", kwargs={"slug": HWK})
    admin = client(portfolio, "administrator")
    page = admin.post(url, {"email": linked.email}, follow=True)
    assert "is linked to" in page.content.decode()
    assert OrganisationMembership.objects.filter(user=linked).count() == 1


def test_removing_somebody_who_is_not_linked_is_404(portfolio: Portfolio, linked: User) -> None:
    url = reverse("accounts:membership-remove", kwargs={"slug": HWK})
    admin = client(portfolio, "administrator")
    before = memberships()
    for data in ({"email": "niemand@example.org"}, {}, {"email": "x" * 5000}):
        assert admin.post(url, data).status_code == 404
    assert admin.get(url).status_code == 405
    assert memberships() == before


def test_the_linked_user_then_acts_for_the_organisation(portfolio: Portfolio) -> None:
    """The membership is what the business pages go by: ``mein-betrieb`` shows the organisation."""
    newcomer: User = UserFactory(email="neu@betrieb.example")  # type: ignore[assignment]
    admin = client(portfolio, "administrator")
    admin.post(reverse("accounts:membership-organisation", kwargs={"slug": HWK}), {"email": newcomer.email})
    business = english(Client())
    business.force_login(newcomer)
    assert "Handwerkskammer Münster" in business.get(reverse("assessment:business-home")).content.decode()
    admin.post(reverse("accounts:membership-remove", kwargs={"slug": HWK}), {"email": newcomer.email})
    html = business.get(reverse("assessment:business-home")).content.decode()
    assert "Your account is not linked to a business yet." in html


def test_the_lists_take_a_constant_number_of_queries(
    portfolio: Portfolio, django_assert_max_num_queries: Any
) -> None:
    admin = client(portfolio, "administrator")
    organisation = Organisation.objects.get(slug=HWK)
    OrganisationMembership.objects.create(user=UserFactory.create(), organisation=organisation)
    urls = [
        reverse("accounts:membership-list"),
        reverse("accounts:membership-organisation", kwargs={"slug": HWK}),
    ]
    counts = []
    for url in urls:
        admin.get(url)
        with django_assert_max_num_queries(12) as captured:
            assert admin.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    for index in range(8):
        other = OrganisationFactory.create(name=f"Betrieb {index}", slug=f"betrieb-{index}")
        OrganisationMembership.objects.create(user=UserFactory.create(), organisation=other)
        OrganisationMembership.objects.create(user=UserFactory.create(), organisation=organisation)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert admin.get(url).status_code == 200
