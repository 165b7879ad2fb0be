"""check_score FILE: score one answer file of the digital-maturity check and print the result as JSON.

``reallabor check-score FILE`` (``-`` reads standard input). Prints one JSON object on standard output,
e.g. ``{"dimensions": {"1": 47.5, …}, "overall": 38.2, "band": "Grundlagen", "gaps": {"4": 46.0, …}}``:
scores rounded half up to one decimal, the band's German name whatever the language, and ``gaps``
(largest first) only when the file gives ``relevance``. A bad file writes every problem to standard
error, one a line, naming the question and item, and exits with status 1. Nothing is stored.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reallabor.assessment import engine, scoring


class Command(BaseCommand):
    help = (
        "Score an answer file of the digital-maturity check and print the result as JSON.\n\n"
        'One object: dimensions, overall, band (its German name) and, only when the file gives "relevance", '
        "gaps (largest first), scores rounded half up to one decimal. A bad file: every problem on standard "
        "error, exit status 1. Nothing is stored."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", help="the answer file (JSON, see docs/assessment.md); - for standard input"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        content = self._read(name)
        try:
            answers = engine.check_answer_file(engine.read_answer_file(content))
            definition = engine.load_definition(answers.questionnaire, answers.version)
        except engine.AnswerError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                ngettext(
                    "%(file)s was refused: %(count)s problem.",
                    "%(file)s was refused: %(count)s problems.",
                    len(error.problems),
                )
                % {"file": name, "count": len(error.problems)},
                returncode=1,
            ) from None
        except engine.DefinitionError as error:  # a broken definition file: for the developer, not the user
            raise CommandError(str(error), returncode=2) from None
        if definition.scoring != scoring.DMA:
            raise CommandError(
                _("The questionnaire %(name)s is not scored.") % {"name": definition.slug}, returncode=1
            )
        result = scoring.score(definition, answers)
        self.stdout.write(json.dumps(result.to_json(), ensure_ascii=False))

    def _read(self, name: str) -> bytes:
        if name == "-":
            return sys.stdin.buffer.read()
        try:
            return Path(name).read_bytes()
        except OSError as error:
            raise CommandError(
                _("%(file)s cannot be read: %(error)s") % {"file": name, "error": error.strerror},
                returncode=1,
            ) from None
