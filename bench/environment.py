"""Pointing Django at one benchmark database, with production-like settings (DEBUG off).

Settings are read from the environment when ``reallabor.settings`` is imported, so everything
here must happen before ``django.setup()``. Each scale runs in its own process for that reason.
"""

from __future__ import annotations

import os
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / "data"

BENCH_ENVIRONMENT = {
    "REALLABOR_DEBUG": "false",
    "REALLABOR_SECRET_KEY": "bench-not-a-secret-only-for-the-local-benchmark-0123456789",
    "REALLABOR_ALLOWED_HOSTS": "testserver",
    "REALLABOR_SSL_REDIRECT": "false",
    "REALLABOR_SECURE_COOKIES": "false",
    "REALLABOR_LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "bench.settings",
}


def database_path(scale: str) -> Path:
    return DATA_DIR / f"{scale}.sqlite3"


def marker_path(scale: str) -> Path:
    return DATA_DIR / f"{scale}.json"


def configure(database: Path) -> None:
    """Set the environment for ``database`` and start Django. Call once per process."""
    import django

    os.environ.update(BENCH_ENVIRONMENT)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    django.setup()
