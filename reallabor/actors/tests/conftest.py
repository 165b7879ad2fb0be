import pytest

from conftest import Portfolio
from reallabor.core.testing.actors import Crm, make_crm


@pytest.fixture
def crm(portfolio: Portfolio) -> Crm:
    return make_crm(portfolio)
