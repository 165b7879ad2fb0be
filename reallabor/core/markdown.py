"""Markdown to safe HTML: CommonMark without raw HTML, then sanitised by an allow-list."""

from functools import lru_cache

import nh3
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=4096)
def _render(text: str) -> str:
    html = _md.render(text)
    # Headings start at level 2: level 1 is the page title.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str | None) -> SafeString:
    if not text:
        return mark_safe("")
    return mark_safe(_render(text))


def plain_paragraphs(text: str) -> SafeString:
    return format_html_join("", "<p>{}</p>", ((p,) for p in text.split("\n\n") if p.strip()))
