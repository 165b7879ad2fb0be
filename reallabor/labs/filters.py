"""Filters of measures and labs, shared by the pages and the API.

``MeasureFilter`` takes plain query parameters (all optional) and narrows a queryset that
is already scoped to the user (``Measure.objects.visible_to(user)``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from django.db.models import Q, QuerySet

from reallabor.labs.models import Lab, Measure
from reallabor.taxonomy.models import MEGATREND_FAMILY, SDG_FAMILY, STRATEGY_FAMILY


@dataclass
class MeasureFilter:
    lab: str = ""  # lab slug
    sdg: str = ""  # goal ("8") or target ("8.5"); a goal also matches measures tagged with its targets
    megatrend: str = ""  # megatrend code, in any version of the vocabulary
    strategy: str = ""  # strategy goal code
    status: str = ""
    published: bool | None = None
    q: str = ""  # search in title, summary and lab name

    @classmethod
    def from_params(cls, params: Any) -> MeasureFilter:
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = params.get(field.name)
            if raw in (None, ""):
                continue
            if field.name == "published":
                values["published"] = str(raw).lower() in {"1", "true", "yes", "ja", "on"}
            else:
                values[field.name] = str(raw).strip()[:200]
        return cls(**values)

    @property
    def is_active(self) -> bool:
        return any(getattr(self, field.name) not in ("", None) for field in fields(self))

    def apply(self, queryset: QuerySet[Measure]) -> QuerySet[Measure]:
        if self.lab:
            queryset = queryset.filter(lab__slug=self.lab)
        if self.status:
            queryset = queryset.filter(status=self.status)
        if self.published is not None:
            published = Q(is_published=True, lab__is_published=True)
            queryset = queryset.filter(published if self.published else ~published)
        if self.sdg:
            queryset = queryset.filter(pk__in=_tagged(SDG_FAMILY, self.sdg, include_children=True))
        if self.megatrend:
            queryset = queryset.filter(pk__in=_tagged(MEGATREND_FAMILY, self.megatrend))
        if self.strategy:
            queryset = queryset.filter(pk__in=_tagged(STRATEGY_FAMILY, self.strategy))
        if self.q:
            for word in self.q.split()[:8]:
                queryset = queryset.filter(
                    Q(title__icontains=word) | Q(summary__icontains=word) | Q(lab__name__icontains=word)
                )
        return queryset


def _tagged(family: str, code: str, include_children: bool = False) -> QuerySet[Any]:
    """Ids of measures tagged with the term ``code`` of ``family`` (any version)."""
    from reallabor.taxonomy.models import Tag, Term

    term_match = Q(vocabulary__family=family, code=code)
    if include_children:
        term_match |= Q(parent__vocabulary__family=family, parent__code=code)
    # The few matching terms first: the tags are then found through their term index.
    terms = Term.objects.filter(term_match).values("pk")
    return Tag.objects.filter(
        term__in=terms, content_type__app_label="labs", content_type__model="measure"
    ).values("object_id")


def filter_labs(queryset: QuerySet[Lab], *, q: str = "", phase: str = "") -> QuerySet[Lab]:
    if phase:
        queryset = queryset.filter(phase=phase)
    for word in q.split()[:8]:
        queryset = queryset.filter(Q(name__icontains=word) | Q(summary__icontains=word))
    return queryset
