"""Password reset by e-mail: through the task queue, a real SMTP server, and django-tasks-db's worker."""

from __future__ import annotations

import email
import email.policy
import re
import socket
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.tasks import TaskResultStatus, task_backends
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoDbBlocker

from reallabor.accounts.models import User
from reallabor.accounts.tasks import send_email
from reallabor.accounts.tests.conftest import PASSWORD
from reallabor.core.testing.factories import UserFactory

RESET = reverse("accounts:password-reset")
NEW_PASSWORD = "Fahrradstrasse-2030"
LINK = re.compile(r"http://testserver(/konto/passwort-neu/[^/\s]+/[^/\s]+/)")

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


# --- a real SMTP server on the loopback interface ------------------------------------------------------


class Inbox:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.recipients.append(list(envelope.rcpt_tos))
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _smtp_settings(port: int) -> dict[str, Any]:
    backend = "django.core.mail.backends.smtp.EmailBackend"
    if hasattr(settings, "MAILERS"):  # Django 6.1's MAILERS, once the settings use it
        options = {"host": "127.0.0.1", "port": port, "timeout": 10}
        return {"MAILERS": {"default": {"BACKEND": backend, "OPTIONS": options}}}
    return {
        "EMAIL_BACKEND": backend,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 10,
    }


@pytest.fixture
def smtp_inbox() -> Iterator[Inbox]:
    """An SMTP server on 127.0.0.1 that Django's SMTP backend sends to for the test's duration."""
    inbox = Inbox()
    for _attempt in range(5):
        controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
        try:
            controller.start()
        except (OSError, RuntimeError):  # the port was taken in the meantime
            continue
        break
    else:
        pytest.fail("could not start the SMTP server on the loopback interface")
    try:
        with override_settings(**_smtp_settings(controller.port)):
            yield inbox
    finally:
        controller.stop()


def _text_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def _html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


