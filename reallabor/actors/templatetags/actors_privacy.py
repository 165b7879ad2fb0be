"""Panels of the privacy area (placeholder until the privacy area fills them in)."""

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def consent_panel(context: dict[str, Any], person: Any) -> str:
    return ""
