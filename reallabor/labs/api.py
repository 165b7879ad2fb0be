"""API endpoints of labs and measures: /api/v1/labs, /api/v1/labs/{lab}/measures, /api/v1/measures.

Lookups go through ``visible_to(user)`` (invisible = 404); writes go through ``labs.services``,
which check the permission predicates (403) and validate the complete input (422).
"""

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from reallabor.accounts.models import User
from reallabor.api.auth import WRITE_AUTH, get_user, require_user, viewer
from reallabor.api.schemas import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    InputSchema,
    OrganisationRef,
    Position,
    Revision,
    ShortText,
    TagIn,
    TagOut,
    TermRef,
    TermRefIn,
    Text,
    attach,
    attached,
    check_slug,
    responses,
)
from reallabor.core.exceptions import PermissionDenied, ValidationError
from reallabor.labs import permissions, services
from reallabor.labs.filters import MeasureFilter, filter_labs
from reallabor.labs.models import Actor, Lab, LabOrganisation, Measure, Result, TargetGroup
from reallabor.taxonomy.models import Tag

lab_router = Router(tags=["labs"])
measure_router = Router(tags=["measures"])

Phase = Literal["co_design", "co_production", "co_evaluation", "continued", "ended"]
MeasureStatus = Literal["planned", "running", "completed", "stopped"]
Slug = Annotated[Text, Field(max_length=100, pattern=r"^[-a-zA-Z0-9_]+$")]
OrganisationSlug = Annotated[Text, Field(max_length=220)]
REVISION_HELP = "The revision you loaded; a newer one on the server gives 409 instead of overwriting."


# Output -------------------------------------------------------------------------------------------


class LabRef(Schema):
    slug: str
    name: str


class MeasureBrief(Schema):
    slug: str
    title: str
    status: str
    is_published: bool
    url: str

    @staticmethod
    def resolve_url(obj: Measure) -> str:
        return obj.get_absolute_url()


class LabOut(Schema):
    slug: str
    name: str
    summary: str
    background: str = Field(description="Hintergrund und Zielsetzung (Markdown)")
    outlook: str = Field(description="Zukunftsperspektive (Markdown)")
    phase: str
    funding_start: datetime.date | None
    funding_end: datetime.date | None
    coordinator: OrganisationRef | None = Field(description="The coordinating organisation")
    is_published: bool
    position: int
    revision: int
    url: str = Field(description="The lab's page")

    @staticmethod
    def resolve_url(obj: Lab) -> str:
        return obj.get_absolute_url()


class LabOrganisationOut(Schema):
    organisation: OrganisationRef
    role: str


class LabDetail(LabOut):
    organisations: list[LabOrganisationOut]
    measures: list[MeasureBrief] = Field(description="The measures you may see, in their order")
    tags: list[TagOut] = Field(description="The union of the measures' tags")

    @staticmethod
    def resolve_organisations(obj: Lab) -> list[LabOrganisation]:
        return attached(obj, "organisations")

    @staticmethod
    def resolve_measures(obj: Lab) -> list[Measure]:
        return attached(obj, "measures")

    @staticmethod
    def resolve_tags(obj: Lab) -> list[Tag]:
        return attached(obj, "tags")


class ActivityOut(Schema):
    title: str
    start: datetime.date | None
    end: datetime.date | None
    text: str = Field(description="Markdown")


class FinancingOut(Schema):
    source_kind: str
    source: str
    amount: Decimal | None = Field(description="EUR, where known")
    start: datetime.date | None
    end: datetime.date | None


class ActorOut(Schema):
    organisation: OrganisationRef | None
    group_name: str
    role: str
    name: str


class TargetGroupOut(Schema):
    term: TermRef
    added_value: str = Field(description="Mehrwert for this target group (Markdown)")


