"""API endpoints of data protection: a person's export, erasure, anonymisation and consents, the
retention list, the audit trail and the consent texts.

Personal data: the office only (administrators and lab coordinators); anonymous requests get 401,
other signed-in users 403, before anything is looked up. Erasure, anonymisation, the audit trail
and new consent texts: administrators only. Writes go through ``actors.services``.
"""

import datetime as dt
import uuid as uuid_module
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.pagination import LimitOffsetPagination, paginate

from reallabor.accounts.models import User
from reallabor.actors import permissions
from reallabor.actors.models import Consent, ConsentText, Person, PersonalDataAccess, Purpose
from reallabor.actors.services import consent as consent_services
from reallabor.actors.services import privacy
from reallabor.api.auth import WRITE_AUTH, get_user
from reallabor.api.schemas import LIST_ERRORS, WRITE_ERRORS, ErrorOut, InputSchema, ShortText, Text, responses

router = Router(tags=["Data protection"])

PurposeName = Literal["newsletter", "event_follow_up", "matching", "benchmarking", "photos"]
SourceName = Literal["form", "in_person", "import"]
ActionName = Literal["viewed", "exported", "anonymised", "erased", "list_exported"]

OFFICE_READ_ERRORS: dict[int, Any] = {**LIST_ERRORS, 403: ErrorOut, 404: ErrorOut}


def office_user(request: HttpRequest) -> User:
    """The signed-in member of the office, else 401 (anonymous) or 403."""
    user = get_user(request)
    if not isinstance(user, User):
        raise AuthenticationError()
    if not permissions.can_see_personal_data(user):
        raise PermissionDenied(
            _("Only the office's staff (administrators and lab coordinators) see the actors' personal data.")
        )
    return user


def get_person(user: User, uuid: str) -> Person:
    """The person with this UUID, or 404 (also for text that is no UUID)."""
    try:
        key = uuid_module.UUID(uuid)
    except ValueError:
        raise Http404(_("Person “%(uuid)s” not found.") % {"uuid": uuid[:50]}) from None
    person = Person.objects.visible_to(user).filter(uuid=key).first()
    if person is None:
        raise Http404(_("Person “%(uuid)s” not found.") % {"uuid": uuid[:50]})
    return person


# Schemas ------------------------------------------------------------------------------------------


class ConsentOut(Schema):
    purpose: str
    source: str
    given_at: dt.datetime
    expires_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    withdrawal_note: str
    text_version: int
    valid: bool = Field(description="Given, not withdrawn and not expired now.")

    @staticmethod
    def resolve_text_version(obj: Consent) -> int:
        return obj.text.version

    @staticmethod
    def resolve_valid(obj: Consent) -> bool:
        return obj.is_valid()


class ConsentIn(InputSchema):
    purpose: PurposeName
    source: SourceName
    given_at: dt.datetime | None = Field(None, description="When the consent was given (default: now).")
    expires_at: dt.datetime | None = Field(None, description="When it ends (default: never).")
    text_version: Annotated[int, Field(ge=1, le=1_000_000)] | None = Field(
        None, description="The version of the purpose's text agreed to (default: the current one)."
    )


class WithdrawIn(InputSchema):
    note: Annotated[Text, Field(max_length=200)] = Field("", description="How the consent was withdrawn.")


class WithdrawOut(Schema):
    withdrawn: int = Field(description="How many open consents were withdrawn.")


class ImpactOut(Schema):
    affiliations: int
    relationships: int
    consents: int
    valid_consents: int
    tags: int
    stakeholder_positions: int
    interactions: int
    mailing_recipients: int
    audit_entries: int
    versions: int


class ErasureOut(Schema):
    uuid: uuid_module.UUID
    erased: bool
    impact: ImpactOut


class AnonymisedOut(Schema):
    uuid: uuid_module.UUID
    name: str
    anonymised_at: dt.datetime


class RetentionPersonOut(Schema):
    uuid: uuid_module.UUID
    name: str
    created_at: dt.datetime
    last_interaction_at: dt.datetime | None
    url: str

    @staticmethod
    def resolve_url(obj: Person) -> str:
        return obj.get_absolute_url()


class RetentionFilter(Schema):
    years: Annotated[int, Field(ge=1, le=100)] | None = Field(
        None, description="Years without interaction and valid consent (default: REALLABOR_RETENTION_YEARS)."
    )


class AuditEntryOut(Schema):
    at: dt.datetime
    user: str | None
    action: str
    person_uuid: uuid_module.UUID | None
    person_exists: bool = Field(description="False when the person has been erased since.")
    detail: str

    @staticmethod
    def resolve_user(obj: PersonalDataAccess) -> str | None:
        return str(obj.user) if obj.user else None

    @staticmethod
    def resolve_person_exists(obj: PersonalDataAccess) -> bool:
        return obj.person_id is not None


class AuditFilterQuery(Schema):
    user: ShortText | None = Field(None, description="Words in the staff member's name or e-mail address")
    action: ActionName | None = None
    person: uuid_module.UUID | None = Field(None, description="The person's UUID")
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class ConsentTextOut(Schema):
    purpose: str
    version: int
    text: str
    valid_from: dt.date


class ConsentTextFilter(Schema):
    purpose: PurposeName | None = None


class ConsentTextIn(InputSchema):
    purpose: PurposeName
    text: Annotated[Text, Field(max_length=consent_services.MAX_TEXT_LENGTH)]


# A person -----------------------------------------------------------------------------------------


@router.get("/people/{uuid}/export", response=responses(200, dict[str, Any], OFFICE_READ_ERRORS))
def export_person(request: HttpRequest, uuid: str) -> dict[str, Any]:
    """Everything stored about the person (the export is recorded in the audit trail)."""
    user = office_user(request)
    return privacy.export_person(user=user, person=get_person(user, uuid))


