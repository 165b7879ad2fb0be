"""Authentication: API tokens for scripts, the session (with CSRF) for the browser, anonymous reading."""

from __future__ import annotations

import pytest
from django.middleware.csrf import _get_new_csrf_string

from reallabor.accounts.services import create_api_token, revoke_api_token
from reallabor.api.tests.conftest import API, ApiWorld, api_client, call, db_digest
from reallabor.labs.models import Measure

HALLOBOT = f"{API}/labs/hybride-formen-des-handels/measures/hallobot"


def token_for(world: ApiWorld, role: str) -> str:
    user = world.portfolio.users[role]
    assert user is not None
    _token, key = create_api_token(user=None, owner=user, name="script")
    return key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


# Tokens -------------------------------------------------------------------------------------------


def test_token_acts_as_its_owner_without_csrf(world: ApiWorld) -> None:
    key = token_for(world, "partner")
    client = api_client(enforce_csrf_checks=True)

    response = call(client, "patch", HALLOBOT, {"summary": "Per Skript geändert."}, headers=bearer(key))

    assert response.status_code == 200, response.content
    assert response.json()["summary"] == "Per Skript geändert."
    assert Measure.objects.get(slug="hallobot").summary == "Per Skript geändert."


def test_token_sees_what_its_owner_sees(world: ApiWorld) -> None:
    client = api_client()
    draft = f"{API}/labs/digitale-koproduktion-im-handwerk/measures/entwurf"

    assert client.get(draft).status_code == 404
    assert client.get(draft, headers=bearer(token_for(world, "coordinator"))).status_code == 200
    assert client.get(draft, headers=bearer(token_for(world, "partner"))).status_code == 404


def test_token_of_a_reader_may_not_write(world: ApiWorld) -> None:
    before = db_digest()

    response = call(
        api_client(), "patch", HALLOBOT, {"summary": "x"}, headers=bearer(token_for(world, "reader"))
    )

    assert response.status_code == 403
    assert db_digest() == before


@pytest.mark.parametrize("header", ["Bearer rl_not-a-token", "Bearer ", "bearer rl_not-a-token"])
def test_bad_bearer_token_gives_401_even_for_reading(world: ApiWorld, header: str) -> None:
    response = api_client().get(f"{API}/labs", headers={"Authorization": header})

    assert response.status_code == 401
    assert response.json()["detail"].startswith("The API token is")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "rl_without_scheme"])
def test_other_authorization_schemes_are_not_ours(world: ApiWorld, header: str) -> None:
    """A proxy's Basic auth passes through: reading stays public, writing asks for credentials."""
    client = api_client()

    assert client.get(f"{API}/labs", headers={"Authorization": header}).status_code == 200
    response = call(client, "post", f"{API}/labs", {"name": "x"}, headers={"Authorization": header})
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]


def test_revoked_token_and_token_of_a_deactivated_user_give_401(world: ApiWorld) -> None:
    partner = world.portfolio.users["partner"]
    assert partner is not None
    token, key = create_api_token(user=None, owner=partner, name="script")
    revoke_api_token(user=None, token=token)
    assert api_client().get(f"{API}/labs", headers=bearer(key)).status_code == 401

    _token, key = create_api_token(user=None, owner=partner, name="script 2")
    partner.is_active = False
    partner.save()
    response = api_client().get(f"{API}/labs", headers=bearer(key))
    assert response.status_code == 401
    assert response.json() == {"detail": "The API token is invalid or has been revoked."}


def test_token_use_is_recorded(world: ApiWorld) -> None:
    partner = world.portfolio.users["partner"]
    assert partner is not None
    token, key = create_api_token(user=None, owner=partner, name="script")

    api_client().get(f"{API}/labs", headers=bearer(key))

    token.refresh_from_db()
    assert token.last_used_at is not None


# Session and CSRF ---------------------------------------------------------------------------------


def test_session_write_needs_the_csrf_token(world: ApiWorld) -> None:
    client = world.client("partner", enforce_csrf_checks=True)
    before = db_digest()

    response = call(client, "patch", HALLOBOT, {"summary": "Ohne CSRF."})

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert db_digest() == before


def test_session_write_with_the_csrf_token_works(world: ApiWorld) -> None:
    client = world.client("partner", enforce_csrf_checks=True)
    csrf = _get_new_csrf_string()
    client.cookies["csrftoken"] = csrf

    response = call(client, "patch", HALLOBOT, {"summary": "Mit CSRF."}, headers={"X-CSRFToken": csrf})

    assert response.status_code == 200, response.content
    assert Measure.objects.get(slug="hallobot").summary == "Mit CSRF."


def test_session_reading_needs_no_csrf_token(world: ApiWorld) -> None:
    client = world.client("coordinator", enforce_csrf_checks=True)

    response = client.get(f"{API}/labs/digitale-koproduktion-im-handwerk/measures/entwurf")

    assert response.status_code == 200


def test_docs_page_hands_the_csrf_token_to_swagger(world: ApiWorld) -> None:
    """The interactive docs send X-CSRFToken, so "Try it out" works for a signed-in user."""
    response = world.client("partner").get(f"{API}/docs")

    assert b'data-api-csrf="true"' in response.content
    assert b'data-csrf-token=""' not in response.content


# Anonymous ----------------------------------------------------------------------------------------


def test_anonymous_write_gives_401_not_a_csrf_error(world: ApiWorld) -> None:
    client = api_client(enforce_csrf_checks=True)
    before = db_digest()

    response = call(client, "post", f"{API}/labs", {"name": "Anonym"})

    assert response.status_code == 401
    assert response.json()["detail"].startswith("Authentication required")
    assert db_digest() == before


def test_anonymous_reading_shows_public_data_only(world: ApiWorld) -> None:
    client = api_client()

    labs = client.get(f"{API}/labs").json()
    measures = client.get(f"{API}/measures").json()
    organisations = client.get(f"{API}/organisations").json()

    assert "entwurfslabor" not in {lab["slug"] for lab in labs["items"]}
    assert labs["count"] == 3
    assert "entwurf" not in {measure["slug"] for measure in measures["items"]}
    assert measures["count"] == 4
    assert organisations == {"count": 0, "items": []}
