"""Importing another tool's history: unknown customer numbers create customers (or match by
email, or are rejected when asked), and reasons read in the reader's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from outsidein.core.models import Customer
from outsidein.privacy.models import ConsentEvent
from outsidein.voice.imports import run_import
from outsidein.voice.models import Feedback
from tests.conftest import Tenant
from tests.factories import CustomerFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

HEADER = "submission_id,customer_external_id,email,customer_name,submitted_at,nps,comment\n"


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


HISTORY = _csv(
    "h1,OLD-1,ann@example.org,Ann Jansen,2026-01-05,9,Fijn",
    "h2,OLD-1,,,2026-02-05,7,",
    "h3,OLD-2,bob@example.org,,2026-01-06,3,Traag",
    "h4,OLD-3,,,2026-01-07,8,",
    "h5,OLD-4,not-an-email,,2026-01-07,8,",
    "h6,OLD-5,,,2026-01-07,11,",
)


def test_unknown_customer_numbers_create_customers_by_default(tenant: Tenant) -> None:
    report = run_import(tenant.organisation, HISTORY, filename="history.csv")
    assert (report.rows, report.accepted, report.rejected) == (6, 4, 2)
    assert report.customers_created == 3
    assert {(e.row, e.column) for e in report.errors} == {(6, "email"), (7, "nps")}
    ann = Customer.objects.get(organisation=tenant.organisation, external_id="OLD-1")
    assert (ann.name, ann.email) == ("Ann Jansen", "ann@example.org")
    assert set(Feedback.objects.filter(customer=ann).values_list("external_id", flat=True)) == {
        "h1",
        "h2",
    }
    bob = Customer.objects.get(organisation=tenant.organisation, external_id="OLD-2")
    assert bob.name == "bob@example.org"  # no name: the email address names the customer
    assert Customer.objects.get(external_id="OLD-3").name == "OLD-3"
    assert ConsentEvent.objects.filter(customer=ann, source="import").count() == 1
    assert report.to_dict()["customers_created"] == 3
    # Again: nothing new, no customer twice.
    again = run_import(tenant.organisation, HISTORY, filename="history.csv")
    assert (again.accepted, again.already_imported, again.customers_created) == (0, 4, 0)
    assert Customer.objects.filter(organisation=tenant.organisation).count() == 3


def test_dry_run_counts_the_customers_it_would_create_and_creates_none(tenant: Tenant) -> None:
    report = run_import(tenant.organisation, HISTORY, filename="history.csv", dry_run=True)
    assert (report.accepted, report.customers_created) == (4, 3)
    assert not Customer.objects.exists() and not Feedback.objects.exists()


def test_match_email_uses_the_existing_customer(tenant: Tenant) -> None:
    bob = CustomerFactory(organisation=tenant.organisation, email="Bob@Example.org", external_id="")
    other = OrganisationFactory()
    CustomerFactory(organisation=other, email="ann@example.org", external_id="")
    report = run_import(tenant.organisation, HISTORY, filename="h.csv", match_email=True)
    assert report.customers_created == 2  # OLD-1 (Ann: only another organisation knows her)
    assert Feedback.objects.get(external_id="h3").customer == bob
    assert not Customer.objects.filter(external_id="OLD-2").exists()
    ann = Customer.objects.get(organisation=tenant.organisation, external_id="OLD-1")
    assert ann.organisation == tenant.organisation


def test_without_match_email_a_known_address_gets_a_customer_of_its_own(tenant: Tenant) -> None:
    CustomerFactory(organisation=tenant.organisation, email="bob@example.org", external_id="")
    run_import(tenant.organisation, HISTORY, filename="h.csv")
    assert Feedback.objects.get(external_id="h3").customer.external_id == "OLD-2"


def test_no_new_customers_keeps_the_strict_behaviour(tenant: Tenant) -> None:
    CustomerFactory(organisation=tenant.organisation, external_id="OLD-3")
    report = run_import(tenant.organisation, HISTORY, filename="h.csv", new_customers=False)
    assert report.accepted == 1 and report.customers_created == 0
    rejected = {e.row: e.column for e in report.errors}
    assert rejected[2] == "customer_external_id"
    with translation.override("en"):
        assert report.errors[0].reason == "no customer has number OLD-1"
    assert Customer.objects.count() == 1


def test_a_customer_number_of_another_organisation_is_not_used(tenant: Tenant) -> None:
    other = OrganisationFactory()
    foreign = CustomerFactory(organisation=other, external_id="OLD-1")
    run_import(tenant.organisation, HISTORY, filename="h.csv")
    row = Feedback.objects.get(external_id="h1")
    assert row.customer != foreign and row.customer.organisation == tenant.organisation


def test_reasons_follow_the_readers_language(tenant: Tenant) -> None:
    with translation.override("nl"):
        report = run_import(tenant.organisation, HISTORY, filename="h.csv")
    nps = next(e for e in report.errors if e.column == "nps")
    with translation.override("en"):
        assert nps.reason == "11 is outside 0–10"
    with translation.override("nl"):
        assert nps.reason == "11 valt buiten 0–10"


def test_import_page_creates_customers_and_reports_in_english(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    tenant.manager.language = "nl"  # the job runs in Dutch; the reader reads English
    tenant.manager.save()
    client = tenant.client_for(tenant.manager)
    upload = client.post("/imports/", {"file": SimpleUploadedFile("h.csv", HISTORY)})
    mapping = client.get(upload["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert b'name="customers"' in mapping.content
    post = {"map_0": "submission_id", "map_1": "customer_external_id", "map_2": "email"}
    post |= {"map_3": "customer_name", "map_4": "submitted_at", "map_5": "nps"}
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(upload["Location"], {**post, "customers": "create"})
    client.cookies["django_language"] = "en"
    page = client.get(started["Location"])
    job = page.context["job"]
    assert job.status == "succeeded", (job.error, job.log)
    assert job.result["customers_created"] == 3
    text = page.content.decode()
    assert 'data-testid="customers-created"' in text
    assert "11 is outside 0–10" in text and "valt buiten" not in text


def test_import_page_can_refuse_new_customers(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = tenant.client_for(tenant.manager)
    upload = client.post("/imports/", {"file": SimpleUploadedFile("h.csv", HISTORY)})
    post = {"map_0": "submission_id", "map_1": "customer_external_id", "map_4": "submitted_at"}
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(upload["Location"], {**post, "map_5": "nps", "customers": "reject"})
    job = client.get(started["Location"]).context["job"]
    assert job.result["customers_created"] == 0 and job.result["accepted"] == 0
    assert not Customer.objects.exists()


def test_cli_options(tenant: Tenant, tmp_path: Any, capsys: Any) -> None:
    from outsidein.cli import main

    CustomerFactory(organisation=tenant.organisation, email="bob@example.org", external_id="")
    file = tmp_path / "history.csv"
    file.write_bytes(HISTORY)
    slug = tenant.organisation.slug
    assert main(["import", str(file), "--org", slug, "--no-new-customers", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "customers would be created: 0" in out and "no customer has number OLD-1" in out
    assert main(["import", str(file), "--org", slug, "--match-email"]) == 0
    out = capsys.readouterr().out
    assert "customers created: 2" in out  # OLD-1 and OLD-3; OLD-2 is Bob, by his address
    assert Feedback.objects.get(external_id="h3").customer.email == "bob@example.org"
