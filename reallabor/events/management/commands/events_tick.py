"""events_tick [--schedule]: the events' periodic work once (for cron), or queue it for the worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from reallabor.events.tasks import ensure_tick, run_tick


class Command(BaseCommand):
    help = "Events: pass on expired seat offers, lapse unconfirmed registrations, send due reminders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="only make sure the worker's periodic tick is queued (it then repeats by itself)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            queued = ensure_tick()
            if options["verbosity"] > 0:
                self.stdout.write(
                    _("The periodic tick has been queued for the worker.")
                    if queued
                    else _("The periodic tick is queued already (or the task backend runs tasks at once).")
                )
            return
        result = run_tick()
        if options["verbosity"] > 0:
            self.stdout.write(
                _(
                    "Offers passed on: %(offers)s; registrations lapsed: %(lapsed)s; reminders sent: %(reminders)s."
                )
                % {
                    "offers": result["offers_expired"],
                    "lapsed": result["lapsed"],
                    "reminders": result["reminders"],
                }
            )
        if any(value < 0 for value in result.values()):
            raise SystemExit(1)
