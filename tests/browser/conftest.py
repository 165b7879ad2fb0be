"""Fixtures of the browser tests: one Chromium per session, a fresh context per test, the live
server with the Bottrop demo portfolio and one user per role.

The server is pytest-django's ``live_server`` (one per test process, also per xdist worker). It
needs the transactional database: each test starts from the migrated database (restored from its
serialised copy, so the SDG vocabulary of the data migration is there), adds the demo portfolio
(loaded through the services once per process, then restored from a snapshot) and leaves an empty
database behind, which the hook at the end refills for whatever kind of test runs next.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    expect,
    sync_playwright,
)
from pytest_django import DjangoDbBlocker
from pytest_django.live_server_helper import LiveServer

from reallabor.accounts.models import User
from reallabor.labs.models import Lab, LabMembership
from tests.browser.support import Site, sign_in

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)  # a busy CI machine is slow; a failing check still fails
ROLE_EMAILS = {
    "reader": "reader@example.org",
    "partner": "partner@example.org",
    "coordinator": "coordinator@example.org",
    "administrator": "admin@example.org",
    "outsider": "outsider@example.org",
}
"""One user per role, as in the root conftest: the partner is a partner of »Hybride Formen des
Handels«, the coordinator coordinates »Digitale Koproduktion im Handwerk«, the outsider is a member
of no lab."""


def _chromium_path() -> str:
    """Debian's Chromium (``apt install chromium``); Playwright's own browsers are not downloaded."""
    candidates = [
        os.environ.get("REALLABOR_CHROMIUM", ""),
        "/usr/bin/chromium",
        shutil.which("chromium") or "",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail("Chromium not found: install it with `apt-get install chromium` (or set REALLABOR_CHROMIUM).")


# --- the browser ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's sync API, started once.

    It leaves its asyncio loop marked as running in this thread. Django then looks its database
    connections up in per-context storage instead of the thread's, and would hand the tests new
    connection objects: without the test database's serialised contents, and different from the
    ones the live server shares. So the thread's connections are carried over.
    """
    thread_connections = {alias: connections[alias] for alias in connections}
    manager = sync_playwright().start()
    for alias, connection in thread_connections.items():
        connections[alias] = connection
    yield manager
    manager.stop()


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=_chromium_path(), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


# --- the site ------------------------------------------------------------------------------------------


def _load_portfolio() -> None:
    """The Bottrop demo portfolio plus one user per role (password ``support.PASSWORD``)."""
    from reallabor.core.demo import bottrop
    from reallabor.core.testing.factories import UserFactory, add_member

    bottrop.load()
    for role, email in ROLE_EMAILS.items():
        global_role = {"reader": User.Role.READER, "administrator": User.Role.ADMINISTRATOR}.get(
            role, User.Role.MEMBER
        )
        UserFactory(role=global_role, email=email)
    handel = Lab.objects.get(slug="hybride-formen-des-handels")
    handwerk = Lab.objects.get(slug="digitale-koproduktion-im-handwerk")
    add_member(handel, User.objects.get(email=ROLE_EMAILS["partner"]), LabMembership.Role.PARTNER)
    add_member(handwerk, User.objects.get(email=ROLE_EMAILS["coordinator"]), LabMembership.Role.COORDINATOR)


def _changed_rows(base: str, full: str) -> str:
    """The serialised rows of ``full`` that are new or different compared with ``base``."""
    known = {(row["model"], json.dumps(row["pk"])): row for row in json.loads(base)}
    rows = [row for row in json.loads(full) if known.get((row["model"], json.dumps(row["pk"]))) != row]
    return json.dumps(rows)


