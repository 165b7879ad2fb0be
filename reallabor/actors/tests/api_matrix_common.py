"""Cases of the actors' API role matrix.

An ``ApiCase`` names a method, a URL (a string, or a function from the ``Crm`` test data to the
URL), the expected status per role and the JSON body for writes. Statuses in the order anonymous,
reader, partner, coordinator, administrator, outsider.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reallabor.core.testing.actors import Crm

API = "/api/v1"


def expect(
    anonymous: int, reader: int, partner: int, coordinator: int, administrator: int, outsider: int
) -> dict[str, int]:
    return {
        "anonymous": anonymous,
        "reader": reader,
        "partner": partner,
        "coordinator": coordinator,
        "administrator": administrator,
        "outsider": outsider,
    }


# Personal data: the office only. Reading as anyone else: 401 anonymous, 403 signed in.
OFFICE_READ = expect(401, 403, 403, 200, 200, 403)
OFFICE_CREATE = expect(401, 403, 403, 201, 201, 403)
OFFICE_WRITE = expect(401, 403, 403, 200, 200, 403)
OFFICE_DELETE = expect(401, 403, 403, 204, 204, 403)


@dataclass
class ApiCase:
    name: str
    method: str
    url: str | Callable[[Crm], str]
    expected: dict[str, int]
    data: Any = None
    # False for a POST that only reads (e.g. counting criteria): it must change nothing, allowed or not.
    changes_data: bool = True

    def resolve_url(self, crm: Crm) -> str:
        return self.url(crm) if callable(self.url) else self.url
