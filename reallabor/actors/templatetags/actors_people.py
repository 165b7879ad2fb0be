"""Panels of the people area (placeholder until the people area fills them in)."""

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def organisation_people(context: dict[str, Any], organisation: Any) -> str:
    return ""


@register.simple_tag(takes_context=True)
def relationships_panel(context: dict[str, Any], obj: Any) -> str:
    return ""
