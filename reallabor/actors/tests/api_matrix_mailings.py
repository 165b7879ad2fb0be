"""API role matrix cases of the mailings endpoints (collected by test_api_role_matrix.py)."""

from reallabor.actors.tests.api_matrix_common import (
    API,
    OFFICE_CREATE,
    OFFICE_DELETE,
    OFFICE_READ,
    OFFICE_WRITE,
    ApiCase,
)
from reallabor.core.testing.actors import Crm


def mailing(crm: Crm) -> str:
    return f"{API}/mailings/{crm.mailing.uuid}"


def preview(crm: Crm) -> str:
    return f"{mailing(crm)}/preview"


def send(crm: Crm) -> str:
    return f"{mailing(crm)}/send"


def recipients(crm: Crm) -> str:
    return f"{mailing(crm)}/recipients"


API_CASES: list[ApiCase] = [
    ApiCase("list mailings", "get", f"{API}/mailings", OFFICE_READ),
    ApiCase(
        "create mailing",
        "post",
        f"{API}/mailings",
        OFFICE_CREATE,
        {"subject": "Einladung", "body": "Kommen Sie vorbei.", "purpose": "event_follow_up"},
    ),
    ApiCase("get mailing", "get", mailing, OFFICE_READ),
    ApiCase("update mailing", "patch", mailing, OFFICE_WRITE, {"subject": "Geänderter Betreff"}),
    ApiCase("delete mailing", "delete", mailing, OFFICE_DELETE),
    ApiCase("preview mailing", "get", preview, OFFICE_READ),
    # The crm's segment (companies) holds anna, who consented to the newsletter.
    ApiCase("send mailing", "post", send, OFFICE_WRITE),
    ApiCase("list recipients", "get", recipients, OFFICE_READ),
]
