"""The management commands create_user and create_api_token."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from reallabor.accounts.models import ApiToken, User
from reallabor.accounts.services import authenticate_token
from reallabor.core.testing.factories import UserFactory


class FakeStdin(io.StringIO):
    def __init__(self, text: str = "", *, tty: bool = False) -> None:
        super().__init__(text)
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def run(*args: str, stdin: str = "", tty: bool = False) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    extra: dict[str, Any] = {"stdin": FakeStdin(stdin, tty=tty)} if args[0] == "create_user" else {}
    with translation.override("en"):  # the messages in English, whatever the translations say
        call_command(*args, stdout=out, stderr=err, **extra)
    return out.getvalue(), err.getvalue()


class TestCreateUser:
    def test_with_password_from_stdin(self, db: None) -> None:
        out, _err = run(
            "create_user",
            "Clara@Example.org",
            "--role",
            "administrator",
            "--first-name",
            "Clara",
            "--last-name",
            "Berg",
            "--password-stdin",
            stdin="Halde-Haniel-2030\n",
        )
        user = User.objects.get()
        assert (user.email, user.first_name, user.last_name, user.role) == (
            "clara@example.org",
            "Clara",
            "Berg",
            User.Role.ADMINISTRATOR,
        )
        assert user.is_staff
        assert user.check_password("Halde-Haniel-2030")
        assert "clara@example.org" in out

    def test_without_password_the_user_sets_one_by_email(self, db: None) -> None:
        out, _err = run("create_user", "dora@example.org")
        user = User.objects.get()
        assert user.role == User.Role.MEMBER
        assert not user.has_usable_password()
        assert "/konto/passwort-vergessen/" in out

    def test_asks_for_the_password_on_a_terminal(self, db: None, monkeypatch: pytest.MonkeyPatch) -> None:
        answers = iter(["Halde-Haniel-2030", "Halde-Haniel-2030"])
        monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
        run("create_user", "emil@example.org", tty=True)
        assert User.objects.get().check_password("Halde-Haniel-2030")

    def test_different_passwords_on_a_terminal(self, db: None, monkeypatch: pytest.MonkeyPatch) -> None:
        answers = iter(["Halde-Haniel-2030", "Halde-Haniel-2031"])
        monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
        with pytest.raises(CommandError) as raised:
            run("create_user", "emil@example.org", tty=True)
        assert raised.value.returncode == 1
        assert not User.objects.exists()

    @pytest.mark.parametrize(
        "args, stdin, message",
        [
            (
                ["not-an-address", "--password-stdin"],
                "Halde-Haniel-2030\n",
                "email: Enter a valid email address.",
            ),
            (["x@example.org", "--password-stdin"], "12345\n", "password: This password is too short."),
            (["x@example.org", "--password-stdin"], "\n", "standard input holds no password"),
            (["taken@example.org"], "", "An account with this e-mail address already exists."),
        ],
    )
    def test_bad_input_exits_with_1_and_says_why(
        self, db: None, args: list[str], stdin: str, message: str
    ) -> None:
        UserFactory.create(email="taken@example.org")
        with pytest.raises(CommandError) as raised:
            run("create_user", *args, stdin=stdin)
        assert raised.value.returncode == 1
        assert message in str(raised.value)
        assert User.objects.count() == 1

    def test_unknown_role_is_refused(self, db: None) -> None:
        with pytest.raises(CommandError) as raised:
            run("create_user", "x@example.org", "--role", "king")
        assert "invalid choice" in str(raised.value)
        assert not User.objects.exists()


class TestCreateApiToken:
    def test_prints_the_key_once(self, db: None) -> None:
        owner = UserFactory.create(email="anna@example.org")
        out, err = run("create_api_token", "Anna@example.org", "--name", "Nightly export")
        key = out.strip()
        token = ApiToken.objects.get()
        assert (token.user, token.name) == (owner, "Nightly export")
        assert key.startswith("rl_")
        assert authenticate_token(key) == owner
        assert "cannot be shown again" in err

    @pytest.mark.parametrize(
        "args, message",
        [
            (
                ["nobody@example.org", "--name", "x"],
                "There is no account with the e-mail address nobody@example.org.",
            ),
            (["anna@example.org", "--name", "  "], "Give the token a name"),
            (["inactive@example.org", "--name", "x"], "is deactivated"),
        ],
    )
    def test_bad_input_exits_with_1(self, db: None, args: list[str], message: str) -> None:
        UserFactory.create(email="anna@example.org")
        UserFactory.create(email="inactive@example.org", is_active=False)
        with pytest.raises(CommandError) as raised:
            run("create_api_token", *args)
        assert raised.value.returncode == 1
        assert message in str(raised.value)
        assert not ApiToken.objects.exists()
