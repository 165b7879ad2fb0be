"""Schemas and types shared by the endpoint modules of the apps."""

from typing import Annotated, Any, Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict

from reallabor.taxonomy.models import Tag, Term

MAX_INT = 2_147_483_647


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Text must not contain NUL characters.")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
"""A string from the client: any text except NUL characters (which no database column takes)."""

ShortText = Annotated[str, Field(max_length=200), AfterValidator(_no_nul)]
"""A query parameter's text."""

Position = Annotated[int, Field(ge=0, le=MAX_INT)]
Revision = Annotated[int, Field(ge=1, le=MAX_INT)]

SLUG_MAX_LENGTH = 220


def check_slug(value: str, what: str) -> str:
    """A slug from the URL, or 404 (never a database error for odd input)."""
    if not value or len(value) > SLUG_MAX_LENGTH or "\x00" in value:
        raise Http404(_("%(what)s “%(slug)s” not found.") % {"what": what, "slug": value[:50]})
    return value


class InputSchema(Schema):
    """Request bodies: unknown fields are an error (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid")


# Errors (documentation of the responses) -----------------------------------------------------------


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    loc: list[str | int] = Field(
        description='Where: ["body", "financing", 0, "amount"], ["query", "limit"] …'
    )
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


LIST_ERRORS: dict[int, Any] = {401: ErrorOut, 422: ValidationErrorOut}
READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
}


def responses(status: int, schema: Any, errors: dict[int, Any]) -> dict[int, Any]:
    return {status: schema, **errors}


# References between resources ----------------------------------------------------------------------


class OrganisationRef(Schema):
    slug: str
    name: str


class TermRefIn(InputSchema):
    """A term: the current version of its vocabulary unless ``version`` is given."""

    family: ShortText = Field(examples=["sdg"])
    code: ShortText = Field(examples=["8"])
    version: Annotated[int, Field(ge=1, le=MAX_INT)] | None = None


class TermRef(Schema):
    id: int
    family: str
    version: int
    code: str
    label: str = Field(description="The name (the city's wording where set) in the request's language.")
    display: str = Field(examples=["SDG 8 »Menschenwürdige Arbeit und Wirtschaftswachstum«"])
    colour: str
    retired: bool = Field(description="The term belongs to a retired vocabulary version.")

    @staticmethod
    def resolve_family(obj: Term) -> str:
        return obj.vocabulary.family

    @staticmethod
    def resolve_version(obj: Term) -> int:
        return obj.vocabulary.version

    @staticmethod
    def resolve_retired(obj: Term) -> bool:
        return obj.vocabulary.is_retired


class TagIn(InputSchema):
    """A tag: a term with a weight, either a priority or a share in percent (not both)."""

    term: TermRefIn
    priority: Literal["primary", "secondary", ""] | None = Field(
        None, description="primary (the default when no share is given) or secondary"
    )
    share: Annotated[int, Field(ge=1, le=100)] | None = Field(
        None, description="A share in percent; per vocabulary the shares add up to at most 100."
    )
    note: Annotated[Text, Field(max_length=200)] = ""


class TagOut(Schema):
    term: TermRef
    priority: str
    share: int | None
    note: str
    weight: float = Field(description="primary 1, secondary 0.5, a share its fraction")
    display: str = Field(examples=["MT »Digitalisierung« (durch die Covid-19-Pandemie gestärkt)"])

    @staticmethod
    def resolve_weight(obj: Tag) -> float:
        return obj.weight


def attach[T](obj: T, **values: Any) -> T:
    """Attach what a detail schema shows besides the model's own fields (read with ``attached``)."""
    obj.__dict__.update({f"_api_{name}": value for name, value in values.items()})
    return obj


def attached(obj: Any, name: str) -> Any:
    return obj.__dict__[f"_api_{name}"]
