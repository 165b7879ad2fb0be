"""Role matrix entries of the stakeholder pages and the needs forms (collected by test_role_matrix.py).

The stakeholder page is the office's (administrators and every lab coordinator see it); only the
lab's coordinators and administrators change it (tested in test_stakeholders.py).
"""

from reallabor.actors.tests.matrix_common import OFFICE, MatrixEntry

GET_MATRIX: list[MatrixEntry] = [
    ("actors:stakeholder-list", lambda crm: {"slug": "digitale-koproduktion-im-handwerk"}, OFFICE),
]
POST_ONLY: set[str] = {
    "actors:stakeholder-set",
    "actors:stakeholder-remove",
    "actors:needs-organisation-add",
    "actors:needs-organisation-remove",
    "actors:needs-person-add",
    "actors:needs-person-remove",
}
