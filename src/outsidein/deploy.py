"""Running outsidein for real: static files, the configuration check and SQLite backups.

Static files in production are served by WhiteNoise from ``OUTSIDEIN_DATA_DIR/static``, with
hashed names from a manifest. Nobody has to remember ``collectstatic``: ``outsidein migrate`` and
``outsidein serve`` call :func:`ensure_static_files`, which collects them when the folder is
missing or the shipped files changed since the last collection (an upgrade), and does nothing
otherwise. A lock keeps two processes starting at once from collecting into the same folder.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

MANIFEST = "staticfiles.json"


# --- static files --------------------------------------------------------------------------------


def _uses_manifest() -> bool:
    from django.contrib.staticfiles.storage import ManifestFilesMixin
    from django.core.files.storage import storages

    return isinstance(storages["staticfiles"], ManifestFilesMixin)


def _stamp_file() -> Path:
    from django.conf import settings

    root = Path(settings.STATIC_ROOT)
    return root.with_name(root.name + ".sources")


def static_sources_fingerprint() -> str:
    """A digest of every file the finders would collect: name, size and modification time."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    entries = []
    for finder in get_finders():
        for path, storage in finder.list([]):
            full = Path(storage.path(path))
            stat = full.stat()
            prefix = getattr(storage, "prefix", "") or ""
            entries.append(f"{prefix}/{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def static_files_state() -> tuple[bool, str]:
    """(current, explanation): whether the collected static files match the shipped ones."""
    from django.conf import settings

    if not _uses_manifest():
        return True, "served straight from the installed package (local mode)"
    root = Path(settings.STATIC_ROOT)
    if not (root / MANIFEST).is_file():
        return False, f"not collected yet into {root}"
    stamp = _stamp_file()
    if not stamp.is_file() or stamp.read_text().strip() != static_sources_fingerprint():
        return False, f"{root} holds the files of another version"
    return True, f"collected in {root}"


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_static_files() -> bool:
    """Collect the static files when they are missing or stale; True when it collected."""
    from django.conf import settings
    from django.core.management import call_command

    if static_files_state()[0]:
        return False
    root = Path(settings.STATIC_ROOT)
    with _lock(root.with_name(root.name + ".lock")):
        if static_files_state()[0]:  # another process collected them while we waited
            return False
        fingerprint = static_sources_fingerprint()
        call_command("collectstatic", interactive=False, verbosity=0)
        _stamp_file().write_text(fingerprint + "\n")
    return True


# --- SQLite backup -------------------------------------------------------------------------------


def backup_sqlite(source: Path, out: Path) -> int:
    """Copy a live SQLite database with SQLite's online backup API; returns the bytes written.

    The copy is consistent even while the server and workers write (the backup restarts its
    pages when the source changes underneath), is checked with ``PRAGMA integrity_check``, and
    appears under its final name only when complete.
    """
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=4096)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            result = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
    finally:
        src.close()
    if result != "ok":
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"the copy failed SQLite's integrity check: {result}")
    partial.replace(out)
    return out.stat().st_size


# --- the configuration check ---------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    ok: bool
    name: str
    detail: str


def _secret_key_check() -> Check:
    from django.conf import settings

    key = str(settings.SECRET_KEY)
    name = "secret key"
    if not os.environ.get("OUTSIDEIN_SECRET_KEY", "").strip():
        return Check(
            False, name, "OUTSIDEIN_SECRET_KEY is not set (a generated laptop key is used)"
        )
    if len(key) < 50 or len(set(key)) < 10 or key.startswith("django-insecure"):
        return Check(
            False,
            name,
            f"too weak ({len(key)} characters, {len(set(key))} different): use 50 or more "
            "random characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'",
        )
    return Check(True, name, f"{len(key)} characters, {len(set(key))} different")


def _host_checks() -> list[Check]:
    from django.conf import settings

    checks = []
    hosts = list(settings.ALLOWED_HOSTS)
    if not hosts:
        checks.append(Check(False, "allowed hosts", "OUTSIDEIN_ALLOWED_HOSTS is empty"))
    elif "*" in hosts:
        checks.append(
            Check(False, "allowed hosts", "OUTSIDEIN_ALLOWED_HOSTS contains '*': name the hosts")
        )
    else:
        checks.append(Check(True, "allowed hosts", ", ".join(hosts)))
    base = urlsplit(settings.BASE_URL)
    if base.scheme != "https":
        checks.append(
            Check(
                False,
                "base URL",
                f"OUTSIDEIN_BASE_URL must start with https://, not {base.scheme}://",
            )
        )
    elif hosts and not _host_allowed(base.hostname or "", hosts):
        checks.append(
            Check(
                False,
                "base URL",
                f"the host of OUTSIDEIN_BASE_URL ({base.hostname}) is not in "
                "OUTSIDEIN_ALLOWED_HOSTS",
            )
        )
    else:
        checks.append(Check(True, "base URL", settings.BASE_URL))
    return checks


def _host_allowed(host: str, allowed: list[str]) -> bool:
    from django.utils.http import is_same_domain

    return any(is_same_domain(host, pattern) for pattern in allowed)