class ResultOut(Schema):
    date: datetime.date | None
    text: str = Field(description="Markdown")
    evidence_url: str
    evidence_file: str | None = Field(description="The stored evidence file; send it back to keep it")
    evidence_file_url: str | None = Field(description="Where to download the evidence file")

    @staticmethod
    def resolve_evidence_file(obj: Result) -> str | None:
        return obj.evidence_file.name or None

    @staticmethod
    def resolve_evidence_file_url(obj: Result) -> str | None:
        if not obj.evidence_file:
            return None
        return reverse(
            "labs:result-evidence",
            kwargs={"lab_slug": obj.measure.lab.slug, "slug": obj.measure.slug, "result_id": obj.pk},
        )


class MeasureOut(Schema):
    slug: str
    title: str
    lab: LabRef
    summary: str
    status: str
    start: datetime.date | None
    end: datetime.date | None
    position: int
    is_published: bool
    coordinators: list[OrganisationRef] = Field(description="Koordination")
    tags: list[TagOut]
    revision: int
    url: str = Field(description="The measure's page")

    @staticmethod
    def resolve_url(obj: Measure) -> str:
        return obj.get_absolute_url()


class MeasureDetail(MeasureOut):
    """A measure with its complete profile."""

    activities: list[ActivityOut] = Field(description="Aktivitäten")
    financing: list[FinancingOut] = Field(description="Finanzierung")
    actors: list[ActorOut] = Field(description="Beteiligte Akteure")
    target_groups: list[TargetGroupOut] = Field(description="Zielgruppe(n) with their Mehrwert")
    results: list[ResultOut] = Field(description="Ergebnisse")


# Input --------------------------------------------------------------------------------------------


class LabFields(InputSchema):
    slug: Slug | None = Field(None, description="Made from the name when not given.")
    summary: Text | None = None
    background: Text | None = None
    outlook: Text | None = None
    phase: Phase | None = None
    funding_start: datetime.date | None = None
    funding_end: datetime.date | None = None
    coordinator: OrganisationSlug | None = Field(None, description="Slug of the coordinating organisation")
    is_published: bool | None = None
    position: Position | None = None


class LabIn(LabFields):
    name: Annotated[Text, Field(max_length=200)]


class LabPatch(LabFields):
    """Only the fields sent are changed."""

    name: Annotated[Text, Field(max_length=200)] | None = None
    expected_revision: Revision | None = Field(None, description=REVISION_HELP)


class ActivityIn(InputSchema):
    title: Annotated[Text, Field(max_length=300)]
    start: datetime.date | None = None
    end: datetime.date | None = None
    text: Text = ""


class FinancingIn(InputSchema):
    source_kind: Literal["programme", "funder"] = "programme"
    source: Annotated[Text, Field(max_length=300)]
    amount: Annotated[Decimal, Field(allow_inf_nan=False)] | None = Field(
        None, description="EUR, where known"
    )
    start: datetime.date | None = None
    end: datetime.date | None = None


class ActorIn(InputSchema):
    """Either an organisation (by slug) or a named group such as “Einzelhändler”."""

    organisation: OrganisationSlug | None = None
    group_name: Annotated[Text, Field(max_length=200)] = ""
    role: Annotated[Text, Field(max_length=200)] = ""


class TargetGroupIn(InputSchema):
    term: TermRefIn = Field(description='A term of the target groups: {"family": "target-groups", "code": …}')
    added_value: Text = ""


class ResultIn(InputSchema):
    date: datetime.date | None = None
    text: Text
    evidence_url: Annotated[Text, Field(max_length=200)] = ""
    evidence_file: Text | None = Field(
        None, description="Keeps a stored evidence file: the value of `evidence_file` as returned"
    )


class MeasureFields(InputSchema):
    slug: Slug | None = Field(None, description="Made from the title when not given.")
    summary: Text | None = None
    status: MeasureStatus | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    is_published: bool | None = Field(None, description="Only lab coordinators may change it.")
    coordinators: list[OrganisationSlug] | None = Field(None, description="Slugs of organisations")
    activities: list[ActivityIn] | None = None
    financing: list[FinancingIn] | None = None
    actors: list[ActorIn] | None = None
    target_groups: list[TargetGroupIn] | None = None
    results: list[ResultIn] | None = None
    tags: list[TagIn] | None = Field(None, description="SDGs, megatrends, strategy goals … with weights")


