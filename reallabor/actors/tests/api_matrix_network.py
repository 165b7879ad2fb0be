"""API role matrix cases of the network endpoints (collected by test_api_role_matrix.py)."""

from reallabor.actors.tests.api_matrix_common import API, ApiCase, expect

# Like the page: the office, readers and partners; 401 anonymous, 403 a member of no lab.
NETWORK_READ = expect(401, 200, 200, 200, 200, 403)

API_CASES: list[ApiCase] = [
    ApiCase("network", "get", f"{API}/network", NETWORK_READ),
    ApiCase(
        "network-filtered", "get", f"{API}/network?types=organisation&types=lab&former=true", NETWORK_READ
    ),
    ApiCase(
        "network-of-a-lab",
        "get",
        f"{API}/network?lab=digitale-koproduktion-im-handwerk&q=Tischlerei",
        NETWORK_READ,
    ),
]
