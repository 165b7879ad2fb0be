"""Import jobs: the flow of the pages, the one-go import of the CLI and the API, and how long an
uploaded file is kept.

The pages: ``upload_import`` (the file is read at once; a bad file is refused and nothing is
stored) → ``set_import_mapping`` → ``check_import`` (every row checked, duplicates of existing
records found, the report stored) → ``run_import`` (checks again, then writes everything in one
transaction, or nothing when any row is wrong). The CLI and the API use ``import_file``, which
does all of it at once and stores the job only when something was imported.

Privacy: the uploaded file (``ImportJob.content``) holds personal data and is kept only while it
is needed. It is removed as soon as the import has been carried out (the report stays), and the
file of an import not carried out is removed ``REALLABOR_IMPORT_UPLOAD_DAYS`` days after the
upload (``remove_stale_uploads``, run by ``reallabor flag-retention``). So an erased person's
data stays in no upload longer than that. The report quotes no e-mail address and no formula cell
(they may hold anyone's personal data); erasing or anonymising a person removes their name and
contact data from every report (``privacy``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reallabor.actors import importing
from reallabor.actors.importing import Plan
from reallabor.actors.models import ImportJob
from reallabor.actors.services.imports.checking import prepare, read_file, require_importer, validate_mapping
from reallabor.actors.services.imports.report import file_info, make_report
from reallabor.actors.services.imports.sql import bulk_writing, paused_collection
from reallabor.actors.services.imports.writer import Progress, acting
from reallabor.actors.services.imports.writing import write_plan
from reallabor.actors.spreadsheets import Table

DECISIONS = ("skip", "merge")
DEFAULT_UPLOAD_DAYS = 7


def _require_open(job: ImportJob) -> None:
    if job.status == ImportJob.Status.IMPORTED:
        raise ValidationError(
            _("This file has been imported already; upload it again to import it once more.")
        )


@transaction.atomic
def upload_import(*, user: Any, filename: str, content: bytes) -> ImportJob:
    """Store an uploaded file with a suggested mapping; a file that cannot be read is refused."""
    require_importer(user)
    table = read_file(content, filename)
    mapping = importing.suggest_mapping(table.headers)
    return ImportJob.objects.create(
        filename=(filename or "import")[:255],
        content=content,
        mapping=mapping,
        status=ImportJob.Status.UPLOADED,
        report={"file": file_info(table)},
        created_by=acting(user),
    )


def job_table(job: ImportJob) -> Table:
    """The stored file as a table; a ValidationError on ``file`` once the file has been removed."""
    content = bytes(job.content)
    if not content:
        raise ValidationError(
            {
                "file": ngettext(
                    "The uploaded file is no longer stored: files are removed after the import and "
                    "%(days)s day after the upload. Upload the file again.",
                    "The uploaded file is no longer stored: files are removed after the import and "
                    "%(days)s days after the upload. Upload the file again.",
                    upload_days(),
                )
                % {"days": upload_days()}
            }
        )
    return read_file(content, job.filename)


@transaction.atomic
def set_import_mapping(*, user: Any, job: ImportJob, mapping: Mapping[str, str]) -> ImportJob:
    require_importer(user)
    _require_open(job)
    table = job_table(job)
    job.mapping = validate_mapping(table, mapping)
    job.status = ImportJob.Status.UPLOADED
    job.report = {"file": file_info(table)}
    job.save(update_fields=["mapping", "status", "report", "updated_at"])
    return job


@transaction.atomic
def check_import(*, user: Any, job: ImportJob) -> ImportJob:
    """Check every row and find duplicates; the report says what an import would do."""
    require_importer(user)
    _require_open(job)
    table = job_table(job)
    mapping = validate_mapping(table, job.mapping)
    plan = prepare(table, mapping, user)
    job.report = make_report(table, mapping, plan)
    job.status = ImportJob.Status.FAILED if plan.errors else ImportJob.Status.CHECKED
    job.save(update_fields=["status", "report", "updated_at"])
    return job


def run_import(
    *,
    user: Any,
    job: ImportJob,
    decisions: Mapping[str, str] | None = None,
    on_duplicate: str = "skip",
    progress: Progress | None = None,
) -> ImportJob:
    """Check again and write everything, or nothing when any row is wrong (status failed).

    Once imported, the uploaded file is removed; the report stays.
    """
    require_importer(user)
    if on_duplicate not in DECISIONS:
        raise ValidationError({"on_duplicate": _("Choose “skip” or “merge”.")})
    with paused_collection(), bulk_writing(), transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        _require_open(job)
        table = job_table(job)
        mapping = validate_mapping(table, job.mapping)
        plan = prepare(table, mapping, user, progress)
        if plan.errors:
            job.report = make_report(table, mapping, plan)
            job.status = ImportJob.Status.FAILED
            job.save(update_fields=["status", "report", "updated_at"])
            return job
        chosen = importing.decisions_for(plan, decisions, on_duplicate)
        report = make_report(table, mapping, plan, decisions=chosen)
        try:
            with transaction.atomic():
                result = write_plan(plan, user=user, decisions=chosen, progress=progress)
        except IntegrityError as error:
            job.report = {**report, **_write_failure(error)}
            job.status = ImportJob.Status.FAILED
            job.save(update_fields=["status", "report", "updated_at"])
        else:
            now = timezone.now().isoformat()
            job.report = {**report, "result": result, "imported_at": now, "file_removed_at": now}
            job.status = ImportJob.Status.IMPORTED
            job.content = b""
            job.save(update_fields=["status", "report", "content", "updated_at"])
    return job


def _write_failure(error: Exception) -> dict[str, Any]:
    message = _("The import could not be written (%(error)s); nothing was imported.") % {
        "error": str(error)[:200]
    }
    return {"errors": [{"row": 0, "column": "", "message": message}], "error_count": 1}


# One go: CLI and API -------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    table: Table
    mapping: dict[str, str]
    plan: Plan
    report: dict[str, Any]
    job: ImportJob | None = None
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.plan.errors


def import_file(
    *,
    user: Any,
    filename: str,
    content: bytes,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    on_duplicate: str = "skip",
    decisions: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Read, check and (unless ``dry_run`` or any row is wrong) write a file in one go.

    A file or mapping that cannot be used raises ValidationError (``file``, ``mapping``); row
    errors come back in the outcome's report, and then nothing is stored at all. The job of an
    import keeps the report, not the file.
    """
    require_importer(user)
    if on_duplicate not in DECISIONS:
        raise ValidationError({"on_duplicate": _("Choose “skip” or “merge”.")})
    with paused_collection():
        table = read_file(content, filename)
        chosen_mapping = validate_mapping(
            table, importing.suggest_mapping(table.headers) if mapping is None else mapping
        )
        if progress:
            progress("check", 0, len(table.rows))
        plan = prepare(table, chosen_mapping, user, progress)
        if progress:
            progress("check", len(table.rows), len(table.rows))
        if plan.errors or dry_run:
            chosen = importing.decisions_for(plan, decisions, on_duplicate)
            report = make_report(table, chosen_mapping, plan, decisions=chosen)
            return ImportOutcome(table, chosen_mapping, plan, report, dry_run=dry_run)
        return _write_in_one_go(
            user, filename, table, chosen_mapping, plan, decisions, on_duplicate, progress
        )


