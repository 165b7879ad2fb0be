from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reallabor.core.demo import actors, assessment, bottrop, events, offers
from reallabor.labs.models import Lab


class Command(BaseCommand):
    help = "Load the Bottrop demo portfolio and one demo account per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when labs already exist.")

    def handle(self, *args: Any, **options: Any) -> None:
        if Lab.objects.exists():
            if options["if_empty"]:
                self.stdout.write("The database already holds labs; demo data not loaded.")
                self.print_accounts()
                return
            self.stderr.write("The database already holds labs. Use an empty database for the demo data.")
            raise SystemExit(1)
        bottrop.load()
        counts = actors.load()
        events.load()
        offers.load()
        assessment.load()
        self.stdout.write(
            self.style.SUCCESS(
                "Loaded the Bottrop demo portfolio and {organisations} organisations, {people} people, "
                "{interactions} interactions.".format(**counts)
            )
        )
        self.print_accounts()

    def print_accounts(self) -> None:
        from reallabor.accounts.models import User
        from reallabor.labs.models import LabMembership

        self.stdout.write(f"Demo accounts (password: {bottrop.DEMO_PASSWORD}):")
        for email, _first, _last, role, membership in bottrop.DEMO_ACCOUNTS:
            if not User.objects.filter(email=email).exists():
                continue
            what = str(User.Role(role).label)
            if membership:
                lab = Lab.objects.filter(slug=membership[0]).first()
                what = f"{LabMembership.Role(membership[1]).label} – {lab.name if lab else membership[0]}"
            self.stdout.write(f"  {email:35} {what}")
