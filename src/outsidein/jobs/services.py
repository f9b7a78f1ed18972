"""Starting, running and reporting on background jobs.

A job handler is a plain function ``handler(job, report) -> dict`` registered under a kind. The
worker calls it through ``run_job``; ``report(progress, message)`` records progress and a log line
so the job page can show a progress bar while the work runs. Progress goes to the shared cache as
well as to the job's row: a handler that reports from inside a long transaction (an import)
cannot make the row show it before the commit. ``live`` gives a running job with the latest
progress from the cache.

Leases (DESIGN.md, "Leases, not hope"): ``run_job`` claims the job with one atomic UPDATE, so
two workers never run the same job; a heartbeat thread renews the claim while the handler runs.
``sweep_jobs`` (from the worker loop, and when a page or the API reads a running job) finds a
job whose lease has expired because its worker died: it queues it again while attempts are
left (imports are all-or-nothing and idempotent, so a retry is safe), else fails it with a
message that says what happened.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from outsidein.core.models import Organisation, Person
from outsidein.jobs.leases import Heartbeat, heartbeat_interval, lease_duration, worker_id
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
    transaction.on_commit(lambda: enqueue_job(job.pk))
    return job


def enqueue_job(job_id: int) -> None:
    """Hand the job to the task queue (by name: the task module imports this one)."""
    from outsidein.jobs.tasks import run_job_task

    run_job_task.enqueue(job_id=job_id)


def _append_log(job: Job, message: str) -> None:
    stamp = timezone.localtime().strftime("%H:%M:%S")
    job.log = f"{job.log}{stamp} {message}\n"


PROGRESS_TIMEOUT = 24 * 3600


def _progress_key(job_id: int) -> str:
    return f"outsidein:jobs:progress:{job_id}"


def _heartbeat_key(job_id: int) -> str:
    return f"outsidein:jobs:heartbeat:{job_id}"


def _cache_heartbeat(job_id: int, holder: str) -> None:
    """A second witness that the worker lives: on SQLite a long import holds the write lock,
    so the heartbeat's UPDATE may wait; the shared cache still shows the worker beating."""
    try:
        cache.set(_heartbeat_key(job_id), holder, settings.JOB_LEASE_SECONDS)
    except Exception:
        logger.warning("Could not record the heartbeat of job %s", job_id, exc_info=True)


def _cache_says_alive(job: Job) -> bool:
    try:
        return bool(job.worker_id) and cache.get(_heartbeat_key(job.pk)) == job.worker_id
    except Exception:
        return False


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
    if job.status == JobStatus.RUNNING and _lease_expired(job, timezone.now()):
        sweep_job(job.pk)
        job.refresh_from_db()
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


def _claim(job_id: int, holder: str, now: datetime) -> bool:
    """Take the job for this worker: one UPDATE that only matches a job nobody holds (queued,
    or running under a lease that expired with attempts left). The database serialises two
    workers' UPDATEs on the row, so exactly one of them matches."""
    claimable = Q(status=JobStatus.QUEUED) | Q(
        status=JobStatus.RUNNING,
        lease_expires_at__lt=now,
        attempts__lt=settings.JOB_MAX_ATTEMPTS,
    )
    return bool(
        Job.objects.filter(claimable, pk=job_id).update(
            status=JobStatus.RUNNING,
            worker_id=holder,
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
            lease_expires_at=now + lease_duration(),
            progress=0,
            updated_at=now,
        )
    )


def _renew(job_id: int, holder: str) -> bool:
    now = timezone.now()
    _cache_heartbeat(job_id, holder)
    return bool(
        Job.objects.filter(pk=job_id, worker_id=holder, status=JobStatus.RUNNING).update(
            heartbeat_at=now, lease_expires_at=now + lease_duration()
        )
    )


