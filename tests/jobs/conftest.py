"""Fixtures for the lease tests: helper processes sharing one database."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120  # seconds; two cores shared with other test runs make processes slow to start


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: Any) -> Path:
    """One migrated SQLite file per module (`outsidein migrate`, as an operator would)."""
    folder = tmp_path_factory.mktemp("procs-db")
    path = folder / "db.sqlite3"
    env = {
        **os.environ,
        "OUTSIDEIN_DATA_DIR": str(folder),
        "OUTSIDEIN_DATABASE_URL": f"sqlite:///{path}",
    }
    subprocess.run(
        [sys.executable, "-m", "outsidein.cli", "migrate"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return path


class Procs:
    """Starts helper processes (tests/jobs/procs.py) against one shared database, reads its
    jobs with plain SQL, and kills what it started."""

    def __init__(self, env: dict[str, str], folder: Path, url: str) -> None:
        self.env = env
        self.folder = folder
        self.url = url
        self.started: list[subprocess.Popen[bytes]] = []
        self.logs: dict[int, Path] = {}

    def spawn(self, *args: str, **env: str) -> subprocess.Popen[bytes]:
        path = self.folder / f"proc-{len(self.started)}.log"
        log = path.open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.jobs.procs", *args],
            env={**self.env, **env},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.started.append(process)
        self.logs[process.pid] = path
        return process

    def output(self, process: subprocess.Popen[bytes]) -> Any:
        """The JSON a finished helper process printed last."""
        assert process.wait(timeout=TIMEOUT) == 0, self.logs[process.pid].read_text()[-3000:]
        return json.loads(self.logs[process.pid].read_text().strip().splitlines()[-1])

    def run(self, *args: str, **env: str) -> Any:
        done = subprocess.run(
            [sys.executable, "-m", "tests.jobs.procs", *args],
            env={**self.env, **env},
            cwd=ROOT,
            capture_output=True,
            timeout=TIMEOUT,
        )
        assert done.returncode == 0, done.stderr.decode()[-3000:]
        out = done.stdout.decode().strip().splitlines()
        return json.loads(out[-1]) if out else None

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.url.startswith("sqlite"):
            with sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=30) as db:
                return db.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(self.url) as db:
            return db.execute(sql).fetchall()  # type: ignore[arg-type]

    def jobs(self, ids: list[int] | None = None) -> dict[int, dict[str, Any]]:
        """The jobs (those with these ids): on PostgreSQL an earlier test's may remain."""
        where = f" WHERE id IN ({','.join(str(int(i)) for i in ids)})" if ids else ""
        rows = self.query(f"SELECT id, status, attempts, error, log, progress FROM jobs_job{where}")  # noqa: S608
        return {
            row[0]: dict(
                zip(["status", "attempts", "error", "log", "progress"], row[1:], strict=True)
            )
            for row in rows
        }

    def wait_for(self, what: str, check: Callable[[], bool]) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not check():
            if time.monotonic() > deadline:
                logs = "\n".join(
                    f"--- {path.name}\n{path.read_text()[-2000:]}"
                    for path in sorted(self.folder.glob("proc-*.log"))
                )
                raise AssertionError(f"timed out waiting for {what}: {self.jobs()}\n{logs}")
            time.sleep(0.3)

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
        for process in self.started:
            process.wait(timeout=30)


@pytest.fixture
def procs(request: Any, tmp_path: Path) -> Iterator[Procs]:
    """Helper processes on a database of their own (SQLite) or the test database (PostgreSQL),
    with the database task backend; a test may spawn them with other OUTSIDEIN_* values."""
    from django.db import connection

    if connection.vendor == "postgresql":
        # The processes share pytest's PostgreSQL test database: what they write is committed.
        request.getfixturevalue("transactional_db")
        db = connection.settings_dict
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        url = f"postgresql://{db['USER']}{password}@{host}/{db['NAME']}"
    else:
        path = tmp_path / "db.sqlite3"
        shutil.copy(request.getfixturevalue("migrated_sqlite"), path)
        url = f"sqlite:///{path}"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
        "OUTSIDEIN_DATABASE_URL": url,
        "OUTSIDEIN_DATA_DIR": str(tmp_path),  # the processes share this folder's file cache
        "OUTSIDEIN_TASKS_BACKEND": "db",
        "OUTSIDEIN_JOB_LEASE_SECONDS": "4",
        "OUTSIDEIN_JOB_MAX_ATTEMPTS": "2",
        "OUTSIDEIN_SCHEDULER": "off",
        "OUTSIDEIN_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "OUTSIDEIN_LOG_LEVEL": "WARNING",
    }
    env.pop("OUTSIDEIN_CACHE_URL", None)
    helper = Procs(env, tmp_path, url)
    try:
        helper.run("setup")
        yield helper
    finally:
        helper.stop_all()
        if connection.vendor == "postgresql":
            connection.close()
