"""Cases of the events' API role matrix (``test_api_role_matrix.py``).

An ``ApiCase`` names a method, a URL (a string, or a function from the ``EventsWorld`` test data
to the URL; it may first create what the request acts on), the expected status per role and the
JSON body for writes. Statuses in the order anonymous, reader, partner, coordinator,
administrator, outsider (``conftest.ROLES``).

``EventsWorld`` (reallabor/core/testing/events.py): ``series`` and ``fruehstueck`` are of the
crafts lab (the coordinator's), ``trade_invitation``/``trade_draft`` of the trade lab (the
partner's), ``office_event`` has no lab.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reallabor.actors.tests.api_matrix_common import API, expect
from reallabor.core.testing.events import EventsWorld

__all__ = ["API", "ApiCase", "expect"]

ALL_200 = expect(200, 200, 200, 200, 200, 200)
# Managing an event or series of the crafts lab (or without a lab): the coordinator and admins.
MANAGE = expect(401, 403, 403, 200, 200, 403)
MANAGE_CREATE = expect(401, 403, 403, 201, 201, 403)
# Registrations are personal data: the office of the event only.
OFFICE_READ = expect(401, 403, 403, 200, 200, 403)
OFFICE_CREATE = expect(401, 403, 403, 201, 201, 403)
OFFICE_WRITE = expect(401, 403, 403, 200, 200, 403)
# The trade lab's (the partner's) events: only administrators manage them.
ADMIN_WRITE = expect(401, 403, 403, 403, 200, 403)


@dataclass
class ApiCase:
    name: str
    method: str
    url: str | Callable[[EventsWorld], str]
    expected: dict[str, int]
    data: Any = None
    changes_data: bool = True

    def resolve_url(self, world: EventsWorld) -> str:
        return self.url(world) if callable(self.url) else self.url
