"""Template filters available in every template (registered as a builtin in settings)."""

from __future__ import annotations

import datetime
import html
import re
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django import template
from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reallabor.core.markdown import render_markdown

register = template.Library()

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    return render_markdown(text)


@register.filter(name="eur")
def eur(value: Any) -> str:
    """An amount in euros as the current language writes it: 15.000,00 € (German)."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    return f"{number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)}\u00a0€"


def _short_date(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


@register.simple_tag(name="period")
def period(start: datetime.date | None, end: datetime.date | None) -> str:
    """A date or period: 01.10.2020 – 30.06.2022, "since 01.10.2020", "until 30.06.2022"."""
    if start and end:
        if start == end:
            return _short_date(start)
        return f"{_short_date(start)} – {_short_date(end)}"
    if start:
        return _("since %(date)s") % {"date": _short_date(start)}
    if end:
        return _("until %(date)s") % {"date": _short_date(end)}
    return ""


@register.filter(name="having")
def having(items: Any, attribute: str) -> list[Any]:
    """The items whose ``attribute`` is set (not empty): ``rows|having:"added_value"``."""
    return [item for item in items or () if getattr(item, attribute, None)]


@register.filter(name="web_url")
def web_url(value: str | None) -> str:
    """The URL if it is a web or mail address, else "" (never a javascript: or data: link)."""
    if not value:
        return ""
    scheme = value.strip().split(":", 1)[0].lower() if ":" in value else ""
    return value.strip() if scheme in {"http", "https", "mailto"} else ""


@register.filter(name="filename")
def filename(value: str | None) -> str:
    """The last part of a stored file's name (without its directories)."""
    return PurePath((value or "").replace("\\", "/")).name


def _escape(value: Any) -> str:
    """Like Django's ``conditional_escape`` without its lazy-string wrapper (hot loops call it)."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _swatch_html(colour: str | None) -> str:
    if not colour or not _COLOUR.match(colour):
        return ""
    return (
        '<svg class="swatch" aria-hidden="true" focusable="false" viewBox="0 0 1 1">'
        f'<rect width="1" height="1" fill="{colour}"/></svg>'
    )


@register.filter(name="swatch")
def swatch(colour: str | None) -> SafeString:
    """A small decorative colour square (SVG: the Content Security Policy forbids style attributes).

    The colour is never the only carrier of meaning: the text next to it names the term.
    """
    return mark_safe(_swatch_html(colour))  # the colour is checked against #rrggbb


@register.filter(name="tag_list")
def tag_list(tags: Any, variant: str = "") -> SafeString:
    """A list of tags as in the seed documents, each with its colour swatch (SDGs: the goal's colour).

    ``tags`` are ``labs.selectors.TagItem`` objects or ``Tag`` instances (with their terms);
    ``variant`` "stacked" puts one tag per line. Built in Python: lists of hundreds of measures
    render it once per measure.
    """
    if not tags:
        return mark_safe("")
    items = []
    for tag in tags:
        colour = tag.colour if hasattr(tag, "colour") else tag.term.colour
        items.append(f'<li class="tag">{_swatch_html(colour)}<span>{_escape(tag.display)}</span></li>')
    css = "tag-list tag-list--stacked" if variant == "stacked" else "tag-list"
    return mark_safe(f'<ul class="{css}">{"".join(items)}</ul>')  # every part is escaped


@register.filter(name="draft_link")
def draft_link(obj: Any, url: str | None = None) -> SafeString:
    """A link to ``obj`` named by ``str(obj)``, with a "Draft" badge when the object is not published.

    The URL is ``url``, else ``obj.url`` (set by ``labs.selectors.prepare_measures``), else
    ``obj.get_absolute_url()``.
    """
    if obj is None:
        return mark_safe("")
    url = url or getattr(obj, "url", None) or obj.get_absolute_url()
    link = f'<a href="{_escape(url)}">{_escape(obj)}</a>'
    if getattr(obj, "is_published", True) is False:
        link += f' <span class="badge badge--draft">{_escape(_("Draft"))}</span>'
    return mark_safe(link)  # every part is escaped


@register.simple_tag(name="select_options")
def select_options(choices: Any, selected: Any = "") -> SafeString:
    """The <option> elements of a select, from (value, label) pairs; ``selected`` is marked."""
    selected = "" if selected is None else str(selected)
    options = [
        f'<option value="{_escape(value)}"{" selected" if str(value) == selected else ""}>{_escape(label)}</option>'
        for value, label in choices
    ]
    return mark_safe("".join(options))  # every part is escaped


@register.simple_tag(name="field")
def field_tag(field: Any) -> SafeString:
    """``{% field form.name %}``: the field as ``includes/field.html`` writes it, rendered in
    Python (``reallabor.core.widgets.render_field``) for long filter forms."""
    from reallabor.core.widgets import render_field

    return render_field(field)
