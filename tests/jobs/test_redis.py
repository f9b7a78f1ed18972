"""The Redis task backend (django-tasks-rq): several web processes and several RQ workers
against the local Redis, and Redis down at submission time (nothing lost: the task waits in
the database queue and a worker runs it from there).

The tests that need Redis skip when it is not running at 127.0.0.1:6379, unless
OUTSIDEIN_REQUIRE_REDIS=1 (CI), where they fail instead.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from outsidein.jobs.models import Job, JobStatus
from outsidein.jobs.services import start_job
from outsidein.jobs.worker import maintain
from outsidein.voice.models import Feedback
from tests.conftest import Tenant
from tests.factories import CustomerFactory
from tests.jobs.conftest import Procs
from tests.jobs.test_leases import runs_of
from tests.voice.conftest import answer, public_url, survey  # noqa: F401

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # free once closed: nothing listens there


def rq_tasks() -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "outsidein.jobs.backends.RQWithFallbackBackend",
            "QUEUES": ["default"],
            "OPTIONS": {"fallback": "fallback"},
        },
        "fallback": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }


@pytest.fixture
def redis_down(settings: Any) -> str:
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.TASKS = rq_tasks()
    settings.RQ_QUEUES = {"default": {"URL": url}}
    return url


@pytest.fixture
def redis_url() -> str:
    """A Redis database of this test run's own (1-15 by process id) on the local server."""
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1):
            pass
    except OSError as exc:
        reason = f"Redis is not running at {REDIS_HOST}:{REDIS_PORT} ({exc})"
        if os.environ.get("OUTSIDEIN_REQUIRE_REDIS") == "1":
            pytest.fail(f"{reason}, and OUTSIDEIN_REQUIRE_REDIS=1 requires it")
        pytest.skip(f"{reason}; start redis-server, or CI sets OUTSIDEIN_REQUIRE_REDIS=1")
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{1 + os.getpid() % 15}"


@pytest.mark.django_db(transaction=True)  # the worker's pass closes connections, as in life
def test_redis_down_at_submission_keeps_the_answer_and_its_tasks(
    redis_down: str,
    public_url: str,  # noqa: F811
    answer: Any,  # noqa: F811
) -> None:
    response = answer(public_url, {"nps": "3", "reason": "Niemand belde terug."})
    assert response.status_code == 200
    assert Feedback.objects.count() == 1  # the customer's answer is stored
    waiting = DBTaskResult.objects.filter(backend_name="fallback", status="READY")
    assert waiting.count() >= 1  # its follow-up work waits in the database queue
    # Any worker's maintenance pass runs what waited (Redis still down).
    maintain(scheduler=False, fallback="fallback")
    assert not waiting.exists()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.django_db(transaction=True)
def test_redis_down_a_started_job_still_runs(redis_down: str, tenant: Tenant) -> None:
    CustomerFactory.create_batch(2, organisation=tenant.organisation)
    with transaction.atomic():
        job = start_job(
            tenant.organisation, kind="customers.export", title="x", created_by=tenant.admin
        )
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    maintain(scheduler=False, fallback="fallback")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["rows"] == 2


def test_several_web_processes_and_rq_workers_run_each_job_once(
    redis_url: str, procs: Procs, tmp_path: Path
) -> None:
    rq = {"OUTSIDEIN_TASKS_BACKEND": "rq", "OUTSIDEIN_REDIS_URL": redis_url}
    marker = tmp_path / "runs.txt"
    for _ in range(2):
        procs.spawn("worker", **rq)
    fallback = "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult"
    before = procs.query(fallback)
    web = [procs.spawn("start", "3", str(marker), "0.3", **rq) for _ in range(2)]
    ids = [job_id for process in web for job_id in procs.output(process)]
    procs.wait_for(
        "6 finished jobs",
        lambda: [job["status"] for job in procs.jobs(ids).values()].count("succeeded") == 6,
    )
    runs = runs_of(marker)
    assert sorted(runs) == sorted(ids) and set(runs.values()) == {1}
    # Nothing went to the database queue: Redis carried every task.
    assert procs.query(fallback) == before


def test_under_redis_a_killed_workers_job_is_taken_over_and_completes(
    redis_url: str, procs: Procs, tmp_path: Path
) -> None:
    rq = {"OUTSIDEIN_TASKS_BACKEND": "rq", "OUTSIDEIN_REDIS_URL": redis_url}
    marker = tmp_path / "runs.txt"
    first = procs.spawn("worker", **rq)
    [job_id] = procs.run("start", "1", str(marker), "8", **rq)
    procs.wait_for("the job to start", marker.exists)
    os.kill(first.pid, signal.SIGKILL)  # kill -9 of the RQ worker, mid-job
    first.wait(timeout=10)
    procs.spawn("worker", **rq)
    procs.wait_for("the job to finish", lambda: procs.jobs()[job_id]["status"] == "succeeded")
    assert procs.jobs()[job_id]["attempts"] == 2
    assert runs_of(marker)[job_id] == 2


@pytest.mark.django_db
def test_a_delayed_task_is_moved_into_the_queue_when_its_time_has_come(
    redis_url: str, settings: Any
) -> None:
    from datetime import timedelta

    import django_rq
    from django.utils import timezone

    from outsidein.jobs.tasks import run_job_task
    from outsidein.jobs.worker import _DelayedTasks

    settings.TASKS = rq_tasks()
    settings.RQ_QUEUES = {"default": {"URL": redis_url}}
    queue = django_rq.get_queue("default")
    queue.empty()
    run_job_task.using(run_after=timezone.now() + timedelta(seconds=1)).enqueue(job_id=1)
    assert queue.count == 0
    time.sleep(1.5)
    _DelayedTasks().run()
    assert queue.count == 1
    queue.empty()
