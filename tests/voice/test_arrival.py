"""A customer's submission is lean: the request stores the answer, counts it and enqueues one
task; the follow-up, the text analysis and the outgoing webhooks come from the worker, once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks.backends.base import BaseTaskBackend

from outsidein.core import ratelimit
from outsidein.practice.models import Case
from outsidein.text.models import FeedbackAnalysis
from outsidein.voice import services
from outsidein.voice.models import Delivery, Feedback, OutboundHook
from outsidein.voice.tasks import feedback_arrived
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _queued(name: str) -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path__endswith=name, status="READY").count()


def _run_worker() -> None:
    """The database backend's worker over what is queued. On PostgreSQL it closes the
    database connection when done, the test's own: there the queued rows run the same way
    (the task each names, its arguments), in order, until none is left."""
    if connection.vendor == "sqlite":
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
        return
    from django_tasks_db.models import DBTaskResult

    while batch := list(DBTaskResult.objects.filter(status="READY").order_by("enqueued_at")):
        for row in batch:
            row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
            DBTaskResult.objects.filter(pk=row.pk).update(status="SUCCESSFUL")


def test_the_follow_up_appears_after_the_worker_runs_exactly_once(
    settings: Any, tenant: Tenant, public_url: str, answer: Any
) -> None:
    settings.TASKS = DATABASE_TASKS
    OutboundHook.objects.create(
        organisation=tenant.organisation, url="http://127.0.0.1:9/in", secret="whsec_"
    )
    response = answer(public_url, {"nps": "2", "reason": "De monteur kwam niet opdagen."})
    assert response.status_code == 200
    feedback = Feedback.objects.get()
    # The request itself opened nothing and sent nothing: it queued one task.
    assert not Case.objects.exists()
    assert not Delivery.objects.exists()
    assert _queued("feedback_arrived") == 1

    _run_worker()
    case = Case.objects.get()
    assert case.feedback_id == feedback.pk
    assert Delivery.objects.filter(event="feedback.created").count() == 1
    deliveries = Delivery.objects.count()
    # The text analysis, queued by the task and run by the same worker.
    assert FeedbackAnalysis.objects.filter(feedback=feedback).exists()

    # The same task again (a retry, a worker killed after its commit): nothing new.
    assert feedback_arrived.call(feedback_id=feedback.pk) is True
    services.process_arrival(feedback.pk)
    assert list(Case.objects.values_list("pk", flat=True)) == [case.pk]
    assert Delivery.objects.count() == deliveries


@pytest.mark.parametrize("store", ["cache", "database"])
def test_a_public_submission_runs_a_pinned_set_of_statements(
    settings: Any, client: Any, public_url: str, store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12, item 7: the customer's request is the survey's version check, the insert, the
    rollup upsert (day and month) and the task row; the rate limit is a cache operation, or
    one upsert where the counts live in the database. On PostgreSQL the four writes are one
    statement (``voice.single_statement``) that checks the survey's version itself; on SQLite
    a read of the version, then four writes in one transaction. Any statement added to this
    path fails here."""
    from tests.voice.conftest import form_token

    settings.TASKS = DATABASE_TASKS
    settings.RATELIMIT_STORE = store
    # The database store sweeps expired counters on one request in a hundred, at random: not
    # on this one (the sweep has tests of its own).
    monkeypatch.setattr(ratelimit, "purge_expired", lambda: 0)
    token = form_token(client.get(public_url).content)
    assert client.post(public_url, {"form_token": token, "nps": "8"}).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            public_url, {"form_token": token, "nps": "2", "reason": "Niemand belde terug."}
        )
    assert response.status_code == 200
    statements = [query["sql"] for query in captured.captured_queries]
    tables = ["voice_feedback", "analytics_dailyrollup", "analytics_monthlyrollup"]
    tables.append("django_tasks_database_dbtaskresult")
    if connection.vendor == "postgresql":
        combined = [sql for sql in statements if sql.startswith("WITH f AS (INSERT INTO")]
        assert len(combined) == 1, statements
        written = re.findall(r'INSERT INTO "?(\w+)"?', combined[0])
        assert written == tables, combined
        statements.remove(combined[0])
        expected = ["WITH"]
    else:
        expected = list(tables)
    written = [
        match.group(1)
        for sql in statements
        if (match := re.match(r'INSERT INTO "?(\w+)"?', sql)) is not None
    ]
    if store == "database":
        assert written[0] == "core_ratecounter", statements
        expected.insert(0, "core_ratecounter")
    if connection.vendor == "sqlite":
        assert written == expected, statements
    reads = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
    if connection.vendor == "postgresql":
        assert reads == [] and "FROM voice_survey" in combined[0], statements
    else:
        assert len(reads) == 1 and "voice_survey" in reads[0], statements
    # The writes and reads plus, around them, a savepoint inside the test's own transaction
    # (begin and end): the one statement needs no transaction of its own outside tests.
    assert len(statements) + (connection.vendor == "postgresql") == (
        len(expected) + len(reads) + 2
    ), statements
    assert _queued("feedback_arrived") == 2


