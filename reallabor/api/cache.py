"""Server-side cache of API read responses for viewers who all see the same data.

Anonymous requests and signed-in readers without lab memberships (``core.cache.cache_scope``)
get a cached copy of a successful GET response, keyed on the content version, the language and
the full path. Requests with an ``Authorization`` header (scripts with tokens) and everybody who
may edit are answered fresh. Any write through the services makes all entries stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from reallabor.core.cache import TIMEOUT, cache_scope, content_version

PREFIX = "/api/v1/"
UNCACHED = ("/api/v1/docs", "/api/v1/openapi.json", "/api/v1/registrations/by-token/")


class ApiReadCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method != "GET"
            or not request.path.startswith(PREFIX)
            or request.path.startswith(UNCACHED)
            or "HTTP_AUTHORIZATION" in request.META
        ):
            return self.get_response(request)
        scope = cache_scope(request.user)
        if scope is None:
            return self.get_response(request)
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        key = f"api:{scope}:{get_language()}:{content_version()}:{digest}"
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            return HttpResponse(content, content_type=content_type)
        response = self.get_response(request)
        if response.status_code == 200 and not response.streaming:
            cache.set(key, (response.content, response["Content-Type"]), TIMEOUT)
        return response
