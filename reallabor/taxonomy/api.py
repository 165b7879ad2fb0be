"""API endpoints of the taxonomies: /api/v1/vocabularies and /api/v1/terms.

Vocabularies and their terms are public; administrators change them (through
``taxonomy.services``). A vocabulary is addressed by its family (the current version) or
family and version; terms by their id, which every tag in the API shows.
"""

import datetime
from typing import Annotated, Literal

from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from reallabor.api.auth import WRITE_AUTH, require_user
from reallabor.api.schemas import (
    LIST_ERRORS,
    MAX_INT,
    READ_ERRORS,
    WRITE_ERRORS,
    InputSchema,
    Position,
    ShortText,
    TermRef,
    Text,
    attach,
    attached,
    check_slug,
    responses,
)
from reallabor.core.exceptions import PermissionDenied
from reallabor.taxonomy import permissions, services
from reallabor.taxonomy.models import Term, Vocabulary

vocabulary_router = Router(tags=["taxonomies"])
term_router = Router(tags=["taxonomies"])

VocabularyKind = Literal["sdg", "megatrend", "strategy", "target_group", "other"]


# Schemas ------------------------------------------------------------------------------------------


class VocabularyOut(Schema):
    family: str
    version: int
    kind: str
    name: str
    name_en: str
    abbreviation: str
    description: str
    is_editable: bool = Field(description="False for fixed catalogues such as the SDGs")
    retired_at: datetime.datetime | None
    is_current: bool
    term_count: int
    url: str = Field(description="The vocabulary's page")

    @staticmethod
    def resolve_is_current(obj: Vocabulary) -> bool:
        return not obj.is_retired

    @staticmethod
    def resolve_term_count(obj: Vocabulary) -> int:
        return int(getattr(obj, "term_count", 0))

    @staticmethod
    def resolve_url(obj: Vocabulary) -> str:
        if obj.is_retired:
            return reverse(
                "taxonomy:vocabulary-version", kwargs={"family": obj.family, "version": obj.version}
            )
        return reverse("taxonomy:vocabulary-detail", kwargs={"family": obj.family})


class ParentRef(Schema):
    id: int
    code: str


class TermOut(TermRef):
    """A term with all its fields (TermRef's plus names, descriptions, parent and position)."""

    name: str
    name_en: str
    local_name: str = Field(description="The city's own wording, shown instead of the name where set")
    description: str
    description_en: str
    parent: ParentRef | None = Field(description="An SDG target's goal")
    position: int


class VocabularyDetail(VocabularyOut):
    terms: list[TermOut]

    @staticmethod
    def resolve_terms(obj: Vocabulary) -> list[Term]:
        return attached(obj, "terms")


class VocabularyIn(InputSchema):
    family: Annotated[Text, Field(max_length=50, pattern=r"^[-a-z0-9_]+$", examples=["megatrends"])]
    kind: VocabularyKind
    name: Annotated[Text, Field(max_length=200)]
    name_en: Annotated[Text, Field(max_length=200)] = ""
    abbreviation: Annotated[Text, Field(max_length=10)] = ""
    description: Text = ""


class TermFields(InputSchema):
    name_en: Annotated[Text, Field(max_length=300)] | None = None
    local_name: Annotated[Text, Field(max_length=300)] | None = None
    description: Text | None = None
    description_en: Text | None = None
    colour: Annotated[Text, Field(max_length=7)] | None = None
    position: Position | None = None


class TermIn(TermFields):
    family: ShortText = Field(description="The term goes into the current version of this vocabulary")
    name: Annotated[Text, Field(max_length=300)]
    code: Annotated[Text, Field(max_length=50)] | None = Field(
        None, description="Made from the name when not given"
    )


class TermPatch(TermFields):
    """Only the fields sent are changed. Fixed vocabularies (SDGs) only take ``local_name``."""

    name: Annotated[Text, Field(max_length=300)] | None = None
    code: Annotated[Text, Field(max_length=50)] | None = None


class VocabularyFilter(Schema):
    family: ShortText | None = None
    kind: VocabularyKind | None = None
    current: bool | None = Field(None, description="Only current (true) or only retired (false) versions")


