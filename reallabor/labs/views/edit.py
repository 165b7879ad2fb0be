"""Internal editing pages of labs and measures.

Every view looks its object up through ``visible_to`` (invisible: 404), checks the predicate of
``labs.permissions`` (not allowed: 403) and changes data only through ``labs.services``; the
services' field errors are put back onto the forms. htmx requests get fragments (template
partials); without JavaScript every page works as plain forms and redirects.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reallabor.accounts.permissions import is_admin
from reallabor.core.exceptions import EditConflict
from reallabor.core.validation import error_dict
from reallabor.core.views_helpers import (
    RowFormSet,
    acting_user,
    add_service_errors,
    add_service_errors_to_formset,
    get_visible_or_404,
    internal_view,
    is_htmx,
    posted_revision,
    render_page,
    require,
    safe_next,
    with_extra_row,
)
from reallabor.history.services import versions_of
from reallabor.labs import permissions, services
from reallabor.labs.forms import (
    SECTIONS,
    LabForm,
    LabOrganisationForm,
    MeasureForm,
    MemberAddForm,
    Section,
    TagForm,
    TagFormSet,
    organisation_suggestions,
    tag_term_choices,
)
from reallabor.labs.models import Actor, Lab, LabMembership, LabOrganisation, Measure, TargetGroup
from reallabor.labs.views.public import lab_measure_list_context
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import Term
from reallabor.taxonomy.services import tags_of
from reallabor.taxonomy.weights import share_total

HISTORY_PER_PAGE = 25


def _get_lab(request: HttpRequest, slug: str) -> Lab:
    return get_visible_or_404(Lab, acting_user(request), slug=slug, select_related=["coordinator"])


def _get_measure(request: HttpRequest, lab_slug: str, slug: str) -> Measure:
    return get_visible_or_404(
        Measure, acting_user(request), lab__slug=lab_slug, slug=slug, select_related=["lab"]
    )


def _lab_crumbs(lab: Lab | None, *tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    crumbs: list[tuple[str, str | None]] = [(_("Labs"), reverse("labs:lab-list"))]
    if lab is not None:
        crumbs.append((lab.name, lab.get_absolute_url()))
    return [*crumbs, *tail]


def _measure_crumbs(measure: Measure, *tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return _lab_crumbs(measure.lab, (measure.title, measure.get_absolute_url()), *tail)


def _is_on(value: str | None) -> bool:
    return (value or "").lower() in {"1", "true", "on", "yes"}


def _conflict(error: EditConflict) -> str:
    return " ".join(error.messages)


# Labs ---------------------------------------------------------------------------------------------


@internal_view
def lab_create(request: HttpRequest) -> HttpResponse:
    require(permissions.can_create_lab(acting_user(request)), _("Only administrators may create labs."))
    form = LabForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            lab = services.create_lab(user=acting_user(request), data=form.to_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The lab “%(name)s” was created.") % {"name": lab.name})
            return redirect("labs:lab-edit", slug=lab.slug)
    return render(
        request,
        "labs/lab_form.html",
        {
            "form": form,
            "lab": None,
            "organisations": organisation_suggestions(),
            "crumbs": _lab_crumbs(None, (_("New lab"), None)),
        },
    )


@internal_view
def lab_edit(request: HttpRequest, slug: str) -> HttpResponse:
    lab = _get_lab(request, slug)
    require(
        permissions.can_edit_lab(acting_user(request), lab), _("Only the lab's coordinators may edit it.")
    )
    initial = {"coordinator": lab.coordinator.slug if lab.coordinator else ""}
    revision: int | None = lab.revision
    if request.method == "POST":
        revision = posted_revision(request)
        form = LabForm(request.POST, instance=copy.copy(lab), initial=initial, with_published=False)
        if form.is_valid():
            try:
                lab = services.update_lab(
                    user=acting_user(request), lab=lab, data=form.to_data(), expected_revision=revision
                )
            except EditConflict as error:
                form.add_error(None, _conflict(error))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your changes were saved."))
                return redirect("labs:lab-edit", slug=lab.slug)
    else:
        form = LabForm(instance=copy.copy(lab), initial=initial, with_published=False)
    return render(
        request,
        "labs/lab_form.html",
        {
            "form": form,
            "lab": lab,
            "revision": revision,
            "organisations": organisation_suggestions(),
            "may_delete": permissions.can_delete_lab(acting_user(request), lab),
            "crumbs": _lab_crumbs(lab, (_("Edit"), None)),
        },
    )


@internal_view
@require_POST
def lab_publish(request: HttpRequest, slug: str) -> HttpResponse:
    lab = _get_lab(request, slug)
    require(
        permissions.can_publish_lab(acting_user(request), lab),
        _("Only the lab's coordinators may publish it."),
    )
    published = _is_on(request.POST["published"]) if "published" in request.POST else not lab.is_published
    lab = services.set_lab_published(user=acting_user(request), lab=lab, published=published)
    if is_htmx(request):
        context = {"lab": lab, "revision_oob": True}
        return render_page(request, "labs/lab_form.html", context, partial="publish-toggle")
    if lab.is_published:
        messages.success(request, _("The lab is published."))
    else:
        messages.success(request, _("The lab is no longer published."))
    return redirect(safe_next(request, lab.get_absolute_url(), use_referer=True))


def _member_context(
    request: HttpRequest,
    lab: Lab,
    member_form: MemberAddForm | None = None,
    organisation_form: LabOrganisationForm | None = None,
) -> dict[str, Any]:
    admin = is_admin(acting_user(request))
    return {
        "lab": lab,
        "memberships": lab.memberships.select_related("user").order_by("role", "user__email"),
        "lab_organisations": lab.organisations.select_related("organisation").order_by("organisation__name"),
        "member_form": member_form or MemberAddForm(prefix="member", may_appoint_coordinators=admin),
        "organisation_form": organisation_form or LabOrganisationForm(prefix="organisation"),
        "member_roles": LabMembership.Role.choices
        if admin
        else [(LabMembership.Role.PARTNER, LabMembership.Role.PARTNER.label)],
        "organisation_roles": LabOrganisation.Role.choices,
        "may_manage_coordinators": admin,
        "organisations": organisation_suggestions(),
        "crumbs": _lab_crumbs(lab, (_("Members"), None)),
    }


@internal_view
def lab_members(request: HttpRequest, slug: str) -> HttpResponse:
    lab = _get_lab(request, slug)
    require(
        permissions.can_manage_lab_members(acting_user(request), lab),
        _("Only the lab's coordinators may manage its members."),
    )
    admin = is_admin(acting_user(request))
    member_form: MemberAddForm | None = None
    organisation_form: LabOrganisationForm | None = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        done = ""
        try:
            if action == "add-member":
                member_form = MemberAddForm(request.POST, prefix="member", may_appoint_coordinators=admin)
                if member_form.is_valid():
                    member = member_form.cleaned_data["member"]
                    services.set_lab_member(
                        user=acting_user(request),
                        lab=lab,
                        member=member,
                        role=member_form.cleaned_data["role"],
                    )
                    done = _("%(member)s was added.") % {"member": member}
            elif action in ("set-member-role", "remove-member"):
                membership = get_object_or_404(
                    LabMembership.objects.select_related("user"),
                    lab=lab,
                    user__email=request.POST.get("email", ""),
                )
                if action == "remove-member":
                    services.remove_lab_member(user=acting_user(request), lab=lab, member=membership.user)
                    done = _("%(member)s was removed.") % {"member": membership.user}
                else:
                    services.set_lab_member(
                        user=acting_user(request),
                        lab=lab,
                        member=membership.user,
                        role=request.POST.get("role", ""),
                    )
                    done = _("The role of %(member)s was changed.") % {"member": membership.user}
            elif action == "add-organisation":
                organisation_form = LabOrganisationForm(request.POST, prefix="organisation")
                if organisation_form.is_valid():
                    organisation = organisation_form.cleaned_data["organisation"]
                    services.set_lab_organisation(
                        user=acting_user(request),
                        lab=lab,
                        organisation=organisation,
                        role=organisation_form.cleaned_data["role"],
                    )
                    done = _("%(organisation)s was added.") % {"organisation": organisation}
            elif action in ("set-organisation-role", "remove-organisation"):
                row = get_object_or_404(
                    LabOrganisation.objects.select_related("organisation"),
                    lab=lab,
                    organisation__slug=request.POST.get("organisation", ""),
                )
                if action == "remove-organisation":
                    services.remove_lab_organisation(
                        user=acting_user(request), lab=lab, organisation=row.organisation
                    )
                    done = _("%(organisation)s was removed.") % {"organisation": row.organisation}
                else:
                    services.set_lab_organisation(
                        user=acting_user(request),
                        lab=lab,
                        organisation=row.organisation,
                        role=request.POST.get("role", ""),
                    )
                    done = _("The role of %(organisation)s was changed.") % {"organisation": row.organisation}
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as error:
            for text in (message for messages_ in error_dict(error).values() for message in messages_):
                messages.error(request, text)
        if done:
            messages.success(request, done)
            if not is_htmx(request):
                return redirect("labs:lab-members", slug=lab.slug)
            member_form = organisation_form = None
    context = _member_context(request, lab, member_form, organisation_form)
    return render_page(request, "labs/lab_members.html", context, partial="members")


@internal_view
def lab_delete(request: HttpRequest, slug: str) -> HttpResponse:
    lab = _get_lab(request, slug)
    require(permissions.can_delete_lab(acting_user(request), lab), _("Only administrators may delete labs."))
    if request.method == "POST":
        name = lab.name
        services.delete_lab(user=acting_user(request), lab=lab)
        messages.success(request, _("The lab “%(name)s” was deleted.") % {"name": name})
        return redirect("labs:lab-list")
    context = {
        "lab": lab,
        "measure_count": lab.measures.count(),
        "crumbs": _lab_crumbs(lab, (_("Delete"), None)),
    }
    return render(request, "labs/lab_confirm_delete.html", context)


def _history_page(request: HttpRequest, obj: Lab | Measure) -> Any:
    versions = versions_of(obj).select_related("content_type", "user").order_by("-created_at", "-id")
    return Paginator(versions, HISTORY_PER_PAGE).get_page(request.GET.get("page"))


@internal_view
def lab_history(request: HttpRequest, slug: str) -> HttpResponse:
    lab = _get_lab(request, slug)
    require(
        permissions.can_edit_lab(acting_user(request), lab), _("Only the lab's coordinators see its history.")
    )
    context = {
        "lab": lab,
        "page": _history_page(request, lab),
        "crumbs": _lab_crumbs(lab, (_("History"), None)),
    }
    return render(request, "labs/lab_history.html", context)


# Measures -----------------------------------------------------------------------------------------


@internal_view
def measure_create(request: HttpRequest, lab_slug: str) -> HttpResponse:
    lab = _get_lab(request, lab_slug)
    require(
        permissions.can_create_measure(acting_user(request), lab),
        _("Only the lab's coordinators may add measures."),
    )
    form = MeasureForm(request.POST if request.method == "POST" else None, instance=Measure(lab=lab))
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.create_measure(user=acting_user(request), lab=lab, data=form.to_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The measure “%(title)s” was created.") % {"title": measure.title})
            return redirect("labs:measure-edit", lab_slug=lab.slug, slug=measure.slug)
    context = {"form": form, "lab": lab, "crumbs": _lab_crumbs(lab, (_("New measure"), None))}
    return render(request, "labs/measure_form.html", context)


@dataclass
class SectionView:
    """A profile section as shown on the measure's edit page."""

    section: Section
    rows: list[Any]
    edit_url: str

    @property
    def name(self) -> str:
        return self.section.name

    @property
    def label(self) -> Any:
        return self.section.label


