"""Read-side helpers of the lab pages (and the reports): efficient queries and tag grouping.

Every helper here costs a constant number of queries whatever the amount of data. Lists of
measures are made ready for display with ``prepare_measures``: their tags arrive in two queries
for the whole list (the tags, then the few distinct terms they use with their vocabularies) as
light ``TagItem`` objects, and their URLs are built without a ``reverse`` per row.
Pages with hundreds of measures (the portfolio overview) stay fast that way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.urls import reverse

from reallabor.labs.models import Actor, Lab, LabOrganisation, Measure, TargetGroup
from reallabor.taxonomy.models import MEGATREND_FAMILY, SDG_FAMILY, Tag, Term, Vocabulary

LAB_ORGANISATIONS_SHOWN = 100
"""A lab page lists at most this many participating organisations."""

# The order of tag groups on the pages: megatrends, SDGs, strategy goals, then the rest.
TAG_GROUP_ORDER: dict[str, int] = {
    Vocabulary.Kind.MEGATREND: 0,
    Vocabulary.Kind.SDG: 1,
    Vocabulary.Kind.STRATEGY: 2,
    Vocabulary.Kind.TARGET_GROUP: 3,
    Vocabulary.Kind.OTHER: 4,
}
_SLUG_PLACEHOLDER = "__slug__"

# What lists show of a measure and of a lab: long texts stay in the database (sorting is cheaper).
MEASURE_LIST_FIELDS = ("id", "lab", "title", "slug", "status", "start", "end", "position", "is_published")
LAB_LIST_FIELDS = (
    "id",
    "name",
    "slug",
    "summary",
    "phase",
    "funding_start",
    "funding_end",
    "position",
    "is_published",
    "coordinator",
)


# Tags -----------------------------------------------------------------------------------------------


@dataclass(slots=True)
class TagItem:
    """A tag as the pages show it: its term (with vocabulary and parent) and the tag's own data.

    ``display`` is what ``Tag.display`` gives (MT »Digitalisierung« (note), SDG 8 »…«); ``colour``
    the term's colour (an SDG target carries its goal's).
    """

    term: Term
    note: str
    priority: str
    share: int | None
    display: str
    colour: str

    @property
    def weight_label(self) -> str:
        return Tag(priority=self.priority, share=self.share).weight_label


# What a tag's display needs of its term and vocabulary (descriptions stay in the database).
TERM_DISPLAY_FIELDS = (
    "code",
    "name",
    "name_en",
    "local_name",
    "colour",
    "position",
    "parent",
    "vocabulary__family",
    "vocabulary__version",
    "vocabulary__kind",
    "vocabulary__name",
    "vocabulary__name_en",
    "vocabulary__abbreviation",
)


def terms_for_display(term_ids: Iterable[int], *, with_goals: bool = False) -> dict[int, Term]:
    """The terms with their vocabularies (one query); ``with_goals`` also loads SDG targets' goals."""
    terms = Term.objects.filter(pk__in=list(term_ids)).select_related("vocabulary")
    if with_goals:
        goal_fields = [f"parent__{name}" for name in TERM_DISPLAY_FIELDS if name != "parent"]
        terms = terms.select_related("parent__vocabulary").only(*TERM_DISPLAY_FIELDS, *goal_fields)
    else:
        terms = terms.only(*TERM_DISPLAY_FIELDS)
    return {term.pk: term for term in terms}


def tag_items(objects: Sequence[Any], *, with_goals: bool = False) -> dict[int, list[TagItem]]:
    """The tags of ``objects`` (model instances of one model), by object id, each list in tag order.

    Two queries for any number of objects (none without objects, one without tags). With
    ``with_goals`` an SDG target's ``term.parent`` (its goal) is loaded too, else it must not be used.
    """
    result: dict[int, list[TagItem]] = {obj.pk: [] for obj in objects}
    if not result:
        return result
    meta = objects[0]._meta  # by name, not by ContentType.objects.get_for_model: no cache, no extra query
    rows = list(
        Tag.objects.filter(
            content_type__app_label=meta.app_label,
            content_type__model=meta.model_name,
            object_id__in=list(result),
        )
        .order_by("position", "id")
        .values_list("object_id", "term_id", "note", "priority", "share")
    )
    if not rows:
        return result
    terms = terms_for_display({row[1] for row in rows}, with_goals=with_goals)
    displays: dict[int, str] = {}
    for object_id, term_id, note, priority, share in rows:
        term = terms[term_id]
        display = displays.get(term_id)
        if display is None:
            display = displays[term_id] = term.display
        if note:  # as Tag.display
            display = f"{display} ({note})"
        result[object_id].append(
            TagItem(term=term, note=note, priority=priority, share=share, display=display, colour=term.colour)
        )
    return result


