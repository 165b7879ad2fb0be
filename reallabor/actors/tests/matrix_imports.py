"""Role matrix entries of the import and duplicate pages (collected by test_role_matrix.py)."""

from typing import Any

from reallabor.actors.models import ImportJob
from reallabor.actors.tests.matrix_common import OFFICE, MatrixEntry, no_kwargs
from reallabor.core.testing.actors import Crm

CSV = "Firma;PLZ;E-Mail\r\nBäckerei Korn;46236;post@baeckerei-korn.example\r\nOhne PLZ;12;keine-mail\r\n"


def checked_job(crm: Crm) -> ImportJob:
    """A checked upload with two rows, one of them bad (so the error report has lines)."""
    from reallabor.actors.services import imports

    job = ImportJob.objects.filter(filename="matrix.csv").first()
    if job is None:
        job = imports.upload_import(user=None, filename="matrix.csv", content=CSV.encode("cp1252"))
        job = imports.check_import(user=None, job=job)
    return job


def job_kwargs(crm: Crm) -> dict[str, Any]:
    return {"uuid": checked_job(crm).uuid}


GET_MATRIX: list[MatrixEntry] = [
    ("actors:import-list", no_kwargs, OFFICE),
    ("actors:import-detail", job_kwargs, OFFICE),
    ("actors:import-mapping", job_kwargs, OFFICE),
    ("actors:import-check", job_kwargs, OFFICE),
    ("actors:import-errors", job_kwargs, OFFICE),
    ("actors:duplicate-list", no_kwargs, OFFICE),
    ("actors:duplicate-merge", no_kwargs, OFFICE),
]
POST_ONLY: set[str] = set()
