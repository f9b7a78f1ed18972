"""Enqueueing voice's tasks by name, so that services need not import the task modules (tasks
import services; see DESIGN.md, "Tasks and services without circles")."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

# Backends whose enqueue belongs inside the customer's transaction: the database backend (the
# task row commits with the feedback, so neither exists without the other) and the immediate
# one (tests: the task runs at once, as if the worker were instant).
_IN_TRANSACTION = {
    "django_tasks_db.DatabaseBackend",
    "django_tasks.backends.immediate.ImmediateBackend",
    "django_tasks.backends.dummy.DummyBackend",
}


def _in_transaction() -> bool:
    return settings.TASKS["default"]["BACKEND"] in _IN_TRANSACTION


def feedback_arrived(feedback: Any) -> None:
    """Have the worker run the listeners and webhooks for this (complete) feedback.

    With the database backend the task row is written in the caller's transaction: one more
    insert, and no follow-up is lost if the process dies right after the commit. With another
    backend (Redis) the task is enqueued once the feedback is committed (a worker must find
    it); if that fails (Redis down) the request runs the arrival itself, after its commit, so
    nothing is lost and the customer's answer is stored either way."""
    from outsidein.voice.tasks import feedback_arrived as task

    pk = feedback.pk
    if tasks_in_database():
        _insert_task_row(task, {"feedback_id": pk})
        return
    if _in_transaction():
        task.enqueue(feedback_id=pk)
        return

    def enqueue() -> None:
        try:
            task.enqueue(feedback_id=pk)
        except Exception:
            logger.warning(
                "Could not enqueue the arrival of feedback %s; running it in this process",
                pk,
                exc_info=True,
            )
            from outsidein.voice.services import process_arrival

            try:
                process_arrival(pk)
            except Exception:
                logger.exception("The arrival of feedback %s failed", pk)

    transaction.on_commit(enqueue)


def _insert_task_row(task: Any, kwargs: dict[str, Any]) -> None:
    """What the database backend's ``enqueue`` writes, without building the task result it
    returns (and nobody here reads): a third of a submission's CPU went there. The row is the
    backend's own model, so its worker runs it as any other."""
    from outsidein.voice import rowinsert

    rowinsert.insert(_task_row(task, kwargs))


def _task_row(task: Any, kwargs: dict[str, Any]) -> Any:
    import uuid

    from django_tasks_db.models import DBTaskResult

    return DBTaskResult(
        id=uuid.uuid4(),
        args_kwargs={"args": [], "kwargs": kwargs},
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after,
        backend_name="default",
    )


def tasks_in_database() -> bool:
    return bool(settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend")


def arrival_task_row() -> Any:
    """The database queue's task row for ``feedback_arrived``, its ``feedback_id`` 0 for the
    caller to fill (``voice.single_statement`` writes it beside the feedback), or None where
    the queue is not the database."""
    if not tasks_in_database():
        return None
    from outsidein.voice.tasks import feedback_arrived as task

    return _task_row(task, {"feedback_id": 0})
