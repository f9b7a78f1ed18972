"""On PostgreSQL an import writes while it reads (``imports._ReadAhead``): the database inserts
and checks one chunk while a thread reads the next. Still one transaction, all or nothing, new
customers created before the first row that names them, errors in the reader's language."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from outsidein.analytics import rollups
from outsidein.core.models import Customer
from outsidein.voice import import_write, imports
from outsidein.voice.imports import ImportFileError, run_import
from outsidein.voice.models import Feedback, Survey
from tests.conftest import Tenant

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL streams imports"),
]

HEADER = "submission_id,customer_external_id,email,customer_name,submitted_at,nps,comment\n"


def _csv(rows: int) -> bytes:
    # Every row names a customer number of its own: each chunk brings new customers.
    lines = [
        f"s{i},NEW-{i},klant{i}@example.org,Klant {i},2026-03-{1 + i % 28:02d},{i % 11},Rij {i}"
        for i in range(rows)
    ]
    return (HEADER + "".join(line + "\n" for line in lines)).encode()


def _readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "import-reader"]


def test_chunks_are_written_before_the_file_is_read_to_the_end(
    tenant: Tenant, monkeypatch: Any
) -> None:
    monkeypatch.setattr(imports, "CHUNK_ROWS", 3)
    real = import_write.write
    read_when_written: list[int] = []
    report_seen: list[Any] = []
    real_init = imports._ReadAhead.__init__

    def init(self: Any, chunks: Any, customers: Any, report: Any) -> None:
        report_seen.append(report)
        real_init(self, chunks, customers, report)

    def write(*args: Any, **kwargs: Any) -> Any:
        assert connection.in_atomic_block
        read_when_written.append(report_seen[0].rows)
        return real(*args, **kwargs)

    monkeypatch.setattr(imports._ReadAhead, "__init__", init)
    monkeypatch.setattr(import_write, "write", write)
    report = run_import(tenant.organisation, _csv(30), filename="history.csv")
    assert report.accepted == 30 and report.customers_created == 30
    assert len(read_when_written) == 10
    # The reader runs at most DEPTH chunks (and the one it is making) ahead of the writer.
    assert read_when_written[0] < 30, read_when_written
    assert not _readers()


def test_every_row_names_the_customer_of_its_own_number(tenant: Tenant, monkeypatch: Any) -> None:
    monkeypatch.setattr(imports, "CHUNK_ROWS", 4)
    raw = _csv(22)
    # A known customer in the middle of the file, and a new one named again later.
    raw += b"s100,NEW-3,,,2026-03-02,5,again\n"
    report = run_import(tenant.organisation, raw, filename="history.csv")
    assert report.accepted == 23 and report.customers_created == 22
    pairs = Feedback.objects.filter(organisation=tenant.organisation).values_list(
        "external_id", "customer__external_id", "customer__name"
    )
    for external_id, number, name in pairs:
        expected = "NEW-3" if external_id == "s100" else f"NEW-{external_id[1:]}"
        assert number == expected, (external_id, number)
        assert name == f"Klant {expected[4:]}"
    assert Customer.objects.filter(organisation=tenant.organisation).count() == 22


def test_a_failure_while_writing_stops_the_reader_and_leaves_nothing(
    tenant: Tenant, monkeypatch: Any
) -> None:
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    real = import_write.write
    calls = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(import_write, "write", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        run_import(tenant.organisation, _csv(40), filename="history.csv")
    assert len(calls) == 3
    assert not _readers()
    assert not Feedback.objects.exists() and not Survey.objects.exists()
    assert not Customer.objects.filter(organisation=tenant.organisation).exists()
    assert rollups.snapshot(tenant.organisation.pk) == {}


def test_a_reading_error_half_way_is_in_the_readers_language_and_imports_nothing(
    tenant: Tenant, monkeypatch: Any
) -> None:
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    big = b"x" * (imports.CELL_LIMIT + 1)
    raw = _csv(9) + b's99,NEW-99,,,2026-03-01,9,"' + big + b'"\n'
    with translation.override("nl"), pytest.raises(ImportFileError) as caught:
        run_import(tenant.organisation, raw, filename="broken.csv")
    assert "de cel is te groot" in str(caught.value), str(caught.value)
    assert not _readers()
    assert not Feedback.objects.exists() and not Survey.objects.exists()
    assert not Customer.objects.filter(organisation=tenant.organisation).exists()


def test_foreign_keys_are_deferred_again_after_an_import_in_a_transaction(
    tenant: Tenant,
) -> None:
    """The import checks its foreign keys per chunk (``SET CONSTRAINTS ALL IMMEDIATE``); the
    caller's transaction gets Django's deferred checks back."""
    passed_the_update = []
    with pytest.raises(IntegrityError), transaction.atomic():
        run_import(tenant.organisation, _csv(3), filename="history.csv")
        with connection.cursor() as cursor:
            # A dangling customer id: deferred, this passes here and fails at the commit.
            cursor.execute(
                "UPDATE voice_feedback SET customer_id = %s WHERE organisation_id = %s",
                [2_000_000_000, tenant.organisation.pk],
            )
        passed_the_update.append(True)
    assert passed_the_update  # the failure came at the commit, not at the update
    assert not Feedback.objects.exists()