def _security_checks() -> list[Check]:
    from django.conf import settings

    checks = [
        Check(
            settings.PRODUCTION,
            "production mode",
            "OUTSIDEIN_ENV=production"
            if settings.PRODUCTION
            else "OUTSIDEIN_ENV is not 'production' (secure cookies, HSTS and static files differ)",
        ),
        Check(
            not settings.DEBUG,
            "debug off",
            "OUTSIDEIN_DEBUG is off"
            if not settings.DEBUG
            else "OUTSIDEIN_DEBUG is on: never on a public server",
        ),
    ]
    missing = [
        name
        for name, value in (
            ("SESSION_COOKIE_SECURE", settings.SESSION_COOKIE_SECURE),
            ("CSRF_COOKIE_SECURE", settings.CSRF_COOKIE_SECURE),
            ("SESSION_COOKIE_HTTPONLY", settings.SESSION_COOKIE_HTTPONLY),
            ("SECURE_SSL_REDIRECT", getattr(settings, "SECURE_SSL_REDIRECT", False)),
            ("SECURE_HSTS_SECONDS", getattr(settings, "SECURE_HSTS_SECONDS", 0) >= 15_768_000),
            ("SECURE_CONTENT_TYPE_NOSNIFF", settings.SECURE_CONTENT_TYPE_NOSNIFF),
        )
        if not value
    ]
    checks.append(
        Check(
            not missing,
            "secure settings",
            "secure cookies, HTTPS redirect, HSTS (>= 6 months), nosniff"
            if not missing
            else "off: "
            + ", ".join(missing)
            + " (OUTSIDEIN_SECURE_COOKIES, OUTSIDEIN_SSL_REDIRECT, "
            "OUTSIDEIN_HSTS_SECONDS)",
        )
    )
    proxies = list(getattr(settings, "TRUSTED_PROXIES", []))
    checks.append(
        Check(
            bool(proxies),
            "trusted proxy",
            ", ".join(proxies)
            if proxies
            else "OUTSIDEIN_TRUSTED_PROXIES is empty: `outsidein serve` speaks plain HTTP, so the "
            "TLS proxy's X-Forwarded-Proto must be trusted or every request is redirected to https",
        )
    )
    return checks


def _database_checks() -> list[Check]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    settings_dict = connection.settings_dict
    where = settings_dict.get("HOST") or settings_dict.get("NAME")
    vendor = connection.vendor
    if vendor == "sqlite" and not Path(str(settings_dict["NAME"])).exists():
        return [
            Check(
                False,
                "database",
                f"there is no SQLite database at {where}: run `outsidein migrate`",
            )
        ]
    try:
        connection.ensure_connection()
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return [Check(False, "database", f"cannot reach {vendor} at {where}: {first}")]
    checks = [Check(True, "database", f"{vendor} at {where} answers")]
    if vendor == "sqlite":
        checks[0] = Check(
            True,
            "database",
            f"SQLite at {where} (one machine only; PostgreSQL for several web machines)",
        )
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    checks.append(
        Check(
            not pending,
            "migrations",
            "all applied"
            if not pending
            else f"{len(pending)} not applied: run `outsidein migrate`",
        )
    )
    return checks


def _static_check() -> Check:
    current, detail = static_files_state()
    if not current:
        detail += ": `outsidein migrate` or `outsidein serve` collects them"
    return Check(current, "static files", detail)


def _cache_check() -> Check:
    from django.conf import settings
    from django.core.cache import cache

    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    try:
        cache.set("outsidein:check-deploy", "ok", 10)
        answered = cache.get("outsidein:check-deploy") == "ok"
    except Exception as exc:
        return Check(False, "cache", f"{backend} does not answer: {exc}")
    if not answered:
        return Check(False, "cache", f"{backend} did not keep a value")
    if backend == "RedisCache":
        return Check(True, "cache", "Redis answers (rate limits shared by every web process)")
    return Check(
        True,
        "cache",
        f"{backend}: rate limits are shared only on this machine (OUTSIDEIN_CACHE_URL=redis://… "
        "for several machines)",
    )


def _email_check() -> Check:
    from django.conf import settings

    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    if backend != "smtp":
        return Check(False, "email", f"the {backend} email backend sends nothing to customers")
    # Names the operator has not set (a mail server on this machine is fine, if said so).
    missing = [
        name
        for name in ("OUTSIDEIN_EMAIL_HOST", "OUTSIDEIN_DEFAULT_FROM_EMAIL")
        if not os.environ.get(name, "").strip()
    ]
    if (
        "@localhost" in settings.DEFAULT_FROM_EMAIL
        and "OUTSIDEIN_DEFAULT_FROM_EMAIL" not in missing
    ):
        missing.append("OUTSIDEIN_DEFAULT_FROM_EMAIL (an address at localhost)")
    if missing:
        return Check(False, "email", "not configured: " + ", ".join(missing))
    tls = "TLS" if settings.EMAIL_USE_TLS else "SSL" if settings.EMAIL_USE_SSL else "no TLS"
    return Check(
        True,
        "email",
        f"SMTP {settings.EMAIL_HOST}:{settings.EMAIL_PORT} ({tls}), "
        f"from {settings.DEFAULT_FROM_EMAIL}",
    )


def _tasks_check() -> Check:
    from django.conf import settings

    backend = str(settings.TASKS["default"]["BACKEND"])
    if "rq" not in backend.lower():
        return Check(True, "task queue", "the database queue (run one or more `outsidein worker`)")
    url = str(getattr(settings, "REDIS_URL", "") or _rq_url(settings))
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except Exception as exc:
        return Check(
            False, "task queue", f"Redis at {_without_password(url)} does not answer: {exc}"
        )
    return Check(True, "task queue", f"Redis at {_without_password(url)} answers")


def _rq_url(settings: Any) -> str:
    queues = getattr(settings, "RQ_QUEUES", {}) or {}
    return str(queues.get("default", {}).get("URL", ""))


def _without_password(url: str) -> str:
    return re.sub(r"//([^:@/]*):[^@/]*@", r"//\1:***@", url)


def run_checks() -> list[Check]:
    """Every check, in the order an operator fixes them."""
    checks = [_secret_key_check()]
    checks += _security_checks()
    checks += _host_checks()
    checks += _database_checks()
    checks.append(_static_check())
    checks.append(_cache_check())
    checks.append(_tasks_check())
    checks.append(_email_check())
    return checks