def _load_measure_profile(measure: Measure) -> Measure:
    return (
        Measure.objects.select_related("lab")
        .prefetch_related(
            "activities",
            "financing",
            "results",
            Prefetch("coordinators", queryset=Organisation.objects.order_by("name")),
            Prefetch("actors", queryset=Actor.objects.select_related("organisation")),
            Prefetch("target_groups", queryset=TargetGroup.objects.select_related("term__vocabulary")),
        )
        .get(pk=measure.pk)
    )


def _section_view(measure: Measure, section: Section) -> SectionView:
    rows = list(getattr(measure, section.key).all())
    url = reverse(
        "labs:measure-edit-section",
        kwargs={"lab_slug": measure.lab.slug, "slug": measure.slug, "section": section.name},
    )
    return SectionView(section=section, rows=rows, edit_url=url)


def _measure_context(request: HttpRequest, measure: Measure) -> dict[str, Any]:
    user = acting_user(request)
    return {
        "measure": measure,
        "lab": measure.lab,
        "may_publish": permissions.can_publish_measure(user, measure),
        "may_delete": permissions.can_delete_measure(user, measure),
    }


@internal_view
def measure_edit(request: HttpRequest, lab_slug: str, slug: str) -> HttpResponse:
    measure = _get_measure(request, lab_slug, slug)
    require(permissions.can_edit_measure(acting_user(request), measure), _("You may not edit this measure."))
    revision: int | None = measure.revision
    if request.method == "POST":
        revision = posted_revision(request)
        form = MeasureForm(request.POST, instance=copy.copy(measure), with_published=False)
        if form.is_valid():
            try:
                measure = services.update_measure(
                    user=acting_user(request),
                    measure=measure,
                    data=form.to_data(),
                    expected_revision=revision,
                )
            except EditConflict as error:
                form.add_error(None, _conflict(error))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your changes were saved."))
                return redirect("labs:measure-edit", lab_slug=measure.lab.slug, slug=measure.slug)
    else:
        form = MeasureForm(instance=copy.copy(measure), with_published=False)
    profile = _load_measure_profile(measure)
    context = _measure_context(request, profile)
    context.update(
        {
            "form": form,
            "revision": revision,
            "sections": [_section_view(profile, section) for section in SECTIONS.values()],
            "tags": list(tags_of(profile)),
            "crumbs": _measure_crumbs(profile, (_("Edit"), None)),
        }
    )
    return render(request, "labs/measure_edit.html", context)


