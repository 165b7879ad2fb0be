"""Login by e-mail address, »stay signed in«, logout by POST, lockout after failed attempts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from reallabor.accounts.models import User
from reallabor.accounts.tests.conftest import PASSWORD

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

LOGIN = reverse("accounts:login")


def login(client: Client, email: str, password: str, **extra: str) -> _MonkeyPatchedWSGIResponse:
    return client.post(LOGIN, {"username": email, "password": password, **extra})


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_login_page_has_the_fields(client: Client, db: None) -> None:
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="email" name="username"' in html
    assert 'name="password"' in html
    assert 'name="remember"' in html
    assert "E-mail address" in html
    assert "Stay signed in" in html
    assert reverse("accounts:password-reset") in html


def test_login_with_email_and_password(client: Client, anna: User) -> None:
    response = login(client, "anna@example.org", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert signed_in_user_id(client) == str(anna.pk)


def test_login_ignores_the_case_of_the_address(client: Client, anna: User) -> None:
    response = login(client, " Anna@Example.ORG ", PASSWORD)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(anna.pk)


def test_wrong_password_says_so_and_signs_nobody_in(client: Client, anna: User) -> None:
    response = login(client, "anna@example.org", "wrong-password")
    assert response.status_code == 200
    assert "The e-mail address or the password is not correct." in response.content.decode()
    assert signed_in_user_id(client) is None


def test_unknown_address_gets_the_same_message(client: Client, anna: User) -> None:
    response = login(client, "nobody@example.org", PASSWORD)
    assert response.status_code == 200
    assert "The e-mail address or the password is not correct." in response.content.decode()
    assert signed_in_user_id(client) is None


def test_inactive_account_cannot_sign_in(client: Client, anna: User) -> None:
    anna.is_active = False
    anna.save()
    response = login(client, "anna@example.org", PASSWORD)
    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_next_is_followed_when_it_is_on_this_site(client: Client, anna: User) -> None:
    response = login(client, "anna@example.org", PASSWORD, next="/labore/")
    assert response.status_code == 302
    assert response["Location"] == "/labore/"


@pytest.mark.parametrize("target", ["https://evil.example.org/", "//evil.example.org/", "http:///evil"])
def test_next_to_another_site_is_ignored(client: Client, anna: User, target: str) -> None:
    response = login(client, "anna@example.org", PASSWORD, next=target)
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


def test_without_stay_signed_in_the_session_ends_with_the_browser(client: Client, anna: User) -> None:
    response = login(client, "anna@example.org", PASSWORD)
    assert client.session.get_expire_at_browser_close() is True
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""


def test_stay_signed_in_keeps_the_session_for_the_configured_age(client: Client, anna: User) -> None:
    response = login(client, "anna@example.org", PASSWORD, remember="on")
    assert client.session.get_expire_at_browser_close() is False
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == settings.SESSION_COOKIE_AGE


def test_logout_by_post(client: Client, anna: User) -> None:
    client.force_login(anna)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGOUT_REDIRECT_URL)
    assert signed_in_user_id(client) is None


def test_logout_by_get_is_refused_and_keeps_the_session(client: Client, anna: User) -> None:
    client.force_login(anna)
    response = client.get(reverse("accounts:logout"))
    assert response.status_code == 405
    assert signed_in_user_id(client) == str(anna.pk)


class TestLockout:
    """AXES_FAILURE_LIMIT (5) failures from one address for one e-mail address lock it for a while."""

    def fail(self, client: Client, times: int) -> None:
        for attempt in range(times):
            response = login(client, "anna@example.org", f"wrong-{attempt}")
            assert response.status_code == 200, f"attempt {attempt + 1} was already locked"

    def test_the_limit_th_failure_locks_and_shows_how_long_to_wait(self, client: Client, anna: User) -> None:
        assert settings.AXES_FAILURE_LIMIT == 5
        self.fail(client, 4)
        response = login(client, "anna@example.org", "wrong-again")
        assert response.status_code == 429
        assert "accounts/locked_out.html" in [t.name for t in response.templates]
        html = response.content.decode()
        assert "Signing in is blocked for now" in html
        assert "There have been 5 failed attempts" in html
        assert "Please wait 15\xa0minutes and try again." in html
        assert reverse("accounts:password-reset") in html

    def test_a_locked_account_refuses_even_the_right_password(self, client: Client, anna: User) -> None:
        self.fail(client, 5 - 1)
        assert login(client, "anna@example.org", "wrong-again").status_code == 429
        response = login(client, "anna@example.org", PASSWORD)
        assert response.status_code == 429
        assert "Signing in is blocked for now" in response.content.decode()
        assert signed_in_user_id(client) is None

    def test_the_address_is_counted_case_insensitively(self, client: Client, anna: User) -> None:
        for attempt, email in enumerate(
            ["anna@example.org", "ANNA@example.org", "Anna@Example.org", "anna@EXAMPLE.org"]
        ):
            assert login(client, email, f"wrong-{attempt}").status_code == 200
        assert login(client, "aNNa@example.org", "wrong").status_code == 429
        assert AccessAttempt.objects.get().username == "anna@example.org"

    def test_other_users_are_not_affected(self, client: Client, anna: User) -> None:
        from reallabor.core.testing.factories import UserFactory

        UserFactory.create(email="ben@example.org")
        self.fail(client, 4)
        assert login(client, "anna@example.org", "wrong").status_code == 429
        response = login(client, "ben@example.org", PASSWORD)
        assert response.status_code == 302

    def test_a_success_before_the_limit_resets_the_count(self, client: Client, anna: User) -> None:
        self.fail(client, 4)
        assert login(client, "anna@example.org", PASSWORD).status_code == 302
        client.post(reverse("accounts:logout"))
        self.fail(client, 4)
        assert login(client, "anna@example.org", PASSWORD).status_code == 302
