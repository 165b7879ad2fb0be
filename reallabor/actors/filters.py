"""Criteria applied to querysets: the one place that turns ``Criteria`` into database filters.

Used by the organisation and people lists, segments (members and live counts), mailings, exports
and the API. Organisation criteria on people apply through the person's current affiliations;
needs and motivations of a person are their own or their current organisations'.

People are found the way a large database answers quickly: each criterion on people is a set of
people in two forms that hold for exactly the same people (``_People``): ``pk IN (subquery)``,
a set the database builds and starts from, and a correlated ``EXISTS``, checked person by person
through an index. The set that is cheapest to start from (``_start``: its size estimated from the
indexes by ``actors.sizes``, times the checks of the others) becomes the ``IN``, the others
``EXISTS`` (in ``CHECK_ORDER``): the database builds neither the set of, say, every person with a
newsletter consent nor that of every person at a company when a district holds fewer. Which form
is used changes only the speed (tested against a plain reference for every start).

When a need, motivation or district is the start and there are criteria on organisations, the two
start as one set (``_also_at``): whether the organisations with the need meet the criteria is
decided once per organisation, not for each person's organisations one by one.

Labs: a user names only labs they see (``check_criteria`` with the acting user; a lab they do not
see is unknown, as one that does not exist). A saved segment is read the same way for the user
who uses it (``segment_criteria``, ``segment_people``, ``segment_organisations``).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from datetime import timedelta
from functools import cached_property
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.accounts.permissions import is_system
from reallabor.actors import sizes
from reallabor.actors.criteria import Criteria, CriteriaError, parse_criteria
from reallabor.actors.models import Affiliation, Consent, Person, Segment
from reallabor.core.cache import cached_by_content
from reallabor.core.search import ENTRY_KEY, words_match
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
    rows: list[tuple[int, str]] = cached_by_content(  # a list page asks twice (check, filter)
        f"criteria-terms:{family}:{hashlib.sha256(repr(codes).encode()).hexdigest()}",
        lambda: list(
            Term.objects.filter(vocabulary__family=family, vocabulary__retired_at__isnull=True)
            .filter(Q(code__in=codes) | Q(parent__code__in=codes))
            .values_list("id", "code")
        ),
    )
    found = {code for _id, code in rows}
    unknown = [code for code in codes if code not in found]
    if unknown:
        errors[field] = _("Unknown code(s): %(codes)s.") % {"codes": ", ".join(unknown)}
        return []
    return [term_id for term_id, _code in rows]


def unknown_labs(slugs: tuple[str, ...], *, user: Any) -> list[str]:
    """The lab slugs the user may not name: those of no lab they see (every lab for the system,
    user None). A lab the user cannot see (another lab's draft) is unknown, as if it did not exist."""
    if not slugs:
        return []
    from reallabor.labs.models import Lab

    labs = Lab.objects.all() if is_system(user) else Lab.objects.visible_to(user)
    known = set(labs.filter(slug__in=slugs).values_list("slug", flat=True))
    return [slug for slug in slugs if slug not in known]


def _check_labs(criteria: Criteria, *, user: Any, errors: dict[str, str]) -> None:
    unknown = unknown_labs(criteria.labs, user=user)
    if unknown:
        errors["labs"] = _("Unknown lab(s): %(slugs)s.") % {"slugs": ", ".join(unknown)}


def check_criteria(criteria: Criteria, *, user: Any) -> None:
    """Raise ``CriteriaError`` for codes and slugs that do not exist, and for labs the user does
    not see (the same message as for a lab that does not exist): every caller that takes
    criteria from a user passes that user (None: the system, which sees every lab)."""
    errors: dict[str, str] = {}
    _terms(SECTOR_FAMILY, criteria.sectors, field="sectors", errors=errors)
    _terms(TRADES_FAMILY, criteria.trades, field="trades", errors=errors)
    _terms(NEEDS_FAMILY, criteria.needs, field="needs", errors=errors)
    _terms(MOTIVATIONS_FAMILY, criteria.motivations, field="motivations", errors=errors)
    _check_labs(criteria, user=user, errors=errors)
    if errors:
        raise CriteriaError(errors)


def check_labs(criteria: Criteria, *, user: Any) -> None:
    """Raise ``CriteriaError`` for labs the user does not see (the rest of ``check_criteria``:
    the filters refuse unknown codes themselves). Nothing to check for the system (user None)."""
    if is_system(user):
        return
    errors: dict[str, str] = {}
    _check_labs(criteria, user=user, errors=errors)
    if errors:
        raise CriteriaError(errors)


def segment_criteria(segment: Segment, *, user: Any) -> Criteria:
    """A saved segment's criteria as the user may use them (``CriteriaError`` names what is wrong:
    codes that no longer exist, labs that do not exist or that the user does not see)."""
    criteria = parse_criteria(segment.criteria)
    check_criteria(criteria, user=user)
    return criteria


def _tags(model: type[Any], term_ids: list[int]) -> QuerySet[Tag]:
    content_type = ContentType.objects.get_for_model(model)
    return Tag.objects.filter(content_type=content_type, term_id__in=term_ids)


def _tagged_ids(model: type[Any], term_ids: list[int]) -> QuerySet[Tag, Any]:
    return _tags(model, term_ids).values("object_id")


def _contact_q(criteria: Criteria, field: str = "last_contact_at") -> Q:
    condition = Q()
    now = timezone.now()
    if criteria.contacted_within_days is not None:
        condition &= Q(**{f"{field}__gte": now - timedelta(days=criteria.contacted_within_days)})
    if criteria.not_contacted_for_days is not None:
        cutoff = now - timedelta(days=criteria.not_contacted_for_days)
        # Not since the cutoff, or never: ``NOT (field >= cutoff AND field IS NOT NULL)``. The same
        # rows as ``field < cutoff OR field IS NULL``, but no index on the field looks cheap for it
        # (most rows match), so SQLite starts from the other criteria instead of the contact index.
        condition &= ~Q(**{f"{field}__gte": cutoff})
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
        queryset = queryset.filter(words_match(Organisation, criteria.q))
    if criteria.districts:
        queryset = queryset.filter(district__in=criteria.districts)
    joined = bool(criteria.q)
    for family, codes, name in (
        (NEEDS_FAMILY, criteria.needs, "needs"),
        (MOTIVATIONS_FAMILY, criteria.motivations, "motivations"),
    ):
        if codes:
            ids = _terms(family, codes, field=name, errors=errors)
            if len(ids) == 1 and not joined:
                # One term: join its tags (one per organisation), read in the organisations' order
                # from the tag index, so a page stops early (core.search.entry_order).
                queryset = queryset.filter(tags__term_id=ids[0]).alias(**{ENTRY_KEY: F("tags__object_id")})
                joined = True
            else:
                queryset = queryset.filter(pk__in=_tagged_ids(Organisation, ids))
    if errors:
        raise CriteriaError(errors)
    return queryset


class _People:
    """The people meeting one criterion, in two forms that hold for exactly the same people.

    ``ids``: their ids (a ``values()`` subquery) for ``pk IN (…)``, a set the database builds and
    starts from; ``exists``: a condition on Person checked person by person through an index
    (correlated ``EXISTS``). Each form is built when first asked for (building querysets is a
    noticeable part of a count). A criterion met through organisations also keeps its parts (rows
    and the column holding the ids): ``own``, the people meeting it themselves; ``at``, the
    organisations.
    """

    def __init__(
        self,
        ids: Callable[[], QuerySet[Any, Any]],
        exists: Callable[[], Q],
        *,
        own: tuple[QuerySet[Any, Any], str] | None = None,
        at: tuple[QuerySet[Any, Any], str] | None = None,
    ) -> None:
        self._ids, self._exists, self.own, self.at = ids, exists, own, at

    @cached_property
    def ids(self) -> QuerySet[Any, Any]:
        return self._ids()

    @cached_property
    def exists(self) -> Q:
        return self._exists()


def _current() -> QuerySet[Affiliation]:
    return Affiliation.objects.current().order_by()


def _is_one_of(organisations: tuple[QuerySet[Any, Any], str], column: str) -> Exists:
    """The organisation in the outer row's ``column`` is one of ``organisations`` (rows, id column)."""
    rows, key = organisations
    return Exists(rows.filter(**{key: OuterRef(column)}))


def _people_at(organisations: QuerySet[Any, Any], key: str = "pk") -> _People:
    """The people currently at some organisations.

    ``organisations``: rows whose column ``key`` holds the organisations' ids (the organisations
    themselves, or tags of them with ``key="object_id"``).
    """
    at = (organisations, key)
    return _People(
        ids=lambda: _current().filter(organisation_id__in=organisations.values(key)).values("person_id"),
        exists=lambda: Q(
            Exists(_current().filter(person_id=OuterRef("pk")).filter(_is_one_of(at, "organisation_id")))
        ),
        at=at,
    )


def _themselves_or_at(
    own: QuerySet[Any, Any], key: str, organisations: _People, exists: Q | None = None
) -> _People:
    """The people meeting a criterion themselves (rows ``own`` whose column ``key`` holds their ids;
    ``exists``, if given, the same as a simpler condition on Person) or through ``organisations``
    (``_people_at``)."""
    return _People(
        ids=lambda: own.values(key).union(organisations.ids, all=True),
        exists=lambda: (
            (Q(Exists(own.filter(**{key: OuterRef("pk")}))) if exists is None else exists)
            | organisations.exists
        ),
        own=(own, key),
        at=organisations.at,
    )


def _also_at(people: _People, organisations: _People) -> QuerySet[Any, Any]:
    """The ids of ``people`` (a criterion met themselves or through organisations) who are also
    currently at one of ``organisations`` (``_people_at``): the people in both sets.

    Through the criterion's organisations it is decided organisation by organisation: the people
    at one of them that is also one of ``organisations``, and the people at one that is not who
    have another current affiliation at one that is (a person at several organisations). So only
    the people at an organisation that is not have their other affiliations looked up, and
    nobody's organisations are read one by one.

    SQLite (no hash joins) reads the affiliations at the criterion's organisations in one pass,
    with the ids of those that are one of ``organisations`` as a set built once. PostgreSQL gets
    the two groups as a union of semi- and anti-joins: given the one pass, it would check the
    condition with the other affiliations on every current affiliation before the join.
    """
    assert people.at is not None and organisations.at is not None
    rows, key = people.at
    current = _current()
    here = _is_one_of(organisations.at, key)  # the organisation of one of ``rows``
    elsewhere = Exists(
        current.filter(person_id=OuterRef("person_id"))
        .exclude(organisation_id=OuterRef("organisation_id"))
        .filter(_is_one_of(organisations.at, "organisation_id"))
    )
    if connection.vendor == "sqlite":
        ids = (
            current.filter(organisation_id__in=rows.values(key))
            .filter(Q(organisation_id__in=rows.filter(here).values(key)) | Q(elsewhere))
            .values("person_id")
        )
    else:
        ids = (
            current.filter(organisation_id__in=rows.filter(here).values(key))
            .values("person_id")
            .union(
                current.filter(organisation_id__in=rows.filter(~here).values(key))
                .filter(elsewhere)
                .values("person_id"),
                all=True,
            )
        )
    if people.own is None:
        return ids
    own, own_key = people.own
    at_one = current.filter(person_id=OuterRef(own_key)).filter(
        _is_one_of(organisations.at, "organisation_id")
    )
    return own.filter(Exists(at_one)).values(own_key).union(ids, all=True)


def _consenting(purpose: str) -> _People:
    """The people with a valid consent for the purpose."""
    valid = Consent.objects.valid().filter(purpose=purpose).order_by()
    return _People(
        lambda: valid.values("person_id"), lambda: Q(Exists(valid.filter(person_id=OuterRef("pk"))))
    )


# Where the database starts when the sizes do not decide (``_start``: sets of similar or unknown
# size) and in which order it checks the others (the cheapest checks that rule out many people
# first: a consent costs one index lookup, an organisation criterion an affiliation and the
# organisation's row).
START_ORDER = ("labs", "needs", "motivations", "organisations", "districts", "consent")
CHECK_ORDER = ("consent", "needs", "motivations", "labs", "organisations", "districts")
# Sets met themselves or through organisations: starting with the criteria on organisations, they
# become one set (``_also_at``).
FUSED = ("needs", "motivations", "districts")
CONTACT = "contact"  # the start "people contacted lately": their own index, no set


def _people_sets(criteria: Criteria) -> dict[str, _People]:
    """The criteria on people except the text and the last contact, as sets of people by name
    (``labs`` is the organisation criteria when they include labs; codes must exist: see
    check_criteria)."""
    errors: dict[str, str] = {}
    sets: dict[str, _People] = {}
    organisation_q = _organisation_q(criteria, with_contact=False)
    if organisation_q:
        at_organisations = _people_at(Organisation.objects.filter(organisation_q))
        sets["labs" if criteria.labs else "organisations"] = at_organisations
    if criteria.districts:
        sets["districts"] = _themselves_or_at(
            Person.objects.filter(district__in=criteria.districts).order_by(),
            "pk",
            _people_at(Organisation.objects.filter(district__in=criteria.districts)),
            exists=Q(district__in=criteria.districts),
        )
    for family, codes, name in (
        (NEEDS_FAMILY, criteria.needs, "needs"),
        (MOTIVATIONS_FAMILY, criteria.motivations, "motivations"),
    ):
        if codes:
            ids = _terms(family, codes, field=name, errors=errors)
            sets[name] = _themselves_or_at(
                _tags(Person, ids).order_by(),
                "object_id",
                _people_at(_tags(Organisation, ids).order_by(), key="object_id"),
            )
    if errors:
        raise CriteriaError(errors)
    if criteria.consent:
        sets["consent"] = _consenting(criteria.consent)
    return sets


def _people_conditions(criteria: Criteria, *, start: bool = True) -> list[Q]:
    """The conditions on Person for the criteria's sets of people, starting from the cheapest
    (``_start``; none with ``start`` False)."""
    sets = _people_sets(criteria)
    return _conditions(sets, _start(criteria, sets) if start else None)


def _conditions(sets: dict[str, _People], first: str | None) -> list[Q]:
    """The set ``first`` as ``pk IN (…)``, then the others as EXISTS in CHECK_ORDER. A need,
    motivation or district starts together with the criteria on organisations (``_also_at``).
    With ``contact`` (or None) there is no set: the database starts from the index of the last
    contacts (or from the people). Any ``first`` gives the same people: it changes only the speed."""
    conditions: list[Q] = []
    started = {first}
    if first in sets:
        if first in FUSED and "organisations" in sets:
            conditions.append(Q(pk__in=_also_at(sets[first], sets["organisations"])))
            started.add("organisations")
        else:
            conditions.append(Q(pk__in=sets[first].ids))
    conditions += [sets[name].exists for name in CHECK_ORDER if name in sets and name not in started]
    return conditions


# What checking one person for a set costs, roughly in index lookups (a consent: one; an
# organisation criterion: the affiliation and the organisation; a need: the person's own tags too).
# Building the start's set costs one per person; the last contact is in the person's row.
CHECK_COST = {
    "labs": 2,
    "needs": 3,
    "motivations": 3,
    "organisations": 2,
    "districts": 2,
    "consent": 1,
    CONTACT: 0,
}


def _start(criteria: Criteria, sets: dict[str, _People]) -> str | None:
    """The set to start from: the cheapest by its estimated people (``sizes.estimates``) times
    building its set and checking each of them for the other sets. A need, motivation or district
    starting with the criteria on organisations checks those while it is built (``_also_at``). A
    lab always starts (a handful of organisations); sets too large to count start in START_ORDER.
    """
    names = [name for name in START_ORDER if name in sets]
    if criteria.contacted_within_days is not None:
        names.append(CONTACT)
    if len(names) < 2 or names[0] == "labs":
        return names[0] if names else None
    estimated = sizes.estimates(
        criteria, names, terms=lambda family, codes: _terms(family, codes, field=family, errors={})
    )

    def cost(name: str) -> float:
        size = estimated[name]
        if size is None:
            return math.inf
        fused = name in FUSED and "organisations" in sets
        checks = [other for other in names if other != name and not (fused and other == "organisations")]
        return size * (1 + sum(CHECK_COST[other] for other in checks))

    return min(names, key=lambda name: (cost(name), names.index(name)))


def people_matching(criteria: Criteria, queryset: QuerySet[Person] | None = None) -> QuerySet[Person]:
    """The people who meet every criterion; organisation criteria through current affiliations."""
    queryset = Person.objects.filter(anonymised_at__isnull=True) if queryset is None else queryset
    if criteria.q:
        queryset = queryset.filter(words_match(Person, criteria.q))
    # A text search starts from its own index; else the database starts from one of the sets.
    return queryset.filter(*_people_conditions(criteria, start=not criteria.q), _contact_q(criteria))


def segment_organisations(segment: Segment, *, user: Any) -> QuerySet[Organisation]:
    """The organisations of a segment as the user may use it (``CriteriaError`` for labs the user
    does not see: ``check_labs``; the system, user None, sees every lab)."""
    criteria = parse_criteria(segment.criteria)
    check_labs(criteria, user=user)
    return organisations_matching(criteria)


def segment_people(segment: Segment, *, user: Any) -> QuerySet[Person]:
    """The people a segment reaches: its people, or the people currently at its organisations
    (``CriteriaError`` for labs the user does not see, as ``segment_organisations``)."""
    criteria = parse_criteria(segment.criteria)
    check_labs(criteria, user=user)
    return criteria_people(segment.subject, criteria)


def criteria_people(subject: str, criteria: Criteria) -> QuerySet[Person]:
    """The people criteria reach (checked already): the matching people, or the people currently
    at the matching organisations (with the consent criterion: those of them with a valid consent)."""
    if subject == Segment.Subject.PEOPLE:
        return people_matching(criteria)
    people = Person.objects.filter(anonymised_at__isnull=True)
    people = people.filter(pk__in=_people_at(organisations_matching(criteria)).ids)
    if criteria.consent:
        people = people.filter(_consenting(criteria.consent).exists)
    return people


def segment_count(segment: Segment, *, user: Any = None) -> int:
    """The live count: organisations for an organisation segment, people for a people segment
    (as the system sees it unless a user is given)."""
    if segment.subject == Segment.Subject.ORGANISATIONS:
        return segment_organisations(segment, user=user).count()
    return segment_people(segment, user=user).count()


def addressable_q() -> Q:
    """People with an e-mail address that has not bounced."""
    return ~Q(email="") & Q(email_bounced_at__isnull=True)


def reachable_q(purpose: str) -> Q:
    """People with an e-mail address that has not bounced and a valid consent for the purpose."""
    return addressable_q() & _consenting(purpose).exists


def reachable_people(people: QuerySet[Person], purpose: str) -> QuerySet[Person]:
    """Those of ``people`` with an e-mail address and a valid consent for the purpose."""
    return people.filter(reachable_q(purpose))