def _section_formset(
    section: Section, measure: Measure, request: HttpRequest, *, add_row: bool = False
) -> RowFormSet:
    formset_class = section.formset_class()
    kwargs: dict[str, Any] = {"prefix": section.name, "form_kwargs": section.form_kwargs(measure)}
    if request.method != "POST":
        initial = [
            {**row, "ORDER": number} for number, row in enumerate(section.form_class.initial_rows(measure), 1)
        ]
        return formset_class(initial=initial, **kwargs)
    data = with_extra_row(request.POST, section.name) if add_row else request.POST
    formset = formset_class(data, request.FILES, **kwargs)
    if add_row:
        formset.silence_errors()
    return formset


@internal_view
def measure_edit_section(request: HttpRequest, lab_slug: str, slug: str, section: str) -> HttpResponse:
    current = SECTIONS.get(section)
    if current is None:
        raise Http404(_("There is no such part of the profile."))
    measure = _get_measure(request, lab_slug, slug)
    require(permissions.can_edit_measure(acting_user(request), measure), _("You may not edit this measure."))
    if request.method == "GET" and "cancel" in request.GET:
        if is_htmx(request):
            return _render_section(request, _load_measure_profile(measure), current)
        return redirect(_edit_url(measure, current))
    add_row = request.method == "POST" and "add-row" in request.POST
    formset = _section_formset(current, measure, request, add_row=add_row)
    revision = posted_revision(request) if request.method == "POST" else measure.revision
    if request.method == "POST" and not add_row and formset.is_valid():
        rows = formset.rows()
        data = {current.key: [form.to_data() for _index, form in rows]}  # type: ignore[attr-defined]
        try:
            measure = services.update_measure(
                user=acting_user(request), measure=measure, data=data, expected_revision=revision
            )
        except EditConflict as error:
            formset.add_non_form_error(_conflict(error))
        except ValidationError as error:
            add_service_errors_to_formset(
                formset,
                error,
                section=current.key,
                form_indexes=[index for index, _form in rows],
                field_map=current.field_map,
            )
        else:
            if is_htmx(request):
                return _render_section(request, _load_measure_profile(measure), current, saved=True)
            messages.success(request, _("“%(section)s” was saved.") % {"section": current.label})
            return redirect(_edit_url(measure, current))
    context = _measure_context(request, measure)
    context.update(
        {
            "section": _section_view(measure, current),
            "formset": formset,
            "revision": revision,
            "organisations": organisation_suggestions(),
            "crumbs": _measure_crumbs(measure, (_("Edit"), _edit_url(measure)), (str(current.label), None)),
        }
    )
    return render_page(request, "labs/measure_section_form.html", context, partial="section-form")


