"""The fragment and API caches: shared only by viewers who see the same, stale after any write."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reallabor.core.cache import cache_scope, content_version
from reallabor.labs import services

pytestmark = pytest.mark.django_db

API_LIST = "/api/v1/measures?limit=50"


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    return response, len(queries)


def test_scopes(portfolio):
    users = portfolio.users
    assert cache_scope(users["anonymous"]) == "public"
    assert cache_scope(users["outsider"]) == "public"
    assert cache_scope(users["reader"]) == "reader"
    assert cache_scope(users["partner"]) is None
    assert cache_scope(users["coordinator"]) is None
    assert cache_scope(users["administrator"]) is None


def test_every_write_through_the_services_changes_the_content_version(portfolio):
    before = content_version()
    measure = portfolio.handel.measures.first()
    services.update_measure(user=None, measure=measure, data={"title": "Neuer Titel"})
    after_update = content_version()
    services.move_measure(user=None, measure=measure, offset=1)
    assert before < after_update < content_version()


def test_api_list_is_served_from_the_cache_until_content_changes(portfolio):
    client = portfolio.client("anonymous")
    first, first_queries = _get(client, API_LIST)
    second, second_queries = _get(client, API_LIST)
    assert second.content == first.content
    assert second_queries < first_queries

    measure = portfolio.handel.measures.get(slug="hallobot")
    services.update_measure(user=None, measure=measure, data={"title": "HalloBot neu"})
    third, _ = _get(client, API_LIST)
    assert b"HalloBot neu" in third.content
    assert b"HalloBot neu" not in first.content


def test_api_cache_separates_public_and_reader(portfolio):
    services.update_measure(
        user=None, measure=portfolio.handel.measures.get(slug="hallobot"), data={"is_published": False}
    )
    public, _ = _get(portfolio.client("anonymous"), API_LIST)
    reader, _ = _get(portfolio.client("reader"), API_LIST)
    public_again, _ = _get(portfolio.client("anonymous"), API_LIST)
    assert b"hallobot" not in public.content
    assert b"hallobot" in reader.content
    assert public_again.content == public.content


def test_editors_and_token_requests_are_never_cached(portfolio):
    client = portfolio.client("partner")
    _, first = _get(client, API_LIST)
    _, second = _get(client, API_LIST)
    assert first == second
