"""API role matrix cases of the event series (collected by test_api_role_matrix.py)."""

from reallabor.core.testing.events import EventsWorld, make_series
from reallabor.events.tests.api_matrix_common import (
    ALL_200,
    API,
    MANAGE,
    MANAGE_CREATE,
    ApiCase,
    expect,
)


def _series(world: EventsWorld) -> str:
    return f"{API}/event-series/{world.series.slug}"


def _trade_series(world: EventsWorld) -> str:
    """A series of the trade lab (the partner's) that is not public."""
    series = make_series(title="Händlerrunde", lab=world.trade_invitation.lab, is_public=False)
    return f"{API}/event-series/{series.slug}"


API_CASES = [
    ApiCase("list series", "get", f"{API}/event-series", ALL_200),
    ApiCase("series", "get", _series, ALL_200),
    ApiCase("internal series of the trade lab", "get", _trade_series, expect(404, 200, 200, 200, 200, 404)),
    ApiCase("create series", "post", f"{API}/event-series", MANAGE_CREATE, {"title": "Neue Reihe"}),
    ApiCase("update series", "patch", _series, MANAGE, {"description": "Neu beschrieben"}),
    ApiCase(
        "update series of the trade lab",
        "patch",
        _trade_series,
        expect(401, 403, 403, 403, 200, 404),
        {"description": "Neu"},
    ),
    ApiCase("discontinue series", "post", lambda world: f"{_series(world)}/cancel", MANAGE),
]
