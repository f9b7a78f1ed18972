"""Importing responses from CSV and XLSX: the real path, bad files, idempotence, the CLI."""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from outsidein.analytics import rollups
from outsidein.voice import imports
from outsidein.voice.imports import ImportFileError, run_import
from outsidein.voice.models import Feedback, Survey
from tests.conftest import Tenant
from tests.factories import CustomerFactory, SegmentFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "submission_id,customer_external_id,email,submitted_at,channel,nps,csat,ces,comment,language\n"
)


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


def test_default_columns_import_without_mapping(tenant: Tenant) -> None:
    segment = SegmentFactory(organisation=tenant.organisation)
    customer = CustomerFactory(
        organisation=tenant.organisation, external_id="PS-1", segment=segment
    )
    raw = _csv(
        "s1,PS-1,,2026-03-01T10:00:00+01:00,email,9,,,Prima service,nl",
        's2,,,2026-03-02,link,3,2,6,"Te duur, en traag",en',
        "s3,,unknown@example.org,02-03-2026 14:30,,,4,,,",
    )
    report = run_import(tenant.organisation, raw, filename="responses.csv")
    assert (report.rows, report.accepted, report.rejected) == (3, 3, 0)
    first = Feedback.objects.get(external_id="s1")
    assert (first.customer, first.segment, first.nps, first.channel) == (
        customer,
        segment,
        9,
        "email",
    )
    second = Feedback.objects.get(external_id="s2")
    assert (second.csat, second.ces, second.comment, second.language) == (
        2,
        6,
        "Te duur, en traag",
        "en",
    )
    survey = Survey.objects.get(pk=report.survey_id)
    assert survey.created_for_import and set(survey.questions.values_list("key", flat=True)) >= {
        "nps",
        "comment",
    }
    assert rollups.snapshot(tenant.organisation.pk) == rollups.deltas(Feedback.objects.all(), +1)


def test_reimporting_the_same_file_adds_nothing(tenant: Tenant) -> None:
    raw = _csv("a,,,2026-03-01,,9,,,,", "b,,,2026-03-01,,7,,,,")
    run_import(tenant.organisation, raw, filename="x.csv")
    again = run_import(tenant.organisation, raw, filename="x.csv")
    assert (again.accepted, again.already_imported) == (0, 2)
    assert Feedback.objects.count() == 2
    assert Survey.objects.count() == 1


def test_every_bad_row_is_named_and_no_good_row_is_lost(tenant: Tenant) -> None:
    raw = _csv(
        "ok1,,,2026-03-01,,10,,,,",
        ",,,2026-03-01,,9,,,,",
        "bad-date,,,March 3rd,,9,,,,",
        "bad-nps,,,2026-03-01,,11,,,,",
        "bad-csat,,,2026-03-01,,,zes,,,",
        "bad-customer,NOPE,,2026-03-01,,9,,,,",
        "empty,,,2026-03-01,,,,,,",
        "ok1,,,2026-03-02,,8,,,,",
        "bad-lang,,,2026-03-01,,9,,,,fr",
        "future,,,2099-01-01,,9,,,,",
        "ok2,,,2026-03-01,,0,,,,",
    )
    report = run_import(tenant.organisation, raw, filename="x.csv", new_customers=False)
    assert report.accepted == 2 and report.rejected == 9
    reasons = {(e.row, e.column) for e in report.errors}
    assert reasons == {
        (3, "submission_id"),
        (4, "submitted_at"),
        (5, "nps"),
        (6, "csat"),
        (7, "customer_external_id"),
        (8, ""),
        (9, "submission_id"),
        (10, "language"),
        (11, "submitted_at"),
    }
    assert all(e.reason for e in report.errors)
    assert set(Feedback.objects.values_list("external_id", flat=True)) == {"ok1", "ok2"}


