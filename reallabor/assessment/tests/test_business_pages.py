"""The signed-in business's pages: ``mein-betrieb/`` (its checks, a new check, sharing) and
``geteilt/`` (the partner's view of the results shared with it).

Every role of the matrix and the business member (a user with an ``OrganisationMembership``) is
tested; refused writes change nothing, allowed ones write.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import ROLES
from reallabor.accounts.models import OrganisationMembership
from reallabor.assessment import links, services
from reallabor.assessment.models import Response, ResponseLog, Share
from reallabor.assessment.tests.conftest import Checks
from reallabor.assessment.tests.pages_helpers import english
from reallabor.core.testing.factories import OrganisationFactory, UserFactory
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db

HOME = "/digitalcheck/mein-betrieb/"
SHARED = "/digitalcheck/geteilt/"
ALL_ROLES = (*ROLES, "member")


def client_for(checks: Checks, role: str) -> Client:
    """The role's client, asking for English pages (the tests read the msgids and number format)."""
    if role == "member":
        client = Client()
        client.force_login(checks.member)
        return english(client)
    return english(checks.portfolio.client(role))


def snapshot() -> tuple[Any, ...]:
    return (
        sorted(Response.objects.values_list("uuid", "status", "organisation_id")),
        sorted(Share.objects.values_list("response_id", "organisation_id")),
        ResponseLog.objects.count(),
    )


def test_the_urls() -> None:
    assert reverse("assessment:business-home") == HOME
    assert reverse("assessment:shared-list") == SHARED


# --- my business ------------------------------------------------------------------------------------


def test_the_member_sees_the_checks_of_the_business_latest_first(checks: Checks) -> None:
    earlier = checks.submitted()
    later = checks.submitted()
    draft = checks.draft()
    foreign = checks.submitted(organisation=checks.other_business)
    page = client_for(checks, "member").get(HOME)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tischlerei Probe" in html and "Bäckerei Probe" not in html
    first, second = (
        html.index(reverse("assessment:response-result", kwargs={"uuid": response.uuid}))
        for response in (later, earlier)
    )
    assert first < second  # the latest first
    assert str(foreign.uuid) not in html
    assert "23.2" in html and "basic" in html  # dma.md's example: 23.2, Einstieg
    assert f"check-{draft.uuid}" in html and "Continue the check" in html
    continue_link = page.context["blocks"][0].checks[0].continue_url
    token = continue_link.split("/weiter/")[1].split("/")[0]
    assert links.response_from_link(token) == draft  # a working personal link


def test_a_user_without_membership_is_told_how_to_get_linked(checks: Checks) -> None:
    checks.submitted()
    page = client_for(checks, "outsider").get(HOME)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Your account is not linked to a business yet." in html
    assert "Tischlerei Probe" not in html


def test_the_anonymous_visitor_is_sent_to_the_login(checks: Checks) -> None:
    for url in (HOME, SHARED):
        page = Client().get(url)
        assert page.status_code == 302 and "/konto/anmelden/" in page["Location"]


def test_my_business_takes_a_constant_number_of_queries(
    checks: Checks, django_assert_max_num_queries: Any
) -> None:
    client = client_for(checks, "member")
    response = checks.submitted()
    services.share_with(user=None, response=response, organisation=checks.chamber)
    client.get(HOME)
    with django_assert_max_num_queries(9) as first:
        assert client.get(HOME).status_code == 200
    for _index in range(6):
        response = checks.submitted()
        services.share_with(user=None, response=response, organisation=checks.chamber)
    checks.draft()
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(HOME).status_code == 200


# --- a new check of the business ------------------------------------------------------------------------

START_STATUS = {
    "anonymous": 302,  # the login page
    "reader": 403,  # sees the organisation, may not start its check
    "partner": 404,  # does not see it
    "coordinator": 302,  # the office
    "administrator": 302,
    "outsider": 404,
    "member": 302,
}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_starting_a_check_of_the_business(checks: Checks, role: str) -> None:
    url = reverse("assessment:business-check-start", kwargs={"slug": checks.business.slug})
    before = snapshot()
    page = client_for(checks, role).post(url)
    assert page.status_code == START_STATUS[role]
    if role in ("anonymous", "reader", "partner", "outsider"):
        assert snapshot() == before
        if role == "anonymous":
            assert "/konto/anmelden/" in page["Location"]
        return
    response = Response.objects.get()
    assert (response.organisation, response.status) == (checks.business, Response.Status.DRAFT)
    assert response.headcount_band == "5-9" and response.district == "Kirchhellen"  # from the profile
    assert page["Location"] == reverse(
        "assessment:check-continue", kwargs={"token": page["Location"].split("/weiter/")[1].split("/")[0]}
    )
    assert links.response_from_link(page["Location"].split("/weiter/")[1].split("/")[0]) == response


