"""reallabor export-actors [--segment NAME] [--kind organisations|people] -o FILE: write a spreadsheet.

The format comes from the file's extension (.csv or .xlsx); ``-o -`` writes CSV to standard
output (the same bytes as the file, byte order mark included). Without ``--segment`` every
organisation (or with ``--kind people`` every person) is exported; with it the segment's members,
or with ``--kind people`` the people an organisation segment reaches. The export is recorded in
the audit trail as done by the system.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from reallabor.actors import exports
from reallabor.actors.criteria import CriteriaError
from reallabor.actors.models import Person, PersonalDataAccess, Segment
from reallabor.actors.services import segments as service
from reallabor.actors.services.privacy import log_access
from reallabor.organisations.models import Organisation

STDOUT = "-"
KINDS = ("organisations", "people")


class Command(BaseCommand):
    help = (
        "Export organisations or people (all, or the members of a segment) as a CSV file for German "
        "Excel or as an .xlsx workbook. Cells a spreadsheet would run as formulas are neutralised."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--segment", metavar="NAME", help="The segment's name (or UUID); default: everybody."
        )
        parser.add_argument(
            "--kind",
            choices=KINDS,
            help="organisations or people; default: what the segment holds, without a segment organisations. "
            "With an organisation segment, people exports the people currently working there.",
        )
        parser.add_argument(
            "-o",
            "--output",
            required=True,
            metavar="FILE",
            help="The file to write (.csv or .xlsx; replaced if it exists); '-' writes CSV to standard output.",
        )
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="The language of the column names and labels (default: %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self.export(options)

    def export(self, options: dict[str, Any]) -> None:
        output: str = options["output"]
        fmt = self.format_from(output)
        target = None if output == STDOUT else Path(output)
        if target is not None and not target.parent.is_dir():
            raise CommandError(_("Cannot write %(path)s: the directory does not exist.") % {"path": output})
        segment = self.find_segment(options["segment"]) if options["segment"] else None
        kind = options["kind"] or (segment.subject if segment is not None else "organisations")
        try:
            if segment is not None:
                if kind == "organisations" and segment.subject == Segment.Subject.PEOPLE:
                    raise CommandError(
                        _("The segment “%(name)s” holds people; it has no organisations to export.")
                        % {"name": segment.name}
                    )
                header, rows = service.segment_table(segment, user=None, kind=kind)
                what = _("segment “%(name)s” (%(kind)s)") % {"name": segment.name, "kind": kind}
            elif kind == "people":
                header, rows = service.person_table(Person.objects.all())
                what = _("all people")
            else:
                header, rows = service.organisation_table(Organisation.objects.all())
                what = _("all organisations")
        except CriteriaError as error:
            raise CommandError(
                _("The segment cannot be exported: %(errors)s Edit its criteria first.")
                % {"errors": " ".join(f"{field}: {message}" for field, message in error.errors.items())}
            ) from error
        counted = exports.counting(rows)
        try:
            if target is None:
                for line in exports.csv_lines(header, counted):
                    self.stdout.write(line, ending="")
                self.stdout.flush()
            elif fmt == "csv":
                with target.open("wb") as stream:
                    exports.write_csv(header, counted, stream)
            else:
                with target.open("wb") as stream:
                    exports.write_xlsx(header, counted, stream, title=segment.name if segment else what)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(reason)s") % {"path": output, "reason": error.strerror or error}
            ) from error
        log_access(
            user=None,
            person=None,
            action=PersonalDataAccess.Action.LIST_EXPORTED,
            detail=_("Command line: %(what)s as %(format)s") % {"what": what, "format": fmt},
        )
        self.stderr.write(
            _("Wrote %(count)d row(s) of %(what)s to %(target)s (%(format)s).")
            % {
                "count": counted.count,
                "what": what,
                "target": _("standard output") if target is None else output,
                "format": fmt,
            }
        )

    def format_from(self, output: str) -> str:
        if output == STDOUT:
            return "csv"
        suffix = Path(output).suffix.lower().lstrip(".")
        if suffix not in exports.FORMATS:
            raise CommandError(
                _("Give a file name ending in .csv or .xlsx (the format is taken from it), not %(output)s.")
                % {"output": output}
            )
        return suffix

    def find_segment(self, name: str) -> Segment:
        segment = (
            Segment.objects.filter(name=name).first() or Segment.objects.filter(name__iexact=name).first()
        )
        if segment is None:
            try:
                segment = Segment.objects.filter(uuid=uuid.UUID(name)).first()
            except ValueError:
                segment = None
        if segment is None:
            known = list(Segment.objects.order_by("name").values_list("name", flat=True)[:20])
            raise CommandError(
                _("There is no segment “%(name)s”. Segments: %(known)s")
                % {"name": name, "known": ", ".join(known) or _("none yet")}
            )
        return segment
