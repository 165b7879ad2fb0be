"""Role matrix entries of the interactions pages (collected by test_role_matrix.py)."""

from typing import Any

from reallabor.actors.tests.matrix_common import OFFICE, MatrixEntry, no_kwargs
from reallabor.core.testing.actors import Crm


def _interaction(crm: Crm) -> dict[str, Any]:
    return {"uuid": crm.interaction.uuid}


GET_MATRIX: list[MatrixEntry] = [
    ("actors:interaction-list", no_kwargs, OFFICE),
    ("actors:interaction-create", no_kwargs, OFFICE),
    ("actors:interaction-detail", _interaction, OFFICE),
    ("actors:interaction-edit", _interaction, OFFICE),
    ("actors:interaction-delete", _interaction, OFFICE),
    ("actors:followup-list", no_kwargs, OFFICE),
]
POST_ONLY: set[str] = {
    "actors:followup-add",
    "actors:followup-complete",
    "actors:followup-reopen",
}
