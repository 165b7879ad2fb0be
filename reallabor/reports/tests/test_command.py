"""The command `reallabor report [--lab SLUG] [--internal] --format html|pdf|md|docx -o FILE`."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import Portfolio
from reallabor.core.testing.factories import make_measure
from reallabor.reports.tests.helpers import markdown_headings
from reallabor.reports.tests.test_docx import docx_headings

ROOT = Path(__file__).resolve().parents[3]
CONSOLE_SCRIPT = Path(sys.executable).parent / "reallabor"  # installed next to the interpreter


def report(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_help_of_the_console_script() -> None:
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(  # noqa: S603
        [str(CONSOLE_SCRIPT), "report", "--help"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    for option in ("--lab", "--internal", "--format", "--output"):
        assert option in result.stdout


class TestMarkdown:
    def test_to_a_file_in_german(self, portfolio: Portfolio, tmp_path: Path) -> None:
        target = tmp_path / "bericht.md"

        _out, err = report("--format", "md", "-o", str(target))

        markdown = target.read_text(encoding="utf-8")
        assert markdown.startswith("# Reallabore in Bottrop\n")
        assert "### Hintergrund und Zielsetzung\n" in markdown
        assert "| **Zielgruppe(n)** | *Noch keine Angaben* |" in markdown
        assert str(target) in err
        assert " 3 " in err and " 4 " in err  # labs, measures

    def test_the_format_from_the_extension(self, portfolio: Portfolio, tmp_path: Path) -> None:
        target = tmp_path / "bericht.markdown"

        report("-o", str(target))

        assert target.read_text(encoding="utf-8").startswith("# Reallabore in Bottrop\n")

    def test_to_standard_output(self, portfolio: Portfolio) -> None:
        out, _err = report("--format", "md", "-o", "-", "--lab", portfolio.fachkraefte.slug)

        headings = [text for level, text in markdown_headings(out) if level == 3][-3:]
        assert headings == [
            "Hintergrund und Zielsetzung",
            "Unterstützung der Integration von Geflüchteten in Bottroper Unternehmen",
            "Zukunftsperspektive",
        ]

    def test_in_english(self, portfolio: Portfolio) -> None:
        out, _err = report("--format", "md", "-o", "-", "--language", "en")

        assert "### Background and aims\n" in out

    def test_drafts_only_with_internal(self, portfolio: Portfolio) -> None:
        make_measure(portfolio.handel, title="Lieferdienst der Innenstadt", is_published=False)

        public, _err = report("--format", "md", "-o", "-")
        internal, _err = report("--format", "md", "-o", "-", "--internal")

        assert "Lieferdienst" not in public
        assert "### Lieferdienst der Innenstadt (Entwurf)\n" in internal


class TestOtherFormats:
    def test_docx(self, portfolio: Portfolio, tmp_path: Path) -> None:
        target = tmp_path / "bericht.docx"

        report("-o", str(target), "--lab", portfolio.handwerk.slug)
        markdown, _err = report("--format", "md", "-o", "-", "--lab", portfolio.handwerk.slug)

        document = docx.Document(str(target))
        assert docx_headings(document) == markdown_headings(markdown)

    def test_html(self, portfolio: Portfolio, tmp_path: Path) -> None:
        target = tmp_path / "bericht.html"

        report("-o", str(target))

        html = target.read_text(encoding="utf-8")
        assert "Reallabore in Bottrop" in html
        assert "Digitale Koproduktion im Handwerk" in html

    def test_pdf(self, portfolio: Portfolio, tmp_path: Path) -> None:
        target = tmp_path / "bericht.pdf"

        report("--format", "pdf", "-o", str(target), "--lab", portfolio.handel.slug)

        assert target.read_bytes().startswith(b"%PDF-")


class TestErrors:
    def test_an_unknown_lab(self, portfolio: Portfolio, tmp_path: Path) -> None:
        target = tmp_path / "bericht.md"

        with pytest.raises(CommandError, match="gibt-es-nicht"):
            report("-o", str(target), "--lab", "gibt-es-nicht")
        assert not target.exists()

    def test_an_unpublished_lab_is_only_in_the_internal_report(self, portfolio: Portfolio) -> None:
        from reallabor.labs.services import set_lab_published

        set_lab_published(user=None, lab=portfolio.fachkraefte, published=False)

        with pytest.raises(CommandError, match=portfolio.fachkraefte.slug):
            report("--format", "md", "-o", "-", "--lab", portfolio.fachkraefte.slug)
        out, _err = report("--format", "md", "-o", "-", "--lab", portfolio.fachkraefte.slug, "--internal")
        assert "Fachkräftesicherung (Entwurf)" in out

    def test_an_unknown_format(self, db: None, tmp_path: Path) -> None:
        with pytest.raises(CommandError, match="odt"):
            report("--format", "odt", "-o", str(tmp_path / "bericht.odt"))

    def test_no_format_and_no_known_extension(self, db: None, tmp_path: Path) -> None:
        with pytest.raises(CommandError, match="--format"):
            report("-o", str(tmp_path / "bericht.txt"))

    def test_binary_formats_not_to_standard_output(self, db: None) -> None:
        with pytest.raises(CommandError, match="docx"):
            report("--format", "docx", "-o", "-")

    def test_an_unwritable_output(self, portfolio: Portfolio, tmp_path: Path) -> None:
        with pytest.raises(CommandError, match="fehlt"):
            report("-o", str(tmp_path / "fehlt" / "bericht.md"))
        with pytest.raises(CommandError, match=re.escape(str(tmp_path))):
            report("--format", "md", "-o", str(tmp_path))

    def test_the_console_script_exits_with_a_message(self, tmp_path: Path) -> None:
        env = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'leer.sqlite3'}"
        result = subprocess.run(  # noqa: S603
            [str(CONSOLE_SCRIPT), "report", "--format", "docx", "-o", "-"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

        assert result.returncode == 1
        assert result.stderr.startswith("CommandError: ")
        assert "Traceback" not in result.stderr