@pytest.fixture(scope="session")
def portfolio_snapshot(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> str:
    """The rows the demo portfolio adds to the migrated database, serialised once per test process.

    Loading the portfolio through the services takes a while; restoring its rows is quicker.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    base = getattr(connection, "_test_serialized_contents", None)
    assert base, "the test database was not serialised (the site fixture asks for serialized rollback)"
    with django_db_blocker.unblock(), transaction.atomic():
        connection.creation.deserialize_db_from_string(base)  # whatever ran before, start as migrated
        _load_portfolio()
        full = connection.creation.serialize_db_to_string()
        transaction.set_rollback(True)
    return _changed_rows(base, full)


@pytest.fixture
def site(
    portfolio_snapshot: str,
    live_server: LiveServer,
    transactional_db: None,
    django_db_serialized_rollback: None,
) -> Site:
    """The live server with the demo portfolio, fresh for each test (transactional database:
    the server's thread sees what the test writes and the other way round)."""
    connections[DEFAULT_DB_ALIAS].creation.deserialize_db_from_string(portfolio_snapshot)
    users: dict[str, User | None] = {"anonymous": None}
    users.update(_users_by_role())
    return Site(
        url=live_server.url,
        handel=Lab.objects.get(slug="hybride-formen-des-handels"),
        handwerk=Lab.objects.get(slug="digitale-koproduktion-im-handwerk"),
        fachkraefte=Lab.objects.get(slug="fachkraeftesicherung"),
        users=users,
    )


def _users_by_role() -> dict[str, User]:
    by_email = {user.email: user for user in User.objects.filter(email__in=ROLE_EMAILS.values())}
    return {role: by_email[email] for role, email in ROLE_EMAILS.items()}


# --- pages ---------------------------------------------------------------------------------------------


@dataclass
class PageFactory:
    """Opens pages in fresh browser contexts (own cookies, own storage) and closes them afterwards."""

    browser: Browser
    site: Site
    contexts: list[BrowserContext] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def __call__(
        self,
        *,
        role: str = "anonymous",
        viewport: dict[str, int] | None = None,
        bypass_csp: bool = False,
        javascript: bool = True,
    ) -> Page:
        """A page at the live server, German browser, signed in as ``role`` (by session cookie).

        ``javascript=False`` checks that a page works without scripts (htmx only improves it).
        ``bypass_csp`` is for axe-core runs only: its script is injected inline, which the
        Content Security Policy rightly forbids. Everywhere else the policy applies, and a page
        that breaks it fails the test.
        """
        context = self.browser.new_context(
            base_url=self.site.url,
            viewport=viewport or DESKTOP,  # type: ignore[arg-type]
            locale="de-DE",
            timezone_id="Europe/Berlin",
            bypass_csp=bypass_csp,
            java_script_enabled=javascript,
        )
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        if role != "anonymous":
            sign_in(context, self.site.user(role), self.site.url)
        page = context.new_page()
        if not bypass_csp:
            page.on("console", self._watch_console)
        return page

    def _watch_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_violations.append(f"{message.location.get('url', '')}: {message.text}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def new_page(browser: Browser, site: Site) -> Iterator[Callable[..., Page]]:
    factory = PageFactory(browser=browser, site=site)
    yield factory
    factory.close()
    assert not factory.csp_violations, "The page broke the Content Security Policy:\n" + "\n".join(
        factory.csp_violations
    )


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """An anonymous visitor's page on a desktop screen (1280×900)."""
    return new_page()


@pytest.fixture
def phone_page(new_page: Callable[..., Page]) -> Page:
    """An anonymous visitor's page on a phone (360×740)."""
    return new_page(viewport=PHONE)


@pytest.fixture
def axe_page(new_page: Callable[..., Page]) -> Page:
    """An anonymous visitor's page that lets axe-core be injected."""
    return new_page(bypass_csp=True)


# --- leave the database as the migrations made it ----------------------------------------------------

_blocker_key = pytest.StashKey[DjangoDbBlocker]()


@pytest.fixture(autouse=True)
def _remember_db_blocker(request: pytest.FixtureRequest, django_db_blocker: DjangoDbBlocker) -> None:
    request.node.stash[_blocker_key] = django_db_blocker


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After the last browser test before another kind of test, restore the migrated data.

    A transactional test ends with an emptied database; the SDG vocabulary and the other data of
    the migrations would be missing for ordinary tests that the same process runs next.
    """
    yield
    here = Path(__file__).parent
    if nextitem is None or here in Path(nextitem.path).parents:
        return
    blocker = item.stash.get(_blocker_key, None)
    connection = connections["default"]
    contents = getattr(connection, "_test_serialized_contents", None)
    if blocker is None or not contents:
        return
    with blocker.unblock():
        connection.creation.deserialize_db_from_string(contents)
