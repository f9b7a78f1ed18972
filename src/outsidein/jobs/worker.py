"""`outsidein worker`: the task worker of the configured backend, plus a maintenance loop.

The maintenance loop (a thread beside the task worker) sweeps jobs whose worker died (see
``services.sweep_jobs``), runs the daily round when it is due (``schedule.tick``, once across
all workers), and with the Redis backend runs the tasks that had to wait in the database queue
while Redis was unreachable. Any number of workers may run; leases keep them from doing the
same thing twice.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils.crypto import get_random_string
from django_tasks import task_backends

from outsidein.jobs import schedule
from outsidein.jobs.services import sweep_jobs

logger = logging.getLogger(__name__)


def uses_redis() -> bool:
    from outsidein.jobs.backends import RQWithFallbackBackend

    return isinstance(task_backends["default"], RQWithFallbackBackend)


def _db_worker(backend_name: str, *, interval: float, batch: bool) -> Any:
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name=backend_name,
        startup_delay=not batch,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )


class _DelayedTasks:
    """Moves Redis tasks whose ``run_after`` has come into their queue (webhook retries).

    RQ's own scheduler runs in a process it forks from the worker, which outlives a worker
    killed with SIGKILL; this does the same work from the maintenance thread instead, under
    RQ's scheduler lock (one process at a time; a dead holder's lock expires in a minute)."""

    def __init__(self) -> None:
        self._scheduler: Any = None

    def run(self) -> None:
        import django_rq
        from rq.scheduler import RQScheduler

        if self._scheduler is None:
            names = list(settings.RQ_QUEUES)
            self._scheduler = RQScheduler(names, connection=django_rq.get_connection(names[0]))
        if self._scheduler.acquire_locks():
            self._scheduler.prepare_registries()
            self._scheduler.enqueue_scheduled_jobs()


def maintain(
    *, scheduler: bool, fallback: str | None, delayed: _DelayedTasks | None = None
) -> None:
    """One pass of the maintenance loop."""
    counts = sweep_jobs()
    if any(counts.values()):
        logger.warning("Jobs whose worker stopped: %s", counts)
    if fallback:
        _db_worker(fallback, interval=0, batch=True).run()
    if delayed is not None:
        try:
            delayed.run()
        except Exception as exc:  # Redis down: the tasks wait in Redis, nothing is lost
            logger.warning("Could not move delayed tasks into the Redis queue: %s", exc)
    if scheduler:
        schedule.tick()
        from outsidein.mailin.services import schedule_due  # customer mailboxes, every N min

        schedule_due()


class Maintenance:
    """Runs ``maintain`` every ``interval`` seconds in a daemon thread."""

    def __init__(self, *, interval: float, scheduler: bool, fallback: str | None) -> None:
        self.interval = interval
        self.scheduler = scheduler
        self.fallback = fallback
        self._delayed = _DelayedTasks() if fallback else None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="maintenance", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                close_old_connections()
                maintain(scheduler=self.scheduler, fallback=self.fallback, delayed=self._delayed)
            except Exception:
                logger.exception("The worker's maintenance pass failed; trying again")
            finally:
                close_old_connections()
            self._stop.wait(self.interval)
        connections.close_all()


def maintenance_interval() -> float:
    return max(1.0, min(15.0, settings.JOB_LEASE_SECONDS / 4))


def run(*, interval: float = 1.0, batch: bool = False) -> None:
    """Run the worker until stopped (SIGTERM/SIGINT), or with ``batch`` until nothing is
    queued (one sweep, no schedule: for scripts and tests)."""
    redis = uses_redis()
    fallback = "fallback" if redis else None
    if redis:  # the database queue is only the fallback: its "no more tasks" each pass is noise
        logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
    if batch:
        maintain(scheduler=False, fallback=fallback, delayed=_DelayedTasks() if redis else None)
    else:
        maintenance = Maintenance(
            interval=maintenance_interval(), scheduler=settings.SCHEDULER, fallback=fallback
        )
        maintenance.start()
    if redis:
        _run_rq(batch=batch)
    else:
        worker = _db_worker("default", interval=interval, batch=batch)
        if not batch:
            worker.configure_signals()
        worker.run()


def _run_rq(*, batch: bool) -> None:
    import django_rq
    from django_tasks_rq import Job
    from redis.exceptions import ConnectionError as RedisConnectionError
    from rq import SimpleWorker

    # SimpleWorker runs each task in this process (no fork beside the maintenance thread and
    # its database connections); the job lease covers a worker that dies mid-task. No forked
    # RQ scheduler either: the maintenance thread moves delayed tasks (``_DelayedTasks``).
    close_old_connections()
    while True:
        try:
            queues = [django_rq.get_queue(name, job_class=Job) for name in settings.RQ_QUEUES]
            worker = SimpleWorker(queues, connection=queues[0].connection, job_class=Job)
            worker.work(burst=batch, with_scheduler=False, logging_level="INFO")
            return
        except RedisConnectionError as exc:
            if batch:
                raise
            logger.warning("Redis is unreachable (%s); trying again in 5 s", exc)
            time.sleep(5)
