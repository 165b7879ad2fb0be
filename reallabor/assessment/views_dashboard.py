"""The office's dashboard of the check: ``/digitalcheck/auswertung/`` (``assessment:dashboard``).

Only the office (administrators, lab coordinators: ``permissions.can_see_all_results``) sees it;
the anonymous get the login page, everybody else the 403 page, before anything is looked up.

The numbers come from ``dashboard_data.cells()`` (computed once per version of the results) added
up by the pure ``dashboard`` module for the filters (trade, headcount band, district: a GET form;
htmx swaps the results). The rendered results are kept per choice of filters under the results'
version, the offers' counts under that and the content version (names); the form is rendered
each time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reallabor.assessment import dashboard, dashboard_data, engine, permissions, scoring
from reallabor.core.cache import cached_by_content
from reallabor.core.views_helpers import acting_user, internal_view, is_htmx, require
from reallabor.organisations.models import Organisation

QUESTIONNAIRE = "dma-handwerk"
TEMPLATE = "assessment/dashboard.html"


class DashboardFilterForm(forms.Form):
    """The filters; the choices are the trades, bands and districts that occur in the results."""

    trade = forms.ChoiceField(label=gettext_lazy("Trade"), required=False)
    band = forms.ChoiceField(label=gettext_lazy("Headcount"), required=False)
    district = forms.ChoiceField(label=gettext_lazy("District"), required=False)

    def __init__(self, data: Any, *, cells: dashboard_data.Cells) -> None:
        super().__init__(data)
        everything = [("", _("all"))]
        trades = sorted(cells.trades.values(), key=lambda trade: (trade.label.casefold(), trade.code))
        cast(forms.ChoiceField, self.fields["trade"]).choices = everything + [
            (trade.code, trade.label) for trade in trades
        ]
        cast(forms.ChoiceField, self.fields["band"]).choices = everything + [
            (value, label) for value, label in Organisation.HeadcountBand.choices if value in cells.bands
        ]
        cast(forms.ChoiceField, self.fields["district"]).choices = everything + [
            (district, district) for district in cells.districts
        ]

    def filters(self, cells: dashboard_data.Cells) -> dashboard.Filters:
        """The valid filters (a field with an error filters nothing; the form shows the error)."""
        if not self.is_bound:
            return dashboard.Filters()
        self.is_valid()
        data = self.cleaned_data
        ids = {trade.code: trade.id for trade in cells.trades.values()}
        return dashboard.Filters(
            trade=ids.get(data.get("trade") or ""),
            band=data.get("band") or None,
            district=data.get("district") or None,
        )


def dimension_labels() -> dict[str, str]:
    definition = engine.load_definition(QUESTIONNAIRE)
    return {section.id: str(section.title) for section in definition.sections}


def _labels(cells: dashboard_data.Cells) -> dict[str, Any]:
    bands = dict(Organisation.HeadcountBand.choices)

    def trade_label(value: int | None) -> str:
        trade = cells.trades.get(value) if value is not None else None
        return trade.label if trade is not None else _("trade not given")

    def band_label(value: str) -> str:
        return str(bands.get(value, value)) if value else _("headcount not given")

    def district_label(value: str) -> str:
        return value or _("district not given")

    return {"trade_label": trade_label, "band_label": band_label, "district_label": district_label}


def build_dashboard(
    cells: dashboard_data.Cells, filters: dashboard.Filters, version: int | None = None
) -> dashboard.Dashboard:
    return dashboard.build(
        cells.cells,
        dashboard_data.period_cells(filters, version),
        filters,
        dimension_labels=dimension_labels(),
        **_labels(cells),
    )


def _results_context(cells: dashboard_data.Cells, filters: dashboard.Filters, version: int) -> dict[str, Any]:
    return {
        "dashboard": build_dashboard(cells, filters, version),
        "bands": [band.label for band in scoring.BANDS],
        "min_group": dashboard.MIN_GROUP,
    }


def _cache_key(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _kept(key: str, version: int, build: Callable[[], str]) -> SafeString:
    """``build()``, kept under the results' version and the language: what the results' cells hold
    (numbers and the trades' names) changes with them and nothing else."""
    return mark_safe(
        cached_by_content(f"assessment-dashboard:{key}", build, version=version)
    )  # our own output


@internal_view
def dashboard_page(request: HttpRequest) -> HttpResponse:
    require(
        permissions.can_see_all_results(acting_user(request)),
        _("Only the office's staff (administrators and lab coordinators) see the check's dashboard."),
    )
    version = dashboard_data.results_version()
    cells = dashboard_data.cells(version)
    form = DashboardFilterForm(request.GET or None, cells=cells)
    filters = form.filters(cells)
    results = _kept(
        "results:" + _cache_key(filters.trade, filters.band, filters.district),
        version,
        lambda: render_to_string(f"{TEMPLATE}#results", _results_context(cells, filters, version)),
    )
    if is_htmx(request):
        response = HttpResponse(results)  # only the results: the form stays on the page
    else:
        # The offers' counts show offers' and providers' names: kept under the content version too.
        offers = cached_by_content(
            f"assessment-dashboard-offers:{version}",
            lambda: render_to_string(f"{TEMPLATE}#offers", {"offers": dashboard_data.offer_counts()}),
        )
        # The form shows what was asked (errors too); a GET form: no CSRF token in the cache.
        filter_form = _kept(
            "form:" + _cache_key(sorted(request.GET.lists())),
            version,
            lambda: render_to_string(f"{TEMPLATE}#form", {"form": form}),
        )
        context = {
            "form": filter_form,
            "results": results,
            "offers": mark_safe(offers),  # our own template's output
            "crumbs": [(_("Digital check: dashboard"), None)],
        }
        response = render(request, TEMPLATE, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


urlpatterns = [path("auswertung/", dashboard_page, name="dashboard")]
