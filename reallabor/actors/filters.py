"""Criteria applied to querysets: the one place that turns ``Criteria`` into database filters.

Used by the organisation and people lists, segments (members and live counts), mailings, exports
and the API. Organisation criteria on people apply through the person's current affiliations;
needs and motivations of a person are their own or their current organisations'.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.actors.criteria import Criteria, CriteriaError
from reallabor.actors.models import Affiliation, Consent, Person, Segment
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import (
    MOTIVATIONS_FAMILY,
    NEEDS_FAMILY,
    SECTOR_FAMILY,
    TRADES_FAMILY,
    Tag,
    Term,
)

ORGANISATION_FIELDS = ("kinds", "sub_kinds", "sectors", "trades", "headcount_bands", "labs", "alliance")


def _terms(family: str, codes: tuple[str, ...], *, field: str, errors: dict[str, str]) -> list[int]:
    """Term ids for codes of a family's current vocabulary, with a parent's code taking its children.

    One query: the terms with one of the codes and the children of those terms.
    """
    if not codes:
        return []
    rows = list(
        Term.objects.filter(vocabulary__family=family, vocabulary__retired_at__isnull=True)
        .filter(Q(code__in=codes) | Q(parent__code__in=codes))
        .values_list("id", "code")
    )
    found = {code for _id, code in rows}
    unknown = [code for code in codes if code not in found]
    if unknown:
        errors[field] = _("Unknown code(s): %(codes)s.") % {"codes": ", ".join(unknown)}
        return []
    return [term_id for term_id, _code in rows]


def check_criteria(criteria: Criteria) -> None:
    """Raise ``CriteriaError`` for codes and slugs that do not exist."""
    errors: dict[str, str] = {}
    _terms(SECTOR_FAMILY, criteria.sectors, field="sectors", errors=errors)
    _terms(TRADES_FAMILY, criteria.trades, field="trades", errors=errors)
    _terms(NEEDS_FAMILY, criteria.needs, field="needs", errors=errors)
    _terms(MOTIVATIONS_FAMILY, criteria.motivations, field="motivations", errors=errors)
    if criteria.labs:
        from reallabor.labs.models import Lab

        known = set(Lab.objects.filter(slug__in=criteria.labs).values_list("slug", flat=True))
        unknown = [slug for slug in criteria.labs if slug not in known]
        if unknown:
            errors["labs"] = _("Unknown lab(s): %(slugs)s.") % {"slugs": ", ".join(unknown)}
    if errors:
        raise CriteriaError(errors)


def _tagged_ids(model: type[Any], term_ids: list[int]) -> QuerySet[Tag, Any]:
    content_type = ContentType.objects.get_for_model(model)
    return Tag.objects.filter(content_type=content_type, term_id__in=term_ids).values("object_id")


def _contact_q(criteria: Criteria, field: str = "last_contact_at") -> Q:
    condition = Q()
    now = timezone.now()
    if criteria.contacted_within_days is not None:
        condition &= Q(**{f"{field}__gte": now - timedelta(days=criteria.contacted_within_days)})
    if criteria.not_contacted_for_days is not None:
        cutoff = now - timedelta(days=criteria.not_contacted_for_days)
        condition &= Q(**{f"{field}__lt": cutoff}) | Q(**{f"{field}__isnull": True})
    return condition


def _organisation_q(criteria: Criteria, *, with_contact: bool = True) -> Q:
    """The organisation-level criteria as a Q on Organisation (codes must exist: see check_criteria)."""
    errors: dict[str, str] = {}
    condition = Q()
    if criteria.kinds:
        condition &= Q(kind__in=criteria.kinds)
    if criteria.sub_kinds:
        condition &= Q(sub_kind__in=criteria.sub_kinds)
    if criteria.sectors:
        condition &= Q(sector_id__in=_terms(SECTOR_FAMILY, criteria.sectors, field="sectors", errors=errors))
    if criteria.trades:
        condition &= Q(trade_id__in=_terms(TRADES_FAMILY, criteria.trades, field="trades", errors=errors))
    if criteria.headcount_bands:
        condition &= Q(headcount_band__in=criteria.headcount_bands)
    if criteria.labs:
        from reallabor.labs.models import LabOrganisation

        taking_part = LabOrganisation.objects.filter(lab__slug__in=criteria.labs).values("organisation_id")
        condition &= Q(pk__in=taking_part)
    if criteria.alliance:
        statuses = ["" if status == "none" else status for status in criteria.alliance]
        condition &= Q(alliance_status__in=statuses)
    if errors:
        raise CriteriaError(errors)
    if with_contact:
        condition &= _contact_q(criteria)
    return condition


def organisations_matching(
    criteria: Criteria, queryset: QuerySet[Organisation] | None = None
) -> QuerySet[Organisation]:
    """The organisations that meet every criterion (the consent criterion does not apply)."""
    queryset = Organisation.objects.all() if queryset is None else queryset
    errors: dict[str, str] = {}
    queryset = queryset.filter(_organisation_q(criteria))
    if criteria.q:
        queryset = queryset.filter(Q(name__icontains=criteria.q) | Q(city__icontains=criteria.q))
    if criteria.districts:
        queryset = queryset.filter(district__in=criteria.districts)
    for family, codes, name in (
        (NEEDS_FAMILY, criteria.needs, "needs"),
        (MOTIVATIONS_FAMILY, criteria.motivations, "motivations"),
    ):
        if codes:
            ids = _terms(family, codes, field=name, errors=errors)
            queryset = queryset.filter(pk__in=_tagged_ids(Organisation, ids))
    if errors:
        raise CriteriaError(errors)
    return queryset


def people_matching(criteria: Criteria, queryset: QuerySet[Person] | None = None) -> QuerySet[Person]:
    """The people who meet every criterion; organisation criteria through current affiliations."""
    queryset = Person.objects.filter(anonymised_at__isnull=True) if queryset is None else queryset
    errors: dict[str, str] = {}
    if criteria.q:
        words = criteria.q.split()
        for word in words:
            queryset = queryset.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
            )
    organisation_q = _organisation_q(criteria, with_contact=False)
    current = Affiliation.objects.current()
    if organisation_q:
        organisations = Organisation.objects.filter(organisation_q).values("pk")
        queryset = queryset.filter(
            pk__in=current.filter(organisation_id__in=organisations).values("person_id")
        )
    if criteria.districts:
        in_district = Organisation.objects.filter(district__in=criteria.districts).values("pk")
        queryset = queryset.filter(
            Q(district__in=criteria.districts)
            | Q(pk__in=current.filter(organisation_id__in=in_district).values("person_id"))
        )
    for family, codes, name in (
        (NEEDS_FAMILY, criteria.needs, "needs"),
        (MOTIVATIONS_FAMILY, criteria.motivations, "motivations"),
    ):
        if codes:
            ids = _terms(family, codes, field=name, errors=errors)
            tagged_organisations = _tagged_ids(Organisation, ids)
            queryset = queryset.filter(
                Q(pk__in=_tagged_ids(Person, ids))
                | Q(pk__in=current.filter(organisation_id__in=tagged_organisations).values("person_id"))
            )
    if errors:
        raise CriteriaError(errors)
    queryset = queryset.filter(_contact_q(criteria))
    if criteria.consent:
        queryset = queryset.filter(
            pk__in=Consent.objects.valid().filter(purpose=criteria.consent).values("person_id")
        )
    return queryset


def segment_organisations(segment: Segment) -> QuerySet[Organisation]:
    from reallabor.actors.criteria import parse_criteria

    return organisations_matching(parse_criteria(segment.criteria))


def segment_people(segment: Segment) -> QuerySet[Person]:
    """The people a segment reaches: its people, or the people currently at its organisations."""
    from reallabor.actors.criteria import parse_criteria

    criteria = parse_criteria(segment.criteria)
    if segment.subject == Segment.Subject.PEOPLE:
        return people_matching(criteria)
    organisations = organisations_matching(criteria).values("pk")
    people = Person.objects.filter(
        anonymised_at__isnull=True,
        pk__in=Affiliation.objects.current().filter(organisation_id__in=organisations).values("person_id"),
    )
    if criteria.consent:
        people = people.filter(
            pk__in=Consent.objects.valid().filter(purpose=criteria.consent).values("person_id")
        )
    return people


def segment_count(segment: Segment) -> int:
    """The live count: organisations for an organisation segment, people for a people segment."""
    if segment.subject == Segment.Subject.ORGANISATIONS:
        return segment_organisations(segment).count()
    return segment_people(segment).count()


def reachable_people(people: QuerySet[Person], purpose: str) -> QuerySet[Person]:
    """Those of ``people`` with an e-mail address and a valid consent for the purpose."""
    return (
        people.exclude(email="")
        .filter(email_bounced_at__isnull=True)
        .filter(pk__in=Consent.objects.valid().filter(purpose=purpose).values("person_id"))
    )