class MeasureIn(MeasureFields):
    """A new measure; profile sections left out stay empty."""

    title: Annotated[Text, Field(max_length=300)]


class MeasurePatch(MeasureFields):
    """Only the fields sent are changed; a profile section or ``tags`` sent replaces the old one."""

    title: Annotated[Text, Field(max_length=300)] | None = None
    expected_revision: Revision | None = Field(None, description=REVISION_HELP)


class LabFilter(Schema):
    q: ShortText | None = Field(None, description="Words in the name or summary")
    phase: Phase | None = None
    published: bool | None = None


class MeasureFilterParams(Schema):
    sdg: ShortText | None = Field(
        None, description="An SDG goal (8) or target (8.5); a goal includes its targets"
    )
    megatrend: ShortText | None = Field(None, description="A megatrend code, e.g. digitalisierung")
    strategy: ShortText | None = Field(None, description="A strategy goal code")
    status: MeasureStatus | None = None
    published: bool | None = None
    q: ShortText | None = Field(None, description="Words in the title, summary or lab name")


class MeasureListFilter(MeasureFilterParams):
    lab: ShortText | None = Field(None, description="A lab's slug")


# Lookups and querysets ----------------------------------------------------------------------------


def _tags() -> Prefetch[Any]:
    """``Measure.tags`` with what a tag's display needs, one query for a whole list."""
    return Prefetch(
        "tags", queryset=Tag.objects.select_related("term__vocabulary").order_by("position", "id")
    )


def _lab_queryset() -> QuerySet[Lab]:
    return Lab.objects.select_related("coordinator")


def _visible_labs(user: User | AnonymousUser) -> QuerySet[Lab]:
    return _lab_queryset().filter(pk__in=Lab.objects.visible_to(viewer(user)).values("pk"))


def get_lab(user: User | AnonymousUser, slug: str) -> Lab:
    """The lab if the user may see it, else 404."""
    check_slug(slug, _("Lab"))
    lab = _visible_labs(user).filter(slug=slug).first()
    if lab is None:
        raise Http404(_("Lab “%(slug)s” not found.") % {"slug": slug})
    return lab


def _measure_list_queryset(user: User | AnonymousUser) -> QuerySet[Measure]:
    return (
        Measure.objects.visible_to(viewer(user))
        .select_related("lab")
        .prefetch_related(_tags(), "coordinators")
    )


def _measure_detail_queryset() -> QuerySet[Measure]:
    return Measure.objects.select_related("lab").prefetch_related(
        _tags(),
        "coordinators",
        "activities",
        "financing",
        Prefetch("actors", queryset=Actor.objects.select_related("organisation")),
        Prefetch("target_groups", queryset=TargetGroup.objects.select_related("term__vocabulary")),
        "results",
    )


def get_measure(user: User | AnonymousUser, lab_slug: str, slug: str) -> Measure:
    """The measure if the user may see it (with its complete profile), else 404."""
    check_slug(lab_slug, _("Lab"))
    check_slug(slug, _("Measure"))
    visible = Measure.objects.visible_to(viewer(user)).values("pk")
    measure = _measure_detail_queryset().filter(pk__in=visible, lab__slug=lab_slug, slug=slug).first()
    if measure is None:
        raise Http404(
            _("Measure “%(slug)s” of the lab “%(lab)s” not found.") % {"slug": slug, "lab": lab_slug}
        )
    return measure


def _reload_measure(measure: Measure) -> Measure:
    return _measure_detail_queryset().get(pk=measure.pk)


def _lab_detail(lab: Lab, user: User | AnonymousUser) -> Lab:
    """The lab with what ``LabDetail`` shows: organisations, the visible measures, their tags."""
    measures = list(
        Measure.objects.visible_to(viewer(user))
        .filter(lab=lab)
        .order_by("position", "id")
        .prefetch_related(_tags())
    )
    seen: set[int] = set()
    tags = []
    for measure in measures:
        measure.lab = lab
        for tag in measure.tags.all():
            if tag.term_id not in seen:
                seen.add(tag.term_id)
                tags.append(tag)
    organisations = LabOrganisation.objects.filter(lab=lab).select_related("organisation")
    return attach(
        lab,
        organisations=list(organisations.order_by("organisation__name", "id")),
        measures=measures,
        tags=tags,
    )


