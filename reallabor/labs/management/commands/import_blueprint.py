"""import_blueprint FILE.json [--as NEW-SLUG] [--dry-run]: a lab from a blueprint (docs/blueprints.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reallabor.core.validation import error_dict
from reallabor.labs import blueprints, services


class Command(BaseCommand):
    help = "Create a lab from a blueprint, all of the file or nothing; the lab starts unpublished (docs/blueprints.md)."
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the blueprint (JSON); - reads standard input")
        parser.add_argument(
            "--as",
            dest="new_slug",
            metavar="NEW-SLUG",
            default=None,
            help="import under this short name instead of the one in the file",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="only check the file against the schema and the database"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        raw = self.read(options["file"], options.get("stdin") or sys.stdin)
        try:
            data = blueprints.parse(raw)
            result = services.import_blueprint(
                user=None, data=data, slug=options["new_slug"], dry_run=options["dry_run"]
            )
        except ValidationError as error:
            lines = blueprints.error_lines(error_dict(error))
            for line in lines:
                self.stderr.write(line)
            raise CommandError(
                ngettext(
                    "The blueprint was not imported: %(count)s problem.",
                    "The blueprint was not imported: %(count)s problems.",
                    len(lines),
                )
                % {"count": len(lines)},
                returncode=1,
            ) from None
        self.report(result)

    def read(self, name: str, stdin: Any) -> bytes:
        if name == "-":
            raw = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read()
            return raw if isinstance(raw, bytes) else raw.encode("utf-8")
        try:
            return Path(name).read_bytes()
        except OSError as error:
            raise CommandError(
                _("%(file)s cannot be read: %(error)s") % {"file": name, "error": error.strerror},
                returncode=1,
            ) from None

    def report(self, result: services.ImportResult) -> None:
        values = {"name": result.name, "slug": result.slug, "count": result.measures}
        if result.dry_run:
            text = ngettext(
                "The blueprint is valid: it would create the lab “%(name)s” (%(slug)s) with %(count)s measure.",
                "The blueprint is valid: it would create the lab “%(name)s” (%(slug)s) with %(count)s measures.",
                result.measures,
            )
        else:
            text = ngettext(
                "Created the lab “%(name)s” (%(slug)s) with %(count)s measure, unpublished.",
                "Created the lab “%(name)s” (%(slug)s) with %(count)s measures, unpublished.",
                result.measures,
            )
        self.stdout.write(self.style.SUCCESS(text % values))
        if result.dry_run:
            labels = (_("Organisations it would create"), _("Vocabulary terms it would create"))
        else:
            labels = (_("Organisations created"), _("Vocabulary terms created"))
        for label, items in zip(labels, (result.created_organisations, result.created_terms), strict=True):
            self.stdout.write(f"{label}: {len(items)}")
            for item in items:
                self.stdout.write(f"  {item}")