def _write_in_one_go(
    user: Any,
    filename: str,
    table: Table,
    chosen_mapping: dict[str, str],
    plan: Plan,
    decisions: Mapping[str, str] | None,
    on_duplicate: str,
    progress: Progress | None,
) -> ImportOutcome:
    with bulk_writing(), transaction.atomic():
        chosen = importing.decisions_for(plan, decisions, on_duplicate)
        report = make_report(table, chosen_mapping, plan, decisions=chosen)
        result = write_plan(plan, user=user, decisions=chosen, progress=progress)
        report["result"] = result
        report["imported_at"] = report["file_removed_at"] = timezone.now().isoformat()
        job = ImportJob.objects.create(
            filename=(filename or "import")[:255],
            content=b"",
            mapping=chosen_mapping,
            status=ImportJob.Status.IMPORTED,
            report=report,
            created_by=acting(user),
        )
    return ImportOutcome(table, chosen_mapping, plan, report, job=job)


def visible_jobs(user: Any) -> Any:
    return ImportJob.objects.visible_to(user).defer("content")


# How long uploads are kept ----------------------------------------------------------------------


def upload_days() -> int:
    """``REALLABOR_IMPORT_UPLOAD_DAYS`` (default 7): how long the file of an import that has not
    been carried out is kept after the upload."""
    return max(1, int(getattr(settings, "REALLABOR_IMPORT_UPLOAD_DAYS", DEFAULT_UPLOAD_DAYS)))


@transaction.atomic
def remove_stale_uploads(*, user: Any, days: int | None = None, now: dt.datetime | None = None) -> int:
    """Remove the stored files of the imports uploaded more than ``days`` days ago (default
    ``upload_days()``) and not carried out; their reports stay. Returns how many were removed.

    ``user`` None is the system (the ``flag-retention`` command); others must be office staff.
    """
    if user is not None:
        require_importer(user)
    days = upload_days() if days is None else days
    if days < 1:
        raise ValidationError({"days": _("The number of days must be at least 1.")})
    moment = now or timezone.now()
    # (Imports carried out before their files were removed at once lose them too, whatever their age.)
    stale = (
        ImportJob.objects.filter(
            Q(created_at__lt=moment - dt.timedelta(days=days)) | Q(status=ImportJob.Status.IMPORTED)
        )
        .exclude(content=b"")
        .only("pk", "report")
        .select_for_update()
    )
    removed = 0
    stamp = moment.isoformat()
    for job in stale:
        job.report = {**(job.report or {}), "file_removed_at": stamp}
        job.content = b""
        job.save(update_fields=["content", "report", "updated_at"])
        removed += 1
    return removed
