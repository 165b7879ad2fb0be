"""How a series develops (``/veranstaltungen/reihen/<slug>/entwicklung/``) and an event's feedback
(``/veranstaltungen/<slug>/rueckmeldungen/``).

The development shows, per event of the series that has taken place, registrations, attendance,
attendance and no-show rates, new and returning organisations (``selectors.series_statistics``)
as two SVG charts drawn on the server (``events.charts``) with the same numbers in a table under
them. These are counts without personal data: readers see the page as well as the office that
manages the series (``permissions.can_manage_series``); partners and the public do not (the
numbers are internal). The average rating and the number of answers per event are the feedback
summary: only for those who manage the event (``permissions.can_see_feedback_summary``), with a
link to the event's feedback page.

The feedback page lists the ratings, the comments and the "next topic" answers of one event,
without names. Free texts may name people: the office only (``office_view`` and
``permissions.can_see_participants``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from reallabor.actors.views.common import office_view
from reallabor.core.views_helpers import Row, acting_user, get_visible_or_404, internal_view, require
from reallabor.events import permissions, selectors
from reallabor.events.charts import DataSeries, bar_chart_svg
from reallabor.events.models import Event, EventSeries, Feedback
from reallabor.events.stats import EventStats

SERIES_TEMPLATE = "events/development_series.html"
FEEDBACK_TEMPLATE = "events/development_feedback.html"
FEEDBACK_LIMIT = 500


def _url_or_none(name: str, **kwargs: Any) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:  # another area's page that is not there (yet)
        return None


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{number_format(round(rate * 100))} %"


def _day(stats: EventStats) -> str:
    return date_format(timezone.localtime(stats.starts_at), "SHORT_DATE_FORMAT")


def _charts(rows: list[EventStats], days: list[str], title: str) -> tuple[str, str]:
    counts = bar_chart_svg(
        title=_("Registrations and attendance per event: %(series)s") % {"series": title},
        description=_(
            "Bar chart: for each event of the series, in the order of their dates, the registrations, "
            "the attendees, and the organisations that came for the first time and again. "
            "The table below has the same numbers."
        ),
        categories=days,
        series=[
            DataSeries(_("Registrations"), [row.registrations for row in rows]),
            DataSeries(_("Attendees"), [row.attendees for row in rows]),
            DataSeries(_("New organisations"), [row.new_organisations for row in rows]),
            DataSeries(_("Returning organisations"), [row.returning_organisations for row in rows]),
        ],
        element_id="series-counts-chart",
    )
    rates = bar_chart_svg(
        title=_("Attendance rate and no-show rate per event: %(series)s") % {"series": title},
        description=_(
            "Bar chart in percent: for each event of the series, in the order of their dates, the share of "
            "registrations that came and the share of confirmed registrations that did not come. "
            "The table below has the same numbers."
        ),
        categories=days,
        series=[
            DataSeries(_("Attendance rate"), [row.attendance_rate for row in rows]),
            DataSeries(_("No-show rate"), [row.no_show_rate for row in rows]),
        ],
        percent=True,
        element_id="series-rates-chart",
    )
    return mark_safe(counts), mark_safe(rates)  # built by charts.py: every text escaped


@internal_view
@require_GET
def series_development(request: HttpRequest, slug: str) -> HttpResponse:
    user = acting_user(request)
    series = get_visible_or_404(EventSeries, user, slug=slug)
    require(
        permissions.can_see_series_development(user, series),
        _("The development of a series is for the office and readers."),
    )
    statistics = selectors.series_statistics(series)
    events = {
        str(event.uuid): event
        for event in Event.objects.filter(series=series).only("uuid", "slug", "lab_id", "title")
    }
    summaries = {
        str(row["registration__event__uuid"]): row
        for row in Feedback.objects.filter(registration__event__series=series)
        .order_by()
        .values("registration__event__uuid")
        .annotate(average=Avg("rating"), count=Count("pk"))
    }
    days = [_day(stats) for stats in statistics]
    rows = []
    show_feedback = False
    for stats, day in zip(statistics, days, strict=True):
        event = events.get(stats.key)
        feedback: Row | None = None
        if event is not None and permissions.can_see_feedback_summary(user, event):
            show_feedback = True
            summary = summaries.get(stats.key)
            feedback = Row(
                count=summary["count"] if summary else 0,
                average=number_format(summary["average"], 1) if summary else "–",
                url=_url_or_none("events:event-feedback", slug=event.slug)
                if permissions.can_see_participants(user, event)
                else None,
            )
        rows.append(
            Row(
                title=stats.title,
                day=day,
                url=_url_or_none("events:event-detail", slug=event.slug) if event is not None else None,
                registrations=stats.registrations,
                walk_ins=stats.walk_ins,
                waiting=stats.waiting,
                attendees=stats.attendees,
                attendance_rate=_percent(stats.attendance_rate),
                no_show_rate=_percent(stats.no_show_rate),
                new_organisations=stats.new_organisations,
                returning_organisations=stats.returning_organisations,
                feedback=feedback,
            )
        )
    counts_chart, rates_chart = _charts(statistics, days, series.title) if statistics else ("", "")
    context: dict[str, Any] = {
        "series": series,
        "rows": rows,
        "show_feedback": show_feedback,
        "counts_chart": counts_chart,
        "rates_chart": rates_chart,
        "crumbs": [
            (series.title, _url_or_none("events:series-detail", slug=series.slug)),
            (_("Development"), None),
        ],
    }
    return render(request, SERIES_TEMPLATE, context)


@office_view
@require_GET
def event_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    """The feedback of one event: average, distribution, comments and topics (without names)."""
    user = acting_user(request)
    event = get_visible_or_404(Event, user, slug=slug, select_related=("series",))
    require(
        permissions.can_see_participants(user, event),
        _("The feedback of an event is for the office that runs it."),
    )
    feedback = Feedback.objects.filter(registration__event=event)
    summary = feedback.aggregate(average=Avg("rating"), count=Count("pk"))
    by_rating = dict(
        feedback.order_by().values("rating").annotate(count=Count("pk")).values_list("rating", "count")
    )
    answers = list(
        feedback.order_by("-created_at", "-pk").values("rating", "text", "next_topic")[:FEEDBACK_LIMIT]
    )
    total = summary["count"] or 0
    distribution = [
        Row(
            rating=rating,
            count=by_rating.get(rating, 0),
            share=_percent(by_rating.get(rating, 0) / total if total else None),
        )
        for rating in range(5, 0, -1)
    ]
    crumbs: list[tuple[str, str | None]] = []
    if event.series is not None:
        crumbs.append((event.series.title, _url_or_none("events:series-detail", slug=event.series.slug)))
    crumbs += [
        (event.title, _url_or_none("events:event-detail", slug=event.slug)),
        (_("Feedback"), None),
    ]
    context = {
        "event": event,
        "count": total,
        "average": number_format(summary["average"], 1) if total else "",
        "distribution": distribution,
        "comments": [answer for answer in answers if answer["text"]],
        "topics": [answer["next_topic"] for answer in answers if answer["next_topic"]],
        "truncated": total > FEEDBACK_LIMIT,
        "development_url": _url_or_none("events:series-development", slug=event.series.slug)
        if event.series is not None
        else None,
        "crumbs": crumbs,
    }
    return render(request, FEEDBACK_TEMPLATE, context)


urlpatterns = [
    path("veranstaltungen/reihen/<slug:slug>/entwicklung/", series_development, name="series-development"),
    path("veranstaltungen/<slug:slug>/rueckmeldungen/", event_feedback, name="event-feedback"),
]
