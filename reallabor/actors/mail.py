"""The e-mails of a mailing: one multipart message (plain text and HTML) per recipient.

Each message has a personal salutation, the Markdown body, the "Mehrwert" blocks that fit the
recipient (``services.mailings.added_value_blocks``), a footer with the office and the signed
unsubscribe link, and the headers ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` (RFC 2369,
RFC 8058: one-click unsubscribe from the mail client). The HTML part is inline-styled and loads
nothing from elsewhere. Links point at ``settings.BASE_URL`` (the worker has no request).
"""

from __future__ import annotations

import email.policy
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.headerregistry import HeaderRegistry
from email.policy import EmailPolicy
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from reallabor.actors.models import Mailing, Person, Purpose
from reallabor.actors.services.mailings import AddedValueBlock, added_value_blocks, unsubscribe_token
from reallabor.core.markdown import render_markdown

FEMALE = ("frau", "ms", "mrs", "miss")
MALE = ("herr", "mr")


@dataclass(frozen=True)
class Recipient:
    """Whom one message goes to, as plain data."""

    email: str
    salutation: str = ""
    first_name: str = ""
    last_name: str = ""
    person_uuid: uuid.UUID | None = None
    groups: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls, person: Person, *, email: str | None = None, groups: frozenset[str] = frozenset()
    ) -> Recipient:
        return cls(
            email=email if email is not None else person.email,
            salutation=person.salutation,
            first_name=person.first_name,
            last_name=person.last_name,
            person_uuid=person.uuid,
            groups=groups,
        )


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str
    unsubscribe_url: str


class UnfoldedHeader(str):
    """A header value written on one line as it is.

    Python's e-mail package folds a long unbroken value (a URL) into RFC 2047 encoded words,
    which mail clients do not read in ``List-Unsubscribe``; an URL list stays on one line
    (RFC 5322 allows up to 998 characters).
    """

    name: str

    def __new__(cls, name: str, value: str) -> UnfoldedHeader:
        header = super().__new__(cls, value)
        header.name = name
        return header

    def __reduce__(self) -> tuple[Any, ...]:  # copies and pickles (the locmem backend deep-copies)
        return (UnfoldedHeader, (self.name, str(self)))

    def fold(self, *, policy: Any) -> str:
        return f"{self.name}: {self}{policy.linesep}"


class _ReusingHeaderRegistry(HeaderRegistry):
    """Python's header registry makes a new class for every header it parses, which costs a
    good part of building a message; this one makes one class per header name and reuses it."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        found = self._classes.get(key)
        if found is None:
            found = self._classes[key] = super().__getitem__(name)
        return found


_HEADERS = _ReusingHeaderRegistry()
_POLICIES: dict[int, tuple[EmailPolicy, EmailPolicy]] = {}


def _fast(policy: EmailPolicy) -> EmailPolicy:
    known = _POLICIES.get(id(policy))
    if known is None or known[0] is not policy:
        faster: EmailPolicy = policy.clone(header_factory=_HEADERS)
        known = _POLICIES[id(policy)] = (policy, faster)
    return known[1]


class MailingMessage(EmailMultiAlternatives):
    """A mailing's message: the same as Django's, built with the reusing header registry (thousands
    of messages in a row)."""

    def message(self, *, policy: Any = email.policy.default) -> Any:
        if isinstance(policy, EmailPolicy):
            policy = _fast(policy)
        return super().message(policy=policy)


def salutation_line(salutation: str, first_name: str, last_name: str) -> str:
    """„Sehr geehrte Frau Dr. Schreiner,“, „Sehr geehrter Herr Hobel,“ or „Guten Tag Anna Schreiner,“."""
    words = salutation.split()
    title = " ".join(words[1:])
    form = words[0].lower().rstrip(".") if words else ""
    if last_name and form in FEMALE:
        return _("Dear Ms %(name)s,") % {"name": " ".join(part for part in (title, last_name) if part)}
    if last_name and form in MALE:
        return _("Dear Mr %(name)s,") % {"name": " ".join(part for part in (title, last_name) if part)}
    prefix = "" if form in FEMALE + MALE else salutation.strip()  # e.g. "Dr."
    name = " ".join(part for part in (prefix, first_name, last_name) if part)
    if name:
        return _("Hello %(name)s,") % {"name": name}
    return _("Hello,")


def unsubscribe_url(token: str) -> str:
    return settings.BASE_URL + reverse("actors:mailing-unsubscribe", kwargs={"token": token})


def sender() -> str:
    address = settings.DEFAULT_FROM_EMAIL
    return address if "<" in address else formataddr((settings.OFFICE_NAME, address))


def render_mail(
    mailing: Mailing,
    blocks: Sequence[AddedValueBlock],
    recipient: Recipient,
    *,
    test: bool = False,
    preview: bool = False,
) -> RenderedMail:
    """Subject, plain text and HTML of the message to one recipient (in the active language).

    A test mail (marked “[Test]”) and the preview carry an unsubscribe link that changes nothing.
    """
    token = unsubscribe_token(
        person_uuid=None if test or preview else recipient.person_uuid,
        purpose=mailing.purpose,
        mailing_uuid=mailing.uuid,
    )
    link = unsubscribe_url(token)
    chosen = added_value_blocks(blocks, recipient.groups)
    subject = f"[{_('Test')}] {mailing.subject}" if test else mailing.subject
    context = {
        "subject": subject,
        "salutation": salutation_line(recipient.salutation, recipient.first_name, recipient.last_name),
        "body": mailing.body,
        "body_html": render_markdown(mailing.body),
        "blocks": [
            {
                "group": block.group_label,
                "measure": block.measure,
                "text": block.text,
                "html": render_markdown(block.text),
            }
            for block in chosen
        ],
        "purpose": Purpose(mailing.purpose).label,
        "office": settings.OFFICE_NAME,
        "city": settings.CITY_NAME,
        "base_url": settings.BASE_URL,
        "unsubscribe_url": link,
        "test": test,
    }
    return RenderedMail(
        subject=subject,
        text=render_to_string("actors/email/mailing.txt", context),
        html=render_to_string("actors/email/mailing.html", context),
        unsubscribe_url=link,
    )


def build_message(
    mailing: Mailing, blocks: Sequence[AddedValueBlock], recipient: Recipient, *, test: bool = False
) -> EmailMultiAlternatives:
    """The message to one recipient, ready for ``connection.send_messages``."""
    rendered = render_mail(mailing, blocks, recipient, test=test)
    link = rendered.unsubscribe_url
    headers: dict[str, str] = {
        "List-Unsubscribe": UnfoldedHeader("List-Unsubscribe", f"<{link}>")
        if link.isascii()
        else f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
    message = MailingMessage(
        subject=rendered.subject,
        body=rendered.text,
        from_email=sender(),
        to=[recipient.email],
        headers=headers,
    )
    message.attach_alternative(rendered.html, "text/html")
    return message
