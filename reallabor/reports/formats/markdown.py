"""The report as GitHub-flavoured Markdown.

The structure is that of the HTML report (``templates/reports/includes/report_body.html``, without
its table of contents), and the .docx uses the same headings one level up:

    # <report title>                           city, publisher, date, scope, edition (+ internal notice)
    ## Overview                                 the overview table and its two split views
    ## Megatrends and SDGs                      the numbers of the two charts, as tables
    ### Sustainable Development Goals (SDGs)
    ### Megatrends
    ## Real-world lab »<name>«                  one chapter per lab: phase, funding, coordinator
    ### Background and aims
    ### <measure title> (Draft)                 one per measure: status, summary, tags, profile sheet
    ### Outlook

Headings inside the user's Markdown (background, outlook) are demoted below level 3, so they never
break that structure. The helpers here (labels, lines) are shared with the .docx renderer.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.token import Token

from reallabor.core.templatetags.reallabor import eur, web_url
from reallabor.core.templatetags.reallabor import period as web_period
from reallabor.reports.reporting import (
    MEGATREND_KIND,
    SDG_KIND,
    ActivityRow,
    ActorRow,
    FinancingRow,
    Report,
    ReportLab,
    ReportMeasure,
    chart_rows,
    has_data,
    overview_tags,
)


class _Parser(MarkdownIt):
    def normalizeLink(self, url: str) -> str:
        """The address as written: the reports show it as text (and percent-encoding and punycode
        of every link cost more than the rest of the parsing)."""
        return url


# The same dialect as the web pages (core.markdown): CommonMark without raw HTML, plus tables.
PARSER = _Parser("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

USER_HEADING_OFFSET = 3  # a heading in the user's Markdown: # → ####, ## → #####, deeper → ######


# The Markdown report needs the blocks only (it keeps each paragraph's source): no inline parsing.
BLOCK_PARSER = MarkdownIt("commonmark", {"html": False}).enable("table").disable(["inline", "text_join"])


@lru_cache(maxsize=4096)
def _parse(text: str) -> tuple[Token, ...]:
    return tuple(PARSER.parse(text))


@lru_cache(maxsize=4096)
def _parse_blocks(text: str) -> tuple[Token, ...]:
    return tuple(BLOCK_PARSER.parse(text))


def parse_blocks(text: str) -> tuple[Token, ...]:
    """The block tokens of the user's Markdown; inline tokens keep their source but have no children."""
    return _parse_blocks(text.replace("\r\n", "\n").replace("\r", "\n"))


def parse(text: str) -> tuple[Token, ...]:
    """The tokens of the user's Markdown (cached; do not change them)."""
    return _parse(text.replace("\r\n", "\n").replace("\r", "\n"))


# Anything that could be Markdown syntax: then the text is parsed; else it is plain paragraphs.
_SYNTAX = re.compile(r"[\\`*_\[\]<>#!&|~]|^ {0,3}(?:[-+=]|\d{1,9}[.)])|^(?: {4}|\t)| {2,}$", re.MULTILINE)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def plain_paragraphs(text: str) -> list[str] | None:
    """The paragraphs of a text without any Markdown syntax (each on one line), else None.

    Most texts are plain sentences: they need no parser (which is slow for thousands of texts).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _SYNTAX.search(text):
        return None
    return [one_line(part) for part in _BLANK_LINE.split(text) if part.strip()]


# Shared content helpers (Markdown and .docx): the wording of the HTML report -----------------


def draft_suffix(is_draft: bool) -> str:
    return f" ({_('Draft')})" if is_draft else ""


def overview_heading() -> str:
    return _("Overview")


def charts_heading() -> str:
    return _("Megatrends and SDGs")


def lab_title(lab: ReportLab) -> str:
    """The lab chapter's heading, without the draft marker."""
    return _("Real-world lab »%(name)s«") % {"name": lab.name}


def lab_heading(lab: ReportLab) -> str:
    return lab_title(lab) + draft_suffix(lab.is_draft)


def measure_heading(measure: ReportMeasure) -> str:
    return measure.title + draft_suffix(measure.is_draft)


