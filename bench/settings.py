"""Production settings (DEBUG off, from the environment) plus what the benchmark needs.

- Static files: the plain storage, so no ``collectstatic`` manifest is needed.
- ROOT_URLCONF: the project's URLs plus the floor view (``bench.urls``).
- The floor template lives in ``bench/templates``.
"""

import warnings
from pathlib import Path
from typing import Any, cast

from reallabor import settings as base
from reallabor.settings import *  # noqa: F403

BENCH_DIR = Path(__file__).resolve().parent

ROOT_URLCONF = "bench.urls"
STORAGES = {
    **base.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
_templates = cast(dict[str, Any], base.TEMPLATES[0])
TEMPLATES = [{**_templates, "DIRS": [*_templates["DIRS"], BENCH_DIR / "templates"]}]
# Not-found probes (an API path that does not exist yet) are expected; errors still show.
_logging = cast(dict[str, Any], base.LOGGING)
LOGGING = {
    **_logging,
    "loggers": {
        **_logging["loggers"],
        "django.request": {"level": "ERROR"},
        "django.security": {"level": "ERROR"},
    },
}

# WhiteNoise warns about the missing STATIC_ROOT (no collectstatic for the benchmark): expected.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
