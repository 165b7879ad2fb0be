"""API endpoints of imports and duplicates (the office only).

``POST /imports`` takes a CSV or .xlsx file as ``multipart/form-data`` (field ``file``), with an
optional ``mapping`` (JSON object: column → field; suggested from the column names when left
out), ``dry_run`` (check only) and ``on_duplicate`` (``skip``, the default, or ``merge``). All or
nothing: any bad row gives 422 with one error per row and column and writes nothing; a dry run
gives 200 with the report; an import 201 with the stored job. ``GET /duplicates/…`` lists groups of
probable duplicates; ``POST /duplicates/merge`` merges two records.
"""

from __future__ import annotations

import json
import uuid as uuid_module
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from reallabor.accounts.models import User
from reallabor.actors.models import ImportJob, Person
from reallabor.actors.permissions import can_import_actors, can_merge_duplicates
from reallabor.actors.services import duplicates as duplicate_services
from reallabor.actors.services import imports as services
from reallabor.api.auth import WRITE_AUTH, require_user
from reallabor.api.schemas import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    FieldErrorOut,
    InputSchema,
    ShortText,
    responses,
)
from reallabor.organisations.models import Organisation

router = Router(tags=["Import"])

OFFICE_READ_ERRORS = {**READ_ERRORS, 403: WRITE_ERRORS[403]}
OFFICE_LIST_ERRORS = {**LIST_ERRORS, 403: WRITE_ERRORS[403]}


def _office(request: HttpRequest, allowed: Any = can_import_actors) -> User:
    user = require_user(request)
    if not allowed(user):
        raise PermissionDenied(
            _(
                "Only the office's staff (administrators and lab coordinators) import actors and merge duplicates."
            )
        )
    return user


# Imports ---------------------------------------------------------------------------------------


class ImportOut(Schema):
    uuid: uuid_module.UUID | None = Field(description="The stored import; none for a dry run.")
    filename: str
    status: str = Field(description="imported, checked (a dry run without errors), failed or uploaded")
    created_at: datetime | None
    report: dict[str, Any] = Field(
        description=(
            "file, mapping, ignored_columns, counts, errors, duplicates, decisions, result, imported_at; "
            "file_removed_at once the uploaded file is no longer stored (removed after the import)"
        )
    )


class ImportErrorsOut(Schema):
    detail: list[FieldErrorOut] = Field(description='One per bad cell: loc ["body", "file", row, column].')
    report: dict[str, Any] | None = Field(None, description="The report of the check (for bad rows).")


def _job_out(job: ImportJob) -> dict[str, Any]:
    return {
        "uuid": job.uuid,
        "filename": job.filename,
        "status": job.status,
        "created_at": job.created_at,
        "report": job.report,
    }


UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "CSV or .xlsx"},
                        "mapping": {
                            "type": "string",
                            "description": 'JSON object column → field, e.g. {"Firma": "organisation.name"}',
                        },
                        "dry_run": {"type": "boolean", "default": False},
                        "on_duplicate": {"type": "string", "enum": ["skip", "merge"], "default": "skip"},
                    },
                }
            }
        },
    }
}

TRUE = {"1", "true", "yes", "on", "ja"}
FALSE = {"", "0", "false", "no", "off", "nein"}


def _form_value(request: HttpRequest, name: str) -> str:
    return str(request.POST.get(name, "")).strip()


def _mapping(raw: str) -> dict[str, str] | None:
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValidationError(
            {"mapping": _("The mapping is not valid JSON: %(error)s") % {"error": error}}
        ) from None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValidationError({"mapping": _("The mapping is a JSON object of column names and field names.")})
    return value


@router.post(
    "/imports",
    response={200: ImportOut, 201: ImportOut, 415: WRITE_ERRORS[403], **WRITE_ERRORS, 422: ImportErrorsOut},
    auth=WRITE_AUTH,
    openapi_extra=UPLOAD_BODY,
)
def create_import(request: HttpRequest) -> Any:
    """Import (or with ``dry_run`` only check) a CSV or .xlsx file of organisations and people."""
    user = _office(request)
    if not (request.content_type or "").startswith("multipart/form-data"):
        raise HttpError(415, _("Send the file as multipart/form-data with the field “file”."))
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError({"file": _("Send the file in the field “file”.")})
    services.check_file_size(upload.size or 0)
    dry_run_text = _form_value(request, "dry_run").lower()
    if dry_run_text not in TRUE | FALSE:
        raise ValidationError({"dry_run": _("Send true or false.")})
    on_duplicate = _form_value(request, "on_duplicate") or "skip"
    outcome = services.import_file(
        user=user,
        filename=upload.name or "import",
        content=upload.read(),
        mapping=_mapping(_form_value(request, "mapping")),
        dry_run=dry_run_text in TRUE,
        on_duplicate=on_duplicate,
    )
    if not outcome.ok:
        detail = [
            {
                "loc": ["body", "file", error["row"], error["column"]],
                "msg": _row_message(error),
                "type": "row_error",
            }
            for error in outcome.report["errors"]
        ]
        return Status(422, {"detail": detail, "report": outcome.report})
    if outcome.job is None:
        return Status(
            200,
            {
                "uuid": None,
                "filename": upload.name or "import",
                "status": ImportJob.Status.CHECKED,
                "created_at": None,
                "report": outcome.report,
            },
        )
    return Status(201, _job_out(outcome.job))


