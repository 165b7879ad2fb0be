"""Test settings: the real settings plus what only tests need."""

import os
import tempfile
from pathlib import Path

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from reallabor.settings import *  # noqa: F403
from reallabor.settings import BASE_DIR

STATIC_URL = "/static/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# WhiteNoise warns when STATIC_ROOT does not exist; tests serve static files through the finders.
STATIC_ROOT = BASE_DIR / "var" / "test-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A test database in a file, not in memory. With an in-memory database the live server's
    # request threads share the test thread's one connection, so a request's transaction can
    # swallow (and roll back) what the test writes meanwhile, such as a second signed-in session;
    # with a file every thread has its own connection, as in production.
    # One file per test process (pytest-xdist's workers add their own suffix as well), in the
    # temporary directory; Django removes it at the end.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"reallabor-test-{os.getpid()}.sqlite3")
    }