def run_job(job_id: int) -> Job:
    """Run one job to the end, if this worker can claim it. Idempotent: a finished job, or one
    another worker holds, is not run (again)."""
    holder = worker_id()
    if not _claim(job_id, holder, timezone.now()):
        return Job.objects.get(pk=job_id)
    job = Job.objects.select_related("created_by", "organisation").get(pk=job_id)
    if job.attempts > 1:
        _append_log(job, gettext("Started again (attempt %(n)s).") % {"n": job.attempts})
    _cache_heartbeat(job.pk, holder)

    def report(progress: int, message: str = "") -> None:
        job.progress = max(0, min(100, int(progress)))
        if message:
            _append_log(job, message)
        _publish(job)
        if not transaction.get_connection().in_atomic_block:
            # Inside a transaction the row would show nothing before the commit (the final
            # save below writes it anyway): the cache alone carries the progress then.
            Job.objects.filter(pk=job.pk, worker_id=holder).update(
                progress=job.progress,
                log=job.log,
                heartbeat_at=timezone.now(),
                lease_expires_at=timezone.now() + lease_duration(),
                updated_at=timezone.now(),
            )

    # Log lines are written in the language of whoever started the job.
    language = job.created_by.language if job.created_by else job.organisation.language
    heartbeat = Heartbeat(
        lambda: _renew(job_id, holder), interval=heartbeat_interval(), name=f"job-{job_id}"
    )
    try:
        with heartbeat, translation.override(language):
            handler = _HANDLERS[job.kind]  # a kind this version no longer knows: failed
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
    # Only the lease holder writes the outcome: had this worker been taken for dead and the
    # job taken over, the other worker's run is the one that counts.
    written = Job.objects.filter(pk=job.pk, worker_id=holder).update(
        status=job.status,
        result=job.result,
        progress=job.progress,
        log=job.log,
        error=job.error,
        finished_at=job.finished_at,
        lease_expires_at=None,
        updated_at=job.finished_at,
    )
    if not written:
        logger.warning("Job %s finished on %s after another worker took it over", job.pk, holder)
        job.refresh_from_db()
    try:
        cache.delete_many([_progress_key(job.pk), _heartbeat_key(job.pk)])
    except Exception:
        logger.warning("Could not clear the progress of job %s", job.pk, exc_info=True)
    return job


# --- the sweeper ---------------------------------------------------------------------------


def _lease_expired(job: Job, now: datetime) -> bool:
    return job.lease_expires_at is not None and job.lease_expires_at < now


def sweep_job(job_id: int, now: datetime | None = None) -> str | None:
    """Deal with one job whose worker stopped renewing its lease: queue it again (and enqueue
    it) while attempts are left, else fail it with a clear message. Returns "retried",
    "failed" or None (the job was alive, finished, or another sweeper got there first)."""
    now = now or timezone.now()
    job = Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).first()
    if job is None or not _lease_expired(job, now) or _cache_says_alive(job):
        return None
    last_seen = timezone.localtime(job.heartbeat_at or job.started_at or now).strftime("%H:%M")
    # The UPDATE matches only the row as read (same holder, same lease), so two sweepers (or
    # a late heartbeat) cannot both act on it.
    same_lease = Job.objects.filter(
        pk=job.pk,
        status=JobStatus.RUNNING,
        worker_id=job.worker_id,
        lease_expires_at=job.lease_expires_at,
    )
    if job.attempts < settings.JOB_MAX_ATTEMPTS:
        _append_log(
            job,
            gettext(
                "The worker running this job stopped (no heartbeat since %(time)s); "
                "the job is queued again."
            )
            % {"time": last_seen},
        )
        if not same_lease.update(
            status=JobStatus.QUEUED,
            worker_id="",
            lease_expires_at=None,
            log=job.log,
            updated_at=now,
        ):
            return None
        logger.warning("Job %s lost its worker %s; queued again", job.pk, job.worker_id)
        transaction.on_commit(lambda: enqueue_job(job.pk))
        return "retried"
    retries = job.attempts - 1
    message = ngettext(
        "The worker running this job stopped (no heartbeat since %(time)s); "
        "it was retried %(count)s time.",
        "The worker running this job stopped (no heartbeat since %(time)s); "
        "it was retried %(count)s times.",
        retries,
    ) % {"time": last_seen, "count": retries}
    _append_log(job, message)
    if not same_lease.update(
        status=JobStatus.FAILED,
        error=message,
        log=job.log,
        finished_at=now,
        lease_expires_at=None,
        updated_at=now,
    ):
        return None
    logger.warning("Job %s lost its worker %s; failed", job.pk, job.worker_id)
    return "failed"


# A queued job not started within this long is enqueued again (a lost enqueue: the web
# process died between its commit and the enqueue, or the queue lost it). Running it twice
# is harmless: only one worker can claim it.
STALE_QUEUED = timedelta(minutes=10)


def sweep_jobs(now: datetime | None = None) -> dict[str, int]:
    """The worker loop's sweep: every running job with an expired lease, and every queued job
    that has waited too long. Returns counts for the log."""
    now = now or timezone.now()
    counts = {"retried": 0, "failed": 0, "requeued": 0}
    expired = Job.objects.filter(status=JobStatus.RUNNING, lease_expires_at__lt=now)
    for job_id in expired.values_list("pk", flat=True)[:500]:
        outcome = sweep_job(job_id, now)
        if outcome:
            counts[outcome] += 1
    stale = list(
        Job.objects.filter(status=JobStatus.QUEUED, updated_at__lt=now - STALE_QUEUED).values_list(
            "pk", flat=True
        )[:500]
    )
    if stale:
        Job.objects.filter(pk__in=stale, status=JobStatus.QUEUED).update(updated_at=now)
        for job_id in stale:
            enqueue_job(job_id)
        counts["requeued"] = len(stale)
    return counts