# --- the journey ---------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:The EMAIL_:django.utils.deprecation.RemovedInDjango2028Warning")
def test_reset_by_email_over_smtp_end_to_end(
    client: Client,
    anna: User,
    smtp_inbox: Inbox,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    page = client.get(RESET)
    assert page.status_code == 200
    assert "Forgotten password" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(RESET, {"email": "Anna@Example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password-reset-done")
    # The e-mail is handed to the task queue only once the transaction has committed.
    assert len(callbacks) == 1
    assert smtp_inbox.messages == []
    callbacks[0]()

    assert len(smtp_inbox.messages) == 1
    message = smtp_inbox.messages[0]
    assert smtp_inbox.recipients == [["anna@example.org"]]
    assert message["To"] == "anna@example.org"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["Subject"] == f"Set a new password for the real-world labs {settings.CITY_NAME}"
    text = _text_part(message)
    assert "anna@example.org" in text
    assert settings.OFFICE_NAME in text
    match = LINK.search(text)
    assert match, text
    link = match.group(1)
    assert f'href="http://testserver{link}"' in _html_part(message)

    # Following the link: Django moves the token into the session and shows the form.
    response = client.get(link, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    assert form_url.endswith("/set-password/")
    assert "Set a new password" in response.content.decode()

    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password-reset-complete")
    assert "Your new password has been saved" in client.get(response["Location"]).content.decode()

    # The new password works, the old one no longer does, and the link is spent.
    response = client.post(
        reverse("accounts:login"), {"username": "anna@example.org", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(anna.pk)
    anna.refresh_from_db()
    assert not anna.check_password(PASSWORD)
    client.post(reverse("accounts:logout"))
    spent = client.get(link, follow=True)
    assert "This link has expired or was already used; request a new one." in spent.content.decode()


def test_unknown_address_gets_the_same_page_and_no_mail(
    client: Client, anna: User, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(RESET, {"email": "anna@example.org"}, follow=True)
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        unknown = client.post(RESET, {"email": "nobody@example.org"}, follow=True)
    assert callbacks == []
    assert len(mail.outbox) == 1
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("accounts:password-reset-done"), 302)]
    assert _main(known.content.decode()) == _main(unknown.content.decode())
    assert "If an account exists for the address you entered" in unknown.content.decode()


def _main(html: str) -> str:
    """The page's content (the rest differs by the masked CSRF token only)."""
    match = re.search(r"<main.*</main>", html, re.DOTALL)
    assert match
    return match.group(0)


def test_inactive_account_gets_no_mail(
    client: Client, anna: User, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    anna.is_active = False
    anna.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESET, {"email": "anna@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_account_without_password_sets_its_first_one(
    client: Client, db: None, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    user = UserFactory.create(email="new@example.org")
    user.set_unusable_password()
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESET, {"email": "new@example.org"})
    assert len(mail.outbox) == 1
    match = LINK.search(str(mail.outbox[0].body))
    assert match
    form = client.get(match.group(1), follow=True)
    form_url = form.redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_invalid_email_is_a_field_error(client: Client, db: None) -> None:
    response = client.post(RESET, {"email": "not an address"})
    assert response.status_code == 200
    assert 'class="field field--error"' in response.content.decode()
    assert mail.outbox == []


def test_weak_new_password_is_refused_with_a_reason(client: Client, anna: User) -> None:
    link = _link_for(anna)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "12345", "new_password2": "12345"})
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    anna.refresh_from_db()
    assert anna.check_password(PASSWORD)


def test_reset_lifts_a_lockout(client: Client, anna: User) -> None:
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("accounts:login"), {"username": "anna@example.org", "password": f"wrong-{attempt}"}
        )
    assert AccessAttempt.objects.filter(username="anna@example.org").exists()
    form_url = client.get(_link_for(anna), follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert not AccessAttempt.objects.exists()
    response = client.post(
        reverse("accounts:login"), {"username": "anna@example.org", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302


def _link_for(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:password-reset-confirm", kwargs={"uidb64": uid, "token": token})


# --- links that cannot be used -------------------------------------------------------------------------

EXPLANATION = "This link has expired or was already used; request a new one."


@pytest.mark.parametrize(
    "uidb64, token",
    [
        ("Mg", "bad-token"),  # an existing-looking user, a wrong token
        ("not-base64-at-all", "c3x5yz-0123456789abcdef"),
        ("MTIzNDU2Nzg5", "c3x5yz-0123456789abcdef"),  # no such user
        ("%FF%FE", "set-password"),  # the session step without a session
    ],
)
def test_a_broken_link_explains_itself(client: Client, anna: User, uidb64: str, token: str) -> None:
    response = client.get(f"/konto/passwort-neu/{uidb64}/{token}/", follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert EXPLANATION in html
    assert reverse("accounts:password-reset") in html
    assert 'name="new_password1"' not in html


def test_an_expired_link_explains_itself(client: Client, anna: User, settings: Any) -> None:
    link = _link_for(anna)
    settings.PASSWORD_RESET_TIMEOUT = -1  # every token is now past its time
    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert EXPLANATION in response.content.decode()


def test_posting_to_a_broken_link_changes_nothing(client: Client, anna: User) -> None:
    uid = urlsafe_base64_encode(force_bytes(anna.pk))
    url = reverse("accounts:password-reset-confirm", kwargs={"uidb64": uid, "token": "set-password"})
    response = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 200
    assert EXPLANATION in response.content.decode()
    anna.refresh_from_db()
    assert anna.check_password(PASSWORD)


# --- the production task backend and its worker --------------------------------------------------------


@pytest.fixture(scope="module")
def refill_migrated_data(django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """A transactional test ends with an emptied database (the SDG vocabulary and the content
    types of the migrations gone): put the migrated data back for whatever test runs next.

    Module scope: set up before, and torn down after, the test's transactional database."""
    yield
    connection = connections[DEFAULT_DB_ALIAS]
    contents = getattr(connection, "_test_serialized_contents", None)
    if contents:
        with django_db_blocker.unblock():
            connection.creation.deserialize_db_from_string(contents)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_database_backend_stores_the_mail_until_the_worker_sends_it(
    refill_migrated_data: None, client: Client
) -> None:
    """Real commits (transactional test): the request commits, the task waits READY in the
    database, and one run of `db_worker --batch` sends it."""
    UserFactory.create(email="anna@example.org")
    assert isinstance(task_backends["default"], DatabaseBackend)

    response = client.post(RESET, {"email": "anna@example.org"})
    assert response.status_code == 302

    stored = DBTaskResult.objects.get()
    assert stored.status == TaskResultStatus.READY
    assert stored.task_path == "reallabor.accounts.tasks.send_email"
    assert stored.args_kwargs["kwargs"]["to"] == ["anna@example.org"]
    assert mail.outbox == []

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["anna@example.org"]
    assert LINK.search(str(mail.outbox[0].body))
    result = send_email.get_result(str(stored.id))
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


def test_send_email_task_sends_text_and_html(db: None) -> None:
    result = send_email.enqueue(
        subject="Betreff", body="Text", html_body="<p>HTML</p>", to=["a@example.org"], from_email=None
    )
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert isinstance(sent, EmailMultiAlternatives)
    assert (sent.subject, sent.body, sent.to) == ("Betreff", "Text", ["a@example.org"])
    assert sent.alternatives[0][0] == "<p>HTML</p>"
