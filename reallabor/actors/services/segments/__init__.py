"""Segments: saved filters over actors whose members are computed from the current data every time.

Writes (``writes``): ``create_segment``, ``update_segment``, ``delete_segment`` (refused while a
mailing uses the segment), ``duplicate_segment``. The criteria are checked by
``actors.criteria.parse_criteria`` (shape and allowed values) and ``actors.filters.check_criteria``
(codes and slugs that exist, labs only those the acting user sees: another lab is unknown to them,
as one that does not exist); errors are named per criterion under ``criteria.<field>``.

Reads: ``segment_counts`` (``counts``: the live counts the pages and the API show, for the user
who reads them),
``describe_criteria`` (``words``: the criteria in words) and the export tables
``organisation_table`` / ``person_table`` (``tables``: plain values for ``actors.exports``, a
constant number of queries per batch of rows).

The package re-exports every name, so ``from reallabor.actors.services.segments import x`` and
``segments.x`` keep working.
"""

from reallabor.actors.criteria import ALLIANCE, Criteria, CriteriaError, parse_criteria
from reallabor.actors.services.segments.counts import (
    Counts,
    count_criteria,
    people_reached,
    segment_counts,
)
from reallabor.actors.services.segments.tables import (
    EXPORT_BATCH,
    LIST_SEPARATOR,
    ORGANISATION_VALUES,
    PERSON_VALUES,
    organisation_header,
    organisation_rows,
    organisation_table,
    person_header,
    person_rows,
    person_table,
    segment_table,
)
from reallabor.actors.services.segments.words import (
    alliance_labels,
    criterion_labels,
    describe_criteria,
    term_label,
)
from reallabor.actors.services.segments.writes import (
    FIELDS,
    NAME_MAX_LENGTH,
    clean_criteria,
    copy_name,
    create_segment,
    delete_segment,
    duplicate_segment,
    mailings_using,
    update_segment,
)

__all__ = [
    "ALLIANCE",
    "EXPORT_BATCH",
    "FIELDS",
    "LIST_SEPARATOR",
    "NAME_MAX_LENGTH",
    "ORGANISATION_VALUES",
    "PERSON_VALUES",
    "Counts",
    "Criteria",
    "CriteriaError",
    "alliance_labels",
    "clean_criteria",
    "copy_name",
    "count_criteria",
    "create_segment",
    "criterion_labels",
    "delete_segment",
    "describe_criteria",
    "duplicate_segment",
    "mailings_using",
    "organisation_header",
    "organisation_rows",
    "organisation_table",
    "parse_criteria",
    "people_reached",
    "person_header",
    "person_rows",
    "person_table",
    "segment_counts",
    "segment_table",
    "term_label",
    "update_segment",
]