def overview_headers() -> tuple[str, str, str]:
    return _("Real-world lab"), _("Measure(s)"), _("Megatrend/SDG")


def profile_labels() -> list[str]:
    """The seven rows of the profile sheet, in order."""
    return [
        _("Activities"),
        _("Coordination"),
        _("Financing"),
        _("Participating actors"),
        _("Target group(s)"),
        _("Added value"),
        _("Results"),
    ]


def long_date(value: datetime.date) -> str:
    return date_format(value, "DATE_FORMAT")


def short_date(value: datetime.date) -> str:
    return _formatted_date(value, translation.get_language())


def period(start: datetime.date | None, end: datetime.date | None) -> str:
    """The web's ``period`` (01.10.2020 – 30.06.2022, seit 01.10.2020), cached: a report of hundreds
    of measures formats the same few dates thousands of times, and Django's formatting is slow."""
    return _formatted_period(start, end, translation.get_language())


@lru_cache(maxsize=1024)
def _formatted_date(value: datetime.date, language: str | None) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


@lru_cache(maxsize=1024)
def _formatted_period(start: datetime.date | None, end: datetime.date | None, language: str | None) -> str:
    return web_period(start, end)


def title_block(report: Report) -> list[tuple[str, str]]:
    """The title page's (label, value) lines."""
    return [
        (_("City"), report.city),
        (_("Published by"), report.office),
        (_("As of"), long_date(report.date)),
        (_("Scope"), report.scope),
        (_("Edition"), _("Internal report") if report.internal else _("Public report")),
    ]


def internal_notice(report: Report) -> tuple[str, str]:
    """The internal report's notice: (in bold, the rest); ("", "") for the public report."""
    if not report.internal:
        return "", ""
    if report.has_drafts:
        return (
            _("Internal report: contains unpublished drafts"),
            _("Drafts are marked »Draft«. Do not pass this report on outside the labs."),
        )
    return _("Internal report"), _("There are no unpublished drafts in its scope.")


def lab_facts(lab: ReportLab) -> list[tuple[str, str]]:
    when = period(lab.funding_start, lab.funding_end)
    return [
        (_("Phase"), lab.phase_label or _("No information yet")),
        (_("Funding period"), when or _("No information yet")),
        (_("Coordinating organisation"), lab.coordinator or _("No information yet")),
    ]


def measure_status(measure: ReportMeasure) -> str:
    """Status: Laufend · seit 01.10.2020."""
    line = f"{_('Status')}: {measure.status_label}"
    when = period(measure.start, measure.end)
    return f"{line} · {when}" if when else line


def activity_when(row: ActivityRow) -> str:
    """As on the measure page: the period when it has an end, else the start date."""
    if row.end:
        return period(row.start, row.end)
    return short_date(row.start) if row.start else ""


def financing_line(row: FinancingRow) -> str:
    """Förderprogramm: Bottrop 2018+, 15.000,00 € (01.10.2020 – 30.06.2022)."""
    line = f"{row.kind_label}: {row.source}"
    if row.amount is not None:
        line += f", {eur(row.amount)}"
    when = period(row.start, row.end)
    return f"{line} ({when})" if when else line


def actor_line(row: ActorRow) -> str:
    return f"{row.name} ({row.role})" if row.role else row.name


@dataclass(frozen=True, slots=True)
class ChartTable:
    heading: str
    term_header: str
    rows: list[tuple[str, str, str]]  # term, weighted number, number of measures
    has_data: bool


def _chart_table(report: Report, kind: str) -> ChartTable:
    sdg = kind == SDG_KIND
    return ChartTable(
        heading=_("Sustainable Development Goals (SDGs)") if sdg else _("Megatrends"),
        term_header=_("Goal") if sdg else _("Megatrend"),
        rows=[(row.label, row.value, str(row.measures)) for row in chart_rows(report, kind)],
        has_data=has_data(report, kind),
    )


def chart_tables(report: Report) -> list[ChartTable]:
    return [_chart_table(report, SDG_KIND), _chart_table(report, MEGATREND_KIND)]


