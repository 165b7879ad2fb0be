"""Background tasks of accounts, run through Django's tasks API (the worker is `reallabor worker`)."""

from __future__ import annotations

import logging

from django.core.mail import EmailMultiAlternatives
from django.tasks import task

logger = logging.getLogger(__name__)


@task
def send_email(
    *, subject: str, body: str, to: list[str], html_body: str = "", from_email: str | None = None
) -> int:
    """Send one e-mail that was rendered by the caller (in the recipient's language).

    The arguments are plain strings so that the task can be stored as JSON by the database
    backend. Returns the number of messages sent; an SMTP error fails the task, so it shows up
    as FAILED in the task results instead of vanishing.
    """
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    sent = message.send()
    logger.info("email sent task=send_email recipients=%d", len(to))
    return sent
