"""The content version (``core.cache.content_version``): read once per request, read again after
a change in the same request, read every time outside a request (worker, command line)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import Portfolio
from reallabor.core.cache import content_changed, content_version
from reallabor.core.models import ContentVersion
from reallabor.core.testing.actors import make_crm
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db

ORGANISATIONS = reverse("organisations:organisation-list")


def version_queries(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in queries.captured_queries if "core_contentversion" in query["sql"]]


def another_process_changes_the_content() -> None:
    """What a write in another process does to this one's database: the counter goes up."""
    if not ContentVersion.objects.filter(pk=1).update(value=F("value") + 1):
        ContentVersion.objects.create(pk=1, value=1)


def start_request() -> None:
    """The signal a request sends before the view (as the WSGI handler does; like Django's test
    client without closing the database connection, which holds the test's transaction)."""
    request_started.disconnect(close_old_connections)
    try:
        request_started.send(sender=None, environ={})
    finally:
        request_started.connect(close_old_connections)


def finish_request() -> None:
    request_finished.disconnect(close_old_connections)
    try:
        request_finished.send(sender=None)
    finally:
        request_finished.connect(close_old_connections)


@pytest.fixture
def in_request() -> Iterator[None]:
    start_request()
    try:
        yield
    finally:
        finish_request()


def get(client: Client, url: str, **query: str) -> tuple[Any, CaptureQueriesContext]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
    assert response.status_code == 200
    return response, queries


# Through the pages ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["anonymous", "outsider", "reader", "partner", "coordinator", "administrator"]
)
def test_the_organisation_list_reads_the_content_version_once(portfolio: Portfolio, role: str) -> None:
    client = portfolio.client(role)
    for _warm in range(2):  # a cold cache (everything built) and a warm one (everything cached)
        _response, queries = get(client, ORGANISATIONS)
        assert len(version_queries(queries)) == 1, version_queries(queries)
    _response, queries = get(client, ORGANISATIONS, q="Bottrop", kinds="company", page="2")
    assert len(version_queries(queries)) == 1
    _response, queries = get(client, ORGANISATIONS, labs="Hybride Formen des Handels")
    assert len(version_queries(queries)) == 1


@pytest.mark.parametrize(
    "url",
    [
        reverse("actors:person-list"),
        reverse("actors:interaction-list"),
        reverse("labs:portfolio"),
        reverse("labs:measure-list"),
    ],
)
def test_other_list_pages_read_the_content_version_at_most_once(portfolio: Portfolio, url: str) -> None:
    make_crm(portfolio)
    for role in ("administrator", "anonymous", "reader"):
        client = portfolio.client(role)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        assert len(version_queries(queries)) <= 1, (role, version_queries(queries))


def test_a_change_by_another_process_is_seen_by_the_next_request(portfolio: Portfolio) -> None:
    """The districts of the filter are cached until the content changes: a district added without
    telling the cache stays unseen until the version goes up, then the next request shows it."""
    client = portfolio.client("anonymous")
    first, _queries = get(client, ORGANISATIONS)
    assert "Fuhlenbrock" not in first.content.decode()
    Organisation.objects.create(
        name="Bäckerei im Fuhlenbrock", slug="baeckerei-fuhlenbrock", kind="company", district="Fuhlenbrock"
    )
    unchanged, _queries = get(client, ORGANISATIONS)
    assert '<option value="Fuhlenbrock">' not in unchanged.content.decode()  # the cached choices
    another_process_changes_the_content()
    changed, queries = get(client, ORGANISATIONS)
    assert '<option value="Fuhlenbrock">Fuhlenbrock</option>' in changed.content.decode()
    assert len(version_queries(queries)) == 1


def test_a_write_through_the_pages_is_seen_by_the_next_request(portfolio: Portfolio) -> None:
    client = portfolio.client("administrator")
    get(client, ORGANISATIONS)
    before = content_version()
    response = client.post(
        reverse("organisations:organisation-create"),
        {"name": "Kiosk am Berliner Platz", "kind": "company", "district": "Stadtmitte"},
    )
    assert response.status_code == 302, response.context["form"].errors
    assert content_version() > before
    after, _queries = get(client, ORGANISATIONS)
    assert '<option value="Stadtmitte">Stadtmitte</option>' in after.content.decode()


# The rules themselves -------------------------------------------------------------------------------------


def test_outside_a_request_every_call_reads_the_database(db: None) -> None:
    first = content_version()
    another_process_changes_the_content()
    assert content_version() == first + 1
    another_process_changes_the_content()
    with CaptureQueriesContext(connection) as queries:
        assert content_version() == first + 2
        assert content_version() == first + 2
    assert len(version_queries(queries)) == 2


def test_without_any_change_yet_the_version_is_zero(db: None) -> None:
    assert not ContentVersion.objects.exists()
    assert content_version() == 0
    content_changed()
    assert content_version() == 1
    content_changed()
    assert content_version() == 2


def test_in_a_request_the_version_is_read_once(db: None, in_request: None) -> None:
    another_process_changes_the_content()
    with CaptureQueriesContext(connection) as queries:
        first = content_version()
        assert [content_version() for _ in range(5)] == [first] * 5
    assert len(version_queries(queries)) == 1
    another_process_changes_the_content()
    assert content_version() == first  # the request goes on with what it read


def test_in_a_request_the_version_is_read_once_even_when_it_is_zero(db: None, in_request: None) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert [content_version() for _ in range(3)] == [0, 0, 0]
    assert len(version_queries(queries)) == 1


def test_a_change_in_the_request_is_read_again(db: None, in_request: None) -> None:
    first = content_version()
    another_process_changes_the_content()  # unseen by this request …
    assert content_version() == first
    content_changed()  # … until it changes the content itself: then it reads the counter again
    assert content_version() == first + 2
    with CaptureQueriesContext(connection) as queries:
        assert content_version() == first + 2
    assert version_queries(queries) == []


def test_a_change_before_the_first_read_of_a_request(db: None, in_request: None) -> None:
    content_changed()
    assert content_version() == 1
    content_changed()
    content_changed()
    assert content_version() == 3


def test_the_next_request_reads_again(db: None) -> None:
    start_request()
    first = content_version()
    finish_request()
    another_process_changes_the_content()
    assert content_version() == first + 1  # between requests: read every time
    start_request()
    try:
        assert content_version() == first + 1
        another_process_changes_the_content()
        assert content_version() == first + 1
    finally:
        finish_request()
    assert content_version() == first + 2
