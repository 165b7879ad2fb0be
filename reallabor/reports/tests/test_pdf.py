"""The report as PDF, read back with poppler-utils (pdftotext, pdfinfo, pdffonts).

The demo PDF is rendered once per module (the demo portfolio loaded in a transaction that is rolled
back: the report is plain data) and every test reads it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from lxml import etree
from pytest_django import DjangoDbBlocker

from reallabor.core.testing.seed import PROFILE_LABELS, SEED_OVERVIEW
from reallabor.reports.formats.pdf import render_pdf
from reallabor.reports.selectors import build_report
from reallabor.reports.tests.helpers import lab_of, measure_of, report_of

TOOLS = ("pdftotext", "pdfinfo", "pdffonts", "pdftohtml")
pytestmark = [
    pytest.mark.skipif(not all(shutil.which(tool) for tool in TOOLS), reason="poppler-utils missing"),
    # Makes pytest-django set the test database up before the module's fixture uses it.
    pytest.mark.django_db,
]


@dataclass
class Pdf:
    path: Path
    pages: list[str]  # pdftotext's text per page

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    @property
    def words(self) -> str:
        """The whole text with every run of white space as one space (lines wrap anywhere)."""
        return " ".join(self.text.split())

    def info(self) -> dict[str, str]:
        output = run("pdfinfo", str(self.path))
        return {
            key.strip(): value.strip() for key, value in (line.split(":", 1) for line in output.splitlines())
        }


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout  # noqa: S603


def read_pdf(content: bytes, path: Path) -> Pdf:
    assert content.startswith(b"%PDF-")
    path.write_bytes(content)
    text = run("pdftotext", "-enc", "UTF-8", str(path), "-")
    return Pdf(path=path, pages=text.split("\f")[:-1])


@pytest.fixture(scope="module")
def demo_pdf(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker, tmp_path_factory: pytest.TempPathFactory
) -> Pdf:
    from reallabor.core.demo import bottrop
    from reallabor.labs.models import Lab

    with translation.override("de"):
        with django_db_blocker.unblock(), transaction.atomic():
            assert not Lab.objects.exists(), "expected the empty test database"
            bottrop.load()
            report = build_report(None)
            transaction.set_rollback(True)
        return read_pdf(render_pdf(report), tmp_path_factory.mktemp("pdf") / "demo.pdf")


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    with translation.override("de"):
        yield


def squeeze(text: str) -> str:
    return " ".join(text.split())


def test_every_measure_with_its_title_and_seven_profile_rows(demo_pdf: Pdf) -> None:
    titles = [measure for _lab, measures in SEED_OVERVIEW for measure, _tags in measures]
    words = demo_pdf.words

    for title in titles:
        assert title in words
    # Each measure's chapter lists the seven rows in order, before the next measure begins.
    chapters = words.split(_("Real-world lab »%(name)s«") % {"name": SEED_OVERVIEW[0][0]}, 1)[1]
    for title in titles:
        section = chapters.split(title, 1)[1]
        positions = [section.find(label) for label in PROFILE_LABELS]
        assert all(position >= 0 for position in positions), title
        assert positions == sorted(positions), title
    for label in PROFILE_LABELS:
        assert len(re.findall(rf"(?<![\w(]){re.escape(label)}", chapters)) >= len(titles), label


def test_empty_rows_say_so(demo_pdf: Pdf) -> None:
    assert demo_pdf.words.count("Noch keine Angaben") >= 4


def test_the_overview_and_its_tags(demo_pdf: Pdf) -> None:
    words = demo_pdf.words

    for lab, measures in SEED_OVERVIEW:
        assert lab in words
        for _measure, tags in measures:
            for tag in tags:
                assert tag in words


def test_footer_with_city_and_page_numbers(demo_pdf: Pdf) -> None:
    total = len(demo_pdf.pages)

    assert total >= 8
    for number, page in enumerate(demo_pdf.pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert "Bottrop · Portfolio der Reallabore" in lines, number
        assert _("Page %(page)s of %(pages)s") % {"page": number, "pages": total} in lines, number


def test_table_of_contents_with_the_right_page_numbers(demo_pdf: Pdf) -> None:
    contents = demo_pdf.pages[1]
    assert squeeze(contents).startswith(_("Contents"))
    for lab, _measures in SEED_OVERVIEW:
        heading = _("Real-world lab »%(name)s«") % {"name": lab}
        match = re.search(rf"{re.escape(heading)}\s*\.+\s*(\d+)", contents)
        assert match, heading
        page = int(match.group(1))
        assert squeeze(demo_pdf.pages[page - 1]).startswith(heading)


def test_a4_tagged_with_metadata(demo_pdf: Pdf) -> None:
    info = demo_pdf.info()

    assert info["Page size"].endswith("(A4)")
    assert info["Tagged"] == "yes"
    assert info["Title"] == "Reallabore in Bottrop – Portfolio der Reallabore"
    assert info["Author"] == "Wirtschaftsförderung Bottrop"
    assert int(info["Pages"]) == len(demo_pdf.pages)


def test_fonts_are_embedded(demo_pdf: Pdf) -> None:
    rows = run("pdffonts", str(demo_pdf.path)).splitlines()[2:]

    assert rows
    for row in rows:
        name, *_rest = row.split()
        assert "DejaVu" in name, row
        columns = row.split()
        assert columns[-5] == "yes", row  # emb


def test_bookmarks_from_the_headings(demo_pdf: Pdf) -> None:
    xml = run("pdftohtml", "-xml", "-i", "-stdout", "-q", str(demo_pdf.path))
    outline = etree.fromstring(xml.encode()).find("outline")
    assert outline is not None
    [title] = outline.findall("item")
    assert (title.text, title.get("page")) == ("Reallabore in Bottrop", "1")
    chapters = [item.text for item in outline.findall("outline/item")]
    assert chapters == [
        _("Overview"),
        _("Megatrends and SDGs"),
        *(_("Real-world lab »%(name)s«") % {"name": lab} for lab, _measures in SEED_OVERVIEW),
    ]
    sections = [[item.text for item in group.findall("item")] for group in outline.findall("outline/outline")]
    assert sections[1] == [
        "Hintergrund und Zielsetzung",
        *(measure for measure, _tags in SEED_OVERVIEW[0][1]),
        "Zukunftsperspektive",
    ]


def test_the_structure_is_tagged(demo_pdf: Pdf) -> None:
    structure = {word.rstrip(":") for word in run("pdfinfo", "-struct", str(demo_pdf.path)).split()}

    for tag in ("H1", "H2", "H3", "Table", "TH", "TD", "L", "LI", "Figure", "Link"):
        assert tag in structure, tag


def test_an_internal_report_marks_its_drafts(tmp_path: Path) -> None:
    report = report_of(
        [
            lab_of(
                "Labor",
                [measure_of("Öffentliche Maßnahme"), measure_of("Geheime Idee", slug="idee", is_draft=True)],
            )
        ],
        internal=True,
    )

    pdf = read_pdf(render_pdf(report), tmp_path / "internal.pdf")
    assert _("Internal report: contains unpublished drafts") in pdf.words
    assert f"Geheime Idee {_('Draft')}" in pdf.words
