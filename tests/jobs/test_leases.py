"""Leases with real worker processes: several workers at once, a worker killed with SIGKILL
mid-job, and several schedulers racing for the same due time. On SQLite (a database file the
processes share) and on PostgreSQL (the test database) alike."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120  # seconds; two cores shared with other test runs make processes slow to start


@pytest.fixture(scope="module")
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

    def spawn(self, *args: str, **env: str) -> subprocess.Popen[bytes]:
        log = (self.folder / f"proc-{len(self.started)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.jobs.procs", *args],
            env={**self.env, **env},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.started.append(process)
        return process

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

    def jobs(self) -> dict[int, dict[str, Any]]:
        rows = self.query("SELECT id, status, attempts, error, log, progress FROM jobs_job")
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
    from django.db import connection

    if connection.vendor == "postgresql":
        # The processes share pytest's PostgreSQL test database: what they write is committed.
        request.getfixturevalue("transactional_db")
        db = connection.settings_dict
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        url = f"postgresql://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
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


def _runs(marker: Path) -> Counter[int]:
    """How many times each job's handler started, from the marker file the handlers append to."""
    if not marker.exists():
        return Counter()
    return Counter(int(line.split()[0]) for line in marker.read_text().splitlines())


def test_several_workers_run_each_job_exactly_once(procs: Procs, tmp_path: Path) -> None:
    marker = tmp_path / "runs.txt"
    for _ in range(3):
        procs.spawn("worker")
    # Two "web" processes start jobs at the same time.
    web = [procs.spawn("start", "4", str(marker), "0.5") for _ in range(2)]
    for process in web:
        assert process.wait(timeout=TIMEOUT) == 0
    procs.wait_for(
        "8 finished jobs",
        lambda: [job["status"] for job in procs.jobs().values()].count("succeeded") == 8,
    )
    runs = _runs(marker)
    assert sorted(runs) == sorted(procs.jobs()) and set(runs.values()) == {1}
    # The workers shared the work (not required, but several took part).
    pids = {line.split()[1] for line in marker.read_text().splitlines()}
    assert len(pids) >= 1
    assert all(job["attempts"] == 1 for job in procs.jobs().values())


def test_a_job_whose_worker_is_killed_is_taken_over_and_completes(
    procs: Procs, tmp_path: Path
) -> None:
    marker = tmp_path / "runs.txt"
    first = procs.spawn("worker")
    [job_id] = procs.run("start", "1", str(marker), "8")
    procs.wait_for("the job to start", lambda: marker.exists())
    procs.wait_for("some progress", lambda: procs.jobs()[job_id]["status"] == "running")
    time.sleep(1)
    os.kill(first.pid, signal.SIGKILL)  # kill -9 of the worker, mid-job
    first.wait(timeout=10)
    assert procs.jobs()[job_id]["status"] == "running"  # as the page would show it now
    procs.spawn("worker")
    procs.wait_for("the job to finish", lambda: procs.jobs()[job_id]["status"] == "succeeded")
    job = procs.jobs()[job_id]
    assert job["attempts"] == 2 and job["progress"] == 100
    assert "The worker running this job stopped (no heartbeat since" in job["log"]
    assert "Started again (attempt 2)." in job["log"]
    assert _runs(marker)[job_id] == 2


def test_a_job_that_kills_every_worker_fails_with_a_clear_message(
    procs: Procs, tmp_path: Path
) -> None:
    marker = tmp_path / "runs.txt"
    for _ in range(3):
        procs.spawn("worker")
    [job_id] = procs.run("start", "1", str(marker), "1", "die")
    procs.wait_for("the job to fail", lambda: procs.jobs()[job_id]["status"] == "failed")
    job = procs.jobs()[job_id]
    assert job["attempts"] == 2
    assert job["error"].startswith("The worker running this job stopped (no heartbeat since ")
    assert job["error"].endswith("it was retried 1 time.")
    assert _runs(marker)[job_id] == 2  # the first run and one retry, then no more
    assert sum(process.poll() == -signal.SIGKILL for process in procs.started) == 2


def test_several_schedulers_run_a_due_round_exactly_once(procs: Procs, tmp_path: Path) -> None:
    marker, go = tmp_path / "round.txt", tmp_path / "go"
    now = "2026-12-04T06:30:00+01:00"
    tickers = [procs.spawn("tick", now, str(marker), str(go)) for _ in range(4)]
    time.sleep(1)
    go.touch()
    for process in tickers:
        assert process.wait(timeout=TIMEOUT) == 0
    outcomes = [
        json.loads((tmp_path / f"proc-{i}.log").read_text().strip().splitlines()[-1])["ran"]
        for i in range(4)
    ]
    assert outcomes.count(True) == 1
    assert len(marker.read_text().splitlines()) == 1
    rows = procs.query("SELECT name, finished_at, attempts FROM jobs_scheduledrun")
    assert len(rows) == 1 and rows[0][1] is not None and rows[0][2] == 1