class TermFilter(Schema):
    family: ShortText | None = Field(None, description="e.g. sdg, megatrends, strategy, target-groups")
    version: Annotated[int, Field(ge=1, le=MAX_INT)] | None = Field(
        None, description="A version of the vocabulary; without it, current versions only"
    )
    parent: ShortText | None = Field(
        None, description="Code of the parent term, e.g. 8 for the targets of SDG 8"
    )
    top_level: bool | None = Field(None, description="Only terms without (true) or with (false) a parent")
    q: ShortText | None = Field(None, description="Words in the code or name")


# Lookups ------------------------------------------------------------------------------------------


def _vocabularies() -> QuerySet[Vocabulary]:
    return Vocabulary.objects.annotate(term_count=Count("terms"))


def get_vocabulary(family: str, version: int | None = None) -> Vocabulary:
    check_slug(family, _("Vocabulary"))
    queryset = _vocabularies().filter(family=family)
    vocabulary = (
        queryset.filter(version=version).first()
        if version is not None
        else queryset.filter(retired_at__isnull=True).first()
    )
    if vocabulary is None:
        raise Http404(_("Vocabulary “%(family)s” not found.") % {"family": family})
    return vocabulary


def _vocabulary_detail(vocabulary: Vocabulary) -> Vocabulary:
    terms = list(vocabulary.terms.select_related("parent").order_by("position", "code"))
    for term in terms:
        term.vocabulary = vocabulary
    return attach(vocabulary, terms=terms)


def _terms() -> QuerySet[Term]:
    return Term.objects.select_related("vocabulary", "parent")


def get_term(term_id: int) -> Term:
    term = _terms().filter(pk=term_id).first() if 0 < term_id <= MAX_INT else None
    if term is None:
        raise Http404(_("Term %(id)s not found.") % {"id": term_id})
    return term


# Vocabularies -------------------------------------------------------------------------------------


@vocabulary_router.get(
    "/vocabularies",
    response=responses(200, list[VocabularyOut], LIST_ERRORS),
    operation_id="list_vocabularies",
)
@paginate(LimitOffsetPagination)
def list_vocabularies(request: HttpRequest, filters: Query[VocabularyFilter]) -> QuerySet[Vocabulary]:
    """All vocabularies with their versions."""
    queryset = _vocabularies()
    if filters.family:
        queryset = queryset.filter(family=filters.family)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.current is not None:
        queryset = queryset.filter(retired_at__isnull=filters.current)
    return queryset.order_by("family", "-version")


@vocabulary_router.post(
    "/vocabularies",
    response=responses(201, VocabularyDetail, WRITE_ERRORS),
    auth=WRITE_AUTH,
    operation_id="create_vocabulary",
)
def create_vocabulary(request: HttpRequest, payload: VocabularyIn) -> Status[Vocabulary]:
    """Start a new vocabulary, e.g. the city's strategy goals (administrators)."""
    user = require_user(request)
    if not permissions.can_edit_vocabulary(user):
        raise PermissionDenied(_("You may not add vocabularies."))
    vocabulary = services.create_vocabulary(user=user, data=payload.dict())
    return Status(201, _vocabulary_detail(get_vocabulary(vocabulary.family)))


@vocabulary_router.get(
    "/vocabularies/{family}",
    response=responses(200, VocabularyDetail, READ_ERRORS),
    operation_id="get_vocabulary",
)
def get_vocabulary_detail(request: HttpRequest, family: str) -> Vocabulary:
    """The current version of a vocabulary with its terms."""
    return _vocabulary_detail(get_vocabulary(family))


@vocabulary_router.get(
    "/vocabularies/{family}/versions/{version}",
    response=responses(200, VocabularyDetail, READ_ERRORS),
    operation_id="get_vocabulary_version",
)
def get_vocabulary_version(request: HttpRequest, family: str, version: int) -> Vocabulary:
    """One version of a vocabulary (current or retired) with its terms."""
    if not 0 < version <= MAX_INT:
        raise Http404(_("Vocabulary “%(family)s” not found.") % {"family": family})
    return _vocabulary_detail(get_vocabulary(family, version))


