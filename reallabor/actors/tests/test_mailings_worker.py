"""The production task backend and its worker: real commits (a transactional test), the task
stored READY in the database until one run of django-tasks-db's ``db_worker --batch`` delivers
the mailing to a real SMTP server on the loopback interface."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.tasks import TaskResultStatus, task_backends
from django.test import override_settings
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoDbBlocker

from conftest import Portfolio
from reallabor.actors.models import Mailing, MailingRecipient
from reallabor.actors.services import mailings as services
from reallabor.actors.tests.test_mailings_send import Inbox, make_world, smtp_inbox  # noqa: F401 - a fixture
from reallabor.core.testing.actors import Crm


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(scope="module")
def refill_migrated_data(django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """A transactional test ends with an emptied database: put the migrated data (vocabularies,
    content types) back for whatever test runs next. Module scope: set up before, and torn down
    after, the test's transactional database."""
    yield
    connection = connections[DEFAULT_DB_ALIAS]
    contents = getattr(connection, "_test_serialized_contents", None)
    if contents:
        with django_db_blocker.unblock():
            connection.creation.deserialize_db_from_string(contents)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_database_worker_delivers_the_stored_task(
    refill_migrated_data: None,
    portfolio: Portfolio,
    crm: Crm,
    smtp_inbox: Inbox,  # noqa: F811
) -> None:
    assert isinstance(task_backends["default"], DatabaseBackend)
    world = make_world(portfolio, crm)
    assert services.send_mailing(user=portfolio.users["coordinator"], mailing=world.mailing) == 2

    # Committed: the recipients are frozen, the task waits in the database.
    stored = DBTaskResult.objects.get()
    assert stored.task_path == "reallabor.actors.tasks.deliver_mailing"
    assert stored.status == TaskResultStatus.READY
    assert MailingRecipient.objects.filter(mailing=world.mailing, status="queued").count() == 2
    assert smtp_inbox.messages == []

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    assert sorted(smtp_inbox.recipients) == [["anna@tischlerei-beispiel.example"], ["dora@modehaus.example"]]
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL
    world.mailing.refresh_from_db()
    assert world.mailing.status == Mailing.Status.SENT
    assert set(MailingRecipient.objects.filter(mailing=world.mailing).values_list("status", flat=True)) == {
        "sent"
    }
