"""On PostgreSQL a new, complete answer is one statement (``voice.single_statement``): its row,
the day's and the month's rollup increments and the worker's task row. Outside a transaction
(as in production) it commits by itself, and a connection lost around it is resolved by the
task row's key: written once either way."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError, connection
from django_tasks_db.models import DBTaskResult

from outsidein.analytics import rollups
from outsidein.voice import services, single_statement
from outsidein.voice.models import Feedback, Survey

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL only: SQLite has no writing WITH"
    ),
]

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _submit(survey: Survey, nps: str, reason: str = "") -> Feedback:
    return services.submit_response(
        survey, data={"nps": nps, "reason": reason}, channel="link", language="nl"
    )


def _written(survey: Survey) -> list[tuple[int, int | None, int]]:
    """Each feedback row with its score and how many task rows name it."""
    tasks = [
        row["kwargs"]["feedback_id"]
        for row in DBTaskResult.objects.values_list("args_kwargs", flat=True)
    ]
    return [
        (pk, nps, tasks.count(pk))
        for pk, nps in Feedback.objects.filter(survey=survey)
        .order_by("pk")
        .values_list("pk", "nps")
    ]


def test_one_statement_writes_what_the_usual_path_writes(settings: Any, survey: Survey) -> None:
    settings.TASKS = DATABASE_TASKS
    assert not connection.in_atomic_block and single_statement.available()
    answers = [_submit(survey, str(score), "Te laat" if score < 7 else "") for score in range(11)]
    assert [(f.pk, f.nps, 1) for f in answers] == _written(survey)
    stored = Feedback.objects.get(pk=answers[3].pk)
    assert (stored.is_complete, stored.comment, stored.team_id) == (True, "Te laat", survey.team_id)
    # The rollups equal recomputation from the rows, day and month.
    organisation_id = survey.organisation_id
    daily, monthly = (
        rollups.snapshot(organisation_id),
        rollups.snapshot(organisation_id, monthly=True),
    )
    rollups.rebuild(organisation_id)
    assert rollups.snapshot(organisation_id) == daily
    assert rollups.snapshot(organisation_id, monthly=True) == monthly
    assert sum(counts["detractors"] for counts in daily.values()) == 7


def test_the_statement_is_converted_once_not_on_every_submission(
    settings: Any, survey: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """psycopg converts placeholders (``%s`` to ``$n``) on every execution and caches that
    only for statements of at most 50 parameters; this one has about a hundred. The prepared
    cursor numbers them once per text (``core.prepared.numbered``): psycopg converts nothing."""
    import psycopg._queries

    settings.TASKS = DATABASE_TASKS
    _submit(survey, "9", "warm")
    conversions = []
    for name in ("_query2pg", "_query2pg_nocache"):
        original = getattr(psycopg._queries, name)

        def spy(*args: Any, _original: Any = original, _name: str = name) -> Any:
            conversions.append(_name)
            return _original(*args)

        monkeypatch.setattr(psycopg._queries, name, spy)
    feedback = _submit(survey, "3", "te duur")
    assert conversions == []
    assert Feedback.objects.get(pk=feedback.pk).nps == 3


def test_an_answer_lost_after_the_commit_is_not_written_twice(
    settings: Any, survey: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.TASKS = DATABASE_TASKS
    send = single_statement._send
    calls = []

    def commit_then_lose(sql: str, params: list[Any]) -> Any:
        calls.append(sql)
        if len(calls) == 1:
            send(sql, params)  # committed on the server; the answer never reaches us
            raise OperationalError("server closed the connection unexpectedly")
        return send(sql, params)

    monkeypatch.setattr(single_statement, "_send", commit_then_lose)
    feedback = _submit(survey, "2", "Niemand belde terug")
    assert len(calls) == 1  # not sent again: its task row showed it was written
    assert _written(survey) == [(feedback.pk, 2, 1)]


def test_an_answer_lost_before_it_arrived_is_sent_again(
    settings: Any, survey: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.TASKS = DATABASE_TASKS
    send = single_statement._send
    calls = []

    def lose_then_send(sql: str, params: list[Any]) -> Any:
        calls.append(sql)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return send(sql, params)

    monkeypatch.setattr(single_statement, "_send", lose_then_send)
    feedback = _submit(survey, "9")
    assert len(calls) == 2
    assert _written(survey) == [(feedback.pk, 9, 1)]
    assert feedback.pk is not None and not feedback._state.adding


def test_without_the_database_queue_the_usual_path_writes(settings: Any, survey: Survey) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    assert not single_statement.available()
    feedback = _submit(survey, "4")
    assert Feedback.objects.get().pk == feedback.pk
    assert not DBTaskResult.objects.exists()
