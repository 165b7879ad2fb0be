"""Read-side helpers of the lab pages (and later the reports): efficient querysets and tag grouping.

Every list here costs a constant number of queries whatever the amount of data: tags are
prefetched with their terms and vocabularies through the generic relation ``Measure.tags``,
and labs are attached to their measures in Python where they are already loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet

from reallabor.labs.models import Actor, Lab, LabOrganisation, Measure, TargetGroup
from reallabor.taxonomy.models import MEGATREND_FAMILY, SDG_FAMILY, Tag, Term, Vocabulary

if TYPE_CHECKING:
    from reallabor.accounts.models import User

LAB_ORGANISATIONS_SHOWN = 100
"""A lab page lists at most this many participating organisations."""

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")

# The order of tag groups on the pages: megatrends, SDGs, strategy goals, then the rest.
TAG_GROUP_ORDER = {
    Vocabulary.Kind.MEGATREND: 0,
    Vocabulary.Kind.SDG: 1,
    Vocabulary.Kind.STRATEGY: 2,
    Vocabulary.Kind.TARGET_GROUP: 3,
    Vocabulary.Kind.OTHER: 4,
}


# Querysets ----------------------------------------------------------------------------------------


def tag_queryset() -> QuerySet[Tag]:
    """Tags with everything their display needs (term, vocabulary, an SDG target's goal)."""
    return Tag.objects.select_related("term__vocabulary", "term__parent__vocabulary").order_by("position", "id")


def tags_prefetch() -> Prefetch[Any]:
    """Prefetch of ``Measure.tags`` (one query for all measures of a page)."""
    return Prefetch("tags", queryset=tag_queryset())


def measures_for_list(user: User | None) -> QuerySet[Measure]:
    """Visible measures with their lab and tags, in portfolio order."""
    return Measure.objects.visible_to(user).select_related("lab").prefetch_related(tags_prefetch())


def measure_for_detail(user: User | None) -> QuerySet[Measure]:
    """Visible measures with everything the measure page and its profile sheet show."""
    return (
        Measure.objects.visible_to(user)
        .select_related("lab__coordinator")
        .prefetch_related(
            tags_prefetch(),
            "coordinators",
            "activities",
            "financing",
            Prefetch("actors", queryset=Actor.objects.select_related("organisation")),
            Prefetch("target_groups", queryset=TargetGroup.objects.select_related("term__vocabulary")),
            "results",
        )
    )


def lab_for_detail(user: User | None) -> QuerySet[Lab]:
    return Lab.objects.visible_to(user).select_related("coordinator")


def lab_measures(lab: Lab, user: User | None) -> list[Measure]:
    """The lab's measures that ``user`` may see, in their order, with tags (two queries)."""
    measures = list(
        Measure.objects.visible_to(user)
        .filter(lab=lab)
        .order_by("position", "id")
        .prefetch_related(tags_prefetch())
    )
    for measure in measures:
        measure.lab = lab
    return measures


def lab_organisations(lab: Lab, limit: int = LAB_ORGANISATIONS_SHOWN) -> tuple[list[LabOrganisation], bool]:
    """The lab's participating organisations (at most ``limit``) and whether there are more."""
    rows = list(
        LabOrganisation.objects.filter(lab=lab)
        .select_related("organisation")
        .order_by("organisation__name", "id")[: limit + 1]
    )
    return rows[:limit], len(rows) > limit


def filter_terms() -> tuple[list[Term], list[Term]]:
    """The SDG goals and the current megatrends for filter forms (one query)."""
    terms = (
        Term.objects.filter(
            vocabulary__family__in=(SDG_FAMILY, MEGATREND_FAMILY),
            vocabulary__retired_at__isnull=True,
            parent__isnull=True,
        )
        .select_related("vocabulary")
        .order_by("position", "code")
    )
    sdgs: list[Term] = []
    megatrends: list[Term] = []
    for term in terms:
        (sdgs if term.vocabulary.family == SDG_FAMILY else megatrends).append(term)
    return sdgs, megatrends


def lab_choices(user: User | None) -> list[tuple[str, str]]:
    """(slug, name) of the labs the user may see, for filter forms (one query)."""
    return list(Lab.objects.visible_to(user).order_by("position", "name", "id").values_list("slug", "name"))


# Tags -------------------------------------------------------------------------------------------------


def swatch_colour(term: Term) -> str:
    """The colour of a term's swatch (an SDG target takes its goal's), or "" if it has none."""
    colour = term.colour or (term.parent.colour if term.parent_id and term.parent else "")
    return colour if _COLOUR.match(colour or "") else ""


def union_tags(measures: Iterable[Measure]) -> list[Tag]:
    """The union of the measures' tags in measure order, each term once (its first tag wins).

    The measures' tags must be prefetched (``tags_prefetch``).
    """
    seen: set[int] = set()
    result: list[Tag] = []
    for measure in measures:
        for tag in measure.tags.all():
            if tag.term_id not in seen:
                seen.add(tag.term_id)
                result.append(tag)
    return result


@dataclass
class TagGroup:
    kind: str
    label: str
    tags: list[Tag] = field(default_factory=list)


def group_tags(tags: Iterable[Tag]) -> list[TagGroup]:
    """Tags grouped by vocabulary (megatrends, SDGs, strategy goals, others), order kept within."""
    groups: dict[int, TagGroup] = {}
    for tag in tags:
        vocabulary = tag.term.vocabulary
        group = groups.get(vocabulary.pk)
        if group is None:
            group = groups[vocabulary.pk] = TagGroup(kind=vocabulary.kind, label=vocabulary.label)
        group.tags.append(tag)
    return sorted(groups.values(), key=lambda group: TAG_GROUP_ORDER.get(group.kind, 9))


# The portfolio overview ---------------------------------------------------------------------------------


@dataclass
class PortfolioRow:
    """One lab of the portfolio table with its (visible, filtered) measures and their tags' union."""

    lab: Lab
    measures: list[Measure]
    tags: list[Tag]


def portfolio_rows(labs: Sequence[Lab], measures: QuerySet[Measure]) -> list[PortfolioRow]:
    """The portfolio table for ``labs`` (one page): their measures from ``measures``, grouped.

    ``measures`` is a visible (and possibly filtered) measure queryset; two queries in all.
    """
    by_lab: dict[int, list[Measure]] = {lab.pk: [] for lab in labs}
    labs_by_id = {lab.pk: lab for lab in labs}
    rows = (
        measures.filter(lab_id__in=list(by_lab))
        .order_by("position", "id")
        .select_related(None)
        .prefetch_related(None)
        .prefetch_related(tags_prefetch())
    )
    for measure in rows:
        measure.lab = labs_by_id[measure.lab_id]
        by_lab[measure.lab_id].append(measure)
    return [PortfolioRow(lab=lab, measures=by_lab[lab.pk], tags=union_tags(by_lab[lab.pk])) for lab in labs]
