"""Template filters of accounts."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timeuntil

register = template.Library()


@register.filter
def wait_time(value: timedelta | None) -> str:
    """A waiting time in words and in the active language, e.g. »15 minutes« or »1 hour«."""
    if not value:
        return ""
    now = timezone.now()
    return timeuntil(now + value, now, depth=2)
