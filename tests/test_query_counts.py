"""Query counts of the benchmarked pages stay the same as the data grows.

The benchmark's generator (``bench.generate``) fills the test database at two small scales;
each page of the benchmark (portfolio overview, a typical lab, a measure, a filtered list, the
API list) must answer 200 and issue exactly as many queries at the larger scale as at the
smaller one, for anonymous visitors and for a signed-in reader. A query per row (N+1) fails here.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.generate import READER_EMAIL, Counts, clear_generated, generate
from bench.pages import PAGE_KEYS, discover
from reallabor.accounts.models import User

SMALL = Counts(labs=2, measures=6, organisations=20, members=2)
LARGE = Counts(labs=6, measures=60, organisations=120, members=4)  # about 10 measures per lab
USER_KINDS = ("anonymous", "reader")

# (user kind, page key) -> (path, status, number of queries)
Profile = dict[tuple[str, str], tuple[str, int, int]]


def _profile(counts: Counts, seed: int) -> Profile:
    """Generate ``counts``, request every page as each kind of user, then remove the data again."""
    generate(counts, seed=seed)
    pages = discover()
    clients = {"anonymous": Client(), "reader": Client()}
    clients["reader"].force_login(User.objects.get(email=READER_EMAIL))
    profile: Profile = {}
    for kind in USER_KINDS:
        for page in pages:
            assert page.path is not None, f"{page.key}: {page.note}"
            clients[kind].get(page.path)  # warm caches (content types, templates) first
            cache.clear()  # count the uncached page: cached fragments would hide a query per row
            with CaptureQueriesContext(connection) as queries:
                response = clients[kind].get(page.path)
            profile[kind, page.key] = (page.path, response.status_code, len(queries))
    clear_generated()
    return profile


@pytest.mark.django_db
def test_every_benchmarked_page_answers_with_the_same_query_count_at_two_scales() -> None:
    small = _profile(SMALL, seed=1)
    large = _profile(LARGE, seed=2)

    assert sorted(small) == sorted((kind, key) for kind in USER_KINDS for key in PAGE_KEYS)
    for key, (path, status, _queries) in [*small.items(), *large.items()]:
        assert status == 200, f"{key}: {path} answered {status}"
    grown = {
        f"{kind} {page}": f"{small[kind, page][2]} → {large[kind, page][2]} queries"
        for kind, page in small
        if small[kind, page][2] != large[kind, page][2]
    }
    assert not grown, f"query counts grow with the data: {grown}"


@pytest.mark.django_db
def test_the_generator_writes_the_requested_counts_and_valid_tags() -> None:
    from reallabor.labs.models import Lab, Measure
    from reallabor.labs.services import measure_state
    from reallabor.organisations.models import Organisation
    from reallabor.taxonomy.services import validate_tags

    written = generate(SMALL, seed=3)

    assert (Lab.objects.count(), Measure.objects.count(), Organisation.objects.count()) == (2, 6, 20)
    assert written["labs.measure"] == 6
    for measure in Measure.objects.all():
        state = measure_state(measure)
        assert 2 <= len(state["activities"]) <= 4
        assert 1 <= len(state["financing"]) <= 2
        assert 2 <= len(state["actors"]) <= 5
        assert 1 <= len(state["target_groups"]) <= 3
        assert len(state["results"]) <= 3
        assert 1 <= len(state["coordinators"]) <= 3
        assert 2 <= len(state["tags"]) <= 5
        validate_tags(measure, state["tags"])  # the services' rules hold (shares ≤ 100 % …)