def _edit_url(measure: Measure, section: Section | None = None) -> str:
    url = reverse("labs:measure-edit", kwargs={"lab_slug": measure.lab.slug, "slug": measure.slug})
    return f"{url}#section-{section.name}" if section else url


def _render_section(
    request: HttpRequest, measure: Measure, section: Section, *, saved: bool = False
) -> HttpResponse:
    context = _measure_context(request, measure)
    context.update({"section": _section_view(measure, section), "saved": saved})
    return render_page(request, "labs/measure_edit.html", context, partial="section-response")


def _share_errors(formset: RowFormSet, rows: list[tuple[int, Any]]) -> None:
    """Mark the share fields of each vocabulary whose shares add up to more than 100 %."""
    term_ids = [form.cleaned_data["term"] for _index, form in rows]
    families = dict(Term.objects.filter(pk__in=term_ids).values_list("pk", "vocabulary__family"))
    by_family: dict[str, list[Any]] = defaultdict(list)
    for _index, form in rows:
        family = families.get(form.cleaned_data["term"])
        if family and form.cleaned_data.get("share") is not None:
            by_family[family].append(form)
    for forms_ in by_family.values():
        total = share_total(form.cleaned_data["share"] for form in forms_)
        if total > 100:
            for form in forms_:
                form.add_error(
                    "share",
                    _("The shares of this vocabulary add up to %(total)s %%; at most 100 %% are possible.")
                    % {"total": total},
                )


