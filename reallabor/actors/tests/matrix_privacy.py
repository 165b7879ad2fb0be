"""Role matrix entries of the privacy pages (collected by test_role_matrix.py)."""

from reallabor.actors.tests.matrix_common import ADMIN_ONLY, OFFICE, MatrixEntry, no_kwargs

GET_MATRIX: list[MatrixEntry] = [
    ("actors:person-privacy", lambda crm: {"uuid": crm.anna.uuid}, OFFICE),
    ("actors:person-export", lambda crm: {"uuid": crm.anna.uuid}, OFFICE),
    ("actors:person-erase", lambda crm: {"uuid": crm.bernd.uuid}, ADMIN_ONLY),
    ("actors:person-anonymise", lambda crm: {"uuid": crm.bernd.uuid}, ADMIN_ONLY),
    ("actors:consenttext-list", no_kwargs, OFFICE),
    ("actors:retention-list", no_kwargs, OFFICE),
    ("actors:audit-list", no_kwargs, ADMIN_ONLY),
]
POST_ONLY: set[str] = {"actors:consent-create", "actors:consent-withdraw"}
