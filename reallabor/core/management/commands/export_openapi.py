"""Write the API's OpenAPI schema to docs/api/openapi.json, or check that the committed copy is current."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

DEFAULT_OUTPUT = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.json"


def openapi_json() -> str:
    """The schema as committed: sorted keys, indented by two spaces, with a trailing newline."""
    from reallabor.api.urls import api

    with translation.override("en"):
        schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = (
        "Write the OpenAPI schema of /api/v1/ to docs/api/openapi.json (--check: fail if it is out of date)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Do not write; exit with status 1 when the file differs from the generated schema.",
        )
        parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="The file (default: %(default)s).")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        content = openapi_json()
        shown = _shown(output)
        if options["check"]:
            current = output.read_text(encoding="utf-8") if output.exists() else None
            if current != content:
                self.stderr.write(f"{shown} is out of date: run make openapi")
                raise SystemExit(1)
            self.stdout.write(f"{shown} is up to date.")
            return
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(content, encoding="utf-8")
        self.stdout.write(f"Wrote {shown}.")


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(path)
