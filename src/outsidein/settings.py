"""Settings for outsidein, read from OUTSIDEIN_* environment variables only.

The embedded default (no variables at all) is a laptop install: SQLite and a generated secret key
in the data folder (``./var`` unless OUTSIDEIN_DATA_DIR says otherwise). Production mode
(``OUTSIDEIN_ENV=production``) refuses to start without the settings a public server needs.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
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

PACKAGE_DIR = Path(__file__).resolve().parent

ENVIRONMENT = env_str("OUTSIDEIN_ENV", "local").lower()
if ENVIRONMENT not in {"local", "production", "test"}:
    raise ImproperlyConfigured(
        f"OUTSIDEIN_ENV must be 'local' or 'production', not {ENVIRONMENT!r}."
    )
PRODUCTION = ENVIRONMENT == "production"

# Test runs (pytest imports settings before any test code) keep out of the developer's ./var.
_default_data_dir = (
    Path(tempfile.gettempdir()) / "outsidein-test-data"
    if "pytest" in sys.modules
    else Path.cwd() / "var"
)
DATA_DIR = Path(env_str("OUTSIDEIN_DATA_DIR", str(_default_data_dir))).resolve()


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
    "outsidein.api",
    "outsidein.web",
]

MIDDLEWARE = [
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
TRUSTED_PROXIES = env_list("OUTSIDEIN_TRUSTED_PROXIES", "")
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

# Background work: the Django Tasks API with the database backend (no extra server).
TASKS = {
    "default": {
        "BACKEND": env_str("OUTSIDEIN_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

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
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
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
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# The API answers pages of this many items unless the caller asks for fewer.
NINJA_PAGINATION_PER_PAGE = 50
NINJA_MAX_PER_PAGE_SIZE = 500