def chart_explanation() -> str:
    return _(
        "How many measures contribute to each goal or megatrend, weighted by their tags: a primary tag "
        "counts 1, a secondary tag 0.5, a share by its percentage."
    )


def chart_headers(table: ChartTable) -> list[str]:
    return [table.term_header, _("Weighted"), _("Measures")]


# Escaping -------------------------------------------------------------------------------------

_SPECIAL = re.compile(r"([\\`*_\[\]<~|])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_LINE_START = re.compile(r"^(#|>|[-+*](?=\s|$)|=+\s*$)")
_ORDERED_START = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")


_WHITESPACE = re.compile(r"[ \t\r\n]+")


def one_line(text: str) -> str:
    """Text on one line (runs of spaces and line breaks as one space; no-break spaces stay)."""
    return _WHITESPACE.sub(" ", text).strip()


def escape(text: str, *, block: bool = False) -> str:
    """User text (a title, a name) as literal Markdown inline text on one line.

    ``block``: the text starts a line (a heading, a paragraph), so what would start a block there
    (``#``, ``>``, ``-``, ``1.``) is escaped too.
    """
    text = one_line(text)
    text = _SPECIAL.sub(r"\\\1", text)
    text = _ENTITY.sub(r"\\&", text)
    if block:
        text = _LINE_START.sub(r"\\\1", text)
        text = _ORDERED_START.sub(r"\1\\\2", text)
        # A heading's closing sequence ("Kurs #") would be dropped: escape a final #.
        if text.endswith("#") and not text.endswith("\\#"):
            text = text[:-1] + "\\#"
    return text


# Raw HTML in the user's Markdown is text on the web pages (html disabled); keep it text here too,
# so a stray "<!--" or "<div>" cannot swallow the rest of the report. Autolinks stay links.
_HTML_START = re.compile(r"<(?![A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*>)(?=[A-Za-z/!?])")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)")


def _neutralise_html(line: str) -> str:
    parts = []
    position = 0
    for match in _CODE_SPAN.finditer(line):
        parts.append(_HTML_START.sub(r"\\<", line[position : match.start()]))
        parts.append(match.group(0))
        position = match.end()
    parts.append(_HTML_START.sub(r"\\<", line[position:]))
    return "".join(parts)


_CONTAINER_PREFIX = re.compile(r"^(\s*(?:>\s?|[-+*]\s+|\d{1,9}[.)]\s+)*)")
# What user_markdown rewrites: headings (ATX, setext), raw HTML, fenced code.
_REWRITTEN = re.compile(r"[#<`~]|^ {0,3}(?:=+|-+)[ \t]*$", re.MULTILINE)


def user_markdown(text: str) -> str:
    """The user's Markdown as a block of the report: headings demoted, raw HTML as text, fences closed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not text.strip():
        return ""
    if not _REWRITTEN.search(text):
        return text
    lines = text.split("\n")
    tokens = parse_blocks(text)
    code_lines: set[int] = set()
    replaced: dict[int, str | None] = {}  # line → new content (None: drop the line)
    for index, token in enumerate(tokens):
        if token.map is None:
            continue
        start, end = token.map
        if token.type in ("fence", "code_block"):
            code_lines.update(range(start, end))
            closing = lines[end - 1].strip() if end - 1 > start else ""
            if token.type == "fence" and token.level == 0 and end == len(lines):
                marker = token.markup[0]
                if not (len(closing) >= len(token.markup) and set(closing) == {marker}):
                    lines.append(token.markup)
        elif token.type == "heading_open":
            level = min(6, int(token.tag[1]) + USER_HEADING_OFFSET)
            content = one_line(tokens[index + 1].content)
            prefix = _CONTAINER_PREFIX.match(lines[start])
            container = prefix.group(1) if prefix else ""
            replaced[start] = f"{container}{'#' * level} {content}".rstrip()
            for dropped in range(start + 1, end):
                replaced[dropped] = None
    result = []
    for line_number, line in enumerate(lines):
        if line_number in replaced:
            new = replaced[line_number]
            if new is not None:
                result.append(_neutralise_html(new))
        elif line_number in code_lines:
            result.append(line)
        else:
            result.append(_neutralise_html(line))
    return "\n".join(result)


def _code_span(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    return (
        f"{fence} {text} {fence}" if text.startswith("`") or text.endswith("`") else f"{fence}{text}{fence}"
    )


_HARD_BREAK = re.compile(r"(?: {2,}|\\)\n")
_PIPE = re.compile(r"(\\*)\|")


def _escape_pipes(text: str) -> str:
    """Every pipe escaped for a table cell; a pipe the user escaped (odd backslashes) stays one pipe."""

    def replace(match: re.Match[str]) -> str:
        backslashes = match.group(1)
        return (backslashes[:-1] if len(backslashes) % 2 else backslashes) + "\\|"

    return _PIPE.sub(replace, text)


def _inline(content: str) -> str:
    """An inline token's source on one line: soft breaks become spaces, hard breaks <br>."""
    lines = _HARD_BREAK.split(content)
    return "<br>".join(
        _neutralise_html(" ".join(part.strip() for part in line.split("\n"))) for line in lines
    )


def cell_markdown(text: str) -> str:
    """The user's Markdown on one line for a table cell: blocks joined by <br>, list items with bullets."""
    plain = plain_paragraphs(text)
    if plain is not None:
        return "<br>".join(plain)
    blocks: list[str] = []
    lists: list[list[Any]] = []  # per open list: [ordered, next number]
    prefix = ""
    heading = False
    for token in parse_blocks(text):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append([token.type == "ordered_list_open", int(token.attrGet("start") or 1)])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            indent = "\u00a0\u00a0" * (len(lists) - 1)
            if lists[-1][0]:
                number_ = int(token.info or lists[-1][1])
                lists[-1][1] = number_ + 1
                prefix = f"{indent}{number_}. "
            else:
                prefix = f"{indent}{'•' if len(lists) == 1 else '◦'} "
        elif token.type == "heading_open":
            heading = True
        elif token.type == "inline":
            content = _inline(token.content)
            if heading and content:
                content = f"**{content}**"
            heading = False
            if content:
                blocks.append(prefix + content)
            prefix = ""
        elif token.type in ("fence", "code_block"):
            blocks.extend(_code_span(line) for line in token.content.rstrip("\n").split("\n") if line.strip())
    return _escape_pipes("<br>".join(blocks))


# The document ---------------------------------------------------------------------------------


def _table(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    headers = list(headers)
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" for _header in headers) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _joined(items: Iterable[str]) -> str:
    return "; ".join(escape(item) for item in items)


def _overview(report: Report) -> list[str]:
    lab_header, measures_header, tags_header = overview_headers()
    no_measures, no_tags = escape(_("No measures yet")), escape(_("No tags yet"))
    rows: list[list[str]] = []
    for lab in report.labs:
        name = escape(lab.name + draft_suffix(lab.is_draft))
        if not lab.measures:
            rows.append([name, no_measures, ""])
        for index, measure in enumerate(lab.measures):
            tags = overview_tags(measure.tags)
            rows.append(
                [
                    name if index == 0 else "",
                    escape(measure_heading(measure)),
                    _joined(tag.display for tag in tags) if tags else no_tags,
                ]
            )
    measures_rows = [
        [
            escape(lab.name + draft_suffix(lab.is_draft)),
            _joined(measure_heading(measure) for measure in lab.measures) or no_measures,
        ]
        for lab in report.labs
    ]
    tags_rows = [
        [
            escape(lab.name + draft_suffix(lab.is_draft)),
            _joined(tag.display for tag in overview_tags(lab.tags)) or no_tags,
        ]
        for lab in report.labs
    ]
    blocks = [f"## {escape(overview_heading(), block=True)}"]
    if not report.labs:
        return [*blocks, escape(_("No real-world lab is published yet."), block=True)]
    return [
        *blocks,
        _table([lab_header, measures_header, tags_header], rows),
        _table([lab_header, measures_header], measures_rows),
        _table([lab_header, tags_header], tags_rows),
    ]


def _charts(report: Report) -> list[str]:
    blocks = [f"## {escape(charts_heading(), block=True)}", escape(chart_explanation(), block=True)]
    for table in chart_tables(report):
        blocks.append(f"### {escape(table.heading, block=True)}")
        if table.has_data:
            blocks.append(
                _table(
                    [escape(header) for header in chart_headers(table)],
                    ([escape(term), value, count] for term, value, count in table.rows),
                )
            )
        else:
            blocks.append(f"*{escape(_('No measure is tagged yet'))}*")
    return blocks


def _items(items: list[str]) -> str:
    """A profile cell's items: one per line, with bullets when there are several."""
    if len(items) > 1:
        items = [f"• {item}" for item in items]
    return "<br>".join(items)


def _profile_cells(measure: ReportMeasure) -> list[str]:
    activities = []
    for activity in measure.activities:
        item = f"**{escape(activity.title)}**"
        when = activity_when(activity)
        if when:
            item += f" ({escape(when)})"
        text = cell_markdown(activity.text)
        activities.append(f"{item}: {text}" if text else item)
    values = []
    for group in measure.added_values:
        values.append(f"**{escape(group.label)}**: {cell_markdown(group.added_value)}")
    results = []
    for result in measure.results:
        parts = []
        if result.date:
            parts.append(f"**{escape(short_date(result.date))}:**")
        text = cell_markdown(result.text)
        if text:
            parts.append(text)
        url = web_url(result.evidence_url)
        if url:
            shown = f"<{url}>" if re.fullmatch(r"[^\s<>|]+", url) else escape(url)
            parts.append(f"{escape(_('Evidence (link)'))}: {shown}")
        if result.evidence_file:
            parts.append(f"{escape(_('Evidence (file)'))}: {escape(result.evidence_file)}")
        results.append(" ".join(parts))
    return [
        _items(activities),
        _items([escape(name) for name in measure.coordination]),
        _items([escape(financing_line(row)) for row in measure.financing]),
        _items([escape(actor_line(row)) for row in measure.actors]),
        _items([escape(group.label) for group in measure.target_groups]),
        _items(values),
        _items(results),
    ]


def _profile(measure: ReportMeasure) -> str:
    empty = f"*{escape(_('No information yet'))}*"
    rows = [
        [f"**{escape(label)}**", content or empty]
        for label, content in zip(profile_labels(), _profile_cells(measure), strict=True)
    ]
    return _table(["", ""], rows)


def _facts(facts: list[tuple[str, str]]) -> str:
    return "\n".join(f"- **{escape(label)}:** {escape(value)}" for label, value in facts)


def _measure(measure: ReportMeasure) -> list[str]:
    blocks = [f"### {escape(measure_heading(measure), block=True)}", f"*{escape(measure_status(measure))}*"]
    if measure.summary.strip():
        blocks.append(escape(measure.summary, block=True))
    if measure.tags:
        blocks.append(escape("; ".join(tag.display for tag in measure.tags), block=True))
    blocks.append(_profile(measure))
    return blocks


def _lab(lab: ReportLab) -> list[str]:
    empty = f"*{escape(_('No information yet'))}*"
    blocks = [f"## {escape(lab_heading(lab), block=True)}", _facts(lab_facts(lab))]
    if lab.summary.strip():
        blocks.append(escape(lab.summary, block=True))
    blocks.append(f"### {escape(_('Background and aims'), block=True)}")
    blocks.append(user_markdown(lab.background) or empty)
    for measure in lab.measures:
        blocks += _measure(measure)
    if not lab.measures:
        blocks.append(f"*{escape(_('No measures yet.'))}*")
    blocks.append(f"### {escape(_('Outlook'), block=True)}")
    blocks.append(user_markdown(lab.outlook) or empty)
    return blocks


def render_markdown(report: Report) -> str:
    """The report as one GitHub-flavoured Markdown document."""
    blocks = [f"# {escape(report.title, block=True)}", _facts(title_block(report))]
    strong, rest = internal_notice(report)
    if strong:
        blocks.append(f"> **{escape(strong)}** {escape(rest)}")
    blocks += _overview(report)
    blocks += _charts(report)
    for lab in report.labs:
        blocks += _lab(lab)
    return "\n\n".join(blocks) + "\n"
