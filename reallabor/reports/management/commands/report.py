"""reallabor report [--lab SLUG] [--internal] --format html|pdf|md|docx -o FILE: write the report."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

from reallabor.reports import formats
from reallabor.reports.selectors import ReportScopeError, build_report

EXTENSIONS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}
TEXT_FORMATS = {"md", "html"}
STDOUT = "-"


class Command(BaseCommand):
    help = (
        "Write the report of the real-world labs (the portfolio or one lab) as HTML, PDF, Markdown or "
        ".docx. Public: published content only; --internal: drafts too, marked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--lab", metavar="SLUG", help="Only this lab (its slug); default: the whole portfolio."
        )
        parser.add_argument(
            "--internal",
            action="store_true",
            help="The internal report: unpublished labs and measures too, marked as drafts.",
        )
        parser.add_argument(
            "--format",
            choices=sorted(formats.FORMATS),
            help="The file format; default: from the output file's extension (.html, .pdf, .md, .docx).",
        )
        parser.add_argument(
            "-o",
            "--output",
            required=True,
            metavar="FILE",
            help="The file to write (replaced if it exists); '-' writes Markdown or HTML to standard output.",
        )
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="The report's language (default: %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self.write_report(options)

    def write_report(self, options: dict[str, Any]) -> None:
        output: str = options["output"]
        name = options["format"] or self.format_from(output)
        if output == STDOUT and name not in TEXT_FORMATS:
            raise CommandError(
                _("%(format)s cannot be written to standard output; give a file with -o.") % {"format": name}
            )
        target = None if output == STDOUT else Path(output)
        if target is not None and not target.parent.is_dir():
            raise CommandError(_("Cannot write %(path)s: the directory does not exist.") % {"path": output})
        try:
            report = build_report(None, lab_slug=options["lab"], internal=options["internal"])
        except ReportScopeError as error:
            raise CommandError(str(error)) from error
        content = self.render(report, name)
        if target is None:
            self.stdout.write(content.decode("utf-8"), ending="")
            shown = _("standard output")
        else:
            try:
                target.write_bytes(content)
            except OSError as error:
                raise CommandError(
                    _("Cannot write %(path)s: %(reason)s")
                    % {"path": output, "reason": error.strerror or error}
                ) from error
            shown = output
        summary = (
            _(
                "Wrote the internal report (with drafts) to %(target)s (%(format)s, %(size)s): "
                "%(labs)d lab(s), %(measures)d measure(s)."
            )
            if report.internal
            else _(
                "Wrote the public report to %(target)s (%(format)s, %(size)s): "
                "%(labs)d lab(s), %(measures)d measure(s)."
            )
        )
        self.stderr.write(
            summary
            % {
                "target": shown,
                "format": name,
                "size": filesizeformat(len(content)),
                "labs": len(report.labs),
                "measures": len(report.measures),
            }
        )

    def format_from(self, output: str) -> str:
        name = EXTENSIONS.get(Path(output).suffix.lower()) if output != STDOUT else None
        if name is None:
            raise CommandError(
                _("Give --format (%(formats)s): it cannot be told from the output %(output)s.")
                % {"formats": ", ".join(sorted(formats.FORMATS)), "output": output}
            )
        return name

    def render(self, report: Any, name: str) -> bytes:
        module = f"{formats.__name__}.{formats.FORMATS[name].module}"
        try:
            import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise
            raise CommandError(_("The format %(format)s is not available.") % {"format": name}) from error
        return formats.render(report, name)
