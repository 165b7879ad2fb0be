"""Role matrix entries of the mailings pages (collected by test_role_matrix.py)."""

from typing import Any

from reallabor.actors.models import Purpose
from reallabor.actors.services.mailings import unsubscribe_token
from reallabor.actors.tests.matrix_common import ALL_200, OFFICE, MatrixEntry, no_kwargs
from reallabor.core.testing.actors import Crm


def mailing(crm: Crm) -> dict[str, Any]:
    return {"uuid": crm.mailing.uuid}


def unsubscribe(crm: Crm) -> dict[str, Any]:
    """Anna's link: the confirmation page, public (GET changes nothing)."""
    return {
        "token": unsubscribe_token(
            person_uuid=crm.anna.uuid, purpose=Purpose.NEWSLETTER, mailing_uuid=crm.mailing.uuid
        )
    }


GET_MATRIX: list[MatrixEntry] = [
    ("actors:mailing-list", no_kwargs, OFFICE),
    ("actors:mailing-create", no_kwargs, OFFICE),
    ("actors:mailing-detail", mailing, OFFICE),
    ("actors:mailing-preview", mailing, OFFICE),
    ("actors:mailing-edit", mailing, OFFICE),
    ("actors:mailing-send", mailing, OFFICE),
    ("actors:mailing-delete", mailing, OFFICE),
    ("actors:mailing-unsubscribe", unsubscribe, ALL_200),
]
POST_ONLY: set[str] = {
    "actors:mailing-test-send",
    "actors:mailing-resume",
    "actors:target-groups-organisation-set",
}
