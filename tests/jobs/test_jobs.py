"""Background jobs: progress, results, failure, permissions, and a real worker run."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import transaction

from outsidein.jobs.models import Job, JobStatus
from outsidein.jobs.services import job_handler, run_job, start_job
from tests.conftest import Tenant
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@job_handler("tests.fail")
def _failing(job: Job, report: Any) -> dict[str, Any]:
    report(40, "about to fail")
    raise RuntimeError("the disk is full")


def test_export_job_writes_every_customer_of_the_organisation(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    CustomerFactory.create_batch(3, organisation=tenant.organisation)
    CustomerFactory(organisation=other_tenant.organisation, name="Not ours")
    job = Job.objects.create(
        organisation=tenant.organisation,
        kind="customers.export",
        title="x",
        created_by=tenant.admin,
    )
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100
    path = Path(django_settings.MEDIA_ROOT) / job.result["file"]
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == 3 == job.result["rows"]
    assert "Not ours" not in {row["name"] for row in rows}
    assert "3 customers written" in job.log


def test_a_failing_job_records_the_error_and_is_not_rerun(tenant: Tenant) -> None:
    job = Job.objects.create(organisation=tenant.organisation, kind="tests.fail", title="x")
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "the disk is full" in job.error
    assert job.progress == 40
    finished_at = job.finished_at
    run_job(job.pk)
    job.refresh_from_db()
    assert job.finished_at == finished_at


def test_export_from_the_page_runs_and_downloads(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    CustomerFactory.create_batch(2, organisation=tenant.organisation)
    client = tenant.client_for(tenant.manager)  # exporting is granted
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/customers/export/")
    assert response.status_code == 302
    job = Job.objects.get()
    page = client.get(response["Location"])
    assert b"Download" in page.content
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert b"external_id" in b"".join(download.streaming_content)


def test_jobs_of_others_are_not_visible(tenant: Tenant, other_tenant: Tenant) -> None:
    mine = Job.objects.create(
        organisation=tenant.organisation,
        kind="customers.export",
        title="mine",
        created_by=tenant.employee,
    )
    colleague = Job.objects.create(
        organisation=tenant.organisation,
        kind="customers.export",
        title="colleague",
        created_by=tenant.manager,
    )
    foreign = Job.objects.create(
        organisation=other_tenant.organisation, kind="customers.export", title="f"
    )
    employee = tenant.client_for(tenant.employee)
    assert employee.get(f"/jobs/{mine.pk}/").status_code == 200
    assert employee.get(f"/jobs/{colleague.pk}/").status_code == 404
    assert employee.get(f"/jobs/{foreign.pk}/download/").status_code == 404
    admin = tenant.client_for(tenant.admin)
    assert admin.get(f"/jobs/{colleague.pk}/").status_code == 200
    assert admin.get(f"/jobs/{foreign.pk}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_a_queued_job(tenant: Tenant, settings: Any) -> None:
    """The real path: enqueue into the database backend on commit, then `db_worker --batch`
    runs it (the worker manages its own connections, so this test commits for real)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    CustomerFactory.create_batch(2, organisation=tenant.organisation)
    with transaction.atomic():
        job = start_job(
            tenant.organisation, kind="customers.export", title="x", created_by=tenant.admin
        )
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    call_command("db_worker", batch=True, interval=0.1, verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["rows"] == 2
