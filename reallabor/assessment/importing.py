"""Importing answer files collected elsewhere (``reallabor import-checks FILE_OR_FOLDER``).

One JSON object per file (docs/assessment.md: the answer file plus ``organisation``, ``context``,
``date``); a folder is every ``*.json`` in it, sorted by name. Each file is all or nothing: a bad file
is reported with every problem and nothing of it is stored; the good files are stored
(``services.import_check``). ``dry_run`` checks everything and stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reallabor.assessment import engine, services
from reallabor.assessment.models import Response
from reallabor.core.validation import error_dict

MAX_FILE_SIZE = 1_000_000  # bytes; an answer file is a few kilobytes


@dataclass
class FileOutcome:
    name: str
    problems: list[str] = field(default_factory=list)
    response: Response | None = None  # stored (None: refused, or a dry run)

    @property
    def ok(self) -> bool:
        return not self.problems


class _DryRun(Exception):
    pass


def answer_files(path: Path) -> list[Path]:
    """The file itself, or every ``*.json`` of a folder sorted by name (ValueError: neither)."""
    if path.is_dir():
        return sorted(
            child for child in path.iterdir() if child.is_file() and child.suffix.lower() == ".json"
        )
    if path.is_file():
        return [path]
    raise ValueError(_("%(path)s is neither a file nor a folder.") % {"path": path})


def problem_lines(error: ValidationError) -> list[str]:
    """Field errors as lines; the engine's messages name their question already."""
    lines = []
    for key, messages in error_dict(error).items():
        for message in messages:
            named = key.startswith(("answers.", "relevance")) or key in (
                "__all__",
                "questionnaire",
                "version",
            )
            lines.append(message if named else f"{key}: {message}")
    return lines


def import_content(*, user: Any, name: str, content: bytes, dry_run: bool = False) -> FileOutcome:
    outcome = FileOutcome(name=name)
    if len(content) > MAX_FILE_SIZE:
        outcome.problems.append(_("The file is larger than %(size)s bytes.") % {"size": MAX_FILE_SIZE})
        return outcome
    try:
        data = engine.read_answer_file(content)
    except engine.AnswerError as error:
        outcome.problems.extend(error.messages)
        return outcome
    try:
        with transaction.atomic():
            response = services.import_check(user=user, data=data)
            if dry_run:
                raise _DryRun
            outcome.response = response
    except _DryRun:
        pass
    except ValidationError as error:
        outcome.problems.extend(problem_lines(error))
    return outcome


def import_paths(
    *,
    user: Any,
    paths: list[Path],
    dry_run: bool = False,
    report: Callable[[FileOutcome], None] | None = None,
) -> list[FileOutcome]:
    outcomes = []
    for path in paths:
        try:
            content = path.read_bytes()
        except OSError as error:
            outcome = FileOutcome(
                name=str(path), problems=[_("cannot be read: %(error)s") % {"error": error.strerror}]
            )
        else:
            outcome = import_content(user=user, name=str(path), content=content, dry_run=dry_run)
        outcomes.append(outcome)
        if report is not None:
            report(outcome)
    return outcomes