@internal_view
def measure_tags(request: HttpRequest, lab_slug: str, slug: str) -> HttpResponse:
    measure = _get_measure(request, lab_slug, slug)
    require(permissions.can_edit_measure(acting_user(request), measure), _("You may not edit this measure."))
    kwargs: dict[str, Any] = {"prefix": "tags", "form_kwargs": {"term_choices": tag_term_choices(measure)}}
    saved = False
    formset: RowFormSet
    if request.method == "POST":
        revision = posted_revision(request)
        if "add-row" in request.POST:
            formset = TagFormSet(with_extra_row(request.POST, "tags"), **kwargs)
            formset.silence_errors()
        else:
            formset = TagFormSet(request.POST, **kwargs)
            if formset.is_valid():
                rows = formset.rows()
                data = {"tags": [form.to_data() for _index, form in rows]}  # type: ignore[attr-defined]
                try:
                    measure = services.update_measure(
                        user=acting_user(request), measure=measure, data=data, expected_revision=revision
                    )
                except EditConflict as error:
                    formset.add_non_form_error(_conflict(error))
                except ValidationError as error:
                    if "tags" in error_dict(error):
                        _share_errors(formset, rows)
                    add_service_errors_to_formset(
                        formset, error, section="tags", form_indexes=[index for index, _form in rows]
                    )
                else:
                    if not is_htmx(request):
                        messages.success(request, _("The tags were saved."))
                        return redirect(_edit_url(measure) + "#tags")
                    saved = True
                    revision = measure.revision
                    kwargs["form_kwargs"] = {"term_choices": tag_term_choices(measure)}
                    formset = _initial_tag_formset(measure, kwargs)
    else:
        revision = measure.revision
        formset = _initial_tag_formset(measure, kwargs)
    context = _measure_context(request, measure)
    context.update(
        {
            "formset": formset,
            "revision": revision,
            "saved": saved,
            "crumbs": _measure_crumbs(measure, (_("Edit"), _edit_url(measure)), (_("Tags"), None)),
        }
    )
    return render_page(request, "labs/measure_tags.html", context, partial="tag-form")


def _initial_tag_formset(measure: Measure, kwargs: dict[str, Any]) -> RowFormSet:
    initial = [{**row, "ORDER": number} for number, row in enumerate(TagForm.initial_rows(measure), 1)]
    return TagFormSet(initial=initial, **kwargs)


