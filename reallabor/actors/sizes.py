"""How many people each criterion's set holds, roughly: ``actors.filters`` starts from the smallest.

A people count starts from one set of people (``pk IN (…)``) and checks the others person by
person; the set to start from decides the speed (at the scale of a country: a district and the
companies there take 60 ms starting from the district, 650 ms starting from the companies). The
sizes of the sets come from the indexes: one query counts, for every set, the index entries that
make it up, each count stopping at ``CAP`` (so the query costs a few milliseconds whatever the
data), and organisations count ``PER_ORGANISATION`` people each.

An estimate only decides where the database starts, never who matches: the results are the same
whatever it says. So estimates are kept for ``TIMEOUT`` seconds without following the data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from reallabor.actors.criteria import Criteria
from reallabor.actors.models import Consent, Person
from reallabor.organisations.models import SUB_KINDS, Organisation
from reallabor.taxonomy.models import MOTIVATIONS_FAMILY, NEEDS_FAMILY, SECTOR_FAMILY, TRADES_FAMILY, Tag

CAP = 50_000
"""Each count stops here: a set with a count this large has no estimate (None): such sets are not
told apart (they start in ``filters.START_ORDER``)."""
PER_ORGANISATION = 2
"""People currently at an organisation, roughly (the office knows one to three per firm)."""
TIMEOUT = 600

Terms = Callable[[str, tuple[str, ...]], list[int]]
"""The term ids of codes of a family (``filters._terms``)."""


def _organisation_parts(criteria: Criteria, terms: Terms) -> list[QuerySet[Any, Any]]:
    """One index's rows per criterion on organisations: the set is at most the smallest of them.

    A sub-kind has no index of its own: its kinds' rows stand for it.
    """
    organisations = Organisation.objects.order_by()
    parts: list[QuerySet[Any, Any]] = []
    if criteria.kinds:
        parts.append(organisations.filter(kind__in=criteria.kinds))
    if criteria.sub_kinds:
        kinds = [kind for kind, subs in SUB_KINDS.items() if set(subs) & set(criteria.sub_kinds)]
        parts.append(organisations.filter(kind__in=kinds))
    if criteria.sectors:
        parts.append(organisations.filter(sector_id__in=terms(SECTOR_FAMILY, criteria.sectors)))
    if criteria.trades:
        parts.append(organisations.filter(trade_id__in=terms(TRADES_FAMILY, criteria.trades)))
    if criteria.headcount_bands:
        parts.append(organisations.filter(headcount_band__in=criteria.headcount_bands))
    if criteria.alliance:
        statuses = ["" if status == "none" else status for status in criteria.alliance]
        parts.append(organisations.filter(alliance_status__in=statuses))
    return parts


def _parts(criteria: Criteria, name: str, terms: Terms) -> tuple[list[QuerySet[Any, Any]], list[int]]:
    """The rows to count for a set and what each row weighs in people (``PER_ORGANISATION`` for an
    organisation); the set's size is the weighted sum, for ``organisations`` the smallest part."""
    if name == "organisations":
        parts = _organisation_parts(criteria, terms)
        return parts, [PER_ORGANISATION] * len(parts)
    if name == "districts":
        return [
            Organisation.objects.filter(district__in=criteria.districts).order_by(),
            Person.objects.filter(district__in=criteria.districts).order_by(),
        ], [PER_ORGANISATION, 1]
    if name in ("needs", "motivations"):
        family = NEEDS_FAMILY if name == "needs" else MOTIVATIONS_FAMILY
        ids = terms(family, getattr(criteria, name))
        tags = Tag.objects.filter(term_id__in=ids).order_by()
        return [
            tags.filter(content_type=ContentType.objects.get_for_model(Organisation)),
            tags.filter(content_type=ContentType.objects.get_for_model(Person)),
        ], [PER_ORGANISATION, 1]
    if name == "consent":
        return [Consent.objects.filter(purpose=criteria.consent).order_by()], [1]
    if name == "contact":
        assert criteria.contacted_within_days is not None
        since = timezone.now() - timedelta(days=criteria.contacted_within_days)
        return [Person.objects.filter(last_contact_at__gte=since).order_by()], [1]
    return [], []


def _count(parts: list[QuerySet[Any, Any]]) -> list[int]:
    """The rows of each part, each count stopping at ``CAP``: one query (none without parts)."""
    if not parts:
        return []
    selects: list[str] = []
    params: list[Any] = []
    for number, part in enumerate(parts):
        sql, part_params = part.values("pk")[:CAP].query.sql_with_params()
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) part{number})")  # noqa: S608 - compiled by Django
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        row = cursor.fetchone()
    return [int(value) for value in row]


def estimates(criteria: Criteria, names: Sequence[str], *, terms: Terms) -> dict[str, int | None]:
    """The people in each named set (``filters._people_sets`` names, and ``contact``: the people
    contacted within the days of the criterion), roughly; None for a set too large to count."""
    key = hashlib.sha256(repr((sorted(names), criteria)).encode()).hexdigest()
    found: dict[str, int | None] | None = cache.get(f"criteria-sizes:{key}")
    if found is not None:
        return found
    plan = {name: _parts(criteria, name, terms) for name in names}
    counts = iter(_count([part for parts, _weights in plan.values() for part in parts]))
    found = {}
    for name, (parts, weights) in plan.items():
        sizes = [
            None if count >= CAP else count * weight
            for count, weight in zip((next(counts) for _part in parts), weights, strict=True)
        ]
        if name == "organisations":  # at most the smallest part
            known = [size for size in sizes if size is not None]
            found[name] = min(known) if known else None
        else:
            found[name] = None if not sizes or None in sizes else sum(size or 0 for size in sizes)
    cache.set(f"criteria-sizes:{key}", found, TIMEOUT)
    return found
