"""Role matrix entries of the segments pages and the list exports (collected by test_role_matrix.py)."""

from typing import Any

from reallabor.actors.tests.matrix_common import OFFICE, MatrixEntry, no_kwargs
from reallabor.core.testing.actors import Crm


def _segment(crm: Crm) -> dict[str, Any]:
    return {"uuid": crm.segment.uuid}


GET_MATRIX: list[MatrixEntry] = [
    ("actors:segment-list", no_kwargs, OFFICE),
    ("actors:segment-create", no_kwargs, OFFICE),
    ("actors:segment-count", no_kwargs, OFFICE),
    ("actors:segment-detail", _segment, OFFICE),
    ("actors:segment-counts", _segment, OFFICE),
    ("actors:segment-members", _segment, OFFICE),
    ("actors:segment-edit", _segment, OFFICE),
    ("actors:segment-delete", _segment, OFFICE),
    ("actors:segment-export", lambda crm: {"uuid": crm.segment.uuid, "fmt": "csv"}, OFFICE),
    ("actors:segment-export", lambda crm: {"uuid": crm.segment.uuid, "fmt": "xlsx"}, OFFICE),
    ("actors:organisation-list-export", lambda crm: {"fmt": "csv"}, OFFICE),
    ("actors:organisation-list-export", lambda crm: {"fmt": "xlsx"}, OFFICE),
    ("actors:person-list-export", lambda crm: {"fmt": "csv"}, OFFICE),
    ("actors:person-list-export", lambda crm: {"fmt": "xlsx"}, OFFICE),
]
POST_ONLY: set[str] = {"actors:segment-duplicate"}
