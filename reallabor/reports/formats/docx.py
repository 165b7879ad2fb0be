"""The report as a Word document (.docx, python-docx), for the office to edit in a word processor.

The headings are those of the Markdown report (``formats.markdown``), one level up, in Word's
built-in styles so that the navigation pane and a table of contents work: the report title in
"Title", the chapters in "Heading 1", the charts, background, measures and outlook in "Heading 2",
headings inside the user's Markdown from "Heading 3" on. python-docx cannot embed SVG, so the two
charts appear as tables of their numbers (as in the Markdown report).

python-docx sets up the document (page, styles' language, footer, properties) and saves it. The
body is written as WordprocessingML text and parsed once: building thousands of paragraphs and
cells through python-docx's objects takes seconds for a lab of 200 measures, this a fraction.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

import docx
from django.utils import translation
from django.utils.translation import gettext as _
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm, Twips
from docx.text.paragraph import Paragraph
from markdown_it.token import Token

from reallabor.core.templatetags.reallabor import web_url
from reallabor.reports.formats.markdown import (
    USER_HEADING_OFFSET,
    ChartTable,
    activity_when,
    actor_line,
    chart_explanation,
    chart_headers,
    chart_tables,
    charts_heading,
    draft_suffix,
    financing_line,
    internal_notice,
    lab_facts,
    lab_title,
    measure_status,
    one_line,
    overview_headers,
    overview_heading,
    parse,
    plain_paragraphs,
    profile_labels,
    short_date,
    title_block,
)
from reallabor.reports.reporting import Report, ReportLab, ReportMeasure, overview_tags

PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Mm(210), Mm(297), Cm(2.5)
TEXT_WIDTH = int((PAGE_WIDTH - 2 * MARGIN) / 635)  # in twentieths of a point (EMU / 635)
LABEL_WIDTH = int(Cm(4.2) / 635)
NUMBER_WIDTH = int(Cm(2.6) / 635)
HEADER_FILL = "DCE6F0"
LABEL_FILL = "F2F5F9"
MONOSPACE = "Courier New"
LANGUAGES = {"de": "de-DE", "en": "en-GB"}

# Style ids of python-docx's default template.
TITLE = "Title"
BULLET = ("ListBullet", "ListBullet2", "ListBullet3")
CONTINUE = ("ListContinue", "ListContinue2", "ListContinue3")
NUMBERED = ("List", "List2", "List3")  # a hanging indent; the number is written out (Word's own
# numbering would go on counting from one list into the next)
QUOTE = "Quote"
NOTICE = "IntenseQuote"

# WordprocessingML ------------------------------------------------------------------------------

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def run(text: str, *, bold: bool = False, italic: bool = False, code: bool = False) -> str:
    """A run of text (tabs and line breaks kept) as WordprocessingML."""
    if not text:
        return ""
    properties = ""
    if code:
        properties += f'<w:rFonts w:ascii="{MONOSPACE}" w:hAnsi="{MONOSPACE}" w:cs="{MONOSPACE}"/>'
    if bold:
        properties += "<w:b/>"
    if italic:
        properties += "<w:i/>"
    content = []
    for index, line in enumerate(_NOT_XML.sub("", text).split("\n")):
        if index:
            content.append("<w:br/>")
        for position, part in enumerate(line.split("\t")):
            if position:
                content.append("<w:tab/>")
            if part:
                content.append(f'<w:t xml:space="preserve">{escape(part)}</w:t>')
    return f"<w:r>{f'<w:rPr>{properties}</w:rPr>' if properties else ''}{''.join(content)}</w:r>"


def paragraph(runs: str = "", style: str | None = None, *, page_break: bool = False) -> str:
    properties = (f'<w:pStyle w:val="{style}"/>' if style else "") + (
        "<w:pageBreakBefore/>" if page_break else ""
    )
    return f"<w:p>{f'<w:pPr>{properties}</w:pPr>' if properties else ''}{runs}</w:p>"


def _heading_style(level: int) -> str:
    """Markdown level 1 is the title, 2 → Heading 1, 3 → Heading 2, …"""
    return TITLE if level <= 1 else f"Heading{min(level - 1, 9)}"


def _list_style(styles: Sequence[str], depth: int) -> str:
    return styles[min(max(depth, 1), len(styles)) - 1]


@dataclass
class Cell:
    paragraphs: list[str] = field(default_factory=list)
    fill: str = ""
    merge: str = ""  # vertical merge: "restart" (first cell), "continue" (the cells below it)


def table(
    widths: Sequence[int], rows: Iterable[Sequence[Cell]], *, header: Sequence[str] | None = None
) -> str:
    """A grid table; with ``header``, a bold, shaded header row that repeats on every page."""
    parts = [
        '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/>',
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>',
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
        'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{width}"/>' for width in widths),
        "</w:tblGrid>",
    ]
    if header:
        parts.append("<w:tr><w:trPr><w:tblHeader/></w:trPr>")
        for width, text in zip(widths, header, strict=True):
            parts.append(_cell(width, Cell([paragraph(run(text, bold=True))], fill=HEADER_FILL)))
        parts.append("</w:tr>")
    for cells in rows:
        parts.append("<w:tr>")
        parts.extend(_cell(width, cell) for width, cell in zip(widths, cells, strict=True))
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


def _cell(width: int, cell: Cell) -> str:
    properties = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if cell.merge == "restart":
        properties += '<w:vMerge w:val="restart"/>'
    elif cell.merge == "continue":
        properties += "<w:vMerge/>"
    if cell.fill:
        properties += f'<w:shd w:val="clear" w:color="auto" w:fill="{cell.fill}"/>'
    return f"<w:tc><w:tcPr>{properties}</w:tcPr>{''.join(cell.paragraphs) or '<w:p/>'}</w:tc>"


# Markdown → WordprocessingML -------------------------------------------------------------------


def inline_runs(children: Iterable[Token], *, bold: bool = False, links: bool = True) -> str:
    """Markdown inline tokens as runs: bold, italic, code, line breaks; a link as its text and (URL)."""
    runs: list[str] = []
    strong = em = 0
    href: str | None = None
    link_text: list[str] = []
    for token in children:
        kind = token.type
        text = ""
        code = False
        if kind in ("text", "html_inline"):  # html_inline cannot occur: raw HTML is off
            text = token.content
        elif kind == "softbreak":
            text = " "
        elif kind == "hardbreak":
            text = "\n"
        elif kind == "strong_open":
            strong += 1
        elif kind == "strong_close":
            strong -= 1
        elif kind == "em_open":
            em += 1
        elif kind == "em_close":
            em -= 1
        elif kind == "code_inline":
            text, code = token.content, True
        elif kind == "link_open":
            href, link_text = str(token.attrGet("href") or ""), []
        elif kind == "link_close":
            shown, target, href = "".join(link_text), href or "", None
            if links and target and target not in (shown, f"mailto:{shown}"):
                text = f" ({target})"
        elif kind == "image":
            text = token.content or "".join(child.content for child in token.children or ())
        if text:
            runs.append(run(text, bold=bold or strong > 0, italic=em > 0, code=code))
            if href is not None:
                link_text.append(text)
    return "".join(runs)


def text_runs(text: str) -> str | None:
    """The runs of Markdown that is one paragraph, else None."""
    plain = plain_paragraphs(text)
    if plain is not None:
        return run(plain[0]) if len(plain) == 1 else None
    tokens = parse(text)
    if len(tokens) == 3 and tokens[0].type == "paragraph_open" and tokens[1].children is not None:
        return inline_runs(tokens[1].children)
    return None


def markdown_paragraphs(text: str, *, in_cell: bool = False, depth: int = 0) -> list[str]:
    """The user's Markdown as paragraphs: headings (demoted as in the Markdown report; bold text in
    a cell), paragraphs, bullet and numbered lists, quotes, code. ``depth`` indents it all."""
    plain = plain_paragraphs(text)
    if plain is not None:
        indented = _list_style(CONTINUE, depth) if depth else None
        return [paragraph(run(line), indented) for line in plain]
    result: list[str] = []
    lists: list[list[Any]] = []  # per open list: [ordered, next number]
    item_start = False
    item_number = ""
    quote = heading = 0
    for token in parse(text):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([kind == "ordered_list_open", int(token.attrGet("start") or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            item_start = True
            item_number = ""
            if lists[-1][0]:
                value = int(token.info or lists[-1][1])
                lists[-1][1] = value + 1
                item_number = f"{value}.\t"
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "heading_open":
            heading = min(6, int(token.tag[1]) + USER_HEADING_OFFSET)
        elif kind == "heading_close":
            heading = 0
        elif kind == "inline":
            level = depth + len(lists)
            style: str | None
            if heading and not in_cell:
                style = _heading_style(heading)
            elif lists and item_start:
                style = _list_style(NUMBERED if lists[-1][0] else BULLET, level)
            elif level:
                style = _list_style(CONTINUE, level)
            else:
                style = QUOTE if quote else None
            runs = run(item_number) if lists and item_start else ""
            item_start = False
            runs += inline_runs(token.children or (), bold=bool(heading and in_cell), links=not heading)
            result.append(paragraph(runs, style))
        elif kind in ("fence", "code_block"):
            level = depth + len(lists)
            code = run(token.content.rstrip("\n"), code=True)
            result.append(paragraph(code, _list_style(CONTINUE, level) if level else None))
    return result


# The document ----------------------------------------------------------------------------------


def _empty(text: str) -> str:
    return paragraph(run(text, italic=True))


def _name(name: str, is_draft: bool) -> str:
    """A name with its bold "(Draft)" marker."""
    return paragraph(run(name) + (run(draft_suffix(True), bold=True) if is_draft else ""))


def _heading(text: str, level: int, *, is_draft: bool = False, page_break: bool = False) -> str:
    """A heading (the same text as the Markdown heading); the "(Draft)" marker in bold."""
    runs = run(text) + (run(draft_suffix(True), bold=True) if is_draft else "")
    return paragraph(runs, _heading_style(level), page_break=page_break)


def _facts(facts: list[tuple[str, str]]) -> list[str]:
    return [paragraph(run(f"{label}: ", bold=True) + run(value)) for label, value in facts]


def _title(report: Report) -> list[str]:
    body = [_heading(report.title, 1), *_facts(title_block(report))]
    strong, rest = internal_notice(report)
    if strong:
        body.append(paragraph(run(strong, bold=True) + run(f" {rest}"), NOTICE))
    return body


def _tag_cell(displays: list[str]) -> Cell:
    return Cell([paragraph(run(display)) for display in displays] or [_empty(_("No tags yet"))])


def _overview(report: Report) -> list[str]:
    body = [_heading(overview_heading(), 2, page_break=True)]
    if not report.labs:
        return [*body, _empty(_("No real-world lab is published yet."))]
    lab_header, measures_header, tags_header = overview_headers()
    third = TEXT_WIDTH // 3
    # One row per measure, the lab's cell merged over its measures (as in the seed).
    rows: list[list[Cell]] = []
    for lab in report.labs:
        name = _name(lab.name, lab.is_draft)
        if not lab.measures:
            rows.append([Cell([name]), Cell([_empty(_("No measures yet"))]), Cell()])
        merged = len(lab.measures) > 1
        for position, measure in enumerate(lab.measures):
            lab_cell = Cell([name] if position == 0 else [])
            if merged:
                lab_cell.merge = "restart" if position == 0 else "continue"
            tags = [tag.display for tag in overview_tags(measure.tags)]
            rows.append([lab_cell, Cell([_name(measure.title, measure.is_draft)]), _tag_cell(tags)])
    body.append(
        table([third, third, TEXT_WIDTH - 2 * third], rows, header=[lab_header, measures_header, tags_header])
    )
    body.append(paragraph())  # two tables in a row would merge into one
    widths = [third, TEXT_WIDTH - third]
    measures_rows = [
        [
            Cell([_name(lab.name, lab.is_draft)]),
            Cell(
                [_name(measure.title, measure.is_draft) for measure in lab.measures]
                or [_empty(_("No measures yet"))]
            ),
        ]
        for lab in report.labs
    ]
    body.append(table(widths, measures_rows, header=[lab_header, measures_header]))
    body.append(paragraph())
    tags_rows = [
        [Cell([_name(lab.name, lab.is_draft)]), _tag_cell([tag.display for tag in overview_tags(lab.tags)])]
        for lab in report.labs
    ]
    body.append(table(widths, tags_rows, header=[lab_header, tags_header]))
    return body


def _charts(report: Report) -> list[str]:
    # python-docx cannot embed SVG (and the project has no SVG → PNG converter), so the two
    # charts of the HTML/PDF report appear here as tables of their numbers.
    body = [_heading(charts_heading(), 2), paragraph(run(chart_explanation()))]
    for chart in chart_tables(report):
        body += _chart_table(chart)
    return body


def _chart_table(chart: ChartTable) -> list[str]:
    heading = _heading(chart.heading, 3)
    if not chart.has_data:
        return [heading, _empty(_("No measure is tagged yet"))]
    rows = [[Cell([paragraph(run(text))]) for text in texts] for texts in chart.rows]
    widths = [TEXT_WIDTH - 2 * NUMBER_WIDTH, NUMBER_WIDTH, NUMBER_WIDTH]
    return [heading, table(widths, rows, header=chart_headers(chart))]


def _user_text(text: str) -> list[str]:
    return markdown_paragraphs(text) if text.strip() else [_empty(_("No information yet"))]


def _lab(lab: ReportLab) -> list[str]:
    body = [_heading(lab_title(lab), 2, is_draft=lab.is_draft, page_break=True), *_facts(lab_facts(lab))]
    if lab.summary.strip():
        body.append(paragraph(run(one_line(lab.summary))))
    body.append(_heading(_("Background and aims"), 3))
    body += _user_text(lab.background)
    for measure in lab.measures:
        body += _measure(measure)
    if not lab.measures:
        body.append(_empty(_("No measures yet.")))
    body.append(_heading(_("Outlook"), 3))
    body += _user_text(lab.outlook)
    return body


def _measure(measure: ReportMeasure) -> list[str]:
    body = [
        _heading(measure.title, 3, is_draft=measure.is_draft),
        paragraph(run(measure_status(measure), italic=True)),
    ]
    if measure.summary.strip():
        body.append(paragraph(run(one_line(measure.summary))))
    if measure.tags:
        body.append(paragraph(run("; ".join(tag.display for tag in measure.tags))))
    contents = [
        _activities(measure),
        _items(measure.coordination),
        _items([financing_line(row) for row in measure.financing]),
        _items([actor_line(row) for row in measure.actors]),
        _items([row.label for row in measure.target_groups]),
        _added_values(measure),
        _results(measure),
    ]
    rows = [
        [
            Cell([paragraph(run(label, bold=True))], fill=LABEL_FILL),
            Cell(content or [_empty(_("No information yet"))]),
        ]
        for label, content in zip(profile_labels(), contents, strict=True)
    ]
    body.append(table([LABEL_WIDTH, TEXT_WIDTH - LABEL_WIDTH], rows))
    return body


# The profile rows: each gives its paragraphs (none: the row says "No information yet").


def _items(items: Sequence[str]) -> list[str]:
    """One paragraph per item, bulleted when there are several."""
    style = BULLET[0] if len(items) > 1 else None
    return [paragraph(run(item), style) for item in items]


def _item(lead: str, text: str, bulleted: bool) -> list[str]:
    """An item's bold lead and its Markdown: one paragraph goes on after ": ", longer text below."""
    style = BULLET[0] if bulleted else None
    if not text.strip():
        return [paragraph(lead, style)]
    runs = text_runs(text)
    if runs is not None:
        return [paragraph(lead + (run(": ") if lead else "") + runs, style)]
    rest = markdown_paragraphs(text, in_cell=True, depth=1 if bulleted else 0)
    return [paragraph(lead, style), *rest] if lead else rest


