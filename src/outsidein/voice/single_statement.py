"""A new, complete piece of feedback written in one statement on PostgreSQL: its row, the day's
and the month's rollup increments and the worker's task row, as one data-modifying ``WITH``
statement that PostgreSQL plans once per connection (``core.prepared``).

Why: a public submission sent seven messages to the database (the survey's version, BEGIN, four
writes, COMMIT) where the framework's floor (validate a form, insert a row) sends one; the
messages, each a round trip for the driver and a protocol cycle for the server, were most of
the difference. One statement is atomic on its own: it needs no BEGIN and no COMMIT.

A lost connection: the task row's key is made here (a UUID), so the outcome of a statement
whose answer never came is known on a new connection. The task row is there: the statement
committed (the feedback's id is read from the row). It is not: nothing was written, and the
statement is sent once more. Only where the database queue holds the tasks (the default); with
Redis the task is enqueued after the commit and the feedback goes the usual way.

A condition: the feedback's row is inserted only where it holds (``WHERE``), and the rollups and
the task row only where the feedback's row was (``FROM f``). The public survey pages pass the
version of the survey the answers were checked against, so the version is read by the write
itself instead of by a query of its own before it (``voice.public``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.db import InterfaceError, OperationalError, connection

from outsidein.analytics import rollups
from outsidein.core import prepared
from outsidein.voice import dispatch, rowinsert

if TYPE_CHECKING:
    from outsidein.voice.models import Feedback

logger = logging.getLogger(__name__)

# An SQL condition with its parameters.
Condition = tuple[str, list[Any]]


class ConditionFailed(Exception):
    """The statement's condition did not hold: nothing was written."""


def available() -> bool:
    """Whether a new complete feedback can go in one statement here: PostgreSQL, with the
    database task queue."""
    return connection.vendor == "postgresql" and dispatch.tasks_in_database()


def write(feedback: Feedback, *, only_if: Condition | None = None) -> bool:
    """Insert ``feedback`` (new, complete, checked) with its rollup increments and the task
    that runs its arrival in the worker, in one statement. False (nothing written) where that
    is not available: the caller writes it the usual way. ``only_if``: an SQL condition the
    write depends on; where it is false nothing is written and ``ConditionFailed`` raised."""
    if connection.vendor != "postgresql":
        return False
    task_row = dispatch.arrival_task_row()
    if task_row is None:
        return False
    feedback_row = rowinsert.prepare(feedback)
    if feedback_row is None:
        return False
    task = rowinsert.prepare(task_row)
    if task is None:
        return False
    sql, params = _statement(feedback, feedback_row, task, only_if)
    if connection.in_atomic_block:
        # Inside a caller's transaction: its outcome is the caller's to know.
        returned = _send(sql, params)
    else:
        try:
            returned = _send(sql, params)
        except (OperationalError, InterfaceError):
            connection.close()
            returned = _written_before(task_row)
            if returned is None:
                logger.warning("The database connection was lost during a submission; retrying")
                returned = _send(sql, params)
    if returned is None:
        raise ConditionFailed
    feedback_row.finish(returned)
    task_row.args_kwargs["kwargs"]["feedback_id"] = feedback.pk
    task.finish(None)
    return True


def _statement(
    feedback: Feedback,
    feedback_row: rowinsert.PreparedRow,
    task: rowinsert.PreparedRow,
    only_if: Condition | None,
) -> tuple[str, list[Any]]:
    [(day_sql, day_params), (month_sql, month_params)] = rollups.upsert_statements(
        feedback.organisation_id, feedback, source="f"
    )
    condition_sql, condition_params = only_if or ("", [])
    sql = _statement_text(feedback_row, task, day_sql, month_sql, condition_sql)
    return sql, [
        *feedback_row.params,
        *condition_params,
        *day_params,
        *month_params,
        *task.params,
    ]


# The statement's text by its parts' texts: the same for every submission (the parts are built
# once per process), so it is written once.
_texts: dict[tuple[str, ...], str] = {}


def _statement_text(
    feedback_row: rowinsert.PreparedRow,
    task: rowinsert.PreparedRow,
    day_sql: str,
    month_sql: str,
    condition_sql: str,
) -> str:
    key = (feedback_row.sql, task.sql, day_sql, month_sql, condition_sql)
    text = _texts.get(key)
    if text is None:
        quote = connection.ops.quote_name
        feedback_id = f"f.{quote(feedback_row.returning[0].column)}"
        feedback_sql = feedback_row.select_sql(condition=condition_sql, returning=True)
        task_sql = task.select_sql(
            {"args_kwargs": f"jsonb_set(%s, '{{kwargs,feedback_id}}', to_jsonb({feedback_id}))"},
            source="f",
        )
        # Placeholders in the order of the parameters: the feedback's values, the condition's,
        # the day's and the month's upserts, the task row's.
        writes = f"f AS ({feedback_sql}), d AS ({day_sql}), m AS ({month_sql}), t AS ({task_sql})"
        text = _texts[key] = f"WITH {writes} SELECT * FROM f"  # noqa: S608  (identifiers)
    return text


def _send(sql: str, params: list[Any]) -> Any:
    with prepared.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _written_before(task_row: Any) -> tuple[int] | None:
    """The feedback id the lost statement wrote, read from its task row; None when it wrote
    nothing."""
    from django_tasks_db.models import DBTaskResult

    found = DBTaskResult.objects.filter(pk=task_row.pk).values_list("args_kwargs", flat=True)
    for args_kwargs in found:
        return (int(args_kwargs["kwargs"]["feedback_id"]),)
    return None
