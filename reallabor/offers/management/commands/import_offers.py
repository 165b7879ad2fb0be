"""import_offers FILE [--dry-run]: offers from a CSV, .xlsx or JSON file, all or nothing.

Any bad row stops the import with the row-by-row report on standard error and exit code 1, and
nothing is written. Rows whose key (slug) exists update that offer. See docs/offers.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from reallabor.offers.importing import import_offers


class Command(BaseCommand):
    help = "Import offers from a CSV, Excel (.xlsx) or JSON file, all rows or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV, .xlsx or .json file")
        parser.add_argument("--dry-run", action="store_true", help="only check the file; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("%(file)s cannot be read: %(error)s") % {"file": path, "error": error.strerror},
                returncode=1,
            ) from None
        report = import_offers(user=None, content=content, filename=path.name, dry_run=options["dry_run"])
        if not report.ok:
            for line in report.error_lines():
                self.stderr.write(line)
            rows = sorted({row for row, _column, _message in report.errors if row})
            raise CommandError(
                _("Nothing was imported: %(count)s errors%(rows)s.")
                % {
                    "count": len(report.errors),
                    "rows": (_(" in rows %(rows)s") % {"rows": ", ".join(map(str, rows[:50]))})
                    if rows
                    else "",
                },
                returncode=1,
            )
        if report.dry_run:
            self.stdout.write(
                _(
                    "The file is valid (%(rows)s rows): it would add %(created)s offers and update %(updated)s. Nothing was written."
                )
                % {"rows": report.rows, "created": len(report.created), "updated": len(report.updated)}
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported %(rows)s rows: %(created)s new offers, %(updated)s updated.")
                % {"rows": report.rows, "created": len(report.created), "updated": len(report.updated)}
            )
        )
