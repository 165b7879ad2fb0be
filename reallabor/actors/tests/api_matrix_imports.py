"""API role matrix cases of the import and duplicate endpoints (collected by test_api_role_matrix.py).

``POST /imports`` takes multipart/form-data only: the matrix sends JSON, which the office gets
refused with 415 (and everybody else with 401/403 first); real uploads are tested in
test_imports_api.py.
"""

from reallabor.actors.tests.api_matrix_common import API, OFFICE_READ, OFFICE_WRITE, ApiCase, expect
from reallabor.actors.tests.matrix_imports import checked_job

API_CASES: list[ApiCase] = [
    ApiCase(
        "create import (JSON refused)", "post", f"{API}/imports", expect(401, 403, 403, 415, 415, 403), {}
    ),
    ApiCase("get import", "get", lambda crm: f"{API}/imports/{checked_job(crm).uuid}", OFFICE_READ),
    ApiCase("duplicate organisations", "get", f"{API}/duplicates/organisations", OFFICE_READ),
    ApiCase("duplicate people", "get", f"{API}/duplicates/people", OFFICE_READ),
    ApiCase(
        "merge organisations",
        "post",
        f"{API}/duplicates/merge",
        OFFICE_WRITE,
        {"kind": "organisations", "keep": "tischlerei-beispiel", "remove": "buchhandlung-seitenweise"},
    ),
]
