"""Settings of Reallabor: one file, every value from the environment with a safe default.

Development (the default) runs on SQLite with DEBUG on. Production sets at least
REALLABOR_DEBUG=false, REALLABOR_SECRET_KEY, REALLABOR_ALLOWED_HOSTS and DATABASE_URL;
see docs/operations.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET_KEY = "development-only-insecure-key-do-not-use-in-production"  # noqa: S105


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("REALLABOR_DEBUG", True)
SECRET_KEY = env("REALLABOR_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "REALLABOR_DEBUG is off but REALLABOR_SECRET_KEY is the development key. "
        "Set REALLABOR_SECRET_KEY to a long random value (see docs/operations.md)."
    )

ALLOWED_HOSTS = env_list("REALLABOR_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("REALLABOR_CSRF_TRUSTED_ORIGINS")

# The city this installation serves: shown in the header, footers and reports.
CITY_NAME = env("REALLABOR_CITY_NAME", "Bottrop")
OFFICE_NAME = env("REALLABOR_OFFICE_NAME", "Wirtschaftsförderung Bottrop")
REALLABOR_RETENTION_YEARS = int(env("REALLABOR_RETENTION_YEARS", "3"))  # see docs/operations.md
# Days an uploaded import file that is not imported is kept (an imported one is removed at once).
REALLABOR_IMPORT_UPLOAD_DAYS = int(env("REALLABOR_IMPORT_UPLOAD_DAYS", "7"))  # see docs/operations.md
# The site's address for links in e-mails that the worker sends (it has no request to take it from).
BASE_URL = env(
    "REALLABOR_BASE_URL",
    f"https://{ALLOWED_HOSTS[0]}" if ALLOWED_HOSTS and not DEBUG else "http://localhost:8000",
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "ninja",
    "django_tasks_db",
    "reallabor.core",
    "reallabor.accounts",
    "reallabor.organisations",
    "reallabor.taxonomy",
    "reallabor.history",
    "reallabor.labs",
    "reallabor.actors",
    "reallabor.events",
    "reallabor.assessment",
    "reallabor.offers",
    "reallabor.reports",
    "reallabor.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "reallabor.api.cache.ApiReadCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "reallabor.urls"
WSGI_APPLICATION = "reallabor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "reallabor" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reallabor.core.context_processors.site",
            ],
            "builtins": ["django.templatetags.i18n", "reallabor.core.templatetags.reallabor"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'reallabor.sqlite3'}"),
        conn_max_age=int(env("REALLABOR_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # optimize=0x10002: gather the planner's statistics where they are missing or stale.
        # mmap_size: read the file through the page cache without copying (large lists, counts).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA optimize=0x10002; "
            "PRAGMA mmap_size=2147483648;"
        ),
    }
# Rendered fragments of public pages are cached per process, keyed on the content version
# (reallabor/core/cache.py); a shared cache is not needed for correctness.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": int(env("REALLABOR_CACHE_ENTRIES", "5000"))},
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# Sessions expire: after two weeks at most, and when the browser closes if the user wishes.
SESSION_COOKIE_AGE = int(env("REALLABOR_SESSION_AGE", str(60 * 60 * 8)))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Lockout after repeated failed logins (django-axes).
AXES_FAILURE_LIMIT = int(env("REALLABOR_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("REALLABOR_LOGIN_COOLOFF_HOURS", "0.25"))
# By user name and address together, so nobody can lock a user out from elsewhere. Behind a proxy
# the address is the proxy's (REMOTE_ADDR) unless django-ipware is configured: then by user name.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "reallabor" / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = env("REALLABOR_STATIC_URL", "/static/")
STATIC_ROOT = Path(env("REALLABOR_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "reallabor" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("REALLABOR_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads (evidence files of results) are limited; the form says so when a file is larger.
MAX_UPLOAD_BYTES = int(env("REALLABOR_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
# Spreadsheets of actors to import (CSV, .xlsx): larger files are refused with a message.
MAX_IMPORT_BYTES = int(env("REALLABOR_MAX_IMPORT_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

_smtp = "django.core.mail.backends.smtp.EmailBackend"
_mail_backend = env(
    "REALLABOR_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend" if DEBUG else _smtp
)
MAILERS = {
    "default": {
        "BACKEND": _mail_backend,
        "OPTIONS": (
            {
                "host": env("REALLABOR_EMAIL_HOST", "localhost"),
                "port": int(env("REALLABOR_EMAIL_PORT", "25")),
                "username": env("REALLABOR_EMAIL_USER"),
                "password": env("REALLABOR_EMAIL_PASSWORD"),
                "use_tls": env_bool("REALLABOR_EMAIL_TLS", False),
                "timeout": int(env("REALLABOR_EMAIL_TIMEOUT", "20")),
            }
            if _mail_backend == _smtp
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env("REALLABOR_FROM_EMAIL", "reallabor@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work through Django's tasks API; the worker is `reallabor worker`.
TASKS = {
    "default": {
        "BACKEND": env("REALLABOR_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Content Security Policy (Django's own): no inline script, no foreign origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Security headers; HTTPS settings switch on outside DEBUG.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("REALLABOR_BEHIND_PROXY", True) else None
)
SECURE_SSL_REDIRECT = env_bool("REALLABOR_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("REALLABOR_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(env("REALLABOR_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("REALLABOR_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {"format": "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": env("REALLABOR_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