def _row_message(error: dict[str, Any]) -> str:
    from reallabor.actors.importing import CellError

    return CellError(error["row"], error["column"], error["message"]).text


@router.get("/imports/{uuid}", response=responses(200, ImportOut, OFFICE_READ_ERRORS), auth=WRITE_AUTH)
def get_import(request: HttpRequest, uuid: str) -> dict[str, Any]:
    """An import with its report (without the file)."""
    user = _office(request)
    try:
        key = uuid_module.UUID(str(uuid)[:64])
    except ValueError:
        raise Http404(_("Import “%(uuid)s” not found.") % {"uuid": str(uuid)[:64]}) from None
    job = services.visible_jobs(user).filter(uuid=key).first()
    if job is None:
        raise Http404(_("Import “%(uuid)s” not found.") % {"uuid": str(uuid)[:64]})
    return _job_out(job)


# Duplicates ------------------------------------------------------------------------------------


class MemberOut(Schema):
    ref: str = Field(description="The organisation's short name (slug) or the person's UUID.")
    name: str
    postcode: str
    city: str
    email: str
    url: str


class GroupOut(Schema):
    reasons: list[str] = Field(description="name_postcode, email, web_domain, name_at_organisation")
    shared: str = Field(description="What they share: the e-mail address, the website, the name …")
    members: list[MemberOut]


class _Groups(Sequence[dict[str, Any]]):
    """The groups, loaded only for the slice a page asks for (the keys come from GROUP BY queries)."""

    def __init__(self, keys: list[duplicate_services.DuplicateKey], loader: Any) -> None:
        self.keys = keys
        self.loader = loader

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, slice):
            raise TypeError("only slices")
        return [_group_out(group) for group in self.loader(self.keys[index])]


def _member_out(obj: Any) -> dict[str, Any]:
    return {
        "ref": obj.slug if isinstance(obj, Organisation) else str(obj.uuid),
        "name": str(obj),
        "postcode": obj.postcode,
        "city": obj.city,
        "email": obj.email,
        "url": obj.get_absolute_url(),
    }


def _group_out(group: duplicate_services.DuplicateGroup) -> dict[str, Any]:
    return {
        "reasons": group.reasons,
        "shared": group.shared,
        "members": [_member_out(m) for m in group.members],
    }


@router.get(
    "/duplicates/organisations", response=responses(200, list[GroupOut], OFFICE_LIST_ERRORS), auth=WRITE_AUTH
)
@paginate(LimitOffsetPagination)
def list_duplicate_organisations(request: HttpRequest) -> Any:
    """Groups of organisations with the same name and postcode, e-mail address or website."""
    _office(request, can_merge_duplicates)
    return _Groups(duplicate_services.duplicate_organisation_keys(), duplicate_services.organisation_groups)


@router.get(
    "/duplicates/people", response=responses(200, list[GroupOut], OFFICE_LIST_ERRORS), auth=WRITE_AUTH
)
@paginate(LimitOffsetPagination)
def list_duplicate_people(request: HttpRequest) -> Any:
    """Groups of people with the same e-mail address or the same name at the same organisation."""
    _office(request, can_merge_duplicates)
    return _Groups(duplicate_services.duplicate_person_keys(), duplicate_services.person_groups)


class MergeIn(InputSchema):
    kind: Literal["organisations", "people"]
    keep: ShortText = Field(description="The record that stays: slug of an organisation or UUID of a person.")
    remove: ShortText = Field(description="The record merged into it and deleted.")


class MergeOut(Schema):
    kind: str
    kept: MemberOut


def _find(user: User, kind: str, reference: str, field: str) -> Organisation | Person:
    found: Organisation | Person | None
    if kind == "organisations":
        found = Organisation.objects.visible_to(user).filter(slug=reference.strip()[:220]).first()
        missing = _("There is no organisation “%(ref)s”.")
    else:
        missing = _("There is no person “%(ref)s”.")
        try:
            found = (
                Person.objects.visible_to(user).filter(uuid=uuid_module.UUID(reference.strip()[:64])).first()
            )
        except ValueError:
            found = None
    if found is None:
        raise ValidationError({field: missing % {"ref": reference[:100]}})
    return found


@router.post("/duplicates/merge", response=responses(200, MergeOut, WRITE_ERRORS), auth=WRITE_AUTH)
def merge_duplicates(request: HttpRequest, payload: MergeIn) -> dict[str, Any]:
    """Merge ``remove`` into ``keep``: everything moves to ``keep``, ``remove`` is deleted."""
    user = _office(request, can_merge_duplicates)
    keep = _find(user, payload.kind, payload.keep, "keep")
    remove = _find(user, payload.kind, payload.remove, "remove")
    kept: Organisation | Person
    if payload.kind == "organisations":
        assert isinstance(keep, Organisation) and isinstance(remove, Organisation)
        kept = duplicate_services.merge_organisations(user=user, keep=keep, remove=remove)
    else:
        assert isinstance(keep, Person) and isinstance(remove, Person)
        kept = duplicate_services.merge_people(user=user, keep=keep, remove=remove)
    return {"kind": payload.kind, "kept": _member_out(kept)}