def _input_data(payload: InputSchema) -> tuple[dict[str, Any], int | None]:
    data = payload.dict(exclude_unset=True)
    expected_revision = data.pop("expected_revision", None)
    if not data.get("slug"):
        data.pop("slug", None)
    return data, expected_revision


def _check_evidence_files(data: dict[str, Any], measure: Measure | None) -> None:
    """A result may keep a file the measure already has, never point at any other stored file."""
    kept = set()
    if measure is not None:
        kept = set(measure.results.exclude(evidence_file="").values_list("evidence_file", flat=True))
    errors = {}
    for index, row in enumerate(data.get("results") or []):
        name = row.get("evidence_file")
        if name and name not in kept:
            errors[f"results[{index}].evidence_file"] = [
                _("Upload evidence files on the measure's page; here only a stored file can be kept.")
            ]
        if not name:
            row.pop("evidence_file", None)
    if errors:
        raise ValidationError(errors)


# Labs ---------------------------------------------------------------------------------------------


@lab_router.get("/labs", response=responses(200, list[LabOut], LIST_ERRORS), operation_id="list_labs")
@paginate(LimitOffsetPagination)
def list_labs(request: HttpRequest, filters: Query[LabFilter]) -> QuerySet[Lab]:
    """The labs you may see (the public: published labs), in their order."""
    queryset = _visible_labs(get_user(request))
    if filters.published is not None:
        queryset = queryset.filter(is_published=filters.published)
    queryset = filter_labs(queryset, q=filters.q or "", phase=filters.phase or "")
    return queryset.order_by("position", "name", "id")


@lab_router.get("/labs/{slug}", response=responses(200, LabDetail, READ_ERRORS), operation_id="get_lab")
def get_lab_detail(request: HttpRequest, slug: str) -> Lab:
    user = get_user(request)
    return _lab_detail(get_lab(user, slug), user)


@lab_router.post(
    "/labs", response=responses(201, LabDetail, WRITE_ERRORS), auth=WRITE_AUTH, operation_id="create_lab"
)
def create_lab(request: HttpRequest, payload: LabIn) -> Status[Lab]:
    """Create a lab (administrators)."""
    user = require_user(request)
    if not permissions.can_create_lab(user):
        raise PermissionDenied(_("Only administrators may create labs."))
    data, _revision = _input_data(payload)
    lab = services.create_lab(user=user, data=data)
    return Status(201, _lab_detail(_lab_queryset().get(pk=lab.pk), user))


@lab_router.patch(
    "/labs/{slug}",
    response=responses(200, LabDetail, WRITE_ERRORS),
    auth=WRITE_AUTH,
    operation_id="update_lab",
)
def update_lab(request: HttpRequest, slug: str, payload: LabPatch) -> Lab:
    """Change a lab, publish or unpublish it (administrators and its coordinators)."""
    user = require_user(request)
    lab = get_lab(user, slug)
    if not permissions.can_edit_lab(user, lab):
        raise PermissionDenied(_("You may not edit this lab."))
    data, expected_revision = _input_data(payload)
    lab = services.update_lab(user=user, lab=lab, data=data, expected_revision=expected_revision)
    return _lab_detail(_lab_queryset().get(pk=lab.pk), user)


@lab_router.delete(
    "/labs/{slug}", response=responses(204, None, WRITE_ERRORS), auth=WRITE_AUTH, operation_id="delete_lab"
)
def delete_lab(request: HttpRequest, slug: str) -> HttpResponse:
    """Delete a lab with its measures (administrators); the history keeps their last state."""
    user = require_user(request)
    lab = get_lab(user, slug)
    if not permissions.can_delete_lab(user, lab):
        raise PermissionDenied(_("Only administrators may delete labs."))
    services.delete_lab(user=user, lab=lab)
    return HttpResponse(status=204)