def test_a_get_does_not_start_a_check(checks: Checks) -> None:
    url = reverse("assessment:business-check-start", kwargs={"slug": checks.business.slug})
    assert client_for(checks, "member").get(url).status_code == 405
    assert not Response.objects.exists()


def test_an_unknown_organisation_is_404(checks: Checks) -> None:
    url = reverse("assessment:business-check-start", kwargs={"slug": "gibt-es-nicht"})
    assert client_for(checks, "member").post(url).status_code == 404
    assert not Response.objects.exists()


# --- sharing ------------------------------------------------------------------------------------------------

SHARE_STATUS = {
    "anonymous": 302,
    "reader": 404,  # sees no single result
    "partner": 404,  # the result is not shared with the chamber yet
    "coordinator": 302,  # the office may
    "administrator": 302,
    "outsider": 404,
    "member": 302,
}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_sharing_a_result_with_a_partner(checks: Checks, role: str) -> None:
    response = checks.submitted()
    url = reverse("assessment:response-share", kwargs={"uuid": response.uuid})
    before = snapshot()
    page = client_for(checks, role).post(url, {"organisation": checks.chamber.slug})
    assert page.status_code == SHARE_STATUS[role]
    if SHARE_STATUS[role] != 302 or role == "anonymous":
        assert snapshot() == before
        return
    assert page["Location"] == f"{HOME}#check-{response.uuid}"
    assert list(response.shares.values_list("organisation__slug", flat=True)) == [checks.chamber.slug]


def test_the_partner_who_sees_a_shared_result_may_not_share_or_withdraw_it(checks: Checks) -> None:
    response = checks.submitted()
    services.share_with(user=None, response=response, organisation=checks.chamber)
    other = OrganisationFactory.create(name="Innung", slug="innung", kind=Organisation.Kind.MULTIPLIER)
    OrganisationMembership.objects.create(user=UserFactory.create(), organisation=other)
    before = snapshot()
    partner = client_for(checks, "partner")
    share = reverse("assessment:response-share", kwargs={"uuid": response.uuid})
    assert partner.post(share, {"organisation": "innung"}).status_code == 403
    unshare = reverse(
        "assessment:response-unshare", kwargs={"uuid": response.uuid, "slug": checks.chamber.slug}
    )
    assert partner.post(unshare).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("role", ALL_ROLES)
def test_withdrawing_a_share(checks: Checks, role: str) -> None:
    response = checks.submitted()
    services.share_with(user=None, response=response, organisation=checks.chamber)
    url = reverse("assessment:response-unshare", kwargs={"uuid": response.uuid, "slug": checks.chamber.slug})
    before = snapshot()
    page = client_for(checks, role).post(url)
    expected = {**SHARE_STATUS, "partner": 403}[role]  # the partner sees the shared result
    assert page.status_code == expected
    if expected != 302 or role == "anonymous":
        assert snapshot() == before
        return
    assert not response.shares.exists()
    assert ResponseLog.objects.filter(response=response, action="unshared").count() == 1


def test_withdrawing_a_share_that_does_not_exist_is_404(checks: Checks) -> None:
    response = checks.submitted()
    url = reverse("assessment:response-unshare", kwargs={"uuid": response.uuid, "slug": checks.chamber.slug})
    assert client_for(checks, "member").post(url).status_code == 404


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Partner organisation: please choose one from the list."),
        ("gibt-es-nicht", "Partner organisation: “gibt-es-nicht” is not one of the organisations listed."),
        (
            "tischlerei-probe",
            "Partner organisation: “tischlerei-probe” is not one of the organisations listed.",
        ),
        (
            "baeckerei-probe",
            "Partner organisation: “baeckerei-probe” is not one of the organisations listed.",
        ),
        ("<script>x" * 40, "Partner organisation: "),
    ],
)
def test_bad_share_input_changes_nothing_and_says_why(checks: Checks, value: str, message: str) -> None:
    response = checks.submitted()
    before = snapshot()
    url = reverse("assessment:response-share", kwargs={"uuid": response.uuid})
    page = client_for(checks, "member").post(url, {"organisation": value})
    assert page.status_code == 400
    assert message in page.content.decode().replace("&ldquo;", "“").replace("&rdquo;", "”")
    assert "<script>x" not in page.content.decode()
    assert snapshot() == before


