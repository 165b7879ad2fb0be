"""Panels of the privacy area for other pages.

``{% load actors_privacy %}``

- ``{% consent_panel person %}``: the person's consent per purpose (valid since, source, the text
  version agreed to with its wording, expiry; withdrawn; none), the history, a form to record a
  consent and buttons to withdraw one (htmx swaps the panel in place), and the data-protection
  actions (JSON export; anonymise and erase for administrators). The office only: nothing for
  anybody else.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from reallabor.actors.permissions import can_see_personal_data

register = template.Library()


@register.simple_tag(takes_context=True)
def consent_panel(context: Any, person: Any) -> SafeString:
    from reallabor.actors.views.privacy import PANEL_TEMPLATE, consent_panel_context

    request = context.get("request")
    user = getattr(request, "user", None)
    # No user at all must not count as the system (None), which sees everything.
    if user is None or person is None or not can_see_personal_data(user):
        return mark_safe("")
    return mark_safe(
        render_to_string(PANEL_TEMPLATE, consent_panel_context(request, person), request=request)
    )