@internal_view
@require_POST
def measure_move(request: HttpRequest, lab_slug: str, slug: str) -> HttpResponse:
    measure = _get_measure(request, lab_slug, slug)
    require(
        permissions.can_reorder_measures(acting_user(request), measure.lab),
        _("Only the lab's coordinators may reorder its measures."),
    )
    direction = request.POST.get("direction", "")
    if direction not in ("up", "down"):
        messages.error(request, _("Choose whether to move the measure up or down."))
    else:
        services.move_measure(
            user=acting_user(request), measure=measure, offset=-1 if direction == "up" else 1
        )
    lab = measure.lab
    if is_htmx(request):
        context = lab_measure_list_context(request, lab)
        return render_page(request, "labs/lab_detail.html", context, partial="measure-list")
    return redirect(safe_next(request, lab.get_absolute_url(), use_referer=True))


@internal_view
@require_POST
def measure_publish(request: HttpRequest, lab_slug: str, slug: str) -> HttpResponse:
    measure = _get_measure(request, lab_slug, slug)
    require(
        permissions.can_publish_measure(acting_user(request), measure),
        _("Only the lab's coordinators may publish or unpublish its measures."),
    )
    published = _is_on(request.POST["published"]) if "published" in request.POST else not measure.is_published
    measure = services.set_measure_published(user=acting_user(request), measure=measure, published=published)
    if is_htmx(request):
        context = {**_measure_context(request, measure), "revision_oob": True}
        return render_page(request, "labs/measure_edit.html", context, partial="publish-toggle")
    if measure.is_published:
        messages.success(request, _("The measure is published."))
    else:
        messages.success(request, _("The measure is no longer published."))
    return redirect(safe_next(request, measure.get_absolute_url(), use_referer=True))


@internal_view
def measure_delete(request: HttpRequest, lab_slug: str, slug: str) -> HttpResponse:
    measure = _get_measure(request, lab_slug, slug)
    require(
        permissions.can_delete_measure(acting_user(request), measure),
        _("Only the lab's coordinators may delete its measures."),
    )
    if request.method == "POST":
        lab, title = measure.lab, measure.title
        services.delete_measure(user=acting_user(request), measure=measure)
        messages.success(request, _("The measure “%(title)s” was deleted.") % {"title": title})
        return redirect(lab.get_absolute_url())
    context = {
        "measure": measure,
        "lab": measure.lab,
        "crumbs": _measure_crumbs(measure, (_("Delete"), None)),
    }
    return render(request, "labs/measure_confirm_delete.html", context)


@internal_view
def measure_history(request: HttpRequest, lab_slug: str, slug: str) -> HttpResponse:
    measure = _get_measure(request, lab_slug, slug)
    require(
        permissions.can_view_history(acting_user(request), measure),
        _("Only those who may edit this measure see its history."),
    )
    page = _history_page(request, measure)
    latest = versions_of(measure).order_by("-created_at", "-id").values_list("pk", flat=True).first()
    context = _measure_context(request, measure)
    context.update(
        {
            "page": page,
            "current_version_id": latest,
            "may_restore": permissions.can_restore_measure(acting_user(request), measure),
            "crumbs": _measure_crumbs(measure, (_("History"), None)),
        }
    )
    return render(request, "labs/measure_history.html", context)


@internal_view
@require_POST
def measure_restore(request: HttpRequest, lab_slug: str, slug: str, version_id: int) -> HttpResponseBase:
    measure = _get_measure(request, lab_slug, slug)
    require(
        permissions.can_restore_measure(acting_user(request), measure), _("You may not restore this measure.")
    )
    version = get_object_or_404(versions_of(measure).select_related("content_type"), pk=version_id)
    try:
        measure = services.restore_measure(user=acting_user(request), measure=measure, version=version)
    except ValidationError as error:
        for messages_ in error_dict(error).values():
            for text in messages_:
                messages.error(request, text)
        messages.error(request, _("The version could not be restored; nothing was changed."))
    else:
        messages.success(
            request,
            _("Revision %(revision)s was restored as a new version.") % {"revision": version.revision},
        )
    return redirect("labs:measure-history", lab_slug=measure.lab.slug, slug=measure.slug)
