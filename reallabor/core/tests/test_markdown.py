"""core.markdown: normal Markdown works, nothing that could run script survives."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reallabor.core.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, plain_paragraphs, render_markdown


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = TagCollector()
    parser.feed(html)
    parser.close()
    return parser.tags


def assert_safe(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<style" not in lowered
    assert "<iframe" not in lowered
    for tag, attrs in tags_of(html):
        assert tag in ALLOWED_TAGS, tag
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        assert set(attrs) <= allowed, (tag, attrs)
        href = (attrs.get("href") or "").strip().lower()
        assert not href.startswith(("javascript:", "data:", "vbscript:", "file:")), href
        if ":" in href.split("/")[0]:
            assert href.split(":")[0] in {"http", "https", "mailto"}, href


# Normal Markdown ------------------------------------------------------------------------------


def test_emphasis_lists_and_links() -> None:
    html = render_markdown(
        "Text mit *Betonung* und **Nachdruck**.\n\n- eins\n- zwei\n\n1. erstens\n\n"
        '[Fairtrade Bottrop](https://www.bottrop.de/fairtrade "Mehr")'
    )
    assert isinstance(html, SafeString)
    assert html == (
        "<p>Text mit <em>Betonung</em> und <strong>Nachdruck</strong>.</p>\n"
        "<ul>\n<li>eins</li>\n<li>zwei</li>\n</ul>\n<ol>\n<li>erstens</li>\n</ol>\n"
        '<p><a href="https://www.bottrop.de/fairtrade" title="Mehr" rel="noopener noreferrer nofollow">'
        "Fairtrade Bottrop</a></p>\n"
    )


def test_headings_start_at_level_two() -> None:
    assert render_markdown("# Hintergrund\n\n## Ziele\n\n### Wege") == (
        "<h2>Hintergrund</h2>\n<h2>Ziele</h2>\n<h3>Wege</h3>\n"
    )


def test_quotes_code_rules_and_tables() -> None:
    html = render_markdown("> Zitat\n\n`code`\n\n---\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<blockquote>\n<p>Zitat</p>\n</blockquote>" in html
    assert "<p><code>code</code></p>" in html
    assert "<hr>" in html or "<hr />" in html
    assert "<table>" in html and "<td>1</td>" in html


def test_mail_and_relative_links_are_kept() -> None:
    assert 'href="mailto:wifoe@bottrop.de"' in render_markdown("[Mail](mailto:wifoe@bottrop.de)")
    assert 'href="/labs/"' in render_markdown("[Labore](/labs/)")


def test_empty_input_renders_nothing() -> None:
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


def test_the_template_filter_renders_markdown() -> None:
    html = Template("{% load reallabor %}{{ text|markdown }}").render(Context({"text": "*hallo* <b>x</b>"}))
    assert html == "<p><em>hallo</em> &lt;b&gt;x&lt;/b&gt;</p>\n"


def test_plain_paragraphs_escape_text() -> None:
    assert plain_paragraphs("eins\n\n<b>zwei</b>\n\n  ") == "<p>eins</p><p>&lt;b&gt;zwei&lt;/b&gt;</p>"


# Nothing dangerous survives -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)" onclick="alert(2)">klick</a>',
        '<div onmouseover="alert(1)">x</div>',
        "<iframe src='https://evil.example'></iframe>",
        "<style>body{display:none}</style>",
        "[klick](javascript:alert(1))",
        "[klick](JaVaScRiPt:alert(1))",
        "[klick](  javascript:alert(1))",
        "[klick](&#106;avascript:alert(1))",
        "[klick](java\tscript:alert(1))",
        "[klick](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[klick](vbscript:msgbox)",
        "[klick][ref]\n\n[ref]: javascript:alert(1)",
        "<javascript:alert(1)>",
        "![bild](javascript:alert(1))",
        '![bild](https://evil.example/x.png "onerror=alert(1)")',
        "<!-- <script>alert(1)</script> -->",
        "<svg onload=alert(1)>",
        "```html\n<script>alert(1)</script>\n```",
    ],
)
def test_script_event_handlers_dangerous_links_and_raw_html_never_survive(text: str) -> None:
    html = render_markdown(text)
    assert_safe(html)
    assert "onerror=" not in html.split("&lt;")[0]
    assert not any(tag in {"script", "img", "iframe", "svg", "div", "style"} for tag, _attrs in tags_of(html))


def test_raw_html_is_shown_as_text() -> None:
    assert render_markdown("<b>fett</b>") == "<p>&lt;b&gt;fett&lt;/b&gt;</p>\n"
    assert render_markdown("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"


def test_a_dangerous_link_is_not_a_link() -> None:
    html = render_markdown("[klick](javascript:alert(1))")
    assert "<a" not in html
    assert tags_of(html) == [("p", {})]


FRAGMENTS = [
    "<script>",
    "</script>",
    "<scr",
    "ipt>",
    "javascript:",
    "JaVaScRiPt:",
    "&#106;",
    "&#x6A;",
    "java\tscript:",
    "data:text/html,",
    "vbscript:",
    "[",
    "](",
    ")",
    "![",
    "<",
    ">",
    '"',
    "'",
    " onerror=",
    " onclick=",
    "alert(1)",
    "<a href=",
    "<img src=x",
    "\n\n",
    "# ",
    "* ",
    "`",
    "```\n",
    "[ref]: ",
    "<",
    "http://",
    "mailto:",
    "&",
    ";",
]
markdown_texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=30).map(
    "".join
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdown_texts)
def test_for_any_text_the_output_is_safe(text: str) -> None:
    html = render_markdown(text)
    assert "<script" not in html.lower()
    for tag, attrs in tags_of(html):
        if tag == "a":
            assert not (attrs.get("href") or "").strip().lower().startswith("javascript:")
    assert_safe(html)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_for_any_unicode_text_the_output_is_safe(text: str) -> None:
    assert_safe(render_markdown(text))
