"""The Redis task backend with a database fallback: nothing is lost when Redis is down.

``RQWithFallbackBackend`` is django-tasks-rq's backend; when Redis cannot be reached at
enqueue time (down, restarting, a network split) the task goes to the database queue instead
(the ``fallback`` backend, django-tasks-db), which every worker drains beside its Redis queue.
So a customer's answer is stored and its follow-up work (text analysis, webhooks, the
follow-up case) still runs, a little later.
"""

from __future__ import annotations

import logging
from typing import Any

from django_tasks import task_backends
from django_tasks.base import Task, TaskResult
from django_tasks_rq import RQBackend
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)


class RQWithFallbackBackend(RQBackend):
    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        super().__init__(alias, params)
        self.fallback_alias: str = self.options.get("fallback", "fallback")

    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:  # type: ignore[override]
        try:
            return super().enqueue(task, args, kwargs)
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            logger.warning(
                "Redis is unreachable (%s); task %s waits in the database queue instead",
                exc,
                task.module_path,
            )
            fallback = task_backends[self.fallback_alias]
            return fallback.enqueue(task.using(backend=self.fallback_alias), args, kwargs)