def _activities(measure: ReportMeasure) -> list[str]:
    bulleted = len(measure.activities) > 1
    result = []
    for activity in measure.activities:
        when = activity_when(activity)
        lead = run(activity.title, bold=True) + (run(f" ({when})") if when else "")
        result += _item(lead, activity.text, bulleted)
    return result


def _added_values(measure: ReportMeasure) -> list[str]:
    rows = measure.added_values
    result = []
    for row in rows:
        result += _item(run(row.label, bold=True), row.added_value, len(rows) > 1)
    return result


def _results(measure: ReportMeasure) -> list[str]:
    bulleted = len(measure.results) > 1
    result = []
    for row in measure.results:
        lead = run(short_date(row.date), bold=True) if row.date else ""
        result += _item(lead, row.text, bulleted) if lead or row.text.strip() else []
        url = web_url(row.evidence_url)
        evidence = [f"{_('Evidence (link)')}: {url}"] if url else []
        if row.evidence_file:
            evidence.append(f"{_('Evidence (file)')}: {row.evidence_file}")
        style = CONTINUE[0] if bulleted else None
        result += [paragraph(run(line), style) for line in evidence]
    return result


# Set-up and output -----------------------------------------------------------------------------


def _set_language(document: Any, language: str) -> None:
    """The proofing language of every style: the document defaults' w:lang."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_defaults)
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        run_defaults.append(properties)
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        properties.append(lang)
    lang.set(qn("w:val"), language)


def _field(footer: Paragraph, instruction: str) -> None:
    """A field (PAGE, NUMPAGES) as raw OOXML; the word processor fills in its value."""
    footer._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"/></w:r>'))
    footer._p.append(
        parse_xml(
            f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
        )
    )
    footer._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>'))
    footer._p.append(parse_xml(f"<w:r {nsdecls('w')}><w:t>1</w:t></w:r>"))
    footer._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>'))


def _set_up(document: Any, report: Report) -> None:
    """A4 paper, the properties, the language and the footer (the city on the left, "Page 3 / 12" right)."""
    code = translation.get_language() or "de"
    language = LANGUAGES.get(code, code)
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = MARGIN
    section.top_margin = section.bottom_margin = MARGIN
    properties = document.core_properties
    properties.title = report.title
    properties.subject = report.scope
    properties.author = properties.last_modified_by = report.office
    properties.language = language
    properties.keywords = ", ".join(lab.name for lab in report.labs)
    properties.comments = ""
    properties.category = _("Internal report") if report.internal else _("Public report")
    properties.created = properties.modified = datetime.datetime.combine(report.date, datetime.time())
    properties.revision = 1
    _set_language(document, language)
    footer = section.footer.paragraphs[0]
    tabs = footer.paragraph_format.tab_stops
    for position in (4680, 9360):  # the Footer style's own stops (for Letter paper)
        tabs.add_tab_stop(Twips(position), WD_TAB_ALIGNMENT.CLEAR)
    tabs.add_tab_stop(Twips(TEXT_WIDTH), WD_TAB_ALIGNMENT.RIGHT)
    footer.add_run(f"{report.city}\t{_('Page')} ")
    _field(footer, "PAGE")
    footer.add_run(" / ")
    _field(footer, "NUMPAGES")


def render_docx(report: Report) -> bytes:
    """The report as the bytes of a .docx file."""
    document = docx.Document()
    _set_up(document, report)
    content = [*_title(report), *_overview(report), *_charts(report)]
    for lab in report.labs:
        content += _lab(lab)
    body = document.element.body
    section = body.sectPr
    for element in list(parse_xml(f"<w:body {nsdecls('w')}>{''.join(content)}</w:body>")):
        section.addprevious(element)
    output = BytesIO()
    document.save(output)
    return output.getvalue()
