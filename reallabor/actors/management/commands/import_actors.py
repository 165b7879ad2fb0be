"""import_actors FILE [--dry-run] [--mapping JSON_FILE] [--on-duplicate skip|merge].

Organisations and people from a CSV or .xlsx file, all or nothing: any bad row stops the import
with the row-by-row report on standard error and exit code 1, and nothing is written. Without
``--mapping`` the columns are mapped from their names (German or English).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reallabor.actors import importing
from reallabor.actors.services import imports as services
from reallabor.core.validation import error_dict

BAR_WIDTH = 30


class Progress:
    """A text bar on a terminal; on a pipe or file a line every tenth of the way (at least 1,000 rows)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.last: tuple[str, int] = ("", -1)
        self.drawn_at = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        label = {"check": _("checking"), "write": _("writing")}.get(stage, stage)
        if self.tty:
            now = time.monotonic()
            if done < total and now - self.drawn_at < 0.1:
                return
            self.drawn_at = now
            share = done / total if total else 1.0
            filled = int(share * BAR_WIDTH)
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            self.stream.write(f"\r{label:<10} [{bar}] {share:4.0%} {done}/{total}")
            if done >= total:
                self.stream.write("\n")
            self.stream.flush()
            return
        step = max(1000, total // 10)
        mark = done // step
        if (stage, mark) != self.last or (done >= total and self.last != (stage, -2)):
            self.last = (stage, -2) if done >= total else (stage, mark)
            self.stream.write(f"{label}: {done}/{total}\n")


class Command(BaseCommand):
    help = "Import organisations and people from a CSV or Excel (.xlsx) file, all rows or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV or .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="only check the file; write nothing")
        parser.add_argument(
            "--mapping",
            metavar="JSON_FILE",
            help='the column mapping as JSON, e.g. {"Firma": "organisation.name", "PLZ": "organisation.postcode"}',
        )
        parser.add_argument(
            "--on-duplicate",
            choices=["skip", "merge"],
            default="skip",
            help="what happens to rows naming existing records (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        content = self._read(path)
        mapping = self._mapping(options.get("mapping"))
        progress = Progress(getattr(self.stderr, "_out", sys.stderr))
        try:
            outcome = services.import_file(
                user=None,
                filename=path.name,
                content=content,
                mapping=mapping,
                dry_run=options["dry_run"],
                on_duplicate=options["on_duplicate"],
                progress=progress,
            )
        except ValidationError as error:
            raise CommandError(self._whole_file_problem(error, content, path.name), returncode=1) from None
        self._print_mapping(outcome)
        if not outcome.ok:
            for line in services.error_lines(outcome.report):
                self.stderr.write(line)
            if outcome.report["error_count"] > len(outcome.report["errors"]):
                self.stderr.write(
                    _("… and %(count)s more errors.")
                    % {"count": outcome.report["error_count"] - len(outcome.report["errors"])}
                )
            rows = outcome.report["error_rows"]
            raise CommandError(
                ngettext(
                    "Nothing was imported: %(count)s error in row %(rows)s.",
                    "Nothing was imported: %(count)s errors in rows %(rows)s.",
                    outcome.report["error_count"],
                )
                % {"count": outcome.report["error_count"], "rows": _row_list(rows)},
                returncode=1,
            )
        self._summary(outcome)

    def _read(self, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("%(file)s cannot be read: %(error)s") % {"file": path, "error": error.strerror},
                returncode=1,
            ) from None

    def _mapping(self, name: str | None) -> dict[str, str] | None:
        if not name:
            return None
        try:
            value = json.loads(Path(name).read_text(encoding="utf-8-sig"))
        except OSError as error:
            raise CommandError(
                _("%(file)s cannot be read: %(error)s") % {"file": name, "error": error.strerror},
                returncode=1,
            ) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CommandError(
                _("The mapping %(file)s is not valid JSON: %(error)s") % {"file": name, "error": error},
                returncode=1,
            ) from None
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise CommandError(
                _("The mapping is a JSON object of column names and field names, e.g. %(example)s")
                % {"example": '{"Firma": "organisation.name"}'},
                returncode=1,
            )
        return value

    def _whole_file_problem(self, error: ValidationError, content: bytes, filename: str) -> str:
        lines = [message for messages in error_dict(error).values() for message in messages]
        if "mapping" in error_dict(error):
            try:
                headers = services.read_file(content, filename).headers
            except ValidationError:
                headers = []
            if headers:
                lines.append(_("Columns of the file: %(columns)s") % {"columns": ", ".join(headers)})
            lines.append(
                _("Give a mapping with --mapping FILE (JSON: column → field). Fields: %(targets)s")
                % {"targets": ", ".join(importing.TARGETS)}
            )
        return "\n".join(lines)

    def _print_mapping(self, outcome: services.ImportOutcome) -> None:
        for header, target in outcome.mapping.items():
            self.stdout.write(f"  {header} → {target}")
        ignored = importing.ignored_columns(outcome.table.headers, outcome.mapping)
        if ignored:
            self.stdout.write(_("Not imported: %(columns)s") % {"columns": ", ".join(ignored)})

    def _summary(self, outcome: services.ImportOutcome) -> None:
        counts = outcome.report["counts"]
        if outcome.dry_run:
            self.stdout.write(
                _(
                    "The file is valid (%(rows)s rows): it would add %(organisations)s organisations and "
                    "%(people)s people; %(duplicates)s rows name existing records (%(decision)s). Nothing was written."
                )
                % {
                    "rows": counts["rows"],
                    "organisations": counts["new_organisations"],
                    "people": counts["new_people"],
                    "duplicates": counts["duplicate_organisations"] + counts["duplicate_people"],
                    "decision": (outcome.report.get("decisions") and _describe(outcome.report["decisions"]))
                    or "–",
                }
            )
            return
        result = outcome.report["result"]
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Imported %(rows)s rows: %(organisations)s new organisations (%(merged_o)s merged, "
                    "%(skipped_o)s skipped), %(people)s new people (%(merged_p)s merged, %(skipped_p)s skipped), "
                    "%(consents)s consents."
                )
                % {
                    "rows": counts["rows"],
                    "organisations": result.get("created_organisations", 0),
                    "merged_o": result.get("merged_organisations", 0),
                    "skipped_o": result.get("skipped_organisations", 0),
                    "people": result.get("created_people", 0),
                    "merged_p": result.get("merged_people", 0),
                    "skipped_p": result.get("skipped_people", 0),
                    "consents": result.get("consents", 0),
                }
            )
        )


def _describe(decisions: dict[str, str]) -> str:
    merged = sum(1 for value in decisions.values() if value == "merge")
    return _("%(merge)s merged, %(skip)s skipped") % {"merge": merged, "skip": len(decisions) - merged}


def _row_list(rows: list[int], limit: int = 50) -> str:
    shown = ", ".join(str(row) for row in rows[:limit])
    return shown + (" …" if len(rows) > limit else "")
