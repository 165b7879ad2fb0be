"""Caching rendered page fragments, keyed on the content version.

Every write through the services calls ``content_changed()`` (``history.record_version`` does so
for all recorded changes), which increases one counter in the database. A cached fragment's key
holds that counter, the language, the request's path and query and the viewer's *scope*, so a
change of any content makes every fragment stale, and two viewers share a fragment only where
they would see exactly the same thing:

- ``public``: anonymous visitors and signed-in members of no lab (they see published content
  and no edit controls);
- ``reader``: readers without lab memberships (they see drafts, no edit controls);
- everybody else (administrators, coordinators, partners) gets fresh renders: their pages
  carry edit controls and CSRF tokens.

Fragments never contain a CSRF token: forms that post live outside them or are only rendered
for users whose pages are not cached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from asgiref.local import Local
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db.models import F
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from reallabor.core.models import ContentVersion

TIMEOUT = 60 * 60


_request = Local()
"""The content version as read once in the current request (``version``; absent outside one)."""


def _request_started(**kwargs: Any) -> None:
    _request.version = None


def _request_finished(**kwargs: Any) -> None:
    if hasattr(_request, "version"):
        del _request.version


request_started.connect(_request_started, dispatch_uid="reallabor-content-version")
request_finished.connect(_request_finished, dispatch_uid="reallabor-content-version")


def content_changed() -> None:
    """Call inside the writing transaction: every cached fragment becomes stale."""
    if not ContentVersion.objects.filter(pk=1).update(value=F("value") + 1):
        ContentVersion.objects.create(pk=1, value=1)
    if getattr(_request, "version", None) is not None:
        _request.version = None


# Further counters in the same table, for data whose readers need not go stale with every change
# of content (``counter_changed``/``counter_value``): the row's primary key.
CHECK_RESULTS = 2  # the check's stored results, recommendations and uptakes (the office's dashboard)


def counter_changed(counter: int) -> None:
    """Call inside the writing transaction: what is kept under ``counter`` becomes stale."""
    if not ContentVersion.objects.filter(pk=counter).update(value=F("value") + 1):
        ContentVersion.objects.create(pk=counter, value=1)


def counter_value(counter: int) -> int:
    """The counter's value now (one query)."""
    return ContentVersion.objects.filter(pk=counter).values_list("value", flat=True).first() or 0


def content_version() -> int:
    """The counter of content changes: read once per request (a page asks for it for each of its
    cached parts), every time outside a request (a worker, the CLI)."""
    cached = getattr(_request, "version", None)
    if cached is not None:
        return int(cached)
    value = ContentVersion.objects.filter(pk=1).values_list("value", flat=True).first() or 0
    if hasattr(_request, "version"):
        _request.version = value
    return value


def cached_by_content[T](key: str, build: Callable[[], T], *, version: int | None = None) -> T:
    """``build()``, kept until any content changes (and per language: labels are translated).

    For data that many requests need and that changes only with the content, such as the choices
    of the list filters (vocabularies, districts, labs). ``key`` names the data and everything it
    depends on besides the content and the language (for example the user's id). ``version``
    replaces the content version for data that follows a counter of its own (``counter_value``).
    """
    kept_under = content_version() if version is None else f"own{version}"
    full_key = f"data:{key}:{get_language()}:{kept_under}"
    value = cache.get(full_key)
    if value is None:
        value = build()
        cache.set(full_key, value, TIMEOUT)
    return value


def cache_scope(user: Any) -> str | None:
    """The group of viewers who see the same fragments, or None where nothing is cached."""
    if user is None or not user.is_authenticated:
        return "public"
    if not user.is_active:
        return "public"
    from reallabor.labs.permissions import lab_roles

    if user.is_administrator or lab_roles(user):
        return None
    return "reader" if user.sees_all_internal else "public"


def cached_render(
    request: HttpRequest, template_name: str, build_context: Callable[[], dict[str, Any]], *, key: str = ""
) -> SafeString:
    """Render ``template_name`` (usually a partial, "page.html#main") through the fragment cache.

    ``build_context`` runs only on a miss, so the queries it makes are saved on a hit.
    """
    scope = cache_scope(request.user)
    if scope is None:
        return mark_safe(render_to_string(template_name, build_context(), request=request))
    digest = hashlib.sha256(f"{request.get_full_path()}|{key}".encode()).hexdigest()[:32]
    cache_key = f"fragment:{template_name}:{scope}:{get_language()}:{content_version()}:{digest}"
    html = cache.get(cache_key)
    if html is None:
        html = render_to_string(template_name, build_context(), request=request)
        cache.set(cache_key, html, TIMEOUT)
    return mark_safe(html)
