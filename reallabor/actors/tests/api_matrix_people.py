"""API role matrix cases of the people endpoints (collected by test_api_role_matrix.py).

Every operation is the office's: anonymous 401, readers, partners and outsiders 403.
"""

from reallabor.actors.tests.api_matrix_common import (
    API,
    OFFICE_CREATE,
    OFFICE_DELETE,
    OFFICE_READ,
    OFFICE_WRITE,
    ApiCase,
)
from reallabor.actors.tests.matrix_people import organisation_relationship, people_relationship
from reallabor.core.testing.actors import Crm


def anna(crm: Crm) -> str:
    return f"{API}/people/{crm.anna.uuid}"


def anna_role(crm: Crm) -> str:
    return f"{API}/people/{crm.anna.uuid}/affiliations/{crm.anna.affiliations.get().pk}"


def anna_knows_bernd(crm: Crm) -> str:
    return f"{API}/people/{crm.anna.uuid}/relationships/{people_relationship(crm).pk}"


def tischlerei_member(crm: Crm) -> str:
    return f"{API}/organisations/{crm.tischlerei.slug}/relationships/{organisation_relationship(crm).pk}"


API_CASES: list[ApiCase] = [
    ApiCase("list people", "get", f"{API}/people?kinds=company", OFFICE_READ),
    ApiCase(
        "create person",
        "post",
        f"{API}/people",
        OFFICE_CREATE,
        {
            "first_name": "Dora",
            "last_name": "Neumann",
            "email": "dora@example.org",
            "postcode": "46236",
            "affiliations": [{"organisation": "tischlerei-beispiel", "role": "Auszubildende"}],
        },
    ),
    ApiCase("get person", "get", anna, OFFICE_READ),
    ApiCase("update person", "patch", anna, OFFICE_WRITE, {"function": "Geschäftsführerin"}),
    ApiCase(
        "add affiliation",
        "post",
        lambda crm: f"{API}/people/{crm.clara.uuid}/affiliations",
        OFFICE_CREATE,
        {"organisation": "tischlerei-beispiel", "role": "Beraterin", "start_date": "2024-01-01"},
    ),
    ApiCase("update affiliation", "patch", anna_role, OFFICE_WRITE, {"end_date": "2099-12-31"}),
    ApiCase("remove affiliation", "delete", anna_role, OFFICE_DELETE),
    ApiCase("list relationships", "get", f"{API}/relationships?kind=knows", OFFICE_READ),
    ApiCase(
        "create relationship",
        "post",
        f"{API}/relationships",
        OFFICE_CREATE,
        {
            "kind": "partner_of",
            "source_organisation": "tischlerei-beispiel",
            "target_organisation": "wirtschaftsfoerderung-bottrop",
            "start_date": "2023-05-01",
        },
    ),
    ApiCase(
        "update person relationship", "patch", anna_knows_bernd, OFFICE_WRITE, {"note": "aus der Innung"}
    ),
    ApiCase("delete person relationship", "delete", anna_knows_bernd, OFFICE_DELETE),
    ApiCase(
        "update organisation relationship",
        "patch",
        tischlerei_member,
        OFFICE_WRITE,
        {"start_date": "2020-01-01"},
    ),
    ApiCase("delete organisation relationship", "delete", tischlerei_member, OFFICE_DELETE),
]
