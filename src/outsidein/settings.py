"""Settings for outsidein, read from OUTSIDEIN_* environment variables only.

The embedded default (no variables at all) is a laptop install: SQLite and a generated secret key
in the data folder (``./var`` unless OUTSIDEIN_DATA_DIR says otherwise). Production mode
(``OUTSIDEIN_ENV=production``) refuses to start without the settings a public server needs.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from outsidein.config import (
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
)
from outsidein.paths import data_dir
from outsidein.proxy import parse_networks

PACKAGE_DIR = Path(__file__).resolve().parent

ENVIRONMENT = env_str("OUTSIDEIN_ENV", "local").lower()
if ENVIRONMENT not in {"local", "production", "test"}:
    raise ImproperlyConfigured(
        f"OUTSIDEIN_ENV must be 'local' or 'production', not {ENVIRONMENT!r}."
    )
PRODUCTION = ENVIRONMENT == "production"

# ./var in the current folder unless OUTSIDEIN_DATA_DIR says otherwise (test runs: a temp folder).
DATA_DIR = data_dir()


def _secret_key() -> str:
    configured = env_str("OUTSIDEIN_SECRET_KEY", "")
    if configured:
        return configured
    if PRODUCTION:
        raise ImproperlyConfigured(
            "OUTSIDEIN_SECRET_KEY is missing. Production mode (OUTSIDEIN_ENV=production) needs a "
            "long random secret key, e.g. from "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    # Laptop install: generate once, keep in the data folder, never in the repository.
    key_file = DATA_DIR / "secret_key.txt"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("OUTSIDEIN_DEBUG", False)

_default_hosts = "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver"
ALLOWED_HOSTS = env_list("OUTSIDEIN_ALLOWED_HOSTS", _default_hosts)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "OUTSIDEIN_ALLOWED_HOSTS is missing. Production mode needs the host names the server "
        "answers to, comma-separated (e.g. 'cx.example.com')."
    )
CSRF_TRUSTED_ORIGINS = env_list("OUTSIDEIN_CSRF_TRUSTED_ORIGINS", "")
# The public base URL, used in links inside emails (invitations, password resets).
BASE_URL = env_str("OUTSIDEIN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "outsidein.core",
    "outsidein.jobs",
    "outsidein.voice",
    "outsidein.analytics",
    "outsidein.practice",
    "outsidein.ideas",
    "outsidein.mystery",
    "outsidein.centricity",
    "outsidein.strategy",
    "outsidein.text",
    "outsidein.audit",
    "outsidein.privacy",
    "outsidein.sso",
    "outsidein.chat",
    "outsidein.mailin",
    "outsidein.api",
    "outsidein.web",
]

MIDDLEWARE = [
    "outsidein.proxy.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "outsidein.web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "outsidein.web.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "outsidein.core.tenancy.TenantMiddleware",
    "outsidein.audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "outsidein.urls"
WSGI_APPLICATION = "outsidein.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "outsidein.web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        env_str("OUTSIDEIN_DATABASE_URL", ""),
        default_sqlite=DATA_DIR / "outsidein.sqlite3",
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
# Password login goes through sso's backend, which refuses it where an organisation signs in only
# with its identity provider (break-glass administrator excepted); ModelBackend stays listed for
# sessions logged in with it (invitations, single sign-on).
AUTHENTICATION_BACKENDS = [
    "outsidein.sso.backends.PasswordBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Invitations and password-reset links stay valid this long (seconds).
PASSWORD_RESET_TIMEOUT = env_int("OUTSIDEIN_PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600)
INVITATION_TIMEOUT = env_int("OUTSIDEIN_INVITATION_TIMEOUT", 7 * 24 * 3600)
# Survey links: how long a personal invitation works, and when the one reminder goes out.
SURVEY_INVITATION_DAYS = env_int("OUTSIDEIN_SURVEY_INVITATION_DAYS", 14)
SURVEY_REMINDER_AFTER_DAYS = env_int("OUTSIDEIN_SURVEY_REMINDER_AFTER_DAYS", 4)
# Submissions allowed per client address per minute on the public survey pages (0: no limit).
PUBLIC_RATE_LIMIT = env_int("OUTSIDEIN_PUBLIC_RATE_LIMIT", 30)
# Failed logins allowed per account and per client address within the window before refusing.
LOGIN_RATE_LIMIT = env_int("OUTSIDEIN_LOGIN_RATE_LIMIT", 5)
LOGIN_RATE_WINDOW = env_int("OUTSIDEIN_LOGIN_RATE_WINDOW", 15 * 60)
# The proxies in front of outsidein (addresses or networks, comma-separated). Only a request that
# comes from one of them has its X-Forwarded-For read (client address for rate limits) and its
# X-Forwarded-Proto trusted; without them the headers are ignored.
# outsidein.proxy.TrustedProxyMiddleware drops those headers from anyone else.
TRUSTED_PROXIES = parse_networks(env_list("OUTSIDEIN_TRUSTED_PROXIES", ""))
# Internal hosts outgoing requests (webhooks) may reach although their addresses are not public:
# host names, addresses or networks, comma-separated. Empty: public addresses only.
OUTGOING_ALLOW_HOSTS = env_list("OUTSIDEIN_OUTGOING_ALLOW_HOSTS", "")

LANGUAGE_CODE = env_str("OUTSIDEIN_LANGUAGE", "en")
if LANGUAGE_CODE not in {"en", "nl"}:
    raise ImproperlyConfigured(f"OUTSIDEIN_LANGUAGE must be 'en' or 'nl', not {LANGUAGE_CODE!r}.")
LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("OUTSIDEIN_TIME_ZONE", "Europe/Amsterdam")
FORMAT_MODULE_PATH = ["outsidein.formats"]
# Every empty choice says what it means ("— choose —", "— none —"), never "---------".
FORM_RENDERER = "outsidein.core.form_renderer.Renderer"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Serve static files straight from the apps without collectstatic on a laptop install.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it, even when empty
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

# Cache: rate limits must be shared by all server processes. Redis when configured, else a
# file cache in the data folder (works across gunicorn workers on one machine).
_cache_url = env_str("OUTSIDEIN_CACHE_URL", "")
if _cache_url.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
        }
    }
elif _cache_url == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif _cache_url:
    raise ImproperlyConfigured(
        f"OUTSIDEIN_CACHE_URL must start with redis:// or be locmem://, not {_cache_url!r}."
    )
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# Background work: the Django Tasks API. "db" (default): the database backend, no extra
# server. "rq": Redis (django-tasks-rq) for several worker processes or machines; a task that
# cannot reach Redis waits in the database queue ("fallback") and a worker runs it from there.
_tasks_backend = env_str("OUTSIDEIN_TASKS_BACKEND", "db")
REDIS_URL = env_str("OUTSIDEIN_REDIS_URL", "redis://127.0.0.1:6379/0")
# The longest a background task may run under RQ (seconds; RQ stops it after that).
JOB_TIMEOUT = env_int("OUTSIDEIN_JOB_TIMEOUT", 6 * 3600)
if _tasks_backend.lower() in {"db", "database", "django_tasks_db.databasebackend"}:
    TASKS: dict[str, dict[str, object]] = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend"}
    }
elif _tasks_backend.lower() in {"rq", "redis"}:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"OUTSIDEIN_REDIS_URL must start with redis://, rediss:// or unix://, "
            f"not {REDIS_URL!r}."
        )
    TASKS = {
        "default": {
            "BACKEND": "outsidein.jobs.backends.RQWithFallbackBackend",
            "QUEUES": ["default"],
            "OPTIONS": {"fallback": "fallback"},
        },
        "fallback": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
elif "." in _tasks_backend:  # a backend class path, for the brave
    TASKS = {"default": {"BACKEND": _tasks_backend}}
else:
    raise ImproperlyConfigured(
        f"OUTSIDEIN_TASKS_BACKEND must be 'db' or 'rq', not {_tasks_backend!r}."
    )
# A Redis that does not answer (a lost host, not just a closed port) must not hold a
# customer's request: give up connecting after 2 seconds and use the database queue.
_redis_connect = (
    REDIS_URL
    if "socket_connect_timeout" in REDIS_URL
    else f"{REDIS_URL}{'&' if '?' in REDIS_URL else '?'}socket_connect_timeout=2"
)
RQ_QUEUES = {"default": {"URL": _redis_connect, "DEFAULT_TIMEOUT": JOB_TIMEOUT}}
# Enqueue at once: our code enqueues after the commit already, and a Redis failure must reach
# the fallback while the caller can still catch it.
RQ = {"COMMIT_MODE": "auto"}
# A running job's lease (seconds): its worker renews it every quarter of this; a job whose
# lease has expired is retried (up to OUTSIDEIN_JOB_MAX_ATTEMPTS runs in all) or failed.
JOB_LEASE_SECONDS = max(4, env_int("OUTSIDEIN_JOB_LEASE_SECONDS", 60))
JOB_MAX_ATTEMPTS = max(1, env_int("OUTSIDEIN_JOB_MAX_ATTEMPTS", 2))
# The daily round (reminders, alerts, reports) runs from the worker at this local time (in
# TIME_ZONE), once across all workers; OUTSIDEIN_SCHEDULER=off leaves it to cron
# (`outsidein remind`).
SCHEDULER = env_bool("OUTSIDEIN_SCHEDULER", True)
DAILY_ROUND_AT = env_str("OUTSIDEIN_DAILY_ROUND_AT", "06:00")
try:
    _hour, _minute = (int(part) for part in DAILY_ROUND_AT.split(":"))
    if not (0 <= _hour < 24 and 0 <= _minute < 60):
        raise ValueError
except ValueError:
    raise ImproperlyConfigured(
        f"OUTSIDEIN_DAILY_ROUND_AT must be a time of day like 06:00, not {DAILY_ROUND_AT!r}."
    ) from None

# Email
EMAIL_BACKEND = env_str("OUTSIDEIN_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
if (
    not PRODUCTION
    and "OUTSIDEIN_EMAIL_HOST" not in os.environ
    and ("OUTSIDEIN_EMAIL_BACKEND" not in os.environ)
):
    # A laptop install without a mail server prints emails on the console instead of failing.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_HOST = env_str("OUTSIDEIN_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("OUTSIDEIN_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("OUTSIDEIN_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("OUTSIDEIN_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("OUTSIDEIN_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("OUTSIDEIN_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("OUTSIDEIN_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("OUTSIDEIN_DEFAULT_FROM_EMAIL", "outsidein <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Customer email in (mailin): attachments larger than this are not kept (a note says so).
MAILIN_ATTACHMENT_MAX_BYTES = env_int("OUTSIDEIN_MAIL_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)

# Security
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Local mode serves plain HTTP on localhost, where secure cookies could never be sent back.
SECURE_COOKIES = env_bool("OUTSIDEIN_SECURE_COOKIES", PRODUCTION)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SAMESITE = "Lax"
# X-Forwarded-Proto says "https" only when a trusted proxy (TRUSTED_PROXIES above) sent it.
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("OUTSIDEIN_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("OUTSIDEIN_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Content-Security-Policy: pages load scripts and styles only from our own static files.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("OUTSIDEIN_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # fpdf2's font subsetting logs ~75 INFO lines per PDF; `outsidein report -v` shows them.
        "fontTools": {"level": "WARNING"},
    },
}

# The API answers pages of this many items unless the caller asks for fewer.
NINJA_PAGINATION_PER_PAGE = 50
NINJA_MAX_PER_PAGE_SIZE = 500
