"""API role matrix cases of the segments endpoints (collected by test_api_role_matrix.py)."""

from __future__ import annotations

from reallabor.actors.models import Segment
from reallabor.actors.tests.api_matrix_common import (
    API,
    OFFICE_CREATE,
    OFFICE_DELETE,
    OFFICE_READ,
    OFFICE_WRITE,
    ApiCase,
    expect,
)
from reallabor.core.testing.actors import Crm

# Deleting a segment a mailing uses is refused (409) for the office too, and changes nothing.
IN_USE = expect(401, 403, 403, 409, 409, 403)


def _segment_url(crm: Crm, tail: str = "") -> str:
    return f"{API}/segments/{crm.segment.uuid}{tail}"


def _unused_segment_url(crm: Crm) -> str:
    """A segment no mailing uses (made when the URL is resolved, before the database is compared)."""
    segment, _created = Segment.objects.get_or_create(
        name="Ohne Mailing",
        defaults={"subject": Segment.Subject.ORGANISATIONS, "criteria": {"kinds": ["company"]}},
    )
    return f"{API}/segments/{segment.uuid}"


API_CASES: list[ApiCase] = [
    ApiCase("segments-list", "get", f"{API}/segments", OFFICE_READ),
    ApiCase(
        "segments-create",
        "post",
        f"{API}/segments",
        OFFICE_CREATE,
        {
            "name": "Betriebe in Kirchhellen",
            "subject": "organisations",
            "criteria": {"districts": ["Kirchhellen"]},
        },
    ),
    ApiCase(
        "segments-count",
        "post",
        f"{API}/segments/count",
        OFFICE_READ,
        {"subject": "people", "criteria": {"kinds": ["company"], "consent": "newsletter"}},
        changes_data=False,
    ),
    ApiCase("segments-get", "get", _segment_url, OFFICE_READ),
    ApiCase("segments-update", "patch", _segment_url, OFFICE_WRITE, {"description": "Alle Betriebe"}),
    ApiCase("segments-delete-in-use", "delete", _segment_url, IN_USE),
    ApiCase("segments-delete", "delete", _unused_segment_url, OFFICE_DELETE),
    ApiCase("segments-members", "get", lambda crm: _segment_url(crm, "/members"), OFFICE_READ),
]
