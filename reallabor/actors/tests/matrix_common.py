"""The statuses of the actors' role matrix.

Order: anonymous, reader, partner, coordinator, administrator, outsider (see conftest.ROLES).
An entry is (URL name, a function from the ``Crm`` test data to the URL's kwargs, statuses).
"""

from collections.abc import Callable
from typing import Any

from reallabor.core.testing.actors import Crm

MatrixEntry = tuple[str, Callable[[Crm], dict[str, Any]], tuple[int, ...]]

ALL_200 = (200, 200, 200, 200, 200, 200)
# Personal data: the office only (administrators and lab coordinators).
OFFICE = (302, 403, 403, 200, 200, 403)
ADMIN_ONLY = (302, 403, 403, 403, 200, 403)
# Pages of the crafts lab (coordinated by the coordinator) that only its coordinators and admins change.
HANDWERK_COORDINATION = (302, 403, 403, 200, 200, 403)


def no_kwargs(crm: Crm) -> dict[str, Any]:
    return {}
