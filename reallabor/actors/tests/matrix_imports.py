"""Role matrix entries of the imports pages (collected by test_role_matrix.py)."""

from reallabor.actors.tests.matrix_common import MatrixEntry

GET_MATRIX: list[MatrixEntry] = []
POST_ONLY: set[str] = set()
