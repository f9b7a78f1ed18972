"""Starting, running and reporting on background jobs.

A job handler is a plain function ``handler(job, report) -> dict`` registered under a kind. The
worker calls it through ``run_job``; ``report(progress, message)`` persists progress and a log line
so the job page can show a progress bar while the work runs.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

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
    return job