def test_a_draft_cannot_be_shared(checks: Checks) -> None:
    draft = checks.draft()
    before = snapshot()
    url = reverse("assessment:response-share", kwargs={"uuid": draft.uuid})
    page = client_for(checks, "member").post(url, {"organisation": checks.chamber.slug})
    assert page.status_code == 400
    assert "Only a submitted check can be shared" in page.content.decode()
    assert snapshot() == before


def test_the_share_form_offers_partner_organisations_with_members_only(checks: Checks) -> None:
    checks.submitted()
    OrganisationFactory(name="Verband ohne Konto", slug="verband", kind=Organisation.Kind.MULTIPLIER)
    html = client_for(checks, "member").get(HOME).content.decode()
    assert f'<option value="{checks.chamber.slug}">' in html
    assert 'value="verband"' not in html  # nobody there would see it
    assert 'value="baeckerei-probe"' not in html  # another business
    response = checks.submitted()
    services.share_with(user=None, response=response, organisation=checks.chamber)
    page = client_for(checks, "member").get(HOME)
    [shared_row] = [row for row in page.context["blocks"][0].checks if row.response == response]
    assert shared_row.partners == []  # shared with the chamber already: nothing left to offer
    assert f'action="{reverse("assessment:response-share", kwargs={"uuid": response.uuid})}"' not in (
        page.content.decode()
    )


# --- shared with us -----------------------------------------------------------------------------------------


def test_the_partner_sees_the_results_shared_with_its_organisation(checks: Checks) -> None:
    shared = checks.submitted()
    not_shared = checks.submitted(organisation=checks.other_business)
    draft = checks.draft()
    services.share_with(user=None, response=shared, organisation=checks.chamber)
    services.share_with(user=None, response=draft, organisation=checks.chamber)
    partner = client_for(checks, "partner")
    html = partner.get(SHARED).content.decode()
    assert reverse("assessment:response-result", kwargs={"uuid": shared.uuid}) in html
    assert "Tischlerei Probe" in html and "Handwerkskammer Probe" in html
    assert str(not_shared.uuid) not in html and str(draft.uuid) not in html
    assert partner.get(reverse("assessment:response-result", kwargs={"uuid": shared.uuid})).status_code == 200
    # withdrawn: gone from the list and the result page
    services.unshare(user=None, response=shared, organisation=checks.chamber)
    assert str(shared.uuid) not in partner.get(SHARED).content.decode()
    assert partner.get(reverse("assessment:response-result", kwargs={"uuid": shared.uuid})).status_code == 404


@pytest.mark.parametrize("role", ["reader", "coordinator", "administrator", "outsider", "member"])
def test_who_is_not_a_member_of_the_partner_sees_nothing_shared(checks: Checks, role: str) -> None:
    shared = checks.submitted()
    services.share_with(user=None, response=shared, organisation=checks.chamber)
    page = client_for(checks, role).get(SHARED)
    assert page.status_code == 200
    assert str(shared.uuid) not in page.content.decode()


def test_shared_with_us_takes_a_constant_number_of_queries_and_pages(
    checks: Checks, django_assert_max_num_queries: Any
) -> None:
    partner = client_for(checks, "partner")
    services.share_with(user=None, response=checks.submitted(), organisation=checks.chamber)
    partner.get(SHARED)
    with django_assert_max_num_queries(8) as first:
        assert partner.get(SHARED).status_code == 200
    for _index in range(8):
        services.share_with(user=None, response=checks.submitted(), organisation=checks.chamber)
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = partner.get(SHARED)
    assert len(page.context["rows"]) == 9 and not page.context["has_next"]


def test_garbage_page_numbers_are_page_one(checks: Checks) -> None:
    partner = client_for(checks, "partner")
    for value in ("x", "-1", "0", "9" * 40):
        assert partner.get(SHARED, {"page": value}).status_code == 200
