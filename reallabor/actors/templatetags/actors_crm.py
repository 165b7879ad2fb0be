"""Panels of the interactions area (placeholder until the interactions area fills them in)."""

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def needs_panel(context: dict[str, Any], obj: Any) -> str:
    return ""


@register.simple_tag(takes_context=True)
def timeline_panel(context: dict[str, Any], obj: Any) -> str:
    return ""
