"""Leases with real worker processes: several workers at once, a worker killed with SIGKILL
mid-job, and several schedulers racing for the same due time. On SQLite (a database file the
processes share) and on PostgreSQL (the test database) alike."""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from pathlib import Path

from tests.jobs.conftest import TIMEOUT, Procs


def runs_of(marker: Path) -> Counter[int]:
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
    ids = [job_id for process in web for job_id in procs.output(process)]
    assert len(set(ids)) == 8
    procs.wait_for(
        "8 finished jobs",
        lambda: [job["status"] for job in procs.jobs(ids).values()].count("succeeded") == 8,
    )
    runs = runs_of(marker)
    assert sorted(runs) == sorted(ids) and set(runs.values()) == {1}
    assert all(job["attempts"] == 1 for job in procs.jobs(ids).values())


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
    assert runs_of(marker)[job_id] == 2


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
    assert runs_of(marker)[job_id] == 2  # the first run and one retry, then no more
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