def test_a_happy_answer_queues_the_task_and_opens_nothing(
    settings: Any, public_url: str, answer: Any
) -> None:
    settings.TASKS = DATABASE_TASKS
    assert answer(public_url, {"nps": "10"}).status_code == 200
    _run_worker()
    assert not Case.objects.exists()
    assert _queued("feedback_arrived") == 0


def test_a_partial_answer_queues_nothing_until_it_is_complete(
    settings: Any, client: Any, public_url: str
) -> None:
    from tests.voice.conftest import form_token

    settings.TASKS = DATABASE_TASKS
    token = form_token(client.get(public_url).content)
    client.post(public_url, {"form_token": token, "nps": "1", "partial": "1"})
    assert _queued("feedback_arrived") == 0
    client.post(public_url, {"form_token": token, "nps": "1", "reason": "Te laat"})
    assert _queued("feedback_arrived") == 1
    _run_worker()
    assert Case.objects.count() == 1


def test_feedback_deleted_before_the_worker_runs_is_skipped(
    settings: Any, public_url: str, answer: Any
) -> None:
    settings.TASKS = DATABASE_TASKS
    answer(public_url, {"nps": "0"})
    services.delete_feedback(Feedback.objects.get())
    _run_worker()
    assert not Case.objects.exists()


def test_an_employee_logging_a_complaint_gets_the_case_at_once(
    settings: Any, tenant: Tenant
) -> None:
    settings.TASKS = DATABASE_TASKS
    feedback, _created = services.record_feedback(
        tenant.organisation,
        kind="complaint",
        channel="phone",
        author=tenant.employee,
        comment="De rekening is te hoog.",
    )
    assert Case.objects.get().feedback_id == feedback.pk
    assert _queued("feedback_arrived") == 0


class _Unreachable(BaseTaskBackend):
    """A queue that is down (Redis unreachable)."""

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> Any:
        raise ConnectionError("Connection refused")


def test_a_queue_that_is_down_loses_nothing(
    settings: Any, public_url: str, answer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": f"{__name__}._Unreachable"}}
    with django_capture_on_commit_callbacks(execute=True):
        response = answer(public_url, {"nps": "3", "reason": "Niemand belde terug."})
    assert response.status_code == 200
    # Enqueueing failed after the commit: the request ran the arrival itself.
    assert Case.objects.get().feedback_id == Feedback.objects.get().pk


def test_an_import_of_history_opens_no_cases(settings: Any, tenant: Tenant) -> None:
    from outsidein.voice.imports import run_import

    settings.TASKS = DATABASE_TASKS
    raw = b"submission_id,submitted_at,nps,comment\nh1,2026-01-05,0,Slecht\nh2,2026-01-06,1,Erg\n"
    report = run_import(tenant.organisation, raw, filename="history.csv")
    assert report.accepted == 2
    assert not Case.objects.exists()
    assert _queued("feedback_arrived") == 0
