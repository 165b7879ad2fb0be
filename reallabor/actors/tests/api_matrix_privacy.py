"""API role matrix cases of the privacy endpoints (collected by test_api_role_matrix.py).

Erasure in the matrix really deletes a person: every role runs in a savepoint that is rolled back.
"""

from reallabor.actors.tests.api_matrix_common import (
    API,
    OFFICE_CREATE,
    OFFICE_READ,
    OFFICE_WRITE,
    ApiCase,
    expect,
)

ADMIN_READ = expect(401, 403, 403, 403, 200, 403)
ADMIN_WRITE = expect(401, 403, 403, 403, 200, 403)
ADMIN_CREATE = expect(401, 403, 403, 403, 201, 403)

API_CASES: list[ApiCase] = [
    ApiCase("person export", "get", lambda crm: f"{API}/people/{crm.anna.uuid}/export", OFFICE_READ),
    ApiCase("person erase", "post", lambda crm: f"{API}/people/{crm.bernd.uuid}/erase", ADMIN_WRITE),
    ApiCase("person anonymise", "post", lambda crm: f"{API}/people/{crm.anna.uuid}/anonymise", ADMIN_WRITE),
    ApiCase("person consents", "get", lambda crm: f"{API}/people/{crm.anna.uuid}/consents", OFFICE_READ),
    ApiCase(
        "record consent",
        "post",
        lambda crm: f"{API}/people/{crm.bernd.uuid}/consents",
        OFFICE_CREATE,
        {"purpose": "matching", "source": "in_person"},
    ),
    ApiCase(
        "withdraw consent",
        "post",
        lambda crm: f"{API}/people/{crm.anna.uuid}/consents/newsletter/withdraw",
        OFFICE_WRITE,
        {"note": "per Telefon"},
    ),
    ApiCase("retention list", "get", f"{API}/privacy/retention", OFFICE_READ),
    ApiCase("audit trail", "get", f"{API}/privacy/audit", ADMIN_READ),
    ApiCase("consent texts", "get", f"{API}/consent-texts", OFFICE_READ),
    ApiCase(
        "new consent text",
        "post",
        f"{API}/consent-texts",
        ADMIN_CREATE,
        {"purpose": "photos", "text": "Ich willige in Fotos ein (Fassung 2)."},
    ),
]
