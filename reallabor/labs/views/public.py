"""The public pages of labs and measures.

Everyone sees what ``visible_to`` allows (the public: published labs and measures; members also
their labs' drafts; readers and administrators everything), drafts marked as such. Users who may
edit also get the links and forms of the editing views. Every page costs a constant number of
queries, whatever the amount of data (asserted in tests/test_public_pages.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.exceptions import SuspiciousFileOperation
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from reallabor.core.cache import cached_render
from reallabor.core.views_helpers import acting_user, is_htmx, suggestion_text
from reallabor.labs import permissions
from reallabor.labs.fields import OPTIONS_SHOWN
from reallabor.labs.filters import MeasureFilter, filter_labs
from reallabor.labs.models import Lab, Measure, Result
from reallabor.labs.selectors import (
    LAB_LIST_FIELDS,
    filter_terms,
    group_tags,
    lab_choices,
    lab_for_detail,
    lab_measures,
    lab_organisations,
    labs_for_list,
    load_profile,
    measure_for_detail,
    measures_for_list,
    portfolio_rows,
    prepare_measures,
    union_tags,
)

PAGE_SIZE = 25
MAX_PAGE = 10_000
MEASURE_FILTER_FIELDS = ("sdg", "megatrend", "strategy", "status", "q")


# Helpers --------------------------------------------------------------------------------------------------
# Every page looks objects up for ``acting_user(request)``: a User, or AnonymousUser for the public
# (never None, which would mean the system to the permission predicates).


def clean_params(request: HttpRequest) -> dict[str, str]:
    """The query parameters as plain strings (last value wins), without NUL characters."""
    return {key: request.GET.get(key, "").replace("\x00", "")[:200] for key in request.GET}


@dataclass
class ListPage:
    """A page of a list, found without counting: one row more than a page tells if there is a next.

    Counting a filtered list of 20,000 measures costs more than the page itself. A page number
    beyond the end gives an empty page (the template offers the first page then).
    """

    object_list: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next


def page_number(request: HttpRequest) -> int:
    """The requested page number: 1 for anything that is not a positive number, at most ``MAX_PAGE``."""
    raw = request.GET.get("page", "")[:9]
    number = int(raw) if raw.isascii() and raw.isdigit() else 1
    return min(max(number, 1), MAX_PAGE)


def paginate(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> ListPage:
    """The requested page of ``items`` (an ordered queryset): one query, no count."""
    number = page_number(request)
    start = (number - 1) * per_page
    rows = list(items[start : start + per_page + 1])
    return ListPage(object_list=rows[:per_page], number=number, has_next=len(rows) > per_page)


def fragment_page(
    request: HttpRequest,
    template: str,
    build_context: Callable[[], dict[str, Any]],
    page_context: dict[str, Any],
    *,
    results: bool = True,
) -> HttpResponse:
    """The page around its main fragment, which goes through the fragment cache (``core.cache``).

    ``template#main`` is the page's content (the queries of ``build_context`` run only when it is
    not cached); ``page_context`` is what the frame around it needs (title, breadcrumbs). With
    ``results``, an htmx request gets only the fragment ``template#results``.
    """
    if results and is_htmx(request):
        response = HttpResponse(cached_render(request, f"{template}#results", build_context))
    else:
        main = cached_render(request, f"{template}#main", build_context)
        response = render(request, template, {**page_context, "main": main})
    if results:
        patch_vary_headers(response, ("HX-Request",))
    return response


def filter_form_context(user: Any, filters: MeasureFilter) -> dict[str, Any]:
    """What ``labs/includes/measure_filters.html`` needs: the filters and the choices (two queries)."""
    sdgs, megatrends = filter_terms()
    return {
        "filters": filters,
        "filter_labs": lab_choices(user),
        "filter_sdgs": [(term.code, f"{term.code} {term.label}") for term in sdgs],
        "filter_megatrends": [(term.code, term.label) for term in megatrends],
        "filter_statuses": Measure.Status.choices,
    }


# Portfolio overview ---------------------------------------------------------------------------------------


@require_safe
def portfolio(request: HttpRequest) -> HttpResponse:
    """The seed documents' table: Reallabor | Maßnahme(n) | Megatrend/SDG, paginated by labs."""

    def build() -> dict[str, Any]:
        user = acting_user(request)
        params = clean_params(request)
        filters = MeasureFilter.from_params(params)
        view = params.get("view", "full")
        if view not in ("full", "measures", "tags"):
            view = "full"
        measures = filters.apply(Measure.objects.visible_to(user))
        labs = labs_for_list(user)
        if filters.lab:
            labs = labs.filter(slug=filters.lab)
        if any(getattr(filters, name) for name in MEASURE_FILTER_FIELDS) or filters.published is not None:
            labs = labs.filter(pk__in=measures.values("lab_id"))
        page = paginate(request, labs)
        views = {
            "full": _("Real-world labs, measures and megatrends/SDGs"),
            "measures": _("Real-world labs and measures"),
            "tags": _("Real-world labs and megatrends/SDGs"),
        }
        return {
            "page": page,
            "rows": portfolio_rows(page.object_list, measures),
            "view": view,
            "view_label": views[view],
            "views": list(views.items()),
            **filter_form_context(user, filters),
        }

    return fragment_page(request, "labs/portfolio.html", build, {"crumbs": [(_("Portfolio"), None)]})


# Labs -----------------------------------------------------------------------------------------------------


