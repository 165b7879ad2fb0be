"""The mailings panel for other pages.

``{% load actors_mailings %}``

- ``{% mailings_panel person %}``: the mailings the person received (or that were meant for them:
  sent, failed, skipped, waiting), newest first, with links to the mailings. The office only:
  nothing for anybody else.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from reallabor.actors.models import MailingRecipient
from reallabor.actors.permissions import can_see_personal_data

register = template.Library()

SHOWN = 20


@register.simple_tag(takes_context=True)
def mailings_panel(context: Any, person: Any) -> SafeString:
    request = context.get("request")
    user = getattr(request, "user", None)
    # No user at all must not count as the system (None), which sees everything.
    if (
        user is None
        or person is None
        or getattr(person, "pk", None) is None
        or not can_see_personal_data(user)
    ):
        return mark_safe("")
    rows = list(
        MailingRecipient.objects.filter(person=person)
        .select_related("mailing")
        .only("status", "sent_at", "error", "mailing__uuid", "mailing__subject", "mailing__queued_at")
        .order_by("-id")[: SHOWN + 1]
    )
    html = render_to_string(
        "actors/mailing_panel.html",
        {"rows": rows[:SHOWN], "more": len(rows) > SHOWN, "person": person},
        request=request,
    )
    return mark_safe(html)
