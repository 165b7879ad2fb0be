"""Role matrix entries of the actors' start page (collected by test_role_matrix.py)."""

from reallabor.actors.tests.matrix_common import OFFICE, MatrixEntry, no_kwargs

GET_MATRIX: list[MatrixEntry] = [("actors:actors-home", no_kwargs, OFFICE)]
POST_ONLY: set[str] = set()
