"""A large import on SQLite writes in steps (the write lock is never held for the whole file),
and is still all or nothing: a failure after some steps leaves no rows and no rollup change."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from outsidein.analytics import rollups
from outsidein.voice import import_write, imports, services
from outsidein.voice.models import Feedback, Survey
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db(transaction=True)

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL imports in one transaction"
)


def _csv(rows: int, prefix: str = "r") -> bytes:
    lines = ["submission_id,submitted_at,nps,comment"]
    lines += [
        f"{prefix}{i},2026-0{1 + i % 9}-1{i % 10},{i % 11},Opmerking {i}" for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def _state(tenant: Tenant) -> tuple[Any, ...]:
    org = tenant.organisation.pk
    return (
        Feedback.objects.filter(organisation=tenant.organisation).count(),
        Survey.objects.filter(organisation=tenant.organisation).count(),
        rollups.snapshot(org),
        rollups.snapshot(org, monthly=True),
    )


@sqlite_only
def test_an_import_commits_step_by_step(tenant: Tenant, monkeypatch: Any) -> None:
    monkeypatch.setattr(imports, "WRITE_STEP_ROWS", 7)
    commits = []
    real = imports._Importer._write

    def write(self: Any, chunk: Any, pending: Any) -> None:
        commits.append(connection.in_atomic_block)
        real(self, chunk, pending)

    monkeypatch.setattr(imports._Importer, "_write", write)
    report = imports.run_import(tenant.organisation, _csv(30), filename="history.csv")
    assert report.accepted == 30
    assert len(commits) == 5  # 30 rows in steps of 7, each its own transaction
    assert Feedback.objects.count() == 30
    # At the end the rollups equal a recomputation.
    org = tenant.organisation.pk
    before = rollups.snapshot(org)
    rollups.rebuild(org)
    assert rollups.snapshot(org) == before


@sqlite_only
def test_a_failed_import_after_some_steps_leaves_nothing_behind(
    tenant: Tenant, monkeypatch: Any
) -> None:
    # Feedback that was there before the import stays, as do its rollups.
    services.record_feedback(tenant.organisation, kind="review", channel="email", nps=9)
    imports.run_import(tenant.organisation, _csv(5, prefix="old"), filename="old.csv")
    before = _state(tenant)

    monkeypatch.setattr(imports, "WRITE_STEP_ROWS", 4)
    real = import_write.write
    calls = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(import_write, "write", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        imports.run_import(tenant.organisation, _csv(30), filename="history.csv")
    assert len(calls) == 4  # three steps were committed before the failure
    assert _state(tenant) == before


@sqlite_only
def test_a_failure_at_the_very_end_undoes_every_step(tenant: Tenant, monkeypatch: Any) -> None:
    before = _state(tenant)
    monkeypatch.setattr(imports, "WRITE_STEP_ROWS", 6)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit down")

    monkeypatch.setattr(imports.audit, "record", broken)
    with pytest.raises(RuntimeError, match="audit down"):
        imports.run_import(tenant.organisation, _csv(20), filename="history.csv")
    assert _state(tenant) == before


def test_an_import_in_a_transaction_is_one_transaction(tenant: Tenant) -> None:
    from django.db import transaction

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        imports.run_import(tenant.organisation, _csv(12), filename="history.csv")
        raise Undo
    assert not Feedback.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's statistics")
def test_a_large_import_refreshes_the_planners_statistics(tenant: Tenant, monkeypatch: Any) -> None:
    """Right after a million rows the planner still believed the feedback table small and read
    every new row for a themes page (0.9 s instead of 0.08 s): a large import analyses the
    tables it filled."""

    def analysed() -> dict[str, Any]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, analyze_count FROM pg_stat_user_tables WHERE relname = ANY(%s)",
                [list(imports.ANALYZED_TABLES)],
            )
            return dict(cursor.fetchall())

    monkeypatch.setattr(imports, "ANALYZE_AFTER_ROWS", 20)
    before = analysed()
    report = imports.run_import(tenant.organisation, _csv(30), filename="history.csv")
    assert report.accepted == 30
    after = analysed()
    for table in imports.ANALYZED_TABLES:
        assert after[table] > before.get(table, 0), table
