"""The profile page and the user's API tokens."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from reallabor.accounts.models import ApiToken, User
from reallabor.accounts.services import authenticate_token, create_api_token
from reallabor.core.testing.factories import UserFactory, add_member, make_lab
from reallabor.labs.models import LabMembership

PROFILE = reverse("accounts:profile")
CREATE = reverse("accounts:token-create")


def revoke_url(token: ApiToken) -> str:
    return reverse("accounts:token-revoke", kwargs={"public_id": token.public_id})


def test_anonymous_visitors_are_sent_to_login(client: Client, db: None) -> None:
    for response in (client.get(PROFILE), client.post(CREATE, {"name": "x"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    assert not ApiToken.objects.exists()


def test_profile_shows_the_account_its_labs_and_tokens(client: Client, anna: User) -> None:
    lab = make_lab(name="Hybride Formen des Handels")
    add_member(lab, anna, LabMembership.Role.COORDINATOR)
    token, _key = create_api_token(user=None, owner=anna, name="Export-Skript")
    other = UserFactory.create()
    create_api_token(user=None, owner=other, name="Fremdes Skript")
    client.force_login(anna)

    response = client.get(PROFILE)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Anna Schmidt" in html
    assert "anna@example.org" in html
    assert "Lab member" in html  # the global role
    assert "Hybride Formen des Handels" in html
    assert "Lab coordinator" in html
    assert "Export-Skript" in html
    assert f"rl_{token.prefix}…" in html
    assert "never" in html  # not used yet
    assert revoke_url(token) in html
    assert "Fremdes Skript" not in html
    assert reverse("accounts:password-change") in html


def test_profile_without_labs_or_tokens(client: Client, anna: User) -> None:
    client.force_login(anna)
    html = client.get(PROFILE).content.decode()
    assert "You are not a member of any lab." in html
    assert "You have no API tokens." in html


def test_create_token_shows_the_key_once(client: Client, anna: User) -> None:
    client.force_login(anna)

    response = client.post(CREATE, {"name": "  Export-Skript "})

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    match = re.search(r'id="new-token-key" value="(rl_[^"]+)"', html)
    assert match
    key = match.group(1)
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (anna, "Export-Skript")
    assert token.key_hash == ApiToken.hash_key(key)
    assert authenticate_token(key) == anna
    assert "it is shown only this once" in html
    # Never again: the next page view shows the token but not its key.
    assert key not in client.get(PROFILE).content.decode()


def test_create_token_without_name_is_a_field_error(client: Client, anna: User) -> None:
    client.force_login(anna)
    response = client.post(CREATE, {"name": "   "})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="field field--error"' in html
    assert 'id="new-token-key"' not in html
    assert not ApiToken.objects.exists()


def test_create_token_by_get_is_not_allowed(client: Client, anna: User) -> None:
    client.force_login(anna)
    assert client.get(CREATE).status_code == 405
    assert not ApiToken.objects.exists()


def test_revoke_own_token(client: Client, anna: User) -> None:
    token, key = create_api_token(user=None, owner=anna, name="Export-Skript")
    client.force_login(anna)

    response = client.post(revoke_url(token), follow=True)

    assert response.redirect_chain == [(PROFILE, 302)]
    assert "The token »Export-Skript« has been revoked." in response.content.decode()
    assert not ApiToken.objects.exists()
    assert authenticate_token(key) is None


@pytest.mark.parametrize("role", [User.Role.MEMBER, User.Role.READER, User.Role.ADMINISTRATOR])
def test_revoking_another_users_token_is_a_404_and_changes_nothing(
    client: Client, anna: User, role: str
) -> None:
    """Even an administrator revokes other people's tokens in the admin, not through this page."""
    token, key = create_api_token(user=None, owner=anna, name="Export-Skript")
    client.force_login(UserFactory.create(role=role))

    response = client.post(revoke_url(token))

    assert response.status_code == 404
    assert ApiToken.objects.get() == token
    assert authenticate_token(key) == anna


def test_revoke_by_get_is_not_allowed(client: Client, anna: User) -> None:
    token, _key = create_api_token(user=None, owner=anna, name="Export-Skript")
    client.force_login(anna)
    assert client.get(revoke_url(token)).status_code == 405
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_unknown_token_is_a_404(client: Client, anna: User) -> None:
    client.force_login(anna)
    assert (
        client.post(
            reverse("accounts:token-revoke", kwargs={"public_id": "00000000-0000-0000-0000-000000000000"})
        ).status_code
        == 404
    )


def test_change_password(client: Client, anna: User) -> None:
    client.force_login(anna)
    url = reverse("accounts:password-change")
    assert client.get(url).status_code == 200

    wrong = client.post(
        url,
        {
            "old_password": "wrong",
            "new_password1": "Zeche-Prosper-2030",
            "new_password2": "Zeche-Prosper-2030",
        },
    )
    assert wrong.status_code == 200
    anna.refresh_from_db()
    assert anna.check_password("test-password-123")

    response = client.post(
        url,
        {
            "old_password": "test-password-123",
            "new_password1": "Zeche-Prosper-2030",
            "new_password2": "Zeche-Prosper-2030",
        },
        follow=True,
    )
    assert response.redirect_chain == [(PROFILE, 302)]
    assert "Your password has been changed." in response.content.decode()
    anna.refresh_from_db()
    assert anna.check_password("Zeche-Prosper-2030")
    # The session survives the change.
    assert client.get(PROFILE).status_code == 200
