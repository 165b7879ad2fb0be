"""`reallabor export-blueprint` and `reallabor import-blueprint`: files, messages, exit codes."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from conftest import Portfolio
from reallabor import cli
from reallabor.history.models import Version
from reallabor.labs import services
from reallabor.labs.models import Lab, Measure
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import Tag, Term

HANDEL = "hybride-formen-des-handels"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def counts() -> tuple[int, ...]:
    return tuple(model._default_manager.count() for model in (Lab, Measure, Organisation, Term, Tag, Version))


def run(*args: str, stdin: Any = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    options: dict[str, Any] = {"stdout": out, "stderr": err}
    if stdin is not None:
        options["stdin"] = stdin
    call_command(*args, **options)
    return out.getvalue(), err.getvalue()


def refused(*args: str) -> tuple[list[str], str]:
    """stderr lines and the final message of a refused import, having checked that nothing was written."""
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command(*args, stdout=io.StringIO(), stderr=err)
    assert info.value.returncode == 1
    assert counts() == before
    return err.getvalue().splitlines(), str(info.value)


def write(path: Path, data: Any) -> str:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_export_writes_a_file(portfolio: Portfolio, tmp_path: Path) -> None:
    target = tmp_path / "handel.json"
    out, _err = run("export_blueprint", HANDEL, "-o", str(target))
    assert out == f"Wrote the blueprint of “Hybride Formen des Handels” (2 measures) to {target}.\n"
    text = target.read_text(encoding="utf-8")
    assert text.endswith("}\n") and "Café am Pferdemarkt" in text  # UTF-8, not \u escapes
    written = json.loads(text)
    expected = services.export_blueprint(user=None, lab=portfolio.handel)
    assert list(written) == list(expected)  # the order of the format
    written.pop("exported_at"), expected.pop("exported_at")
    assert written == expected


@pytest.mark.django_db
def test_export_to_standard_output(portfolio: Portfolio) -> None:
    for args in (("-o", "-"), ()):
        out, _err = run("export_blueprint", HANDEL, *args)
        assert json.loads(out)["lab"]["slug"] == HANDEL


@pytest.mark.django_db
def test_export_of_an_unknown_lab_fails(portfolio: Portfolio) -> None:
    with pytest.raises(CommandError) as info:
        run("export_blueprint", "gibt-es-nicht")
    assert str(info.value) == "There is no lab with the short name “gibt-es-nicht”."


@pytest.mark.django_db
def test_import_under_a_new_slug_reports_what_it_created(portfolio: Portfolio, tmp_path: Path) -> None:
    data = services.export_blueprint(user=None, lab=portfolio.handel)
    data["lab"]["measures"][0]["actors"][0] = {"organisation": {"name": "Neue GmbH", "kind": "company"}}
    file = write(tmp_path / "handel.json", data)
    out, err = run("import_blueprint", file, "--as", "kopie")
    assert (out.splitlines(), err) == (
        [
            "Created the lab “Hybride Formen des Handels” (kopie) with 2 measures, unpublished.",
            "Organisations created: 1",
            "  Neue GmbH (Company)",
            "Vocabulary terms created: 0",
        ],
        "",
    )
    assert Lab.objects.get(slug="kopie").measures.count() == 2


@pytest.mark.django_db
def test_slug_clash_names_the_path_and_suggests_as(portfolio: Portfolio, tmp_path: Path) -> None:
    file = write(tmp_path / "handel.json", services.export_blueprint(user=None, lab=portfolio.handel))
    lines, message = refused("import_blueprint", file)
    assert lines == [
        "lab.slug: The short name “hybride-formen-des-handels” is already used by the lab "
        "“Hybride Formen des Handels”; import under another short name (command line: --as NEW-SLUG)."
    ]
    assert message == "The blueprint was not imported: 1 problem."


@pytest.mark.django_db
def test_every_problem_is_one_line_on_standard_error(portfolio: Portfolio, tmp_path: Path) -> None:
    data = services.export_blueprint(user=None, lab=portfolio.handel)
    data["lab"]["measures"][1]["financing"][1]["amount"] = "12x"
    data["lab"]["measures"][0]["tags"][2]["term"]["code"] = "99"
    lines, message = refused("import_blueprint", write(tmp_path / "broken.json", data), "--as", "kopie")
    assert lines == [
        "lab.measures[1].financing[1].amount: “12x” is not a valid amount; write euros with a dot and at most "
        "two decimals, e.g. “15000.00”."
    ]
    assert message == "The blueprint was not imported: 1 problem."
    data["lab"]["measures"][1]["financing"][1]["amount"] = "12.00"
    data["lab"]["measures"][1]["activities"][0].update({"start": "2021-05-01", "end": "2021-04-01"})
    lines, message = refused("import_blueprint", write(tmp_path / "broken.json", data), "--as", "kopie")
    assert lines == [
        "lab.measures[0].tags[2].term.code: There is no term “99” in the vocabulary "
        "“UN Sustainable Development Goals (SDGs)”.",
        "lab.measures[1].activities[0].end: The end must not be before the start.",
    ]
    assert message == "The blueprint was not imported: 2 problems."


@pytest.mark.django_db
def test_invalid_json_names_line_and_column(portfolio: Portfolio, tmp_path: Path) -> None:
    file = tmp_path / "broken.json"
    file.write_text('{"format": "reallabor-blueprint",\n "version": 1\n "lab": {}}', encoding="utf-8")
    lines, _message = refused("import_blueprint", str(file))
    assert lines == ["The file is not valid JSON: Expecting ',' delimiter (line 3, column 2)."]


@pytest.mark.django_db
def test_dry_run_checks_only(portfolio: Portfolio, tmp_path: Path) -> None:
    file = write(tmp_path / "handel.json", services.export_blueprint(user=None, lab=portfolio.handel))
    before = counts()
    out, _err = run("import_blueprint", file, "--as", "kopie", "--dry-run")
    assert counts() == before
    assert out.splitlines() == [
        "The blueprint is valid: it would create the lab “Hybride Formen des Handels” (kopie) with 2 measures.",
        "Organisations it would create: 0",
        "Vocabulary terms it would create: 0",
    ]


@pytest.mark.django_db
def test_import_reads_standard_input(portfolio: Portfolio) -> None:
    text = json.dumps(services.export_blueprint(user=None, lab=portfolio.handel), ensure_ascii=False)
    run("import_blueprint", "-", "--as", "kopie", stdin=io.StringIO(text))
    assert Lab.objects.filter(slug="kopie").exists()


def test_the_reallabor_command_exits_non_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`reallabor import-blueprint` is the management command; a refused import ends with exit status 1."""
    with pytest.raises(SystemExit) as info:
        cli.main(["import-blueprint", str(tmp_path / "missing.json")])
    assert info.value.code == 1
    assert f"{tmp_path / 'missing.json'} cannot be read: No such file or directory" in capsys.readouterr().err
