"""Importing organisations and people from CSV and Excel files: all or nothing.

The flow of the pages: ``upload_import`` (the file is read at once; a bad file is refused and
nothing is stored) → ``set_import_mapping`` → ``check_import`` (every row checked, duplicates of
existing records found, the report stored) → ``run_import`` (checks again, then writes everything
in one transaction, or nothing when any row is wrong). The CLI and the API use ``import_file``,
which does all of it at once and stores the job only when something was imported. An uploaded
file is removed once imported, else ``REALLABOR_IMPORT_UPLOAD_DAYS`` after the upload
(``remove_stale_uploads``). (``jobs``)

Scale: the rules are pure (``actors.importing``); what they need from the database is loaded once
as plain data (vocabularies, existing duplicate keys: a handful of queries whatever the size of
the file; ``checking``), the report is built by ``report``. Writing (``writing``,
``write_organisations``, ``write_people``): new organisations and people, their roles, consents,
needs and history versions (the same data ``organisation_state`` and ``person_state`` give, as
``record_version`` would store it) as plain rows with one INSERT statement and many parameter rows
(COPY on PostgreSQL), without model instances (``sql``).

Everything callers use is re-exported here.
"""

from reallabor.actors.services.imports.checking import (
    check_file_size,
    load_existing,
    load_people_at,
    load_vocabularies,
    max_import_bytes,
    prepare,
    read_file,
    require_importer,
    validate_mapping,
)
from reallabor.actors.services.imports.jobs import (
    DECISIONS,
    DEFAULT_UPLOAD_DAYS,
    ImportOutcome,
    check_import,
    import_file,
    job_table,
    remove_stale_uploads,
    run_import,
    set_import_mapping,
    upload_days,
    upload_import,
    visible_jobs,
)
from reallabor.actors.services.imports.report import (
    MAX_DUPLICATES_STORED,
    MAX_ERRORS_STORED,
    error_lines,
    file_info,
    make_report,
)
from reallabor.actors.services.imports.sql import BATCH, IN_LIMIT
from reallabor.actors.services.imports.writer import ORGANISATION_FILL, PERSON_FILL, RESULT_KEYS, Progress
from reallabor.actors.services.imports.writing import write_plan

__all__ = [
    "BATCH",
    "DECISIONS",
    "DEFAULT_UPLOAD_DAYS",
    "IN_LIMIT",
    "MAX_DUPLICATES_STORED",
    "MAX_ERRORS_STORED",
    "ORGANISATION_FILL",
    "PERSON_FILL",
    "RESULT_KEYS",
    "ImportOutcome",
    "Progress",
    "check_file_size",
    "check_import",
    "error_lines",
    "file_info",
    "import_file",
    "job_table",
    "load_existing",
    "load_people_at",
    "load_vocabularies",
    "make_report",
    "max_import_bytes",
    "prepare",
    "read_file",
    "remove_stale_uploads",
    "require_importer",
    "run_import",
    "set_import_mapping",
    "upload_days",
    "upload_import",
    "validate_mapping",
    "visible_jobs",
    "write_plan",
]