# Measures -----------------------------------------------------------------------------------------


@measure_router.get(
    "/measures", response=responses(200, list[MeasureOut], LIST_ERRORS), operation_id="list_measures"
)
@paginate(LimitOffsetPagination)
def list_measures(request: HttpRequest, filters: Query[MeasureListFilter]) -> QuerySet[Measure]:
    """The measures you may see, across labs, in portfolio order."""
    measure_filter = MeasureFilter.from_params(filters.dict(exclude_none=True))
    return measure_filter.apply(_measure_list_queryset(get_user(request)))


@measure_router.get(
    "/labs/{lab_slug}/measures",
    response=responses(200, list[MeasureOut], READ_ERRORS),
    operation_id="list_lab_measures",
)
@paginate(LimitOffsetPagination)
def list_lab_measures(
    request: HttpRequest, lab_slug: str, filters: Query[MeasureFilterParams]
) -> QuerySet[Measure]:
    """The measures of one lab that you may see, in their order."""
    user = get_user(request)
    lab = get_lab(user, lab_slug)
    measure_filter = MeasureFilter.from_params(filters.dict(exclude_none=True))
    queryset = measure_filter.apply(_measure_list_queryset(user).filter(lab=lab))
    return queryset.order_by("position", "id")


@measure_router.get(
    "/labs/{lab_slug}/measures/{slug}",
    response=responses(200, MeasureDetail, READ_ERRORS),
    operation_id="get_measure",
)
def get_measure_detail(request: HttpRequest, lab_slug: str, slug: str) -> Measure:
    """A measure with its complete profile and its ``revision``."""
    return get_measure(get_user(request), lab_slug, slug)


@measure_router.post(
    "/labs/{lab_slug}/measures",
    response=responses(201, MeasureDetail, WRITE_ERRORS),
    auth=WRITE_AUTH,
    operation_id="create_measure",
)
def create_measure(request: HttpRequest, lab_slug: str, payload: MeasureIn) -> Status[Measure]:
    """Add a measure to a lab (administrators and the lab's coordinators)."""
    user = require_user(request)
    lab = get_lab(user, lab_slug)
    if not permissions.can_create_measure(user, lab):
        raise PermissionDenied(_("You may not add measures to this lab."))
    data, _revision = _input_data(payload)
    _check_evidence_files(data, None)
    measure = services.create_measure(user=user, lab=lab, data=data)
    return Status(201, _reload_measure(measure))


@measure_router.patch(
    "/labs/{lab_slug}/measures/{slug}",
    response=responses(200, MeasureDetail, WRITE_ERRORS),
    auth=WRITE_AUTH,
    operation_id="update_measure",
)
def update_measure(request: HttpRequest, lab_slug: str, slug: str, payload: MeasurePatch) -> Measure:
    """Change a measure (administrators, the lab's coordinators and partners; only coordinators publish)."""
    user = require_user(request)
    measure = get_measure(user, lab_slug, slug)
    if not permissions.can_edit_measure(user, measure):
        raise PermissionDenied(_("You may not edit this measure."))
    data, expected_revision = _input_data(payload)
    _check_evidence_files(data, measure)
    measure = services.update_measure(
        user=user, measure=measure, data=data, expected_revision=expected_revision
    )
    return _reload_measure(measure)


@measure_router.delete(
    "/labs/{lab_slug}/measures/{slug}",
    response=responses(204, None, WRITE_ERRORS),
    auth=WRITE_AUTH,
    operation_id="delete_measure",
)
def delete_measure(request: HttpRequest, lab_slug: str, slug: str) -> HttpResponse:
    """Delete a measure (administrators and the lab's coordinators); the history keeps its last state."""
    user = require_user(request)
    measure = get_measure(user, lab_slug, slug)
    if not permissions.can_delete_measure(user, measure):
        raise PermissionDenied(_("You may not delete this measure."))
    services.delete_measure(user=user, measure=measure)
    return HttpResponse(status=204)
