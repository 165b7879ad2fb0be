"""The stakeholder analysis of a lab, and recording needs and motivations (office only).

``/labore/<slug>/stakeholder/``: the lab's actors on an interest × influence grid (a server-drawn
SVG, the four quadrants as lists, and a table with the same content for screen readers), with
the needs that link each actor to the lab's measures. The office sees it; administrators and
the lab's coordinators change it.

The needs panel (``{% needs_panel %}`` on the organisation and person pages) posts here; htmx
swaps the panel in place, without JavaScript the page reloads.
"""

from __future__ import annotations

import uuid as uuid_module
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reallabor.actors import permissions
from reallabor.actors.forms.needs import NEED_FIELD_MAP, NeedForm
from reallabor.actors.forms.stakeholders import STAKEHOLDER_FIELD_MAP, StakeholderForm
from reallabor.actors.models import Person
from reallabor.actors.services import needs as needs_services
from reallabor.actors.services import stakeholders as services
from reallabor.actors.stakeholder_analysis import HIGH_FROM, SCALE, GridPoint, grid_layout
from reallabor.actors.templatetags.actors_crm import needs_panel_context
from reallabor.actors.views.common import office_view
from reallabor.core.validation import error_dict
from reallabor.core.views_helpers import (
    acting_user,
    add_service_errors,
    get_visible_or_404,
    is_htmx,
    render_page,
    require,
    safe_next,
)
from reallabor.labs.models import Lab
from reallabor.labs.permissions import can_edit_measure
from reallabor.organisations.models import Organisation

POSITIONS_SHOWN = 500
CELL = 100


def _actor_url(actor: Organisation | Person) -> str:
    try:
        return actor.get_absolute_url()
    except NoReverseMatch:
        return ""


def _get_lab(request: HttpRequest, slug: str) -> Lab:
    lab = get_visible_or_404(Lab, acting_user(request), slug=slug)
    require(permissions.can_see_stakeholders(acting_user(request), lab))
    return lab


QUADRANT_FILLS = {
    "key_players": "#cfe3f0",
    "keep_satisfied": "#e4edf3",
    "keep_informed": "#e6f0dc",
    "monitor": "#f0f0f0",
}


