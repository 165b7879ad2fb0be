"""The organisation list's filtering, shared by the page and the API.

Both read the same criteria as segments (``actors.criteria``) and apply them with
``actors.filters.organisations_matching`` on what the user may see.
"""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.http import QueryDict

from reallabor.actors.criteria import Criteria
from reallabor.actors.filters import check_criteria, organisations_matching
from reallabor.organisations.models import Organisation
from reallabor.organisations.permissions import organisation_scope

INTERNAL_CRITERIA = (
    "sub_kinds",
    "headcount_bands",
    "needs",
    "motivations",
    "labs",
    "alliance",
    "contacted_within_days",
    "not_contacted_for_days",
)
"""Criteria on data beyond the public profile: they only find organisations whose data the user sees."""


def clean_query(query: QueryDict) -> QueryDict:
    """Query parameters without NUL characters (no database column takes them), each cut short."""
    cleaned = QueryDict(mutable=True)
    for key, values in query.lists():
        cleaned.setlist(key[:100], [value.replace("\x00", "")[:1000] for value in values[:50]])
    return cleaned


def uses_internal_data(criteria: Criteria) -> bool:
    return any(getattr(criteria, name) not in ("", (), None) for name in INTERNAL_CRITERIA)


def filtered_organisations(user: Any, criteria: Criteria) -> QuerySet[Organisation]:
    """The organisations the user sees that meet the criteria (``CriteriaError`` for unknown codes).

    Criteria on internal data (needs, the alliance, contacts …) only find organisations whose
    internal data the user sees: nobody can probe the published profiles with them. A lab the user
    does not see is refused as unknown (``check_criteria``).
    """
    check_criteria(criteria, user=user)
    organisations = Organisation.objects.visible_to(user)
    if uses_internal_data(criteria) and organisation_scope(user) != "all":
        organisations = organisations.filter(pk__in=Organisation.objects.internal_to(user).values("pk"))
    return organisations_matching(criteria, organisations)


def with_internal_flag(user: Any, organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """Annotate ``sees_internal``: whether the user sees the organisation's data beyond its profile."""
    scope = organisation_scope(user)
    if scope == "all" or scope == "published":
        return organisations.annotate(sees_internal=Value(scope == "all", output_field=BooleanField()))
    internal = Q(pk__in=Organisation.objects.internal_to(user).values("pk"))
    return organisations.annotate(sees_internal=ExpressionWrapper(internal, output_field=BooleanField()))


def sees_internal_data(user: Any, organisation: Organisation) -> bool:
    """The same for one organisation (at most one query)."""
    scope = organisation_scope(user)
    if scope == "all":
        return True
    if scope == "published":
        return False
    return Organisation.objects.internal_to(user).filter(pk=organisation.pk).exists()
