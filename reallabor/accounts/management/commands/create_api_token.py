"""create_api_token EMAIL --name NAME: prints the new token's key once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from reallabor.accounts import services
from reallabor.accounts.models import User
from reallabor.core.validation import error_dict


class Command(BaseCommand):
    help = "Create an API token for a user and print its key (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="e-mail address of the token's owner")
        parser.add_argument("--name", required=True, help="what the token is for, e.g. the script")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        owner = User.objects.filter(email__iexact=email).first()
        if owner is None:
            raise CommandError(
                _("There is no account with the e-mail address %(email)s.") % {"email": email}, returncode=1
            )
        if not owner.is_active:
            raise CommandError(_("The account %(email)s is deactivated.") % {"email": email}, returncode=1)
        try:
            token, key = services.create_api_token(user=None, owner=owner, name=options["name"])
        except ValidationError as error:
            messages = [message for items in error_dict(error).values() for message in items]
            raise CommandError(
                _("The token was not created: %(reasons)s") % {"reasons": " ".join(messages)}, returncode=1
            ) from None
        self.stderr.write(
            _(
                "Created the token »%(name)s« for %(email)s. "
                "Copy the key now; it is not stored and cannot be shown again:"
            )
            % {"name": token.name, "email": owner.email}
        )
        self.stdout.write(key)