@router.post("/people/{uuid}/erase", response=responses(200, ErasureOut, WRITE_ERRORS), auth=WRITE_AUTH)
def erase_person(request: HttpRequest, uuid: str) -> dict[str, Any]:
    """Erase the person and everything personal about them (administrators; cannot be undone).

    Interactions they took part in remain and count them as an anonymous participant.
    """
    user = office_user(request)
    person = get_person(user, uuid)
    key = person.uuid
    impact = privacy.erase_person(user=user, person=person)
    return {"uuid": key, "erased": True, "impact": impact.as_dict()}


@router.post(
    "/people/{uuid}/anonymise", response=responses(200, AnonymisedOut, WRITE_ERRORS), auth=WRITE_AUTH
)
def anonymise_person(request: HttpRequest, uuid: str) -> dict[str, Any]:
    """Keep the person for statistics without name, contact data and notes (administrators)."""
    user = office_user(request)
    person = privacy.anonymise_person(user=user, person=get_person(user, uuid))
    return {"uuid": person.uuid, "name": person.name, "anonymised_at": person.anonymised_at}


@router.get("/people/{uuid}/consents", response=responses(200, list[ConsentOut], OFFICE_READ_ERRORS))
@paginate(LimitOffsetPagination)
def list_consents(request: HttpRequest, uuid: str) -> QuerySet[Consent]:
    """Every consent of the person, newest first (the read is recorded in the audit trail)."""
    user = office_user(request)
    person = get_person(user, uuid)
    privacy.log_access(
        user=user, person=person, action=PersonalDataAccess.Action.VIEWED, detail="consents (API)"
    )
    return Consent.objects.filter(person=person).select_related("text").order_by("-given_at", "-id")


@router.post("/people/{uuid}/consents", response=responses(201, ConsentOut, WRITE_ERRORS), auth=WRITE_AUTH)
def record_consent(request: HttpRequest, uuid: str, payload: ConsentIn) -> Status[Consent]:
    """Record a consent for the current text of the purpose (or the version given)."""
    user = office_user(request)
    person = get_person(user, uuid)
    text = None
    if payload.text_version is not None:
        text = ConsentText.objects.filter(purpose=payload.purpose, version=payload.text_version).first()
        if text is None:
            raise ValidationError(
                {
                    "text_version": _("There is no version %(version)d of this purpose's text.")
                    % {"version": payload.text_version}
                }
            )
    try:
        consent = consent_services.record_consent(
            user=user,
            person=person,
            purpose=payload.purpose,
            source=payload.source,
            given_at=payload.given_at,
            expires_at=payload.expires_at,
            text=text,
        )
    except ValidationError as error:
        if hasattr(error, "error_dict") and "text" in error.error_dict:
            error.error_dict["text_version"] = error.error_dict.pop("text")
        raise
    return Status(201, consent)


@router.post(
    "/people/{uuid}/consents/{purpose}/withdraw",
    response=responses(200, WithdrawOut, WRITE_ERRORS),
    auth=WRITE_AUTH,
)
def withdraw_consent(
    request: HttpRequest, uuid: str, purpose: str, payload: WithdrawIn | None = None
) -> dict[str, int]:
    """Withdraw every open consent of the person for the purpose."""
    user = office_user(request)
    person = get_person(user, uuid)
    if purpose not in Purpose.values:
        raise Http404(_("There is no purpose “%(purpose)s”.") % {"purpose": purpose[:50]})
    note = payload.note if payload is not None else ""
    return {
        "withdrawn": consent_services.withdraw_consent(user=user, person=person, purpose=purpose, note=note)
    }


# Lists --------------------------------------------------------------------------------------------


@router.get("/privacy/retention", response=responses(200, list[RetentionPersonOut], OFFICE_READ_ERRORS))
@paginate(LimitOffsetPagination)
def list_retention(request: HttpRequest, filters: Query[RetentionFilter]) -> QuerySet[Person]:
    """People the retention rule flags: created more than N years ago, no interaction within N
    years, no consent valid now, not anonymised (oldest record first)."""
    user = office_user(request)
    return privacy.flagged_for_retention(user=user, years=filters.years)


@router.get("/privacy/audit", response=responses(200, list[AuditEntryOut], OFFICE_READ_ERRORS))
@paginate(LimitOffsetPagination)
def list_audit_entries(
    request: HttpRequest, filters: Query[AuditFilterQuery]
) -> QuerySet[PersonalDataAccess]:
    """The audit trail of personal data, newest first (administrators)."""
    user = office_user(request)
    return privacy.audit_entries(
        user=user,
        filters=privacy.AuditFilter(
            user=filters.user or "",
            action=filters.action or "",
            person_uuid=filters.person,
            date_from=filters.date_from,
            date_to=filters.date_to,
        ),
    )


@router.get("/consent-texts", response=responses(200, list[ConsentTextOut], OFFICE_READ_ERRORS))
@paginate(LimitOffsetPagination)
def list_consent_texts(request: HttpRequest, filters: Query[ConsentTextFilter]) -> QuerySet[ConsentText]:
    """Every version of the consent texts, by purpose, newest version first."""
    office_user(request)
    texts = ConsentText.objects.order_by("purpose", "-version")
    return texts.filter(purpose=filters.purpose) if filters.purpose else texts


@router.post("/consent-texts", response=responses(201, ConsentTextOut, WRITE_ERRORS), auth=WRITE_AUTH)
def create_consent_text(request: HttpRequest, payload: ConsentTextIn) -> Status[ConsentText]:
    """A new version of a purpose's consent text (administrators); texts are never changed."""
    user = office_user(request)
    text = consent_services.create_consent_text(user=user, purpose=payload.purpose, text=payload.text)
    return Status(201, text)
