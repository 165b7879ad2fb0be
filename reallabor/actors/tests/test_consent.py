"""Consent: validity (expiry, withdrawal, future), recording and withdrawing, the consent texts,
the consent panel and its htmx swaps, and the consent endpoints of the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from conftest import ROLES, Portfolio
from reallabor.actors.models import Consent, ConsentText, Person, PersonalDataAccess, Purpose
from reallabor.actors.services import consent as services
from reallabor.actors.tests.test_privacy import actors_digest
from reallabor.api.tests.conftest import api_client, call
from reallabor.core.testing.actors import Crm, give_consent

pytestmark = pytest.mark.django_db

NOW = timezone.now()
DAY = dt.timedelta(days=1)


def client_for(portfolio: Portfolio, role: str, **headers: str) -> Client:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.defaults.update(headers)
    return client


# The seeded texts -------------------------------------------------------------------------------


def test_every_purpose_has_a_lawful_first_text() -> None:
    for purpose in Purpose.values:
        text = ConsentText.objects.get(purpose=purpose, version=1)
        assert "Art. 6 Abs. 1 lit. a DSGVO" in text.text
        assert "jederzeit" in text.text and "widerrufen" in text.text
        assert "Wirtschaftsförderung" in text.text
    assert services.current_text(Purpose.NEWSLETTER).version == 1


# Validity -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "valid"),
    [
        ({"given_at": NOW - DAY}, True),
        ({"given_at": NOW - DAY, "expires_at": NOW + DAY}, True),
        ({"given_at": NOW - 2 * DAY, "expires_at": NOW - DAY}, False),
        ({"given_at": NOW - DAY, "withdrawn_at": NOW - dt.timedelta(hours=1)}, False),
        ({"given_at": NOW + DAY}, False),
    ],
    ids=["open", "not-expired-yet", "expired", "withdrawn", "future"],
)
def test_consent_validity(crm: Crm, fields: dict[str, Any], valid: bool) -> None:
    consent = give_consent(crm.clara, Purpose.MATCHING, **fields)
    assert consent.is_valid(NOW) is valid
    assert Consent.objects.valid(NOW).filter(pk=consent.pk).exists() is valid
    assert services.has_valid_consent(crm.clara, Purpose.MATCHING) is valid


def test_validity_at_the_exact_boundaries(crm: Crm) -> None:
    consent = give_consent(crm.clara, Purpose.PHOTOS, given_at=NOW, expires_at=NOW + DAY)
    assert consent.is_valid(NOW)  # valid from the moment it is given
    assert not consent.is_valid(NOW + DAY)  # and no longer at the moment it expires
    assert not Consent.objects.valid(NOW + DAY).filter(pk=consent.pk).exists()


@pytest.mark.parametrize(
    ("consents", "state"),
    [
        ([], "none"),
        ([{"given_at": NOW - DAY}], "valid"),
        ([{"given_at": NOW + DAY}], "future"),
        ([{"given_at": NOW - 3 * DAY, "expires_at": NOW - DAY}], "expired"),
        ([{"given_at": NOW - 3 * DAY, "withdrawn_at": NOW - DAY}], "withdrawn"),
        # A newer consent after a withdrawal counts; a withdrawal after an expiry is the latest news.
        ([{"given_at": NOW - 9 * DAY, "withdrawn_at": NOW - 8 * DAY}, {"given_at": NOW - DAY}], "valid"),
        (
            [
                {"given_at": NOW - 9 * DAY, "expires_at": NOW - 8 * DAY},
                {"given_at": NOW - DAY, "withdrawn_at": NOW},
            ],
            "withdrawn",
        ),
    ],
)
def test_purpose_state(crm: Crm, consents: list[dict[str, Any]], state: str) -> None:
    made = [give_consent(crm.clara, Purpose.BENCHMARKING, **fields) for fields in consents]
    give_consent(crm.clara, Purpose.NEWSLETTER)  # other purposes do not interfere
    result = services.purpose_state(Consent.objects.filter(person=crm.clara), Purpose.BENCHMARKING, NOW)
    assert result.state == state
    assert result.may_withdraw is (state in ("valid", "future"))
    if made:
        assert result.consent is not None
    states = services.purpose_states(Consent.objects.filter(person=crm.clara), NOW)
    assert [s.purpose for s in states] == Purpose.values


# Recording and withdrawing ----------------------------------------------------------------------


def test_record_consent_uses_the_current_text(portfolio: Portfolio, crm: Crm) -> None:
    admin, coordinator = portfolio.users["administrator"], portfolio.users["coordinator"]
    v2 = services.create_consent_text(
        user=admin, purpose=Purpose.MATCHING, text="Neue Fassung für das Matching."
    )
    consent = services.record_consent(
        user=coordinator, person=crm.bernd, purpose=Purpose.MATCHING, source=Consent.Source.IN_PERSON
    )
    assert consent.text == v2 and consent.recorded_by == coordinator
    assert consent.is_valid()
    older = ConsentText.objects.get(purpose=Purpose.MATCHING, version=1)
    by_version = services.record_consent(
        user=coordinator, person=crm.clara, purpose=Purpose.MATCHING, source=Consent.Source.FORM, text=older
    )
    assert by_version.text == older


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"purpose": "spam"}, "purpose"),
        ({"source": "telepathy"}, "source"),
        ({"given_at": NOW + DAY}, "given_at"),
        ({"given_at": NOW - DAY, "expires_at": NOW - 2 * DAY}, "expires_at"),
        ({"given_at": NOW - DAY, "expires_at": NOW - DAY}, "expires_at"),
        ({"text": "photos"}, "text"),
    ],
)
def test_record_consent_refuses_bad_input(
    portfolio: Portfolio, crm: Crm, kwargs: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {"purpose": Purpose.NEWSLETTER, "source": Consent.Source.FORM}
    values.update(kwargs)
    if values.get("text") == "photos":
        values["text"] = services.current_text(Purpose.PHOTOS)
    before = Consent.objects.count()
    with pytest.raises(ValidationError) as error:
        services.record_consent(user=portfolio.users["coordinator"], person=crm.bernd, **values)
    assert field in error.value.error_dict
    assert Consent.objects.count() == before


def test_no_consent_for_an_anonymised_person(portfolio: Portfolio, crm: Crm) -> None:
    Person.objects.filter(pk=crm.bernd.pk).update(anonymised_at=NOW)
    crm.bernd.refresh_from_db()
    with pytest.raises(ValidationError):
        services.record_consent(
            user=portfolio.users["coordinator"], person=crm.bernd, purpose="newsletter", source="form"
        )


@pytest.mark.parametrize("role", ROLES)
def test_only_the_office_records_and_withdraws(portfolio: Portfolio, crm: Crm, role: str) -> None:
    from django.contrib.auth.models import AnonymousUser

    user = portfolio.users[role] or AnonymousUser()
    allowed = role in ("coordinator", "administrator")
    before = actors_digest()
    if allowed:
        services.record_consent(user=user, person=crm.bernd, purpose="photos", source="in_person")
        assert services.withdraw_consent(user=user, person=crm.anna, purpose="newsletter") == 1
        assert actors_digest() != before
    else:
        with pytest.raises(PermissionDenied):
            services.record_consent(user=user, person=crm.bernd, purpose="photos", source="in_person")
        with pytest.raises(PermissionDenied):
            services.withdraw_consent(user=user, person=crm.anna, purpose="newsletter")
        assert actors_digest() == before


def test_withdraw_closes_every_open_consent_of_the_purpose(portfolio: Portfolio, crm: Crm) -> None:
    give_consent(crm.anna, Purpose.NEWSLETTER, given_at=NOW - 5 * DAY)
    give_consent(crm.anna, Purpose.PHOTOS)
    count = services.withdraw_consent(
        user=portfolio.users["coordinator"], person=crm.anna, purpose="newsletter", note="per Telefon"
    )
    assert count == 2
    assert not services.has_valid_consent(crm.anna, Purpose.NEWSLETTER)
    assert services.has_valid_consent(crm.anna, Purpose.PHOTOS)
    withdrawn = Consent.objects.filter(person=crm.anna, purpose="newsletter")
    assert {c.withdrawal_note for c in withdrawn} == {"per Telefon"}
    assert services.withdraw_consent(user=None, person=crm.anna, purpose="newsletter") == 0
    with pytest.raises(ValidationError):
        services.withdraw_consent(user=None, person=crm.anna, purpose="nonsense")


# Consent texts -------------------------------------------------------------------------------------


def test_consent_texts_get_the_next_version_and_stay_unchanged(portfolio: Portfolio) -> None:
    admin = portfolio.users["administrator"]
    first = ConsentText.objects.get(purpose=Purpose.PHOTOS, version=1)
    original = first.text
    second = services.create_consent_text(user=admin, purpose="photos", text="  Fotos: neue Fassung.  ")
    third = services.create_consent_text(user=admin, purpose="photos", text="Fotos: dritte Fassung.")
    assert (second.version, third.version) == (2, 3)
    assert second.text == "Fotos: neue Fassung."
    first.refresh_from_db()
    assert first.text == original
    assert services.current_text("photos") == third


@pytest.mark.parametrize(
    ("purpose", "text", "field"),
    [
        ("photos", "   ", "text"),
        ("photos", "x" * 20_001, "text"),
        ("photos", "Null\x00Byte", "text"),
        ("unknown", "Text", "purpose"),
    ],
)
def test_consent_text_bad_input(portfolio: Portfolio, purpose: str, text: str, field: str) -> None:
    before = ConsentText.objects.count()
    with pytest.raises(ValidationError) as error:
        services.create_consent_text(user=portfolio.users["administrator"], purpose=purpose, text=text)
    assert field in error.value.error_dict
    assert ConsentText.objects.count() == before


def test_the_same_wording_twice_is_refused(portfolio: Portfolio) -> None:
    current = services.current_text("newsletter")
    with pytest.raises(ValidationError) as error:
        services.create_consent_text(
            user=portfolio.users["administrator"], purpose="newsletter", text=current.text
        )
    assert "text" in error.value.error_dict


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_write_consent_texts(portfolio: Portfolio, role: str) -> None:
    from django.contrib.auth.models import AnonymousUser

    user = portfolio.users[role] or AnonymousUser()
    before = list(ConsentText.objects.values())
    if role == "administrator":
        services.create_consent_text(user=user, purpose="matching", text="Neu.")
        assert ConsentText.objects.count() == len(before) + 1
    else:
        with pytest.raises(PermissionDenied):
            services.create_consent_text(user=user, purpose="matching", text="Neu.")
        assert list(ConsentText.objects.values()) == before


def test_consent_text_page(portfolio: Portfolio) -> None:
    url = reverse("actors:consenttext-list")
    page = client_for(portfolio, "coordinator").get(url)
    assert page.status_code == 200
    assert "Art. 6 Abs. 1 lit. a DSGVO" in page.text
    assert "New version of a text" not in page.text  # coordinators read, administrators write
    admin = client_for(portfolio, "administrator")
    assert "New version of a text" in admin.get(url).text
    response = admin.post(url, {"purpose": "benchmarking", "text": "Benchmarking, Fassung 2."})
    assert response.status_code == 302
    assert services.current_text("benchmarking").version == 2
    invalid = admin.post(url, {"purpose": "benchmarking", "text": ""})
    assert invalid.status_code == 200 and "This field is required." in invalid.text
    assert services.current_text("benchmarking").version == 2


@pytest.mark.parametrize("role", ROLES)
def test_consent_text_page_writes_by_role(portfolio: Portfolio, role: str) -> None:
    before = list(ConsentText.objects.values())
    response = client_for(portfolio, role).post(
        reverse("actors:consenttext-list"), {"purpose": "photos", "text": "Fassung 2."}
    )
    expected = {"anonymous": 302, "administrator": 302}.get(role, 403)
    assert response.status_code == expected
    if role == "administrator":
        assert ConsentText.objects.count() == len(before) + 1
    else:
        assert list(ConsentText.objects.values()) == before
        if role == "anonymous":
            assert response["Location"].startswith(reverse("accounts:login"))


# The panel and its forms ----------------------------------------------------------------------------


def render_panel(portfolio: Portfolio, role: str, person: Person) -> str:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = portfolio.users[role] or AnonymousUser()
    template = Template("{% load actors_privacy %}{% consent_panel person %}")
    return template.render(Context({"request": request, "person": person}))


@pytest.mark.parametrize("role", ROLES)
def test_the_panel_is_for_the_office_only(portfolio: Portfolio, crm: Crm, role: str) -> None:
    with translation.override("en"):
        html = render_panel(portfolio, role, crm.anna)
    if role in ("coordinator", "administrator"):
        assert 'id="consent-panel"' in html
        assert "Record a consent" in html
        assert ("Erase" in html) is (role == "administrator")
    else:
        assert html.strip() == ""


def test_the_panel_shows_state_text_and_history(portfolio: Portfolio, crm: Crm) -> None:
    give_consent(
        crm.anna,
        Purpose.PHOTOS,
        given_at=NOW - 9 * DAY,
        withdrawn_at=NOW - 2 * DAY,
        withdrawal_note="per Post",
    )
    give_consent(crm.anna, Purpose.MATCHING, given_at=NOW - 9 * DAY, expires_at=NOW - DAY)
    with translation.override("en"):
        html = render_panel(portfolio, "coordinator", crm.anna)
    newsletter_text = ConsentText.objects.get(purpose="newsletter", version=1).text
    assert "valid" in html and "no expiry" in html
    assert "withdrawn on" in html and "per Post" in html
    assert "expired on" in html
    assert "no consent" in html  # benchmarking, event follow-up
    assert newsletter_text.split(".")[0] in html  # the text agreed to is viewable
    assert "History: 3 consents" in html
    assert reverse("actors:consent-withdraw", args=[crm.anna.uuid, "newsletter"]) in html
    assert reverse("actors:consent-withdraw", args=[crm.anna.uuid, "photos"]) not in html


def test_the_privacy_page_is_logged(portfolio: Portfolio, crm: Crm) -> None:
    response = client_for(portfolio, "coordinator").get(
        reverse("actors:person-privacy", args=[crm.anna.uuid])
    )
    assert response.status_code == 200
    assert PersonalDataAccess.objects.filter(
        person=crm.anna, action="viewed", user=portfolio.users["coordinator"]
    ).exists()


def consent_form(**changes: str) -> dict[str, str]:
    data = {
        "consent-purpose": "photos",
        "consent-source": "in_person",
        "consent-given_on": timezone.localdate().isoformat(),
        "consent-expires_on": "",
    }
    data.update({f"consent-{key}": value for key, value in changes.items()})
    return data


def test_record_with_htmx_swaps_the_panel(portfolio: Portfolio, crm: Crm) -> None:
    client = client_for(portfolio, "coordinator", HTTP_HX_REQUEST="true")
    url = reverse("actors:consent-create", args=[crm.bernd.uuid])
    expires = timezone.localdate() + dt.timedelta(days=365)
    response = client.post(url, consent_form(expires_on=expires.isoformat()))
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="consent-panel"' in response.text
    assert "Consent for “Photos” recorded (text version 1)." in response.text
    consent = Consent.objects.get(person=crm.bernd)
    assert consent.source == "in_person" and consent.is_valid()
    assert timezone.localtime(consent.given_at).date() == timezone.localdate()
    # valid through the whole expiry day
    assert timezone.localtime(consent.expires_at).date() == expires + dt.timedelta(days=1)
    assert timezone.localtime(consent.expires_at).time() == dt.time.min


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"given_on": (timezone.localdate() + DAY).isoformat()}, "A consent cannot be given in the future."),
        (
            {"given_on": "2024-05-02", "expires_on": "2024-05-01"},
            "The expiry must not be before the day of the consent.",
        ),
        ({"purpose": "spam"}, "Select a valid choice."),
        ({"given_on": "gestern"}, "Enter a valid date."),
    ],
)
def test_record_with_bad_input_names_the_field(
    portfolio: Portfolio, crm: Crm, changes: dict[str, str], message: str
) -> None:
    before = actors_digest()
    for headers in ({"HTTP_HX_REQUEST": "true"}, {}):
        client = client_for(portfolio, "coordinator", **headers)
        response = client.post(
            reverse("actors:consent-create", args=[crm.bernd.uuid]), consent_form(**changes)
        )
        assert response.status_code == 200
        assert message in response.text
        assert 'class="field field--error"' in response.text
    assert Consent.objects.filter(person=crm.bernd).count() == 0
    assert {k: v for k, v in actors_digest().items() if k != "actors.PersonalDataAccess"} == {
        k: v for k, v in before.items() if k != "actors.PersonalDataAccess"
    }


def test_record_without_javascript_redirects_to_next(portfolio: Portfolio, crm: Crm) -> None:
    client = client_for(portfolio, "coordinator")
    data = consent_form() | {"next": crm.bernd.get_absolute_url()}
    response = client.post(reverse("actors:consent-create", args=[crm.bernd.uuid]), data)
    assert response.status_code == 302 and response["Location"] == crm.bernd.get_absolute_url()
    evil = consent_form(purpose="matching") | {"next": "https://evil.example/"}
    response = client.post(reverse("actors:consent-create", args=[crm.bernd.uuid]), evil)
    assert response["Location"] == reverse("actors:person-privacy", args=[crm.bernd.uuid])


def test_withdraw_with_htmx(portfolio: Portfolio, crm: Crm) -> None:
    client = client_for(portfolio, "coordinator", HTTP_HX_REQUEST="true")
    url = reverse("actors:consent-withdraw", args=[crm.anna.uuid, "newsletter"])
    response = client.post(url, {"note": "am Telefon"})
    assert response.status_code == 200
    assert "The consent for “Newsletter” was withdrawn." in response.text
    assert not services.has_valid_consent(crm.anna, "newsletter")
    assert Consent.objects.get(person=crm.anna).withdrawal_note == "am Telefon"
    again = client.post(url)
    assert "There was no consent for “Newsletter” to withdraw." in again.text
    assert client.post(reverse("actors:consent-withdraw", args=[crm.anna.uuid, "spam"])).status_code == 404


WRITES = [
    ("record", lambda crm: reverse("actors:consent-create", args=[crm.bernd.uuid]), consent_form()),
    ("withdraw", lambda crm: reverse("actors:consent-withdraw", args=[crm.anna.uuid, "newsletter"]), {}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "url", "data"), WRITES, ids=[w[0] for w in WRITES])
def test_consent_writes_by_role(
    portfolio: Portfolio, crm: Crm, role: str, name: str, url: Any, data: Any
) -> None:
    before = actors_digest()
    response = client_for(portfolio, role).post(url(crm), data)
    if role in ("coordinator", "administrator"):
        assert response.status_code == 302
        assert actors_digest() != before
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
        assert actors_digest() == before


def test_unknown_person_is_404(portfolio: Portfolio) -> None:
    import uuid

    client = client_for(portfolio, "coordinator")
    assert client.get(reverse("actors:person-privacy", args=[uuid.uuid4()])).status_code == 404
    assert (
        client.post(reverse("actors:consent-create", args=[uuid.uuid4()]), consent_form()).status_code == 404
    )
    assert client.get("/datenschutz/personen/kein-uuid/").status_code == 404


# API -----------------------------------------------------------------------------------------------


def test_api_consents(portfolio: Portfolio, crm: Crm) -> None:
    client = api_client(portfolio.users["coordinator"])
    base = f"/api/v1/people/{crm.bernd.uuid}/consents"
    created = call(client, "post", base, {"purpose": "matching", "source": "form", "text_version": 1})
    assert created.status_code == 201, created.content
    assert created.json()["valid"] is True and created.json()["text_version"] == 1
    listed = call(client, "get", base).json()
    assert listed["count"] == 1 and listed["items"][0]["purpose"] == "matching"
    withdrawn = call(client, "post", f"{base}/matching/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json() == {"withdrawn": 1}
    assert call(client, "get", base).json()["items"][0]["valid"] is False
    assert call(client, "post", f"{base}/spam/withdraw").status_code == 404


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        (
            {"purpose": "matching", "source": "form", "given_at": (NOW + 2 * DAY).isoformat()},
            ["body", "given_at"],
        ),
        ({"purpose": "matching", "source": "form", "text_version": 99}, ["body", "text_version"]),
        ({"purpose": "spam", "source": "form"}, ["body", "purpose"]),
        ({"purpose": "matching", "source": "form", "colour": "red"}, ["body", "colour"]),
        (
            {
                "purpose": "matching",
                "source": "form",
                "given_at": NOW.isoformat(),
                "expires_at": NOW.isoformat(),
            },
            ["body", "expires_at"],
        ),
    ],
)
def test_api_consent_bad_input(portfolio: Portfolio, crm: Crm, body: dict[str, Any], loc: list[str]) -> None:
    before = actors_digest()
    response = call(
        api_client(portfolio.users["administrator"]),
        "post",
        f"/api/v1/people/{crm.bernd.uuid}/consents",
        body,
    )
    assert response.status_code == 422
    assert loc in [error["loc"] for error in response.json()["detail"]]
    assert actors_digest() == before


def test_api_unknown_or_garbage_person(portfolio: Portfolio) -> None:
    client = api_client(portfolio.users["administrator"])
    for uuid in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        for method, suffix in (
            ("get", "consents"),
            ("get", "export"),
            ("post", "erase"),
            ("post", "anonymise"),
        ):
            response = call(client, method, f"/api/v1/people/{uuid}/{suffix}")
            assert response.status_code == 404, (uuid, suffix)
            assert isinstance(response.json()["detail"], str)


def test_api_consent_texts(portfolio: Portfolio) -> None:
    admin = api_client(portfolio.users["administrator"])
    created = call(admin, "post", "/api/v1/consent-texts", {"purpose": "newsletter", "text": "Fassung 2."})
    assert created.status_code == 201 and created.json()["version"] == 2
    listed = call(admin, "get", "/api/v1/consent-texts?purpose=newsletter").json()
    assert [item["version"] for item in listed["items"]] == [2, 1]
    empty = call(admin, "post", "/api/v1/consent-texts", {"purpose": "newsletter", "text": " "})
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"] == ["body", "text"]
    assert call(admin, "get", "/api/v1/consent-texts?purpose=spam").status_code == 422
