"""The sweeper: a running job whose lease expired (its worker died) is retried or failed with
a clear message, from the worker loop or when a page or the API reads it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from outsidein.jobs.models import Job, JobStatus
from outsidein.jobs.services import run_job, sweep_jobs
from tests.conftest import Tenant
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _abandoned(tenant: Tenant, *, attempts: int, **fields: Any) -> Job:
    """A job left 'running 35%' by a worker that was killed two minutes ago."""
    then = timezone.now() - timedelta(minutes=2)
    return Job.objects.create(
        organisation=tenant.organisation,
        kind="customers.export",
        title="export",
        created_by=tenant.admin,
        status=JobStatus.RUNNING,
        progress=35,
        attempts=attempts,
        worker_id="host:4242:dead",
        started_at=then,
        heartbeat_at=then,
        lease_expires_at=then + timedelta(seconds=60),
        **fields,
    )


def test_a_job_whose_worker_died_is_retried_and_completes(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    CustomerFactory.create_batch(2, organisation=tenant.organisation)
    job = _abandoned(tenant, attempts=1)
    # The test task backend runs the re-enqueued job at once, as a live worker would.
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_jobs() == {"retried": 1, "failed": 0, "requeued": 0}
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2
    assert job.result["rows"] == 2
    assert "The worker running this job stopped (no heartbeat since" in job.log


def test_out_of_attempts_the_job_fails_with_a_clear_message(tenant: Tenant) -> None:
    job = _abandoned(tenant, attempts=2)
    assert sweep_jobs()["failed"] == 1
    job.refresh_from_db()
    stamp = timezone.localtime(job.heartbeat_at).strftime("%H:%M")
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert job.error == (
        f"The worker running this job stopped (no heartbeat since {stamp}); it was retried 1 time."
    )
    assert sweep_jobs() == {"retried": 0, "failed": 0, "requeued": 0}


def test_the_job_page_and_the_api_find_a_dead_job_without_a_worker_loop(
    tenant: Tenant, settings: Any
) -> None:
    settings.JOB_MAX_ATTEMPTS = 1
    job = _abandoned(tenant, attempts=1)
    page = tenant.client_for(tenant.admin).get(f"/jobs/{job.pk}/")
    assert page.status_code == 200
    assert b"no heartbeat since" in page.content
    other = _abandoned(tenant, attempts=1)
    response = tenant.client_for(tenant.admin).get(
        f"/api/v1/jobs/{other.pk}", headers=tenant.api_headers(tenant.admin)
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "failed"
    assert "retried 0 times" in response.json()["error"]


def test_a_live_worker_keeps_its_job(tenant: Tenant) -> None:
    job = _abandoned(tenant, attempts=1)
    Job.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() + timedelta(seconds=30))
    assert sweep_jobs() == {"retried": 0, "failed": 0, "requeued": 0}
    # Another worker cannot claim it either.
    assert run_job(job.pk).status == JobStatus.RUNNING
    job.refresh_from_db()
    assert job.attempts == 1 and job.worker_id == "host:4242:dead"


def test_a_heartbeat_in_the_cache_counts_while_the_database_is_locked(tenant: Tenant) -> None:
    """On SQLite a long import holds the write lock, so the heartbeat's UPDATE may wait; the
    heartbeat the worker also leaves in the shared cache keeps the job from being swept."""
    job = _abandoned(tenant, attempts=1)
    cache.set(f"outsidein:jobs:heartbeat:{job.pk}", job.worker_id, 60)
    assert sweep_jobs()["retried"] == 0
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


def test_a_queued_job_whose_enqueue_was_lost_is_enqueued_again(tenant: Tenant) -> None:
    CustomerFactory(organisation=tenant.organisation)
    job = Job.objects.create(
        organisation=tenant.organisation, kind="customers.export", title="x", created_by=None
    )
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=11))
    assert sweep_jobs()["requeued"] == 1
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 1


def test_a_job_of_a_kind_nobody_handles_fails_instead_of_hanging(tenant: Tenant) -> None:
    job = Job.objects.create(organisation=tenant.organisation, kind="gone.away", title="x")
    assert run_job(job.pk).status == JobStatus.FAILED
    job.refresh_from_db()
    assert "gone.away" in job.error and job.lease_expires_at is None
