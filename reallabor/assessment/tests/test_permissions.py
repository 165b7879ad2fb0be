"""Who sees and changes stored checks, role by role; a refused write changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from reallabor.accounts.models import User
from reallabor.assessment import permissions, services
from reallabor.assessment.models import Response, ResponseLog, Share
from reallabor.assessment.tests import helpers
from reallabor.assessment.tests.conftest import Checks

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "reader", "partner", "coordinator", "administrator", "outsider", "member", "link")
OWNERS = {"coordinator", "administrator", "member", "link"}  # the office and the business


def state() -> list[Any]:
    """Everything the services may change."""
    return [
        list(Response.objects.order_by("pk").values()),
        list(Share.objects.order_by("pk").values_list("response_id", "organisation_id")),
        ResponseLog.objects.count(),
    ]


def attempt(checks: Checks, role: str, write: Callable[..., Any], **kwargs: Any) -> bool:
    """Run the write as the role; True when it was allowed. A refused write must change nothing."""
    before = state()
    try:
        write(user=checks.user(role), link=role == "link", **kwargs)
    except PermissionDenied:
        assert state() == before
        return False
    return True


def shared_result(checks: Checks) -> Response:
    response = checks.submitted()
    services.share_with(user=None, response=response, organisation=checks.chamber)
    return response


WRITES: dict[str, Callable[[Checks], dict[str, Any]]] = {
    "save_answers": lambda checks: {
        "write": services.save_answers,
        "response": checks.draft(),
        "data": {"answers": {"1b": [1]}},
    },
    "set_context": lambda checks: {
        "write": services.set_context,
        "response": checks.submitted(),
        "data": {"benchmark_consent": True},
    },
    "submit_check": lambda checks: {
        "write": services.submit_check,
        "response": _complete_draft(checks),
    },
    "share_with": lambda checks: {
        "write": services.share_with,
        "response": checks.submitted(),
        "organisation": checks.chamber,
    },
    "unshare": lambda checks: {
        "write": services.unshare,
        "response": shared_result(checks),
        "organisation": checks.chamber,
    },
    "delete_response": lambda checks: {"write": services.delete_response, "response": shared_result(checks)},
}


def _complete_draft(checks: Checks) -> Response:
    response = checks.draft()
    file = helpers.example()
    services.save_answers(user=None, response=response, data={"answers": file["answers"]})
    return response


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(WRITES))
def test_writes_of_a_response_are_for_the_business_and_the_office(
    checks: Checks, role: str, name: str
) -> None:
    arguments = WRITES[name](checks)
    write = arguments.pop("write")
    assert attempt(checks, role, write, **arguments) is (role in OWNERS)


@pytest.mark.parametrize("role", ROLES)
def test_linking_to_an_organisation_needs_its_membership(checks: Checks, role: str) -> None:
    response = checks.draft(organisation=None)
    allowed = attempt(
        checks,
        role,
        lambda **kwargs: services.link_to_organisation(
            **{**kwargs, "link": kwargs["link"] or role == "member"},
            response=response,
            organisation=checks.business,
        ),
    )
    assert allowed is (role in {"coordinator", "administrator", "member"})
    response.refresh_from_db()
    assert (response.organisation == checks.business) is allowed


@pytest.mark.parametrize("role", ROLES)
def test_starting_a_check_of_an_organisation_is_for_its_members_and_the_office(
    checks: Checks, role: str
) -> None:
    allowed = attempt(
        checks, role, lambda user, link: services.start_check(user=user, organisation=checks.business)
    )
    assert allowed is (role in {"coordinator", "administrator", "member"})
    assert attempt(checks, role, lambda user, link: services.start_check(user=user)) is True


@pytest.mark.parametrize("role", ROLES)
def test_importing_is_for_the_office(checks: Checks, role: str) -> None:
    allowed = attempt(
        checks, role, lambda user, link: services.import_check(user=user, data=helpers.example())
    )
    assert allowed is (role in {"coordinator", "administrator"})


VISIBLE = {
    "anonymous": set(),
    "reader": set(),
    "partner": {"shared"},
    "coordinator": {"shared", "own", "other", "anonymous"},
    "administrator": {"shared", "own", "other", "anonymous"},
    "outsider": set(),
    "member": {"shared", "own"},
}


@pytest.mark.parametrize("role", list(VISIBLE))
def test_who_sees_which_results(checks: Checks, role: str) -> None:
    responses = {
        "shared": shared_result(checks),
        "own": checks.draft(),
        "other": checks.submitted(organisation=checks.other_business),
        "anonymous": checks.draft(organisation=None),
    }
    user = checks.user(role)
    visible = set(Response.objects.visible_to(user).values_list("pk", flat=True))
    assert {name for name, response in responses.items() if response.pk in visible} == VISIBLE[role]
    for name, response in responses.items():
        assert permissions.can_view_response(user, response) is (name in VISIBLE[role])
    # The link holder sees the one response of the link, whoever they are.
    assert permissions.can_view_response(user, responses["other"], link=True)


def test_visible_to_of_the_system_is_everything(checks: Checks) -> None:
    checks.draft()
    assert Response.objects.visible_to(None).count() == 1


@pytest.mark.parametrize("role", ["reader", "partner", "coordinator", "outsider", "member"])
def test_only_administrators_change_organisation_memberships(checks: Checks, role: str) -> None:
    from reallabor.accounts import services as account_services
    from reallabor.accounts.models import OrganisationMembership

    outsider = checks.user("outsider")
    assert isinstance(outsider, User)
    with pytest.raises(PermissionDenied):
        account_services.add_organisation_member(
            user=checks.user(role), member=outsider, organisation=checks.business
        )
    assert not OrganisationMembership.objects.filter(user=outsider).exists()
    admin = checks.user("administrator")
    assert account_services.add_organisation_member(user=admin, member=outsider, organisation=checks.business)
    assert not account_services.add_organisation_member(
        user=admin, member=outsider, organisation=checks.business
    )
    assert permissions.member_organisation_ids(outsider) == {checks.business.pk}
    with pytest.raises(PermissionDenied):
        account_services.remove_organisation_member(
            user=checks.user(role), member=outsider, organisation=checks.business
        )
    assert account_services.remove_organisation_member(
        user=admin, member=outsider, organisation=checks.business
    )
    assert not OrganisationMembership.objects.filter(user=outsider).exists()


@pytest.mark.parametrize("count", [1, 4])
def test_the_list_of_visible_results_takes_the_same_queries_however_many_there_are(
    checks: Checks, count: int, django_assert_num_queries: Any
) -> None:
    for _ in range(count):
        shared_result(checks)
    partner = checks.user("partner")
    with django_assert_num_queries(3):  # lab roles (the office?), organisation memberships, the list
        rows = list(Response.objects.visible_to(partner).select_related("questionnaire", "organisation"))
    assert len(rows) == count
