"""A lab the user does not see (another coordinator's draft) is unknown to them wherever criteria
name labs: segments through the services, the pages and the API, the counts, the lists of
organisations and people, the exports, and mailings that take a segment. The answer is the one
for a lab that does not exist, and nothing is saved.

Readers and administrators see every lab (the draft lab is known to them); the others see the
published labs and their own.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import ROLES, Portfolio
from reallabor.accounts.models import User
from reallabor.actors.criteria import Criteria, CriteriaError
from reallabor.actors.filters import check_criteria, segment_criteria, segment_people
from reallabor.actors.models import Mailing, Segment
from reallabor.actors.services import mailings
from reallabor.actors.services import segments as service
from reallabor.actors.tests.test_segments import acting, segments_digest
from reallabor.api.tests.conftest import API, api_client, call
from reallabor.core.testing.actors import Crm, affiliate, give_consent, make_person
from reallabor.core.testing.factories import UserFactory, add_member, make_lab
from reallabor.labs.models import Lab, LabMembership, LabOrganisation
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db

MISSING = "kein-labor"
SEES_EVERY_LAB = ("reader", "administrator")
WRITERS = ("coordinator", "administrator")


@pytest.fixture
def draft(portfolio: Portfolio, crm: Crm) -> Lab:
    """A draft lab of another coordinator, with a company and a person with newsletter consent."""
    lab = make_lab(name="Geheimes Labor", is_published=False)
    other: User = UserFactory(email="other-coordinator@example.org")  # type: ignore[assignment]
    add_member(lab, other, LabMembership.Role.COORDINATOR)
    hidden = Organisation.objects.create(name="Verborgen GmbH", slug="verborgen-gmbh", kind="company")
    LabOrganisation.objects.create(lab=lab, organisation=hidden)
    insider = make_person(first_name="Ina", last_name="Insider", email="ina@verborgen.example")
    affiliate(insider, hidden, "Leitung")
    give_consent(insider)
    return lab


def same_answer(hidden: str, missing: str, slug: str) -> bool:
    """The message for the hidden lab is the one for a missing lab, but for the slug named."""
    return hidden.replace(slug, "<lab>") == missing.replace(MISSING, "<lab>") and slug in hidden


def unknown_lab(slug: str) -> str:
    """The message for a lab that does not exist (escaped as on a page), naming ``slug``."""
    with pytest.raises(CriteriaError) as caught:
        check_criteria(Criteria(labs=(MISSING,)), user=None)
    return escape(caught.value.errors["labs"].replace(MISSING, slug))


def mailings_digest() -> list[dict[str, Any]]:
    return [dict(row) for row in Mailing.objects.order_by("pk").values()]


# The check ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_check_knows_only_the_labs_the_user_sees(portfolio: Portfolio, draft: Lab, role: str) -> None:
    user = acting(portfolio, role)
    with pytest.raises(CriteriaError) as missing:
        check_criteria(Criteria(labs=(MISSING,)), user=user)
    check_criteria(Criteria(labs=(portfolio.handel.slug,)), user=user)  # published: everybody's
    if role in SEES_EVERY_LAB:
        check_criteria(Criteria(labs=(draft.slug,)), user=user)
        return
    with pytest.raises(CriteriaError) as hidden:
        check_criteria(Criteria(labs=(draft.slug, portfolio.handel.slug)), user=user)
    assert set(hidden.value.errors) == {"labs"}
    assert same_answer(hidden.value.errors["labs"], missing.value.errors["labs"], draft.slug)


def test_the_system_and_the_labs_members_know_a_draft_lab(portfolio: Portfolio, draft: Lab) -> None:
    check_criteria(Criteria(labs=(draft.slug,)), user=None)
    member = draft.memberships.get().user
    check_criteria(Criteria(labs=(draft.slug,)), user=member)
    # A coordinator who joins the lab sees it from then on.
    coordinator = portfolio.users["coordinator"]
    add_member(draft, coordinator, LabMembership.Role.COORDINATOR)  # type: ignore[arg-type]
    check_criteria(Criteria(labs=(draft.slug,)), user=coordinator)


# The services ------------------------------------------------------------------------------------------


def _expect_refusal(role: str, write: Any, draft: Lab) -> None:
    """Who may not manage segments is refused; a coordinator is told the lab is unknown, as for a
    lab that does not exist."""
    if role not in WRITERS:
        with pytest.raises(PermissionDenied):
            write(draft.slug)
        return
    with pytest.raises(ValidationError) as hidden:
        write(draft.slug)
    with pytest.raises(ValidationError) as missing:
        write(MISSING)
    assert set(hidden.value.message_dict) == {"criteria.labs"}
    assert same_answer(
        hidden.value.message_dict["criteria.labs"][0],
        missing.value.message_dict["criteria.labs"][0],
        draft.slug,
    )


@pytest.mark.parametrize("role", ROLES)
def test_creating_a_segment_with_a_lab_the_user_does_not_see_saves_nothing(
    portfolio: Portfolio, draft: Lab, role: str
) -> None:
    user = acting(portfolio, role)
    before = segments_digest()

    def create(slug: str) -> Segment:
        data = {"name": "Geheim", "subject": "people", "criteria": {"labs": [slug], "kinds": ["company"]}}
        return service.create_segment(user=user, data=data)

    if role == "administrator":
        with pytest.raises(ValidationError):
            create(MISSING)
        assert segments_digest() == before
        assert create(draft.slug).criteria["labs"] == [draft.slug]  # administrators see every lab
        return
    _expect_refusal(role, create, draft)
    assert segments_digest() == before


@pytest.mark.parametrize("role", ROLES)
def test_changing_a_segment_to_a_lab_the_user_does_not_see_saves_nothing(
    portfolio: Portfolio, crm: Crm, draft: Lab, role: str
) -> None:
    user = acting(portfolio, role)
    before = segments_digest()

    def update(slug: str) -> Segment:
        return service.update_segment(user=user, segment=crm.segment, data={"criteria": {"labs": [slug]}})

    if role == "administrator":
        assert update(draft.slug).criteria == {"labs": [draft.slug]}
        return
    _expect_refusal(role, update, draft)
    assert segments_digest() == before


@pytest.fixture
def secret_segment(portfolio: Portfolio, draft: Lab) -> Segment:
    """A segment an administrator saved with the draft lab (every member of the office sees segments)."""
    return service.create_segment(
        user=portfolio.users["administrator"],
        data={"name": "Im geheimen Labor", "subject": "people", "criteria": {"labs": [draft.slug]}},
    )


def test_a_saved_segment_with_a_lab_the_user_does_not_see_is_used_as_with_an_unknown_lab(
    portfolio: Portfolio, draft: Lab, secret_segment: Segment
) -> None:
    coordinator = portfolio.users["coordinator"]
    administrator = portfolio.users["administrator"]
    assert service.segment_counts(secret_segment, user=administrator).members == 1
    counts = service.segment_counts(secret_segment, user=coordinator)
    assert (counts.members, counts.people, counts.reachable) == (None, None, None)
    assert draft.slug in counts.error
    for read in (
        lambda: segment_criteria(secret_segment, user=coordinator),
        lambda: segment_people(secret_segment, user=coordinator),
        lambda: service.segment_table(secret_segment, user=coordinator),
    ):
        with pytest.raises(CriteriaError) as caught:
            read()
        assert set(caught.value.errors) == {"labs"}
    before = segments_digest()
    with pytest.raises(ValidationError):
        service.duplicate_segment(user=coordinator, segment=secret_segment)
    assert segments_digest() == before
    # Its other fields can still be changed; its criteria stay as they are.
    service.update_segment(user=coordinator, segment=secret_segment, data={"description": "neu"})
    secret_segment.refresh_from_db()
    assert secret_segment.criteria == {"labs": [draft.slug]}


def test_a_mailing_cannot_take_a_segment_with_a_lab_the_user_does_not_see(
    portfolio: Portfolio, crm: Crm, draft: Lab, secret_segment: Segment
) -> None:
    coordinator = portfolio.users["coordinator"]
    data = {"subject": "Geheim", "body": "Hallo", "segment": str(secret_segment.uuid)}
    before = mailings_digest()
    with pytest.raises(ValidationError) as caught:
        mailings.create_mailing(user=coordinator, data=data)
    assert set(caught.value.message_dict) == {"segment"}
    assert draft.slug in caught.value.message_dict["segment"][0]
    with pytest.raises(ValidationError):
        mailings.update_mailing(user=coordinator, mailing=crm.mailing, data={"segment": secret_segment})
    assert mailings_digest() == before
    # A draft the administrator composed for it is not sent by the coordinator either.
    mailing = mailings.create_mailing(user=portfolio.users["administrator"], data=data)
    before = mailings_digest()
    with pytest.raises(ValidationError) as caught:
        mailings.send_mailing(user=coordinator, mailing=mailing)
    assert set(caught.value.message_dict) == {"segment"}
    assert mailings_digest() == before
    assert mailings.send_mailing(user=portfolio.users["administrator"], mailing=mailing) == 1


# The API ------------------------------------------------------------------------------------------------

API_STATUS = {"anonymous": 401, "reader": 403, "partner": 403, "outsider": 403}


def _api_refusal(portfolio: Portfolio, role: str, request: Any, draft: Lab) -> None:
    response = request(draft.slug)
    if role in API_STATUS:
        assert response.status_code == API_STATUS[role]
        return
    assert response.status_code == 422, response.content
    missing = request(MISSING)
    assert missing.status_code == 422
    (hidden_error,) = response.json()["detail"]
    (missing_error,) = missing.json()["detail"]
    assert hidden_error["loc"] == missing_error["loc"] == ["body", "criteria", "labs"]
    assert same_answer(hidden_error["msg"], missing_error["msg"], draft.slug)


@pytest.mark.parametrize("role", ROLES)
def test_the_api_refuses_a_lab_the_user_does_not_see_and_saves_nothing(
    portfolio: Portfolio, crm: Crm, draft: Lab, role: str
) -> None:
    client = api_client(portfolio.users[role])
    before = segments_digest()

    def create(slug: str) -> Any:
        body = {"name": "Geheim", "subject": "people", "criteria": {"labs": [slug]}}
        return call(client, "post", f"{API}/segments", body)

    def update(slug: str) -> Any:
        return call(client, "patch", f"{API}/segments/{crm.segment.uuid}", {"criteria": {"labs": [slug]}})

    def count(slug: str) -> Any:
        return call(
            client, "post", f"{API}/segments/count", {"subject": "people", "criteria": {"labs": [slug]}}
        )

    for request in (create, update, count):
        if role == "administrator":
            assert request(MISSING).status_code == 422
            continue
        _api_refusal(portfolio, role, request, draft)
    assert segments_digest() == before
    if role == "administrator":
        assert create(draft.slug).status_code == 201
        assert count(draft.slug).json()["members"] == 1


def test_the_api_shows_a_saved_segment_with_a_hidden_lab_as_with_an_unknown_lab(
    portfolio: Portfolio, draft: Lab, secret_segment: Segment
) -> None:
    client = api_client(portfolio.users["coordinator"])
    detail = call(client, "get", f"{API}/segments/{secret_segment.uuid}").json()
    assert detail["counts"]["members"] is None
    assert draft.slug in detail["counts"]["error"]
    listed = call(client, "get", f"{API}/segments").json()["items"]
    assert [item["counts"]["members"] for item in listed if item["uuid"] == str(secret_segment.uuid)] == [
        None
    ]
    members = call(client, "get", f"{API}/segments/{secret_segment.uuid}/members")
    assert members.status_code == 409
    assert "Verborgen" not in members.content.decode()
    admin = api_client(portfolio.users["administrator"])
    assert call(admin, "get", f"{API}/segments/{secret_segment.uuid}").json()["counts"]["members"] == 1


@pytest.mark.parametrize("role", ROLES)
def test_the_lists_of_the_api_take_a_hidden_lab_as_an_unknown_lab(
    portfolio: Portfolio, draft: Lab, role: str
) -> None:
    client = api_client(portfolio.users[role])
    for path in (f"{API}/organisations?labs=", f"{API}/people?labs="):
        hidden = call(client, "get", path + draft.slug)
        missing = call(client, "get", path + MISSING)
        if path.endswith("people?labs=") and role not in WRITERS:
            assert hidden.status_code == missing.status_code in (401, 403)
            continue
        if role in SEES_EVERY_LAB:
            assert hidden.status_code == 200
            continue
        assert hidden.status_code == missing.status_code == 422, (path, hidden.content)
        assert same_answer(hidden.json()["detail"][0]["msg"], missing.json()["detail"][0]["msg"], draft.slug)
        assert "Verborgen" not in hidden.content.decode()


# The pages --------------------------------------------------------------------------------------------


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_live_count_and_the_exports_take_a_hidden_lab_as_an_unknown_lab(
    portfolio: Portfolio, draft: Lab
) -> None:
    client = portfolio.client("coordinator")
    count = reverse("actors:segment-count")
    hidden = client.get(f"{count}?subject=people&labs={draft.slug}")
    missing = client.get(f"{count}?subject=people&labs={MISSING}")
    assert hidden.status_code == missing.status_code == 200
    assert _text(hidden).replace(draft.slug, MISSING) == _text(missing)
    assert unknown_lab(draft.slug) in _text(hidden)
    for name in ("actors:organisation-list-export", "actors:person-list-export"):
        url = reverse(name, kwargs={"fmt": "csv"})
        hidden = client.get(f"{url}?labs={draft.slug}")
        missing = client.get(f"{url}?labs={MISSING}")
        assert hidden.status_code == missing.status_code == 400
        assert unknown_lab(draft.slug) in _text(hidden)
        assert unknown_lab(MISSING) in _text(missing)
    admin = portfolio.client("administrator")
    assert "Verborgen" in b"".join(
        admin.get(reverse("actors:organisation-list-export", kwargs={"fmt": "csv"}) + f"?labs={draft.slug}")
    ).decode("utf-8-sig")


@pytest.mark.parametrize("role", WRITERS)
def test_the_segment_form_offers_only_the_labs_the_user_sees_and_saves_nothing_else(
    portfolio: Portfolio, crm: Crm, draft: Lab, role: str
) -> None:
    client = portfolio.client(role)
    form = client.get(reverse("actors:segment-create")).content.decode()
    assert (draft.name in form) == (role == "administrator")
    before = segments_digest()
    for slug in (MISSING, draft.slug):
        response = client.post(
            reverse("actors:segment-create"), {"name": "Geheim", "subject": "people", "labs": [slug]}
        )
        if role == "administrator" and slug == draft.slug:
            assert response.status_code == 302
            assert Segment.objects.get(name="Geheim").criteria == {"labs": [draft.slug]}
            continue
        assert response.status_code == 200
        assert segments_digest() == before


def test_a_saved_segment_with_a_hidden_lab_shows_the_lab_as_unknown_on_its_pages(
    portfolio: Portfolio, draft: Lab, secret_segment: Segment
) -> None:
    client = portfolio.client("coordinator")
    detail = _text(client.get(secret_segment.get_absolute_url()))
    assert draft.slug in detail and draft.name not in detail
    members = _text(client.get(reverse("actors:segment-members", kwargs={"uuid": secret_segment.uuid})))
    assert "Insider" not in members and draft.slug in members
    counts = _text(client.get(reverse("actors:segment-counts", kwargs={"uuid": secret_segment.uuid})))
    assert draft.slug in counts
    edit = _text(client.get(reverse("actors:segment-edit", kwargs={"uuid": secret_segment.uuid})))
    assert draft.slug in edit and draft.name not in edit
    export = client.get(reverse("actors:segment-export", kwargs={"uuid": secret_segment.uuid, "fmt": "csv"}))
    assert export.status_code == 400
    admin = portfolio.client("administrator")
    assert "Insider" in _text(
        admin.get(reverse("actors:segment-members", kwargs={"uuid": secret_segment.uuid}))
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_organisation_list_takes_a_hidden_lab_as_an_unknown_lab(
    portfolio: Portfolio, draft: Lab, role: str
) -> None:
    client = portfolio.client(role)
    url = reverse("organisations:organisation-list")
    hidden = client.get(f"{url}?labs={draft.slug}")
    missing = client.get(f"{url}?labs={MISSING}")
    assert hidden.status_code == missing.status_code
    if role in SEES_EVERY_LAB:
        assert "Verborgen GmbH" in _text(hidden)
        return
    assert "Verborgen GmbH" not in _text(hidden)
    assert unknown_lab(draft.slug) in _text(hidden)
    assert unknown_lab(MISSING) in _text(missing)


@pytest.mark.parametrize("role", WRITERS)
def test_the_people_list_takes_a_hidden_lab_as_an_unknown_lab(
    portfolio: Portfolio, draft: Lab, role: str
) -> None:
    client = portfolio.client(role)
    url = reverse("actors:person-list")
    hidden = _text(client.get(f"{url}?labs={draft.slug}"))
    missing = _text(client.get(f"{url}?labs={MISSING}"))
    if role in SEES_EVERY_LAB:
        assert "Insider" in hidden
        return
    assert "Insider" not in hidden
    # The same error, naming the lab asked for.
    error = re.compile(r'<div class="form-errors" role="alert">.*?</div>')
    assert (
        [item.replace(draft.slug, MISSING) for item in error.findall(hidden)] == error.findall(missing) != []
    )


def test_the_preview_of_a_mailing_to_a_segment_with_a_hidden_lab_shows_nobody_of_it(
    portfolio: Portfolio, crm: Crm, draft: Lab, secret_segment: Segment
) -> None:
    """A draft the administrator composed for a segment naming the hidden lab: the coordinator's
    preview (page, frame, API) and test mail count and address nobody of it and name the problem;
    the administrator's preview addresses the lab's person."""
    data = {"subject": "Geheim", "body": "Hallo", "segment": str(secret_segment.uuid)}
    mailing = mailings.create_mailing(user=portfolio.users["administrator"], data=data)
    coordinator = portfolio.users["coordinator"]
    with pytest.raises(ValidationError) as caught:
        mailings.audience(mailing, user=coordinator)
    assert draft.slug in caught.value.message_dict["segment"][0]
    with pytest.raises(ValidationError):
        mailings.sample_recipient(mailing, user=coordinator)
    before = mailings_digest()
    with pytest.raises(ValidationError):
        mailings.send_test_mailing(user=coordinator, mailing=mailing, language="de")
    assert mailings_digest() == before

    page = portfolio.client("coordinator").get(mailing.get_absolute_url())
    assert page.status_code == 200
    assert draft.slug in page.content.decode()
    assert "Insider" not in page.content.decode()
    frame = portfolio.client("coordinator").get(reverse("actors:mailing-preview", args=[mailing.uuid]))
    assert frame.status_code == 200
    assert "Insider" not in frame.content.decode()
    preview = call(api_client(coordinator), "get", f"{API}/mailings/{mailing.uuid}/preview")
    assert preview.status_code == 422
    assert "Insider" not in preview.content.decode()

    admin_preview = call(
        api_client(portfolio.users["administrator"]), "get", f"{API}/mailings/{mailing.uuid}/preview"
    )
    assert admin_preview.status_code == 200
    assert admin_preview.json()["sample_recipient"] == "Ina Insider"
    assert admin_preview.json()["reachable"] == 1
    assert mailings.audience(mailing, user=portfolio.users["administrator"]).reachable == 1
