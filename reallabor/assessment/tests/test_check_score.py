"""`reallabor check-score FILE`: the result as one JSON object, or every problem on stderr and exit status 1."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from reallabor.assessment import engine
from reallabor.assessment.engine import definitions
from reallabor.assessment.tests.helpers import example, with_answers, zero
from reallabor.assessment.tests.test_definitions import DEFINITION_FILE

EXPECTED = {
    "dimensions": {"1": 37.5, "2": 30.7, "3": 6.3, "4": 22.6, "5": 12.0, "6": 30.0},
    "overall": 23.2,
    "band": "Einstieg",
    "gaps": {"4": 77.4, "2": 69.3, "3": 53.8, "1": 42.5, "6": 30.0, "5": 28.0},
}


def write(tmp_path: Path, data: Any, name: str = "answers.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def check_score(*args: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("check_score", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_prints_the_result_as_one_json_object(tmp_path: Path) -> None:
    stdout, stderr = check_score(str(write(tmp_path, example())))
    assert stderr == ""
    assert stdout.count("\n") == 1
    assert stdout == json.dumps(EXPECTED) + "\n"
    assert list(json.loads(stdout)["gaps"]) == ["4", "2", "3", "1", "6", "5"]  # largest first


def test_without_relevance_there_is_no_gaps_key(tmp_path: Path) -> None:
    data = example()
    del data["relevance"]
    stdout, _ = check_score(str(write(tmp_path, data)))
    assert json.loads(stdout) == {key: value for key, value in EXPECTED.items() if key != "gaps"}


def test_the_band_is_given_by_its_german_name_in_any_language(tmp_path: Path) -> None:
    with translation.override("en"):
        stdout, _ = check_score(str(write(tmp_path, zero())))
    assert json.loads(stdout)["band"] == "Einstieg"


def test_a_bad_file_names_every_problem_and_exits_with_status_1(tmp_path: Path) -> None:
    data = with_answers(example(), **{"4a": [1, 8], "5a": {"1": 0, "2": 0, "3": 6, "4": 0, "5": 2}, "7a": []})
    del data["answers"]["2b"]["7"]
    path = write(tmp_path, data)
    stdout, stderr = io.StringIO(), io.StringIO()
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("check_score", str(path), stdout=stdout, stderr=stderr)
    assert error.value.returncode == 1
    assert str(error.value) == f"{path} was refused: 4 problems."
    assert stdout.getvalue() == ""
    assert stderr.getvalue().splitlines() == [
        "2b: item 7 is missing",
        "4a: item 8 (exclusive) cannot be ticked together with other items",
        "5a, item 3: 6 is out of range (0–5)",
        "7a: the question is unknown",
    ]


@pytest.mark.parametrize(
    ("content", "lines"),
    [
        (b"not json", ["The file is not valid JSON (line 1, column 1: Expecting value)."]),
        (b"[]", ['The answers must be one JSON object with "questionnaire" and "answers", not [].']),
        (b'{"questionnaire": "dma", "answers": {}}', ['questionnaire: unknown questionnaire "dma" (known: dma-handwerk)']),
    ],
)  # fmt: skip
def test_a_file_that_is_not_an_answer_file_is_refused(
    tmp_path: Path, content: bytes, lines: list[str]
) -> None:
    path = tmp_path / "answers.json"
    path.write_bytes(content)
    stderr = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError, match=r"was refused: 1 problem\.$") as error:
        call_command("check_score", str(path), stdout=io.StringIO(), stderr=stderr)
    assert error.value.returncode == 1
    assert stderr.getvalue().splitlines() == lines


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("check_score", str(missing), stdout=io.StringIO(), stderr=io.StringIO())
    assert error.value.returncode == 1
    assert str(error.value) == f"{missing} cannot be read: No such file or directory"


def entry_point(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(  # noqa: S603 - the project's own command
        [str(settings.BASE_DIR / ".venv" / "bin" / "reallabor"), "check-score", *args],
        input=stdin,
        capture_output=True,
        env=environment,
        cwd=settings.BASE_DIR,
        timeout=120,
        check=False,
    )


def test_the_reallabor_command_scores_a_file_and_refuses_a_bad_one(tmp_path: Path) -> None:
    good = entry_point(str(write(tmp_path, example())))
    assert good.returncode == 0, good.stderr.decode()
    assert good.stdout.decode() == json.dumps(EXPECTED) + "\n"

    data = with_answers(example(), **{"4a": [1, 8], "1b": [1, 11]})
    bad = entry_point("-", stdin=json.dumps(data).encode())
    assert bad.returncode == 1
    assert bad.stdout == b""
    # The command speaks the default language: the same messages as the engine gives in it here.
    with translation.override(settings.LANGUAGE_CODE), pytest.raises(engine.AnswerError) as error:
        engine.check_answer_file(data)
    assert [(p.question, p.item) for p in error.value.problems] == [("1b", "11"), ("4a", "8")]
    lines = bad.stderr.decode().splitlines()
    assert lines[:2] == error.value.messages
    assert lines[2].startswith("CommandError: - ")
    assert len(lines) == 3


def test_a_broken_definition_file_is_reported_for_the_developer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "definitions" / "dma-handwerk"
    folder.mkdir(parents=True)
    data = json.loads(DEFINITION_FILE.read_text(encoding="utf-8"))
    data["sections"][0]["questions"][0]["type"] = "grid"
    data["retired"] = "no"
    (folder / "v1.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(definitions, "QUESTIONNAIRES_DIR", tmp_path / "definitions")
    engine.clear_cache()
    try:
        with pytest.raises(CommandError) as error:
            call_command(
                "check_score", str(write(tmp_path, example())), stdout=io.StringIO(), stderr=io.StringIO()
            )
    finally:
        engine.clear_cache()
    assert error.value.returncode == 2
    assert str(error.value) == (
        f"{folder / 'v1.json'}: retired: expected true or false; "
        'sections[0].questions[0].type: unknown type "grid" (known: tick_list, invest_grid, scale, '
        "yes_partly_no, single_choice, number, free_text)"
    )