def union_tags(measures: Iterable[Measure]) -> list[TagItem]:
    """The union of the measures' tags in measure order, each term once (its first tag wins).

    The measures must have been through ``prepare_measures``.
    """
    seen: set[int] = set()
    result: list[TagItem] = []
    for measure in measures:
        for item in measure.tag_items:  # type: ignore[attr-defined]
            if item.term.pk not in seen:
                seen.add(item.term.pk)
                result.append(item)
    return result


@dataclass
class TagGroup:
    kind: str
    label: str
    tags: list[TagItem] = field(default_factory=list)


def group_tags(tags: Iterable[TagItem]) -> list[TagGroup]:
    """Tags grouped by vocabulary (megatrends, SDGs, strategy goals, others), their order kept."""
    groups: dict[int, TagGroup] = {}
    for item in tags:
        vocabulary = item.term.vocabulary
        group = groups.get(vocabulary.pk)
        if group is None:
            group = groups[vocabulary.pk] = TagGroup(kind=vocabulary.kind, label=vocabulary.label)
        group.tags.append(item)
    return sorted(groups.values(), key=lambda group: TAG_GROUP_ORDER.get(group.kind, 9))


# Measures -------------------------------------------------------------------------------------------


def prepare_measures(measures: Sequence[Measure], *, with_goals: bool = False) -> Sequence[Measure]:
    """Make loaded measures ready for display (their labs must be loaded or attached).

    Sets ``measure.tag_items`` (list of TagItem, see ``tag_items``), ``measure.url`` (the
    measure page) and ``measure.lab_url`` (the lab page). Two queries for any number of measures.
    """
    tags = tag_items(measures, with_goals=with_goals)
    urls: dict[str, tuple[str, str, str]] = {}  # lab slug -> (lab URL, measure URL head and tail)
    for measure in measures:
        lab_slug = measure.lab.slug
        lab_urls = urls.get(lab_slug)
        if lab_urls is None:
            template = reverse(
                "labs:measure-detail", kwargs={"lab_slug": lab_slug, "slug": _SLUG_PLACEHOLDER}
            )
            head, _placeholder, tail = template.rpartition(_SLUG_PLACEHOLDER)
            lab_urls = urls[lab_slug] = (measure.lab.get_absolute_url(), head, tail)
        measure.lab_url, head, tail = lab_urls  # type: ignore[attr-defined]
        measure.url = f"{head}{measure.slug}{tail}"  # type: ignore[attr-defined]
        measure.tag_items = tags[measure.pk]  # type: ignore[attr-defined]
    return measures


def measures_for_list(user: Any) -> QuerySet[Measure]:
    """Visible measures with their lab, in portfolio order (then ``prepare_measures`` on a page)."""
    return (
        Measure.objects.visible_to(user)
        .select_related("lab")
        .only(*MEASURE_LIST_FIELDS, "lab__name", "lab__slug", "lab__is_published", "lab__position")
    )


def profile_prefetches() -> list[Any]:
    """The prefetches of the profile sheet: one query per row kind (tags: see ``prepare_measures``)."""
    return [
        "coordinators",
        "activities",
        "financing",
        Prefetch("actors", queryset=Actor.objects.select_related("organisation")),
        Prefetch("target_groups", queryset=TargetGroup.objects.select_related("term__vocabulary")),
        "results",
    ]


def measure_for_detail(user: Any) -> QuerySet[Measure]:
    """Visible measures with their lab (one query); ``load_profile`` then loads what the page shows."""
    return Measure.objects.visible_to(user).select_related("lab__coordinator")


