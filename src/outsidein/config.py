"""Reading configuration from the environment, with errors that name the variable at fault."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


SUPPORTED_DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql")


def database_from_url(url: str, *, default_sqlite: Path) -> dict[str, Any]:
    """The Django DATABASES entry for a URL; empty means the embedded SQLite database."""
    if not url:
        default_sqlite.parent.mkdir(parents=True, exist_ok=True)
        config: dict[str, Any] = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(default_sqlite),
            # Keep connections between requests: opening SQLite and setting its pragmas
            # costs about as much as answering a survey submission.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    else:
        scheme = url.split("://", 1)[0] if "://" in url else ""
        if scheme.split("+")[0] not in SUPPORTED_DATABASE_SCHEMES:
            raise ImproperlyConfigured(
                f"OUTSIDEIN_DATABASE_URL is not a database URL outsidein supports: {url!r}. "
                "Use postgresql://USER:PASSWORD@HOST:PORT/NAME or sqlite:////absolute/path.sqlite3."
            )
        try:
            config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
        except (ValueError, KeyError) as exc:
            raise ImproperlyConfigured(
                f"OUTSIDEIN_DATABASE_URL could not be read ({exc}): {url!r}"
            ) from None
        if config["ENGINE"].endswith("postgresql") and not config.get("NAME"):
            raise ImproperlyConfigured(
                f"OUTSIDEIN_DATABASE_URL names no database: {url!r} "
                "(expected postgresql://USER@HOST:PORT/NAME)."
            )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web server read while a worker writes.
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    return config