@require_safe
def lab_list(request: HttpRequest) -> HttpResponse:
    def build() -> dict[str, Any]:
        params = clean_params(request)
        q = params.get("q", "").strip()
        phase = params.get("phase", "")
        if phase not in Lab.Phase.values:
            phase = ""
        labs = filter_labs(
            labs_for_list(acting_user(request))
            .select_related("coordinator")
            .only(*LAB_LIST_FIELDS, "coordinator__name"),
            q=q,
            phase=phase,
        )
        return {"page": paginate(request, labs), "q": q, "phase": phase, "phases": Lab.Phase.choices}

    return fragment_page(request, "labs/lab_list.html", build, {"crumbs": [(_("Labs"), None)]})


@require_safe
def lab_options(request: HttpRequest) -> HttpResponse:
    """<option> elements for a lab input's suggestion list (htmx, while typing): the labs the
    user sees whose name or short name contains the typed text."""
    text = suggestion_text(request)
    labs: Any = []
    if text:
        labs = (
            Lab.objects.visible_to(acting_user(request))
            .filter(Q(name__icontains=text) | Q(slug__contains=text.lower()))
            .only("name", "slug")
            .order_by("name", "id")[:OPTIONS_SHOWN]
        )
    return render(request, "labs/_lab_options.html", {"labs": labs})


def lab_measure_list_context(request: HttpRequest, lab: Lab) -> dict[str, Any]:
    """The context of the partial ``labs/lab_detail.html#measure-list`` (also used after a reorder)."""
    user = acting_user(request)
    measures = lab_measures(lab, user)
    can_manage = permissions.can_edit_lab(user, lab)
    return {
        "lab": lab,
        "measures": measures,
        "can_manage_measures": can_manage,
        "can_reorder_measures": can_manage and permissions.can_reorder_measures(user, lab),
        "can_edit_measures": bool(measures) and permissions.can_edit_measure(user, measures[0]),
    }


@require_safe
def lab_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = acting_user(request)
    lab = get_object_or_404(lab_for_detail(user), slug=slug)

    def build() -> dict[str, Any]:
        context = lab_measure_list_context(request, lab)
        organisations, more_organisations = lab_organisations(lab)
        can_edit = permissions.can_edit_lab(user, lab)
        context.update(
            {
                "tag_groups": group_tags(union_tags(context["measures"])),
                "organisations": organisations,
                "more_organisations": more_organisations,
                "can_edit_lab": can_edit,
                "can_publish_lab": can_edit and permissions.can_publish_lab(user, lab),
                "can_manage_members": can_edit and permissions.can_manage_lab_members(user, lab),
                "can_create_measure": can_edit and permissions.can_create_measure(user, lab),
            }
        )
        return context

    crumbs = [(_("Labs"), reverse("labs:lab-list")), (lab.name, None)]
    return fragment_page(
        request, "labs/lab_detail.html", build, {"lab": lab, "crumbs": crumbs}, results=False
    )


# Measures -------------------------------------------------------------------------------------------------


@require_safe
def measure_list(request: HttpRequest) -> HttpResponse:
    def build() -> dict[str, Any]:
        user = acting_user(request)
        filters = MeasureFilter.from_params(clean_params(request))
        page = paginate(request, filters.apply(measures_for_list(user)))
        prepare_measures(page.object_list)
        return {"page": page, **filter_form_context(user, filters)}

    return fragment_page(request, "labs/measure_list.html", build, {"crumbs": [(_("Measures"), None)]})


@require_safe
def measure_detail(request: HttpRequest, lab_slug: str, slug: str) -> HttpResponse:
    user = acting_user(request)
    measure = get_object_or_404(measure_for_detail(user), lab__slug=lab_slug, slug=slug)
    lab = measure.lab

    def build() -> dict[str, Any]:
        load_profile(measure)
        can_edit = permissions.can_edit_measure(user, measure)
        return {
            "measure": measure,
            "lab": lab,
            "tag_groups": group_tags(measure.tag_items),  # type: ignore[attr-defined]
            "can_edit": can_edit,
            "can_publish": permissions.can_publish_measure(user, measure),
            "can_delete": permissions.can_delete_measure(user, measure),
            "can_view_history": can_edit and permissions.can_view_history(user, measure),
        }

    crumbs = [
        (_("Labs"), reverse("labs:lab-list")),
        (lab.name, lab.get_absolute_url()),
        (measure.title, None),
    ]
    page_context = {"measure": measure, "crumbs": crumbs}
    return fragment_page(request, "labs/measure_detail.html", build, page_context, results=False)


def safe_filename(name: str, fallback: str = "evidence") -> str:
    """The file's own name without its directories, reduced to harmless characters."""
    base = PurePath(name.replace("\\", "/")).name
    try:
        return get_valid_filename(base)
    except SuspiciousFileOperation:
        return fallback


@require_safe
def result_evidence(request: HttpRequest, lab_slug: str, slug: str, result_id: int) -> FileResponse:
    """A result's evidence file, as a download, if the measure is visible to the user."""
    measure = get_object_or_404(
        Measure.objects.visible_to(acting_user(request)), lab__slug=lab_slug, slug=slug
    )
    result = get_object_or_404(Result, pk=result_id, measure=measure)
    if not result.evidence_file:
        raise Http404(_("This result has no evidence file."))
    try:
        handle = result.evidence_file.open("rb")
    except OSError:
        raise Http404(_("The evidence file is missing.")) from None
    return FileResponse(handle, as_attachment=True, filename=safe_filename(result.evidence_file.name or ""))
