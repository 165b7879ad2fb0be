"""The statuses of the events' role matrix (``test_role_matrix.py``).

Order: anonymous, reader, partner, coordinator, administrator, outsider (see conftest.ROLES).
Every area lists its URLs in ``matrix_<area>.py``: ``GET_MATRIX`` entries (URL name, a function
from the ``EventsWorld`` test data to the URL's kwargs, statuses) and ``POST_ONLY`` (URL names
refused to GET; ``test_role_matrix`` checks that a GET does not change anything either).

``EventsWorld`` (reallabor/core/testing/events.py): ``fruehstueck`` is of the crafts lab (the
coordinator's), ``trade_invitation``/``trade_draft`` of the trade lab (the partner's),
``office_event`` has no lab.
"""

from collections.abc import Callable
from typing import Any

from reallabor.core.testing.events import EventsWorld

MatrixEntry = tuple[str, Callable[[EventsWorld], dict[str, Any]], tuple[int, ...]]

ALL_200 = (200, 200, 200, 200, 200, 200)
# Office pages of an event the coordinator manages (crafts lab, or no lab): personal data or not,
# the office gate sends the anonymous to the login page and refuses everybody else.
OFFICE = (302, 403, 403, 200, 200, 403)
ADMIN_ONLY = (302, 403, 403, 403, 200, 403)
# Office pages of an event of the trade lab (the coordinator does not coordinate it).
OTHER_LAB = ADMIN_ONLY


def no_kwargs(world: EventsWorld) -> dict[str, Any]:
    return {}


def event_slug(world: EventsWorld) -> dict[str, Any]:
    """The crafts lab's published Handwerksfrühstück."""
    return {"slug": world.fruehstueck.slug}


def series_slug(world: EventsWorld) -> dict[str, Any]:
    return {"slug": world.series.slug}
