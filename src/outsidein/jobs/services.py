"""Starting, running and reporting on background jobs.

A job handler is a plain function ``handler(job, report) -> dict`` registered under a kind. The
worker calls it through ``run_job``; ``report(progress, message)`` records progress and a log line
so the job page can show a progress bar while the work runs. Progress goes to the shared cache as
well as to the job's row: a handler that reports from inside a long transaction (an import)
cannot make the row show it before the commit. ``live`` gives a running job with the latest
progress from the cache.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation

from outsidein.core.models import Organisation, Person
from outsidein.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)

Reporter = Callable[[int, str], None]
Handler = Callable[[Job, Reporter], dict[str, Any]]

_HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _HANDLERS[kind] = handler
        return handler

    return register


def start_job(
    organisation: Organisation,
    *,
    kind: str,
    title: str,
    created_by: Person | None,
    params: dict[str, Any] | None = None,
) -> Job:
    """Record the job and enqueue it once the surrounding transaction has committed."""
    if kind not in _HANDLERS:
        raise LookupError(f"No job handler registered for {kind!r}.")
    job = Job.objects.create(
        organisation=organisation,
        kind=kind,
        title=title,
        created_by=created_by,
        params=params or {},
    )
    from outsidein.jobs.tasks import run_job_task

    transaction.on_commit(lambda: run_job_task.enqueue(job_id=job.pk))
    return job


def _append_log(job: Job, message: str) -> None:
    stamp = timezone.localtime().strftime("%H:%M:%S")
    job.log = f"{job.log}{stamp} {message}\n"


PROGRESS_TIMEOUT = 24 * 3600


def _progress_key(job_id: int) -> str:
    return f"outsidein:jobs:progress:{job_id}"


def _publish(job: Job) -> None:
    try:
        cache.set(
            _progress_key(job.pk), {"progress": job.progress, "log": job.log}, PROGRESS_TIMEOUT
        )
    except Exception:  # the cache is a convenience: the job goes on without it
        logger.warning("Could not publish the progress of job %s", job.pk, exc_info=True)


def live(job: Job) -> Job:
    """The job with the progress and log its handler last reported, while it runs (the row
    itself lags behind while the handler reports from inside a transaction)."""
    if job.status != JobStatus.RUNNING:
        return job
    try:
        latest = cache.get(_progress_key(job.pk))
    except Exception:
        logger.warning("Could not read the progress of job %s", job.pk, exc_info=True)
        return job
    if latest and latest["progress"] >= job.progress:
        job.progress = latest["progress"]
        job.log = latest["log"]
    return job


def run_job(job_id: int) -> Job:
    """Run one job to the end. Idempotent: a finished job is not run again."""
    job = Job.objects.select_related("created_by", "organisation").get(pk=job_id)
    if job.is_finished:
        return job
    handler = _HANDLERS[job.kind]
    job.status = JobStatus.RUNNING
    job.started_at = timezone.now()
    job.progress = 0
    job.save(update_fields=["status", "started_at", "progress", "updated_at"])

    def report(progress: int, message: str = "") -> None:
        job.progress = max(0, min(100, int(progress)))
        if message:
            _append_log(job, message)
        _publish(job)
        if not transaction.get_connection().in_atomic_block:
            # Inside a transaction the row would show nothing before the commit (the final
            # save below writes it anyway): the cache alone carries the progress then.
            job.save(update_fields=["progress", "log", "updated_at"])

    # Log lines are written in the language of whoever started the job.
    language = job.created_by.language if job.created_by else job.organisation.language
    try:
        with translation.override(language):
            result = handler(job, report)
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        job.status = JobStatus.FAILED
        job.error = f"{type(exc).__name__}: {exc}"
        _append_log(job, traceback.format_exc(limit=3))
    else:
        job.status = JobStatus.SUCCEEDED
        job.result = result or {}
        job.progress = 100
    job.finished_at = timezone.now()
    job.save()
    try:
        cache.delete(_progress_key(job.pk))
    except Exception:
        logger.warning("Could not clear the progress of job %s", job.pk, exc_info=True)
    return job
