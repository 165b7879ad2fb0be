"""import_checks FILE_OR_FOLDER [--dry-run] [--user EMAIL].

Answer files of the digital-maturity check collected elsewhere, stored as submitted results
(source: import). A folder: every ``*.json`` in it, sorted. Each file is all or nothing: a bad file
is named on standard error with every problem and nothing of it is stored; the good files are
stored. Ends with a summary line; exit status 1 when any file failed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reallabor.accounts.models import User
from reallabor.assessment import importing


class Command(BaseCommand):
    help = (
        "Import answer files of the digital-maturity check (a JSON file, or a folder of them). "
        "Each file is stored whole or not at all; exit status 1 when any file failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="an answer file (JSON) or a folder of them (every *.json, sorted)")
        parser.add_argument("--dry-run", action="store_true", help="only check the files; store nothing")
        parser.add_argument(
            "--user",
            metavar="EMAIL",
            help="the user who entered the answers (recorded with each result; default: the system)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._user(options.get("user"))
        try:
            paths = importing.answer_files(Path(options["path"]))
        except ValueError as error:
            raise CommandError(str(error), returncode=1) from None
        if not paths:
            raise CommandError(_("%(path)s holds no .json file.") % {"path": options["path"]}, returncode=1)
        dry_run = options["dry_run"]
        try:
            outcomes = importing.import_paths(user=user, paths=paths, dry_run=dry_run, report=self._report)
        except PermissionDenied:
            raise CommandError(_("This user may not import checks."), returncode=1) from None
        good = sum(1 for outcome in outcomes if outcome.ok)
        failed = len(outcomes) - good
        if dry_run:
            summary = ngettext(
                "Dry run: %(good)s of %(total)s file is fine, %(failed)s refused; nothing was stored.",
                "Dry run: %(good)s of %(total)s files are fine, %(failed)s refused; nothing was stored.",
                len(outcomes),
            )
        else:
            summary = ngettext(
                "%(good)s of %(total)s file imported, %(failed)s refused.",
                "%(good)s of %(total)s files imported, %(failed)s refused.",
                len(outcomes),
            )
        message = summary % {"good": good, "total": len(outcomes), "failed": failed}
        if failed:
            raise CommandError(message, returncode=1)
        self.stdout.write(message)

    def _report(self, outcome: importing.FileOutcome) -> None:
        if outcome.ok:
            if outcome.response is not None:
                self.stdout.write(
                    _("%(file)s: stored as %(uuid)s") % {"file": outcome.name, "uuid": outcome.response.uuid}
                )
            else:
                self.stdout.write(_("%(file)s: fine") % {"file": outcome.name})
            return
        self.stderr.write(
            ngettext(
                "%(file)s was refused (%(count)s problem):",
                "%(file)s was refused (%(count)s problems):",
                len(outcome.problems),
            )
            % {"file": outcome.name, "count": len(outcome.problems)}
        )
        for problem in outcome.problems:
            self.stderr.write(f"  {problem}")

    def _user(self, email: str | None) -> User | None:
        if not email:
            return None
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(_("There is no active user %(email)s.") % {"email": email}, returncode=1)
        return user
