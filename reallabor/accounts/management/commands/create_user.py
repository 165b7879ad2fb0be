"""create_user EMAIL [--role …] [--first-name …] [--last-name …] [--password-stdin]"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils.translation import gettext as _

from reallabor.accounts import services
from reallabor.accounts.models import User
from reallabor.core.validation import error_dict


class Command(BaseCommand):
    help = (
        "Create an account. The password is read from standard input with --password-stdin, "
        "asked for on a terminal, or left unset (the user then sets it through »forgotten password«)."
    )
    # Tests pass their own standard input, as with Django's createsuperuser.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="e-mail address, used to log in")
        parser.add_argument(
            "--role",
            choices=User.Role.values,
            default=User.Role.MEMBER,
            help="global role (default: %(default)s; lab roles are given per lab)",
        )
        parser.add_argument("--first-name", default="", help="first name")
        parser.add_argument("--last-name", default="", help="last name")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stdin = options.get("stdin") or sys.stdin
        password = self.read_password(stdin, from_stdin=options["password_stdin"])
        try:
            user = services.create_user(
                user=None,
                email=options["email"],
                password=password,
                first_name=options["first_name"],
                last_name=options["last_name"],
                role=options["role"],
                validate=True,
            )
        except ValidationError as error:
            raise CommandError(_format_errors(error), returncode=1) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Created the account %(email)s (role: %(role)s).")
                % {"email": user.email, "role": user.get_role_display()}
            )
        )
        if not user.has_usable_password():
            self.stdout.write(
                _(
                    "The account has no password yet. The user sets one with »Forgotten password« "
                    "at %(path)s on this site, using the address %(email)s."
                )
                % {"path": reverse("accounts:password-reset"), "email": user.email}
            )

    def read_password(self, stdin: Any, *, from_stdin: bool) -> str | None:
        if from_stdin:
            password = stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError(_("--password-stdin: standard input holds no password."), returncode=1)
            return password
        if not stdin.isatty():
            return None
        password = getpass.getpass(_("Password (empty: none, the user sets it by e-mail): "))
        if not password:
            return None
        if getpass.getpass(_("Password (again): ")) != password:
            raise CommandError(_("The two passwords differ."), returncode=1)
        return password


def _format_errors(error: ValidationError) -> str:
    lines = [_("The account was not created:")]
    for field, messages in error_dict(error).items():
        label = "" if field == "__all__" else f"{field}: "
        lines += [f"  {label}{message}" for message in messages]
    return "\n".join(lines)
