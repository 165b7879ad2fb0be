"""Role matrix entries of the network pages (collected by test_role_matrix.py).

The network is for whoever sees internal organisation data: the office (people included),
readers and partners (organisations, labs and measures only). Signed-in members of no lab see
published profiles only and get 403; anonymous visitors go to the login page.
"""

from reallabor.actors.tests.matrix_common import MatrixEntry, no_kwargs

NETWORK = (302, 200, 200, 200, 200, 403)

GET_MATRIX: list[MatrixEntry] = [
    ("actors:network", no_kwargs, NETWORK),
]
POST_ONLY: set[str] = set()
