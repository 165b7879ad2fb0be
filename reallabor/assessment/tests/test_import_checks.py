"""`reallabor import-checks FILE_OR_FOLDER`: each file all or nothing, every problem named, a summary."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reallabor.assessment.models import Response, ResponseLog
from reallabor.assessment.tests import helpers
from reallabor.assessment.tests.conftest import Checks

pytestmark = pytest.mark.django_db


def write(folder: Path, name: str, data: Any) -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run(*args: str) -> tuple[str, str, int]:
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("import_checks", *args, stdout=stdout, stderr=stderr)
    except CommandError as error:
        stderr.write(str(error) + "\n")
        return stdout.getvalue(), stderr.getvalue(), error.returncode
    return stdout.getvalue(), stderr.getvalue(), 0


def good(**extra: Any) -> dict[str, Any]:
    return {
        **helpers.example(),
        "organisation": "tischlerei-probe",
        "date": "2025-03-14",
        "context": {"benchmark_consent": True, "district": "Boy"},
        **extra,
    }


def test_a_folder_stores_the_good_files_and_names_every_problem_of_the_bad_ones(
    checks: Checks, tmp_path: Path
) -> None:
    bad = helpers.with_answers(
        helpers.example(), **{"4a": [1, 8], "5a": {"1": 0, "2": 0, "3": 6, "4": 0, "5": 2}}
    )
    del bad["answers"]["6b"]
    write(tmp_path, "b-bad.json", {**bad, "organisation": "unbekannt", "context": {"headcount_band": "7"}})
    write(tmp_path, "a-good.json", good())
    write(tmp_path, "c-broken.json", "{not json")
    write(tmp_path, "notes.txt", "not an answer file")
    write(
        tmp_path, "d-good.json", {**helpers.full(), "date": "2025-09-01", "organisation": "tischlerei-probe"}
    )
    stdout, stderr, code = run(str(tmp_path))
    assert code == 1
    assert stdout.splitlines()[0].startswith(f"{tmp_path / 'a-good.json'}: stored as ")
    lines = stderr.splitlines()
    assert lines[:6] == [
        f"{tmp_path / 'b-bad.json'} was refused (5 problems):",
        "  organisation: There is no organisation with the short name “unbekannt”.",
        "  4a: item 8 (exclusive) cannot be ticked together with other items",
        "  5a, item 3: 6 is out of range (0–5)",
        "  6b: the answer is missing",
        "  headcount_band: “7” is no headcount band (one of 1-4, 5-9, 10-19, 20-49, 50-249, 250+).",
    ]
    assert lines[6].startswith(f"{tmp_path / 'c-broken.json'} was refused (1 problem):")
    assert lines[7].startswith("  The file is not valid JSON (line 1, column 2")
    assert lines[-1] == "2 of 4 files imported, 2 refused."
    stored = list(Response.objects.order_by("submitted_at"))
    assert len(stored) == 2
    first, second = stored
    assert (first.source, first.status, first.organisation, first.district, first.benchmark_consent) == (
        "import",
        "submitted",
        checks.business,
        "Boy",
        True,
    )
    assert first.trade == checks.trade  # from the organisation's profile
    assert first.submitted_at is not None and first.submitted_at.date() == dt.date(2025, 3, 14)
    assert second.previous == first
    assert second.overall is not None and str(second.overall) == "100.0"
    assert set(ResponseLog.objects.values_list("action", flat=True)) == {"imported"}


def test_a_single_good_file_with_the_acting_user(checks: Checks, tmp_path: Path) -> None:
    path = write(tmp_path, "one.json", good())
    stdout, stderr, code = run(str(path), "--user", "COORDINATOR@example.org")
    assert (code, stderr) == (0, "")
    assert stdout.splitlines()[-1] == "1 of 1 file imported, 0 refused."
    response = Response.objects.get()
    assert response.entered_by == checks.user("coordinator")
    assert response.log.get().user == checks.user("coordinator")


def test_a_dry_run_stores_nothing(checks: Checks, tmp_path: Path) -> None:
    write(tmp_path, "one.json", good())
    stdout, _stderr, code = run(str(tmp_path), "--dry-run")
    assert code == 0
    assert stdout.splitlines() == [
        f"{tmp_path / 'one.json'}: fine",
        "Dry run: 1 of 1 file is fine, 0 refused; nothing was stored.",
    ]
    assert not Response.objects.exists() and not ResponseLog.objects.exists()


def test_a_user_who_may_not_import_is_refused(checks: Checks, tmp_path: Path) -> None:
    write(tmp_path, "one.json", good())
    _stdout, stderr, code = run(str(tmp_path), "--user", "reader@example.org")
    assert code == 1
    assert "This user may not import checks." in stderr
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{tmp}/missing.json"], "is neither a file nor a folder"),
        (["{tmp}"], "holds no .json file"),
        (["{tmp}", "--user", "nobody@example.org"], "There is no active user nobody@example.org."),
    ],
)
def test_bad_arguments_are_explained(checks: Checks, tmp_path: Path, args: list[str], message: str) -> None:
    _stdout, stderr, code = run(*(argument.format(tmp=tmp_path) for argument in args))
    assert code == 1
    assert message in stderr


def test_an_unknown_version_and_a_bad_date_are_refused(checks: Checks, tmp_path: Path) -> None:
    write(tmp_path, "one.json", good(version=7, date="14.03.2025"))
    _stdout, stderr, code = run(str(tmp_path))
    assert code == 1
    assert "  date: “14.03.2025” is no date (e.g. 2025-03-14)." in stderr.splitlines()
    assert '  version: the questionnaire "dma-handwerk" has no version 7 (versions: 1)' in stderr.splitlines()
    assert not Response.objects.exists()