@vocabulary_router.post(
    "/vocabularies/{family}/versions",
    response=responses(201, VocabularyDetail, WRITE_ERRORS),
    auth=WRITE_AUTH,
    operation_id="create_vocabulary_version",
)
def create_vocabulary_version(request: HttpRequest, family: str) -> Status[Vocabulary]:
    """Retire the current version and start the next one with a copy of its terms (administrators).

    Tags keep pointing to the retired version's terms; new tags take terms of the new version.
    """
    user = require_user(request)
    vocabulary = get_vocabulary(family)
    if not permissions.can_edit_vocabulary(user, vocabulary):
        raise PermissionDenied(_("You may not change this vocabulary."))
    successor = services.create_vocabulary_version(user=user, vocabulary=vocabulary)
    return Status(201, _vocabulary_detail(get_vocabulary(successor.family, successor.version)))


# Terms --------------------------------------------------------------------------------------------


@term_router.get("/terms", response=responses(200, list[TermOut], LIST_ERRORS), operation_id="list_terms")
@paginate(LimitOffsetPagination)
def list_terms(request: HttpRequest, filters: Query[TermFilter]) -> QuerySet[Term]:
    """Terms of the current vocabulary versions (or of ``version``), filtered."""
    queryset = _terms()
    if filters.family:
        queryset = queryset.filter(vocabulary__family=filters.family)
    if filters.version is not None:
        queryset = queryset.filter(vocabulary__version=filters.version)
    else:
        queryset = queryset.filter(vocabulary__retired_at__isnull=True)
    if filters.parent:
        queryset = queryset.filter(parent__code=filters.parent)
    if filters.top_level is not None:
        queryset = queryset.filter(parent__isnull=filters.top_level)
    for word in (filters.q or "").split()[:8]:
        queryset = queryset.filter(
            Q(code__iexact=word)
            | Q(name__icontains=word)
            | Q(name_en__icontains=word)
            | Q(local_name__icontains=word)
        )
    return queryset.order_by("vocabulary__family", "-vocabulary__version", "position", "code", "id")


@term_router.get("/terms/{term_id}", response=responses(200, TermOut, READ_ERRORS), operation_id="get_term")
def get_term_detail(request: HttpRequest, term_id: int) -> Term:
    return get_term(term_id)


@term_router.post(
    "/terms", response=responses(201, TermOut, WRITE_ERRORS), auth=WRITE_AUTH, operation_id="create_term"
)
def create_term(request: HttpRequest, payload: TermIn) -> Status[Term]:
    """Add a term to the current version of an editable vocabulary (administrators)."""
    user = require_user(request)
    data = payload.dict(exclude_unset=True)
    family = data.pop("family")
    vocabulary = get_vocabulary(family)
    if not permissions.can_edit_vocabulary(user, vocabulary):
        raise PermissionDenied(_("You may not change this vocabulary."))
    term = services.create_term(user=user, vocabulary=vocabulary, data=data)
    return Status(201, get_term(term.pk))


@term_router.patch(
    "/terms/{term_id}",
    response=responses(200, TermOut, WRITE_ERRORS),
    auth=WRITE_AUTH,
    operation_id="update_term",
)
def update_term(request: HttpRequest, term_id: int, payload: TermPatch) -> Term:
    """Change a term (administrators). Of a fixed vocabulary only the city's wording (``local_name``)."""
    user = require_user(request)
    term = get_term(term_id)
    data = payload.dict(exclude_unset=True)
    if set(data) == {"local_name"}:
        if not permissions.can_edit_vocabulary(user):
            raise PermissionDenied(_("You may not change this vocabulary."))
        services.set_local_wording(user=user, term=term, local_name=data["local_name"] or "")
    else:
        if not permissions.can_edit_vocabulary(user, term.vocabulary):
            raise PermissionDenied(_("You may not change this vocabulary."))
        services.update_term(user=user, term=term, data=data)
    return get_term(term.pk)


@term_router.delete(
    "/terms/{term_id}",
    response=responses(204, None, WRITE_ERRORS),
    auth=WRITE_AUTH,
    operation_id="delete_term",
)
def delete_term(request: HttpRequest, term_id: int) -> HttpResponse:
    """Delete an unused term of an editable vocabulary (administrators); in use → 409."""
    user = require_user(request)
    term = get_term(term_id)
    if not permissions.can_edit_vocabulary(user, term.vocabulary):
        raise PermissionDenied(_("You may not change this vocabulary."))
    services.delete_term(user=user, term=term)
    return HttpResponse(status=204)