def load_profile(measure: Measure) -> Measure:
    """Load the measure's profile rows and tags for the measure page and its profile sheet (eight queries)."""
    prefetch_related_objects([measure], *profile_prefetches())
    prepare_measures([measure], with_goals=True)
    return measure


def lab_measures(lab: Lab, user: Any) -> list[Measure]:
    """The lab's measures that ``user`` may see, in their order, prepared (three queries)."""
    measures = list(
        Measure.objects.visible_to(user).filter(lab=lab).only(*MEASURE_LIST_FIELDS).order_by("position", "id")
    )
    for measure in measures:
        measure.lab = lab
    prepare_measures(measures)
    return measures


# Labs -------------------------------------------------------------------------------------------------


def labs_for_list(user: Any) -> QuerySet[Lab]:
    """Visible labs in their order, with the fields lists show (``LAB_LIST_FIELDS``)."""
    return Lab.objects.visible_to(user).only(*LAB_LIST_FIELDS).order_by("position", "name", "id")


def lab_for_detail(user: Any) -> QuerySet[Lab]:
    return Lab.objects.visible_to(user).select_related("coordinator")


def lab_organisations(lab: Lab, limit: int = LAB_ORGANISATIONS_SHOWN) -> tuple[list[LabOrganisation], bool]:
    """The lab's participating organisations (at most ``limit``) and whether there are more."""
    rows = list(
        LabOrganisation.objects.filter(lab=lab)
        .select_related("organisation")
        .order_by("organisation__name", "id")[: limit + 1]
    )
    return rows[:limit], len(rows) > limit


# Filter forms -----------------------------------------------------------------------------------------


def filter_terms() -> tuple[list[Term], list[Term]]:
    """The SDG goals and the current megatrends for filter forms (one query)."""
    terms = (
        Term.objects.filter(
            vocabulary__family__in=(SDG_FAMILY, MEGATREND_FAMILY),
            vocabulary__retired_at__isnull=True,
            parent__isnull=True,
        )
        .select_related("vocabulary")
        .only(*TERM_DISPLAY_FIELDS)
        .order_by("position", "code")
    )
    sdgs: list[Term] = []
    megatrends: list[Term] = []
    for term in terms:
        (sdgs if term.vocabulary.family == SDG_FAMILY else megatrends).append(term)
    return sdgs, megatrends


def lab_choices(user: Any) -> list[tuple[str, str]]:
    """(slug, name) of the labs the user may see, for filter forms (one query)."""
    return list(Lab.objects.visible_to(user).order_by("position", "name", "id").values_list("slug", "name"))


def cached_lab_choices(user: Any) -> list[tuple[str, str]]:
    """``lab_choices``, kept until the content changes: for the office's long lists, whose filters
    offer every lab (a thousand in a large installation) on every request."""
    from reallabor.core.cache import cached_by_content

    user_key = user.pk if user is not None and user.is_authenticated else "anonymous"
    return cached_by_content(f"lab-choices:{user_key}", lambda: lab_choices(user))


# The portfolio overview ---------------------------------------------------------------------------------


@dataclass
class PortfolioRow:
    """One lab of the portfolio table with its (visible, filtered) measures and their tags' union."""

    lab: Lab
    measures: list[Measure]
    tags: list[TagItem]


def portfolio_rows(labs: Sequence[Lab], measures: QuerySet[Measure]) -> list[PortfolioRow]:
    """The portfolio table for ``labs`` (one page): their measures from ``measures``, grouped.

    ``measures`` is a visible (and possibly filtered) measure queryset; three queries in all.
    """
    by_lab: dict[int, list[Measure]] = {lab.pk: [] for lab in labs}
    labs_by_id = {lab.pk: lab for lab in labs}
    loaded = list(
        measures.filter(lab_id__in=list(by_lab))
        .select_related(None)
        .only(*MEASURE_LIST_FIELDS)
        .order_by("position", "id")
    )
    for measure in loaded:
        measure.lab = labs_by_id[measure.lab_id]
        by_lab[measure.lab_id].append(measure)
    prepare_measures(loaded)
    return [PortfolioRow(lab=lab, measures=by_lab[lab.pk], tags=union_tags(by_lab[lab.pk])) for lab in labs]