def test_mapping_other_headers(tenant: Tenant) -> None:
    raw = b"Ticket;Datum;Score;Toelichting\nT-1;2026-02-01;8;Goed\nT-2;2026-02-02;2;Slecht\n"
    mapping = {
        "Ticket": "submission_id",
        "Datum": "submitted_at",
        "Score": "nps",
        "Toelichting": "comment",
    }
    report = run_import(tenant.organisation, raw, filename="export.csv", mapping=mapping)
    assert report.accepted == 2
    assert Feedback.objects.get(external_id="T-2").comment == "Slecht"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"name,score\nx,1\n", "Required columns are missing"),
        (b"submission_id,submitted_at\nx,2026-01-01\n", "nothing to import"),
        (b"\x00\x01\x02garbage" * 1000, "not a text file"),
        (b"PK\x03\x04not really a zip", "not a readable Excel"),
    ],
    ids=["empty", "missing-columns", "no-measures", "binary", "fake-xlsx"],
)
def test_unreadable_files_give_a_readable_error_and_import_nothing(
    tenant: Tenant, raw: bytes, message: str
) -> None:
    with pytest.raises(ImportFileError, match=message):
        run_import(tenant.organisation, raw, filename="f.csv")
    assert not Feedback.objects.exists() and not Survey.objects.exists()


def test_fifty_megabytes_of_garbage(tenant: Tenant) -> None:
    rng = random.Random(7)
    garbage = bytes(rng.getrandbits(8) for _ in range(1 << 16)) * 800  # ~52 MB
    with pytest.raises(ImportFileError):
        run_import(tenant.organisation, garbage, filename="garbage.csv")
    assert not Feedback.objects.exists()


def test_windows_1252_is_read_with_a_warning(tenant: Tenant) -> None:
    raw = _csv("w1,,,2026-03-01,,9,,,Café was ruim en prettig,nl").decode().encode("cp1252")
    report = run_import(tenant.organisation, raw, filename="excel.csv")
    assert report.accepted == 1 and report.warnings
    assert Feedback.objects.get().comment == "Café was ruim en prettig"


def test_mapping_errors_are_named(tenant: Tenant) -> None:
    raw = _csv("a,,,2026-03-01,,9,,,,")
    with pytest.raises(ImportFileError, match="does not have: Score"):
        run_import(tenant.organisation, raw, filename="x.csv", mapping={"Score": "nps"})
    with pytest.raises(ImportFileError, match="does not know: happiness"):
        run_import(tenant.organisation, raw, filename="x.csv", mapping={"nps": "happiness"})


