"""Load a ``reporting.Report`` from the database: a constant number of queries for any portfolio."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.labs.models import Actor, Lab, Measure, TargetGroup
from reallabor.labs.selectors import tag_items
from reallabor.reports.reporting import (
    ActivityRow,
    ActorRow,
    ChartTerm,
    FinancingRow,
    Report,
    ReportLab,
    ReportMeasure,
    ReportTag,
    ResultRow,
    TargetGroupRow,
)
from reallabor.taxonomy.models import MEGATREND_FAMILY, SDG_FAMILY, Term, Vocabulary


class ReportScopeError(LookupError):
    """The lab asked for is not in the report's scope (unknown, or not visible)."""


def report_labs(user: Any, *, internal: bool) -> QuerySet[Lab]:
    """The labs a report may cover: published ones, or (internal) all the user may see.

    ``user`` None with ``internal`` is the system (the CLI): everything.
    """
    if not internal:
        return Lab.objects.published()
    return Lab.objects.all() if user is None else Lab.objects.visible_to(user)


def report_measures(user: Any, *, internal: bool) -> QuerySet[Measure]:
    if not internal:
        return Measure.objects.published()
    return Measure.objects.all() if user is None else Measure.objects.visible_to(user)


def _file_name(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1] if name else ""


def _report_tags(items: list[Any]) -> list[ReportTag]:
    tags = []
    for item in items:
        term = item.term
        tags.append(
            ReportTag(
                kind=term.vocabulary.kind,
                code=term.code,
                label=term.label,
                display=item.display,
                colour=item.colour,
                priority=item.priority,
                share=item.share,
                goal_code=term.parent.code
                if term.parent_id and term.vocabulary.kind == Vocabulary.Kind.SDG
                else "",
            )
        )
    return tags


def _report_measure(measure: Measure, tags: list[Any], lab_published: bool) -> ReportMeasure:
    return ReportMeasure(
        title=measure.title,
        slug=measure.slug,
        summary=measure.summary,
        status_label=str(measure.get_status_display()),
        start=measure.start,
        end=measure.end,
        is_draft=not (measure.is_published and lab_published),
        url=measure.get_absolute_url(),
        tags=_report_tags(tags),
        activities=[ActivityRow(row.title, row.start, row.end, row.text) for row in measure.activities.all()],
        coordination=[organisation.name for organisation in measure.coordinators.all()],
        financing=[
            FinancingRow(str(row.get_source_kind_display()), row.source, row.amount, row.start, row.end)
            for row in measure.financing.all()
        ],
        actors=[ActorRow(row.name, row.role) for row in measure.actors.all()],
        target_groups=[
            TargetGroupRow(row.term.label, row.added_value) for row in measure.target_groups.all()
        ],
        results=[
            ResultRow(row.date, row.text, row.evidence_url, _file_name(row.evidence_file.name or ""))
            for row in measure.results.all()
        ],
    )


def _chart_terms() -> tuple[list[ChartTerm], list[ChartTerm]]:
    """The 17 goals, and the current megatrends (one query)."""
    terms = (
        Term.objects.filter(
            vocabulary__family__in=(SDG_FAMILY, MEGATREND_FAMILY),
            vocabulary__retired_at__isnull=True,
            parent__isnull=True,
        )
        .select_related("vocabulary")
        .order_by("position", "code")
    )
    goals: list[ChartTerm] = []
    megatrends: list[ChartTerm] = []
    for term in terms:
        chart_term = ChartTerm(code=term.code, label=term.label, colour=term.colour)
        (goals if term.vocabulary.family == SDG_FAMILY else megatrends).append(chart_term)
    goals.sort(key=lambda term: int(term.code) if term.code.isdigit() else 99)
    return goals, megatrends


def build_report(
    user: Any = None,
    *,
    lab_slug: str | None = None,
    internal: bool = False,
    date: datetime.date | None = None,
) -> Report:
    """The report of the portfolio, or of the lab ``lab_slug``, as ``user`` may see it.

    The public report (``internal`` False) holds published content only, whoever asks. The internal
    one adds the drafts the user may see (all of them for ``user`` None, the CLI). Raises
    ``ReportScopeError`` when the lab is unknown or outside that scope. Eleven queries, whatever the size.
    """
    labs_queryset = (
        report_labs(user, internal=internal).select_related("coordinator").order_by("position", "name", "id")
    )
    if lab_slug is not None:
        labs_queryset = labs_queryset.filter(slug=lab_slug)
    labs = list(labs_queryset)
    if lab_slug is not None and not labs:
        raise ReportScopeError(_("There is no lab “%(slug)s” in this report's scope.") % {"slug": lab_slug})
    labs_by_id = {lab.pk: lab for lab in labs}
    measures = list(
        report_measures(user, internal=internal)
        .filter(lab_id__in=list(labs_by_id))
        .select_related(None)
        .prefetch_related(
            "coordinators",
            "activities",
            "financing",
            Prefetch("actors", queryset=Actor.objects.select_related("organisation")),
            Prefetch("target_groups", queryset=TargetGroup.objects.select_related("term__vocabulary")),
            "results",
        )
        .order_by("position", "id")
    )
    for measure in measures:
        measure.lab = labs_by_id[measure.lab_id]
    tags = tag_items(measures, with_goals=True)
    report_labs_by_id: dict[int, ReportLab] = {
        lab.pk: ReportLab(
            name=lab.name,
            slug=lab.slug,
            summary=lab.summary,
            background=lab.background,
            outlook=lab.outlook,
            phase_label=str(lab.get_phase_display()),
            funding_start=lab.funding_start,
            funding_end=lab.funding_end,
            coordinator=lab.coordinator.name if lab.coordinator else "",
            is_draft=not lab.is_published,
            url=lab.get_absolute_url(),
        )
        for lab in labs
    }
    for measure in measures:
        report_labs_by_id[measure.lab_id].measures.append(
            _report_measure(measure, tags[measure.pk], measure.lab.is_published)
        )
    goals, megatrends = _chart_terms()
    scope = labs[0].name if lab_slug is not None else _("Portfolio of the real-world labs")
    return Report(
        title=_("Real-world labs in %(city)s") % {"city": settings.CITY_NAME},
        city=settings.CITY_NAME,
        office=settings.OFFICE_NAME,
        date=date or timezone.localdate(),
        scope=scope,
        internal=internal,
        labs=[report_labs_by_id[lab.pk] for lab in labs],
        sdg_goals=goals,
        megatrends=megatrends,
        lab_slug=lab_slug or "",
    )
