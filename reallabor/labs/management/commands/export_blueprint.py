"""export_blueprint SLUG [-o FILE.json]: a lab as a blueprint (docs/blueprints.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from reallabor.labs import blueprints, services
from reallabor.labs.models import Lab


class Command(BaseCommand):
    help = "Write a lab as a blueprint: versioned JSON with its measures, profiles and tags (docs/blueprints.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the lab's short name (as in its URL)")
        parser.add_argument(
            "-o", "--output", default="-", help="the file to write; - writes to standard output (default)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        lab = Lab.objects.filter(slug=options["slug"]).first()
        if lab is None:
            raise CommandError(
                _("There is no lab with the short name “%(slug)s”.") % {"slug": options["slug"]}
            )
        content = blueprints.dumps(services.export_blueprint(user=None, lab=lab))
        if options["output"] == "-":
            self.stdout.write(content, ending="")
            return
        path = Path(options["output"])
        try:
            path.write_text(content, encoding="utf-8")
        except OSError as error:
            raise CommandError(
                _("%(file)s cannot be written: %(error)s") % {"file": path, "error": error.strerror}
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Wrote the blueprint of “%(name)s” (%(count)s measures) to %(file)s.")
                % {"name": lab.name, "count": lab.measures.count(), "file": path}
            )
        )
