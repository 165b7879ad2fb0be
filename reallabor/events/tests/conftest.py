from collections.abc import Iterator

import pytest
from django.utils import translation

from conftest import Portfolio
from reallabor.core.testing.actors import Crm, make_crm
from reallabor.core.testing.events import EventsWorld, make_events_world


@pytest.fixture
def crm(portfolio: Portfolio) -> Crm:
    return make_crm(portfolio)


@pytest.fixture
def events_portfolio(portfolio: Portfolio, crm: Crm) -> EventsWorld:
    """The events of ``EventsWorld`` on top of the ``crm`` and the demo portfolio."""
    return make_events_world(portfolio, crm)


@pytest.fixture
def english() -> Iterator[None]:
    """English messages (``pytest.mark.usefixtures("english")``): assertions on our messages hold
    once the German translations arrive."""
    with translation.override("en"):
        yield
