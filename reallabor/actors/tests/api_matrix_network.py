"""API role matrix cases of the network endpoints (collected by test_api_role_matrix.py)."""

from reallabor.actors.tests.api_matrix_common import ApiCase

API_CASES: list[ApiCase] = []