def test_xlsx_import(tenant: Tenant) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["submission_id", "submitted_at", "nps", "comment", "kind", "subject"])
    sheet.append(["x1", datetime(2026, 1, 5, 9, 30), 10, "Top", "review", ""])
    sheet.append(["x2", "2026-01-06", None, "Storing al drie dagen", "complaint", "Storing"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run_import(tenant.organisation, buffer.getvalue(), filename="reviews.xlsx")
    assert report.accepted == 2, report.errors
    complaint = Feedback.objects.get(external_id="x2")
    assert (complaint.kind, complaint.subject, complaint.survey) == ("complaint", "Storing", None)


def test_import_into_an_existing_survey_with_dry_run_first(tenant: Tenant) -> None:
    from outsidein.voice import services

    survey = services.create_survey(tenant.organisation, name="Bestaand", team=tenant.manager.team)
    raw = _csv("d1,,,2026-03-01,,9,,,,")
    dry = run_import(tenant.organisation, raw, filename="x.csv", survey=survey, dry_run=True)
    assert dry.accepted == 1 and not Feedback.objects.exists()
    run_import(tenant.organisation, raw, filename="x.csv", survey=survey)
    feedback = Feedback.objects.get()
    assert (feedback.survey, feedback.team) == (survey, tenant.manager.team)


def test_import_page_maps_columns_and_runs_the_job(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = tenant.client_for(tenant.manager)  # importing is granted (admins, managers)
    raw = b"id,when,score\nu1,2026-03-01,6\nu2,nonsense,9\n"
    upload = client.post("/imports/", {"file": SimpleUploadedFile("scores.csv", raw)})
    assert upload.status_code == 302
    mapping_page = client.get(upload["Location"])
    assert b"scores.csv" in mapping_page.content
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            upload["Location"], {"map_0": "submission_id", "map_1": "submitted_at", "map_2": "nps"}
        )
    assert started.status_code == 302
    job_page = client.get(started["Location"])
    job = job_page.context["job"]
    assert job.status == "succeeded", (job.error, job.log)
    assert b'data-testid="import-report"' in job_page.content
    assert job_page.context["job"].result["accepted"] == 1
    assert job_page.context["job"].result["errors"][0]["row"] == 3
    assert Feedback.objects.count() == 1


def test_cli_import_prints_counts(tenant: Tenant, tmp_path: Path, settings: Any) -> None:
    """Runs the real command against a real database file (subprocess)."""
    data_dir = tmp_path / "data"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OUTSIDEIN_")},
        "OUTSIDEIN_DATA_DIR": str(data_dir),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    cli = [sys.executable, "-m", "outsidein.cli"]
    assert (
        subprocess.run([*cli, "migrate"], env=env, capture_output=True, timeout=120).returncode == 0
    )
    subprocess.run(
        [
            *cli,
            "createadmin",
            "--org",
            "acme",
            "--email",
            "a@acme.test",
            "--password",
            "long-admin-pass",
        ],
        env=env,
        capture_output=True,
        check=True,
        timeout=60,
    )
    file = tmp_path / "reviews.csv"
    file.write_bytes(b"Nr,Datum,Cijfer\n1,2026-01-01,9\n2,2026-01-02,12\n")
    mapping = json.dumps({"Nr": "submission_id", "Datum": "submitted_at", "Cijfer": "nps"})
    result = subprocess.run(
        [*cli, "import", str(file), "--org", "acme", "--mapping", mapping],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "accepted:         1" in result.stdout and "rejected:         1" in result.stdout
    assert "row 3, nps" in result.stdout
    metrics = subprocess.run(
        [*cli, "metrics", "--org", "acme", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(metrics.stdout)["overall"]["nps"]["n"] == 1
    bad = subprocess.run(
        [*cli, "import", str(file), "--org", "nope"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "No organisation" in bad.stderr


def test_a_file_that_breaks_after_some_chunks_imports_nothing(
    tenant: Tenant, monkeypatch: Any
) -> None:
    """A malformed line after some chunks were read imports nothing (and creates no survey):
    on SQLite the whole file is read before anything is inserted, on PostgreSQL the chunks
    already inserted are rolled back."""
    monkeypatch.setattr("outsidein.voice.imports.CHUNK_ROWS", 2)
    rows = [f"c{i},,,2026-03-0{1 + i % 5},,{i % 11},,,,nl" for i in range(7)]
    big = b"x" * (imports.CELL_LIMIT + 1)  # over the limit of one cell
    raw = _csv(*rows) + b'c9,,,2026-03-01,,9,,,"' + big + b'",nl\n'
    with pytest.raises(ImportFileError, match="too large"):
        run_import(tenant.organisation, raw, filename="broken.csv")
    assert not Feedback.objects.exists() and not Survey.objects.exists()
    assert rollups.snapshot(tenant.organisation.pk) == {}


def test_chunked_import_and_reimport_keep_rollups_equal_to_recomputation(
    tenant: Tenant, monkeypatch: Any
) -> None:
    monkeypatch.setattr("outsidein.voice.imports.CHUNK_ROWS", 3)
    rows = [f"k{i},,,2026-03-{1 + i % 9:02d}T1{i % 10}:00:00Z,,{i % 11},,,,nl" for i in range(10)]
    rows.insert(4, "k2,,,2026-03-01,,5,,,,nl")  # a repeated id, named in the report
    raw = _csv(*rows)
    first = run_import(tenant.organisation, raw, filename="x.csv")
    assert (first.accepted, first.rejected) == (10, 1)
    assert "repeats the id of row 4" in str(first.errors[0])
    again = run_import(tenant.organisation, raw, filename="x.csv")
    assert (again.accepted, again.already_imported, again.rejected) == (0, 10, 1)
    assert Feedback.objects.count() == 10
    snapshot = rollups.snapshot(tenant.organisation.pk)
    rollups.rebuild(tenant.organisation.pk)
    assert snapshot == rollups.snapshot(tenant.organisation.pk)


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("submission_id,submitted_at,nps,comment,store", "x1,2026-03-01,9,Goed,Amsterdam"),
        ("submission_id,submitted_at,nps,comment,store", "x1,2026-03-01,9,Goed,3"),
        ("submission_id,store,submitted_at,nps,comment", "x1,4,2026-03-01,9,Goed"),
        ("submission_id,submitted_at,nps,comment", "x1,2026-03-01,9,Goed,5,Amsterdam"),
    ],
    ids=["trailing-text", "trailing-number", "middle-number", "row-longer-than-header"],
)
def test_a_column_that_is_not_ours_leaks_into_no_field(
    tenant: Tenant, header: str, row: str
) -> None:
    """Fields the file lacks (csat, ces, rating, kind, language, …) read an empty cell, never
    the file's own extra column, wherever it stands."""
    report = run_import(tenant.organisation, f"{header}\n{row}\n".encode(), filename="x.csv")
    assert (report.accepted, report.rejected) == (1, 0), [str(e) for e in report.errors]
    feedback = Feedback.objects.get()
    assert (feedback.nps, feedback.csat, feedback.ces, feedback.rating) == (9, None, None, None)
    assert (feedback.comment, feedback.kind, feedback.subject) == ("Goed", "response", "")
    assert feedback.language == tenant.organisation.language


def test_an_extra_column_is_ignored_with_a_mapping_too(tenant: Tenant) -> None:
    raw = b"Nr,Winkel,Datum,Cijfer\nm1,2,2026-03-01,7\n"
    mapping = {"Nr": "submission_id", "Datum": "submitted_at", "Cijfer": "nps"}
    report = run_import(tenant.organisation, raw, filename="x.csv", mapping=mapping)
    assert (report.accepted, report.rejected) == (1, 0), [str(e) for e in report.errors]
    assert Feedback.objects.values_list("nps", "csat", "ces", "rating").get() == (
        7,
        None,
        None,
        None,
    )


@pytest.mark.django_db(transaction=True)
def test_import_job_progress_shows_on_the_job_page_while_it_runs(
    tenant: Tenant, monkeypatch: Any, tmp_path: Path
) -> None:
    """The job page, read from another connection (another request), shows the import's
    progress before the import has committed. On SQLite the file is read and checked before
    the transaction starts, so that part of the progress is in the job's row as well."""
    import threading

    from django.db import connection

    from outsidein.jobs.models import Job
    from outsidein.jobs.services import start_job
    from outsidein.voice import import_write

    monkeypatch.setattr("outsidein.voice.imports.CHUNK_ROWS", 4)
    monkeypatch.setattr("outsidein.voice.imports.PROGRESS_EVERY", 4)
    path = tmp_path / "big.csv"
    path.write_bytes(_csv(*(f"p{i},,,2026-03-0{1 + i % 5},,{i % 11},,,,nl" for i in range(16))))
    viewer = tenant.client_for(tenant.employee)
    seen: list[tuple[int, int]] = []  # (the page's progress, the row's progress)

    def look() -> None:
        try:
            job = Job.objects.get(kind="voice.import")
            page = viewer.get(f"/jobs/{job.pk}/")
            assert page.status_code == 200
            seen.append((page.context["job"].progress, job.progress))
        finally:
            connection.close()

    real_write = import_write.write

    def write(*args: Any, **kwargs: Any) -> Any:
        changes = real_write(*args, **kwargs)
        assert connection.in_atomic_block  # inserting: inside the import's transaction
        elsewhere = threading.Thread(target=look)
        elsewhere.start()
        elsewhere.join(timeout=30)
        return changes

    monkeypatch.setattr(import_write, "write", write)
    start_job(
        tenant.organisation,
        kind="voice.import",
        title="Import big.csv",
        created_by=tenant.employee,
        params={"path": str(path), "filename": "big.csv"},
    )  # runs at once: autocommit, immediate task backend
    job = Job.objects.get(kind="voice.import")
    assert job.status == "succeeded", (job.error, job.log)
    assert job.result["accepted"] == 16 and Feedback.objects.count() == 16
    assert len(seen) == 4, seen
    pages = [page for page, _row in seen]
    assert 0 < pages[0] < pages[1] < pages[2] < pages[3] < 100, seen
    if connection.vendor == "sqlite":
        # Reading and checking happened before the transaction: its progress was committed.
        assert all(row >= 40 for _page, row in seen), seen
    else:
        # PostgreSQL writes while it reads, in the transaction: the page's progress comes
        # from the shared cache (the job's row is written at the end), and it rises with
        # the rows read, not to the reading's 45 % at once.
        assert pages[0] < 45, seen
