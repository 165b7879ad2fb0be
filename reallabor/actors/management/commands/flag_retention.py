"""``reallabor flag-retention [--years N]``: print the people the retention rule flags, and remove
the uploaded files of imports that were not carried out in time.

Flagged: the record was created more than N years ago, no interaction within N years, no consent
valid now, not anonymised (see ``actors.services.privacy.flagged_for_retention``). No person is
changed: administrators erase or anonymise on the page /datenschutz/aufbewahrung/.

Uploaded import files (personal data) are kept ``REALLABOR_IMPORT_UPLOAD_DAYS`` days when they
are not imported; every run removes the older ones (``actors.services.imports.remove_stale_uploads``;
their reports stay). Run it daily.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reallabor.actors.services.imports import remove_stale_uploads, upload_days
from reallabor.actors.services.privacy import flagged_for_retention, retention_cutoff, retention_years

BATCH = 2000


def _years(value: str) -> int:
    try:
        years = int(value)
    except ValueError:
        raise CommandError(f"--years must be a whole number, not {value[:20]!r}.") from None
    if not 1 <= years <= 100:
        raise CommandError("--years must be between 1 and 100.")
    return years


class Command(BaseCommand):
    help = (
        "Print the people the retention rule flags: record older than N years, no interaction within "
        "N years, no valid consent, not anonymised (no person is changed). Remove the uploaded files of "
        "imports not carried out within REALLABOR_IMPORT_UPLOAD_DAYS days."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--years",
            default=None,
            help=f"N (default: REALLABOR_RETENTION_YEARS, currently {retention_years()}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        years = _years(options["years"]) if options["years"] is not None else retention_years()
        people = flagged_for_retention(user=None, years=years).only(
            "uuid", "first_name", "last_name", "created_at", "anonymised_at"
        )
        cutoff = retention_cutoff(years)
        self.stdout.write("uuid\tcreated\tlast interaction\tname")
        count = 0
        for person in people.iterator(chunk_size=BATCH):
            last = person.last_interaction_at  # type: ignore[attr-defined]
            self.stdout.write(
                f"{person.uuid}\t{person.created_at:%Y-%m-%d}\t{last:%Y-%m-%d}\t{person.name}"
                if last
                else f"{person.uuid}\t{person.created_at:%Y-%m-%d}\t-\t{person.name}"
            )
            count += 1
        self.stderr.write(
            f"{count} {'person' if count == 1 else 'people'} flagged: recorded before {cutoff:%Y-%m-%d}, "
            f"no interaction and no valid consent within {years} year{'s' if years != 1 else ''}. "
            "No person was changed."
        )
        days = upload_days()
        removed = remove_stale_uploads(user=None, days=days)
        self.stderr.write(
            f"{removed} uploaded import file{'s' if removed != 1 else ''} removed "
            f"(not imported within {days} day{'s' if days != 1 else ''}; the reports stay)."
        )