def _grid(rows: list[services.StakeholderRow]) -> dict[str, Any]:
    """Everything the SVG drawing needs, computed here (templates do no arithmetic)."""
    layout = grid_layout(
        [
            GridPoint(key=str(row.number), interest=row.position.interest, influence=row.position.influence)
            for row in rows
        ],
        cell=CELL,
    )
    by_number = {row.number: row for row in rows}
    markers = [
        {
            "number": marker.number,
            "x": marker.x,
            "y": marker.y,
            "text_y": round(marker.y + 3.5, 1),
            "left": round(marker.x - 8, 1),
            "top": round(marker.y - 8, 1),
            "name": str(by_number[marker.number].actor),
            "is_person": by_number[marker.number].is_person,
        }
        for marker in layout.markers
    ]
    size = CELL * len(SCALE)
    low = (HIGH_FROM - 1) * CELL  # width of the low-interest part (1–3)
    high = size - low  # height of the high-influence part (4–5)
    quadrants = [
        ("keep_satisfied", 0, 0, low, high),
        ("key_players", low, 0, size - low, high),
        ("monitor", 0, high, low, size - high),
        ("keep_informed", low, high, size - low, size - high),
    ]
    return {
        "markers": markers,
        "overflows": [
            {"x": item.x, "y": round(item.y + 3.5, 1), "count": item.count} for item in layout.overflows
        ],
        "quadrants": [
            {
                "x": x,
                "y": y,
                "width": width,
                "height": height,
                "fill": QUADRANT_FILLS[key],
                "label": services.QUADRANT_LABELS[key],
                "label_x": x + 6,
                "label_y": y + 16,
            }
            for key, x, y, width, height in quadrants
        ],
        "x_ticks": [{"value": value, "x": (value - 1) * CELL + CELL // 2} for value in SCALE],
        "y_ticks": [{"value": value, "y": (len(SCALE) - value) * CELL + CELL // 2 + 4} for value in SCALE],
        "lines": [index * CELL for index in range(1, len(SCALE))],
        "size": size,
        "tick_y": size + 18,
        "axis_y": size + 42,
        "half": size // 2,
    }


def _context(request: HttpRequest, lab: Lab, form: StakeholderForm | None = None) -> dict[str, Any]:
    user = acting_user(request)
    positions = list(services.positions_of(lab)[:POSITIONS_SHOWN])
    analysis = services.stakeholder_analysis(user=user, lab=lab, positions=positions)
    may_edit = permissions.can_edit_stakeholders(user, lab)
    if may_edit and form is None:
        form = _form(lab, positions)
    for row in analysis.rows:
        row.url = _actor_url(row.actor)  # type: ignore[attr-defined]
        row.actor_value = (  # type: ignore[attr-defined]
            f"person:{row.position.person.uuid}"
            if row.position.person
            else f"organisation:{row.position.organisation.slug}"  # type: ignore[union-attr]
        )
    return {
        "lab": lab,
        "analysis": analysis,
        "grid": _grid(analysis.rows),
        "may_edit": may_edit,
        "form": form,
        "scale": SCALE,
        "taggable_measures": [measure for measure in analysis.measures if can_edit_measure(user, measure)],
        "has_more": len(positions) >= POSITIONS_SHOWN,
        "crumbs": [
            (_("Labs"), reverse("labs:lab-list")),
            (lab.name, lab.get_absolute_url()),
            (_("Stakeholder analysis"), None),
        ],
    }


def _form(lab: Lab, positions: list[Any], data: Any = None) -> StakeholderForm:
    organisations = services.candidate_organisations(lab)
    people = services.candidate_people(organisations)
    placed_organisations = [p.organisation for p in positions if p.organisation_id]
    placed_people = [p.person for p in positions if p.person_id]
    known = {o.pk for o in organisations}
    organisations += [o for o in placed_organisations if o.pk not in known]
    known_people = {p.pk for p in people}
    people += [p for p in placed_people if p.pk not in known_people]
    return StakeholderForm(data, organisations=organisations, people=people)


@office_view
def stakeholder_list(request: HttpRequest, slug: str) -> HttpResponse:
    lab = _get_lab(request, slug)
    return render(request, "actors/stakeholder_list.html", _context(request, lab))


def _respond(request: HttpRequest, lab: Lab, form: StakeholderForm | None = None) -> HttpResponse:
    return render_page(
        request, "actors/stakeholder_list.html", _context(request, lab, form), partial="analysis"
    )


@office_view
@require_POST
def stakeholder_set(request: HttpRequest, slug: str) -> HttpResponse:
    user = acting_user(request)
    lab = _get_lab(request, slug)
    require(
        permissions.can_edit_stakeholders(user, lab),
        _("Only administrators and the lab's coordinators change its stakeholder analysis."),
    )
    positions = list(services.positions_of(lab)[:POSITIONS_SHOWN])
    form = _form(lab, positions, request.POST)
    if form.is_valid():
        try:
            position = services.set_stakeholder_position(user=user, lab=lab, **form.to_data())
        except ValidationError as error:
            add_service_errors(form, error, STAKEHOLDER_FIELD_MAP)
        else:
            messages.success(
                request,
                _("%(actor)s: interest %(interest)s, influence %(influence)s.")
                % {
                    "actor": position.organisation or position.person,
                    "interest": position.interest,
                    "influence": position.influence,
                },
            )
            if not is_htmx(request):
                return redirect("actors:stakeholder-list", slug=lab.slug)
            return _respond(request, lab)
    return _respond(request, lab, form)


@office_view
@require_POST
def stakeholder_remove(request: HttpRequest, slug: str) -> HttpResponse:
    user = acting_user(request)
    lab = _get_lab(request, slug)
    require(
        permissions.can_edit_stakeholders(user, lab),
        _("Only administrators and the lab's coordinators change its stakeholder analysis."),
    )
    kind, _sep, key = request.POST.get("actor", "").partition(":")
    position = services.find_position(
        lab,
        organisation=key if kind == "organisation" else "",
        person=key if kind == "person" else "",
    )
    if position is None:
        raise Http404(_("This actor is not on the lab's grid."))
    name = str(position.organisation or position.person)
    services.remove_stakeholder_position(user=user, position=position)
    messages.success(request, _("%(actor)s was taken off the grid.") % {"actor": name})
    if not is_htmx(request):
        return redirect("actors:stakeholder-list", slug=lab.slug)
    return _respond(request, lab)


# Needs and motivations --------------------------------------------------------------------------------


def _need_response(
    request: HttpRequest, obj: Organisation | Person, form: NeedForm | None, done: str
) -> HttpResponse:
    failed = form is not None and bool(form.errors)
    if not is_htmx(request):
        if failed:
            assert form is not None
            for field_errors in form.errors.values():
                for text in field_errors:
                    messages.error(request, str(text))
        else:
            messages.success(request, done)
        fallback = obj.get_absolute_url() if not isinstance(obj, Person) else _actor_url(obj)
        return redirect(safe_next(request, (fallback or reverse("actors:interaction-list")) + "#needs"))
    context = needs_panel_context(
        acting_user(request), obj, form=form if failed else None, message="" if failed else done
    )
    return render(request, "actors/includes/needs_panel.html", context)


def _add_need(request: HttpRequest, obj: Organisation | Person) -> HttpResponse:
    form = NeedForm(request.POST)
    done = ""
    if form.is_valid():
        try:
            tag = needs_services.record_need(user=acting_user(request), obj=obj, **form.to_data())
        except ValidationError as error:
            add_service_errors(form, error, NEED_FIELD_MAP)
        else:
            done = _("“%(term)s” was recorded.") % {"term": tag.term.label}
    return _need_response(request, obj, form, done)


def _remove_need(request: HttpRequest, obj: Organisation | Person) -> HttpResponse:
    family, _sep, code = request.POST.get("need", "").partition(":")
    tag = needs_services.find_need(obj, family, code[:50])
    if tag is None:
        raise Http404(_("This need or motivation is not recorded here."))
    label = tag.term.label
    try:
        needs_services.remove_need(user=acting_user(request), tag=tag)
    except ValidationError as error:
        form = NeedForm()
        for text in (message for items in error_dict(error).values() for message in items):
            form.add_error(None, text)
        return _need_response(request, obj, form, "")
    return _need_response(request, obj, None, _("“%(term)s” was removed.") % {"term": label})


def _organisation(request: HttpRequest, slug: str) -> Organisation:
    return get_visible_or_404(Organisation, acting_user(request), slug=slug)


def _person(request: HttpRequest, uuid: uuid_module.UUID) -> Person:
    return get_visible_or_404(Person, acting_user(request), uuid=uuid)


@office_view
@require_POST
def needs_organisation_add(request: HttpRequest, slug: str) -> HttpResponse:
    return _add_need(request, _organisation(request, slug))


@office_view
@require_POST
def needs_organisation_remove(request: HttpRequest, slug: str) -> HttpResponse:
    return _remove_need(request, _organisation(request, slug))


@office_view
@require_POST
def needs_person_add(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    return _add_need(request, _person(request, uuid))


@office_view
@require_POST
def needs_person_remove(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    return _remove_need(request, _person(request, uuid))


urlpatterns = [
    path("labore/<slug:slug>/stakeholder/", stakeholder_list, name="stakeholder-list"),
    path("labore/<slug:slug>/stakeholder/setzen/", stakeholder_set, name="stakeholder-set"),
    path("labore/<slug:slug>/stakeholder/entfernen/", stakeholder_remove, name="stakeholder-remove"),
    path("organisationen/<slug:slug>/bedarfe/", needs_organisation_add, name="needs-organisation-add"),
    path(
        "organisationen/<slug:slug>/bedarfe/entfernen/",
        needs_organisation_remove,
        name="needs-organisation-remove",
    ),
    path("personen/<uuid:uuid>/bedarfe/", needs_person_add, name="needs-person-add"),
    path("personen/<uuid:uuid>/bedarfe/entfernen/", needs_person_remove, name="needs-person-remove"),
]
