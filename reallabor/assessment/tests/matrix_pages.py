"""The role matrix of the check's pages (``assessment`` namespace), see ``test_pages_role_matrix.py``.

Order of the statuses: anonymous, reader, partner, coordinator, administrator, outsider
(conftest.ROLES). ``PagesWorld``: ``draft`` and ``result`` are reached by their personal links (the
link is the key: every role gets the page); ``shared`` is a result of the test business shared with
the chamber the partner is a member of (reached by its uuid: the office and the partner see it,
readers and outsiders get 404, the anonymous the login page).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reallabor.assessment.models import Response

ALL_200 = (200, 200, 200, 200, 200, 200)
SHARED_RESULT = (302, 404, 200, 200, 200, 404)


@dataclass
class PagesWorld:
    draft: Response
    draft_token: str
    result: Response
    result_token: str
    shared: Response


MatrixEntry = tuple[str, Callable[[PagesWorld], dict[str, Any]], tuple[int, ...]]


def no_kwargs(world: PagesWorld) -> dict[str, Any]:
    return {}


GET_MATRIX: list[MatrixEntry] = [
    ("assessment:check-start", no_kwargs, ALL_200),
    ("assessment:check-preview", no_kwargs, ALL_200),
    ("assessment:check-continue", lambda world: {"token": world.draft_token}, ALL_200),
    ("assessment:check-step", lambda world: {"token": world.draft_token, "step": 3}, ALL_200),
    ("assessment:check-context", lambda world: {"token": world.draft_token}, ALL_200),
    ("assessment:check-submit", lambda world: {"token": world.draft_token}, ALL_200),
    ("assessment:check-delete", lambda world: {"token": world.draft_token}, ALL_200),
    ("assessment:check-result", lambda world: {"token": world.result_token}, ALL_200),
    ("assessment:check-pdf", lambda world: {"token": world.result_token}, ALL_200),
    ("assessment:response-result", lambda world: {"uuid": world.shared.uuid}, SHARED_RESULT),
    ("assessment:response-pdf", lambda world: {"uuid": world.shared.uuid}, SHARED_RESULT),
]

# POST only (a GET is 405); the form without saving makes a PDF and stores nothing.
POST_ONLY = {"assessment:check-preview-pdf"}

# The signed-in business's pages (views_business; their writes: test_business_pages.py). Signed-in
# users without a membership get a page explaining how to get linked; a GET of a write is 405.
BUSINESS_SIGNED_IN = (302, 200, 200, 200, 200, 200)
BUSINESS_POST_ONLY = (405, 405, 405, 405, 405, 405)
GET_MATRIX += [
    ("assessment:business-home", no_kwargs, BUSINESS_SIGNED_IN),
    ("assessment:shared-list", no_kwargs, BUSINESS_SIGNED_IN),
    (
        "assessment:business-check-start",
        lambda world: {"slug": "tischlerei-probe"},
        BUSINESS_POST_ONLY,
    ),
    ("assessment:response-share", lambda world: {"uuid": world.shared.uuid}, BUSINESS_POST_ONLY),
    (
        "assessment:response-unshare",
        lambda world: {"uuid": world.shared.uuid, "slug": "hwk-probe"},
        BUSINESS_POST_ONLY,
    ),
]

# The office's dashboard (views_dashboard; more in test_dashboard_pages.py): administrators and lab
# coordinators only; the anonymous get the login page, everybody else 403.
OFFICE_ONLY = (302, 403, 403, 200, 200, 403)
GET_MATRIX += [("assessment:dashboard", no_kwargs, OFFICE_ONLY)]
