"""Leases: who holds a piece of work, and a heartbeat that keeps holding it.

A job or a scheduled round is claimed by one atomic UPDATE (or a unique INSERT) that records the
holder and when its lease expires. While the work runs, a ``Heartbeat`` thread renews the lease;
when the holder dies (``kill -9``, a lost machine) the renewals stop, the lease expires, and
another worker may take the work over. Works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connections

logger = logging.getLogger(__name__)

_PROCESS_ID = uuid.uuid4().hex[:8]


def worker_id() -> str:
    """Names this process (and thread) as the holder of a lease: host, pid, a random tag."""
    thread = threading.current_thread()
    suffix = "" if thread is threading.main_thread() else f":{thread.name}"
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{_PROCESS_ID}{suffix}"[:100]


def lease_duration() -> timedelta:
    return timedelta(seconds=settings.JOB_LEASE_SECONDS)


def heartbeat_interval() -> float:
    return settings.JOB_LEASE_SECONDS / 4


class Heartbeat:
    """Calls ``beat()`` every ``interval`` seconds in a daemon thread until stopped.

    ``beat`` renews a lease with its own database connection (the thread's); it returns False
    when the lease was lost (another worker took the work over), after which the heartbeat
    stops. Failures (a locked SQLite database, a restarting PostgreSQL) are logged and retried
    at the next beat: the lease is several beats long.
    """

    def __init__(self, beat: Callable[[], bool], *, interval: float, name: str) -> None:
        self._beat = beat
        self._interval = interval
        self._stop = threading.Event()
        self.lost = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=max(5.0, self._interval))

    def _run(self) -> None:
        try:
            while not self._stop.wait(self._interval):
                try:
                    close_old_connections()
                    if not self._beat():
                        self.lost = True
                        logger.warning("%s: the lease was taken over; heartbeat stops", self.name)
                        return
                except Exception:
                    logger.warning("%s: heartbeat failed, retrying", self.name, exc_info=True)
        finally:
            connections.close_all()

    @property
    def name(self) -> str:
        return self._thread.name
