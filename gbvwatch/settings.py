"""Settings, all taken from the environment (see the table in README.md)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


DATA_DIR = Path(os.environ.get("GBVWATCH_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
COUNTRY = os.environ.get("GBVWATCH_COUNTRY", "AZ").upper()
PRODUCTION = _env_bool("GBVWATCH_PRODUCTION", False)
DEBUG = _env_bool("GBVWATCH_DEBUG", False) and not PRODUCTION


def _secret_key() -> str:
    """The Django signing key: from the environment, else a random one kept in the data dir."""
    from_env = os.environ.get("GBVWATCH_SECRET_KEY", "")
    if from_env:
        return from_env
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("GBVWATCH_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("GBVWATCH_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "gbvwatch.core",
    "gbvwatch.geography",
    "gbvwatch.reference",
    "gbvwatch.directory",
    "gbvwatch.upr",
    "gbvwatch.gaps",
    "gbvwatch.cases",
    "gbvwatch.accountability",
    "gbvwatch.public",
    "gbvwatch.siting",
    "gbvwatch.stats",
    "gbvwatch.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gbvwatch.core.middleware.SecurityHeadersMiddleware",
    "gbvwatch.public.middleware.NoTraceMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "gbvwatch.core.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gbvwatch.core.middleware.SessionLimitsMiddleware",
    "gbvwatch.core.keyring.KeyringCookieMiddleware",
    "gbvwatch.core.middleware.AccountSetupMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "gbvwatch.urls"
WSGI_APPLICATION = "gbvwatch.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "directory:service_list"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gbvwatch.core.context_processors.membership",
            ],
        },
    },
]

_database_url = os.environ.get("DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "gbvwatch.sqlite3"),
            "OPTIONS": {
                # WAL keeps readers off the writer's back; FULL fsyncs every commit, so an
                # acknowledged write survives a power cut. IMMEDIATE takes the write lock at
                # BEGIN, which serialises the audit chain without deadlock-prone upgrades.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Key wrapping (SECURITY.md): Argon2id cost for deriving a member's key-encryption key.
ARGON2_OPSLIMIT = _env_int("GBVWATCH_ARGON2_OPSLIMIT", 3)
ARGON2_MEMLIMIT_KIB = _env_int("GBVWATCH_ARGON2_MEMLIMIT_KIB", 65536)

# Sessions: server-side, short idle timeout, absolute limit.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * _env_int("GBVWATCH_SESSION_IDLE_MINUTES", 30)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = 3600 * _env_int("GBVWATCH_SESSION_MAX_HOURS", 12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "gbvw_session"
CSRF_COOKIE_NAME = "gbvw_csrf"
LANGUAGE_COOKIE_NAME = "gbvw_lang"
LANGUAGE_COOKIE_SAMESITE = "Strict"
LANGUAGE_COOKIE_HTTPONLY = True

# Login throttling: a cool-off, never a permanent lockout.
LOGIN_FAILURES_BEFORE_COOLOFF = _env_int("GBVWATCH_LOGIN_FAILURES", 5)
LOGIN_COOLOFF_SECONDS = _env_int("GBVWATCH_LOGIN_COOLOFF_SECONDS", 300)

# Production switches.
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and _env_bool("GBVWATCH_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION and _env_bool("GBVWATCH_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin, not no-referrer: browsers then send "Origin: null" and CSRF checks fail.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if _env_bool("GBVWATCH_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "en"
LANGUAGES = [("az", _("Azerbaijani")), ("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("GBVWATCH_TIME_ZONE", "Asia/Baku")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "files"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_MAX_BYTES = _env_int("GBVWATCH_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
EVIDENCE_MAX_BYTES = _env_int("GBVWATCH_EVIDENCE_MAX_BYTES", 100 * 1024 * 1024)
# Days after filing without an outcome before a complaint is listed as overdue.
COMPLAINT_OVERDUE_DAYS = _env_int("GBVWATCH_COMPLAINT_OVERDUE_DAYS", 30)
# At most this many threads per siting solve (empty: every core the process may use).
_SOLVER_THREADS = os.environ.get("GBVWATCH_SOLVER_THREADS", "").strip()
if _SOLVER_THREADS and not (_SOLVER_THREADS.isdigit() and int(_SOLVER_THREADS) >= 1):
    raise ValueError(
        f"GBVWATCH_SOLVER_THREADS: {_SOLVER_THREADS[:20]!r} is not a whole number >= 1 "
        "(leave it empty for every core)"
    )
# A JSON taxonomy for classifying UPR recommendations; empty: the shipped default.
UPR_TAXONOMY_FILE = os.environ.get("GBVWATCH_UPR_TAXONOMY", "")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "gbvwatch.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "gbvwatch API",
    "DESCRIPTION": "Administrative units, support services and case records.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "YesNoUnknownEnum": "gbvwatch.directory.models.Tri",
        "ServiceKindEnum": "gbvwatch.directory.models.Kind",
        "IndicatorKindEnum": "gbvwatch.cases.models.IndicatorKind",
        "ImplementationStatusEnum": "gbvwatch.upr.models.Status",
        "ReportKindEnum": "gbvwatch.reports.models.ReportKind",
        "JobStateEnum": "gbvwatch.reports.models.JobState",
    },
}
# Shown in the footer: AGPL-3.0 section 13 asks a modified, hosted version to offer its source.
SOURCE_URL = os.environ.get("GBVWATCH_SOURCE_URL", "")
# The public find-help page: where its quick-exit button goes, and which organisation's key
# anonymous refusal reports are sealed to (a slug; empty: the oldest organisation with a key).
QUICK_EXIT_URL = os.environ.get("GBVWATCH_QUICK_EXIT_URL", "https://www.google.com/")
PUBLIC_REPORTS_ORGANISATION = os.environ.get("GBVWATCH_PUBLIC_REPORTS_ORGANISATION", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GBVWATCH_LOG_LEVEL", "WARNING")},
}
