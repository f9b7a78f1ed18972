"""Faults in production mode lose no customer's answer: a web process killed while it serves
submissions, and every database connection dropped (what a PostgreSQL restart does to the web
processes and the worker). The server runs as the README tells an operator to run it
(`outsidein migrate`, `outsidein serve`, `outsidein worker`), behind a proxy's https header.

What "loses nothing" means here: every submission answered 200 is stored exactly once, every
stored one is counted in the rollups and has its arrival task queued (the submission's writes
are one transaction), and the server answers again after the fault."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from tests.deploy_support import OUTSIDEIN, descendants, free_port, run_cli, stop, wait_for_http
from tests.test_deploy import fresh_database_url, production_env  # noqa: F401  (a fixture)

HOST = "cx.example.com"

SETUP = """
from outsidein.core.services import create_administrator
from outsidein.voice import services
admin = create_administrator(org_slug="faults", org_name="Faults", name="A",
                             email="a@example.org", password="x" * 20)
survey = services.open_survey(services.create_survey(
    admin.organisation, template="nps", name="Faults", allow_anonymous=True))
print("KEY", survey.public_key)
"""

# What is stored, read back through the product's models: the reasons of the stored answers,
# the rollups' count, and the arrival tasks (queued and done).
STORED = """
import json
from django.db.models import Sum
from django_tasks_db.models import DBTaskResult
from outsidein.analytics.models import DailyRollup, MonthlyRollup
from outsidein.voice.models import Feedback
tasks = DBTaskResult.objects.filter(task_path__endswith="feedback_arrived")
print("JSON", json.dumps({
    "reasons": list(Feedback.objects.values_list("answers__reason", flat=True)),
    "daily": DailyRollup.objects.aggregate(n=Sum("items"))["n"] or 0,
    "monthly": MonthlyRollup.objects.aggregate(n=Sum("items"))["n"] or 0,
    "tasks": tasks.count(),
    "tasks_done": tasks.filter(status="SUCCESSFUL").count(),
}))
"""


def _shell(code: str, cwd: Path, env: dict[str, str], marker: str) -> str:
    result = run_cli(["manage", "shell", "-c", code], cwd, env)
    assert result.returncode == 0, result.stdout + result.stderr
    match = re.search(rf"^{marker} (.+)$", result.stdout, re.M)
    assert match, result.stdout
    return match.group(1)


class Customers:
    """Threads answering the public survey over keep-alive connections, each answer with a
    reason of its own; what was acknowledged (200) is kept, connection errors counted."""

    def __init__(self, port: int, key: str, token: str) -> None:
        self.port, self.key, self.token = port, key, token
        self.acknowledged: list[tuple[float, str]] = []
        self.failed: list[str] = []
        self.lock = threading.Lock()
        self.running = True
        self.threads: list[threading.Thread] = []

    def answer(self, reason: str, connection: http.client.HTTPConnection) -> int:
        body = urllib.parse.urlencode(
            {"form_token": self.token, "lang": "nl", "nps": "7", "reason": reason}
        )
        connection.request(
            "POST",
            f"/r/{self.key}/",
            body=body,
            headers={
                "Host": HOST,
                "X-Forwarded-Proto": "https",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = connection.getresponse()
        response.read()
        return response.status

    def _run(self, number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = 0
        while self.running:
            reason = f"answer {number}-{sent}"
            sent += 1
            try:
                status = self.answer(reason, connection)
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                with self.lock:
                    self.failed.append(f"{reason}: {type(exc).__name__}")
                continue
            with self.lock:
                if status == 200:
                    self.acknowledged.append((time.monotonic(), reason))
                else:
                    self.failed.append(f"{reason}: HTTP {status}")
        connection.close()

    def start(self, threads: int) -> None:
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(threads)]
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.running = False
        for thread in self.threads:
            thread.join(60)

    def acknowledged_after(self, moment: float) -> int:
        with self.lock:
            return sum(1 for at, _reason in self.acknowledged if at > moment)


def _form_token(port: int, key: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", f"/r/{key}/", headers={"Host": HOST, "X-Forwarded-Proto": "https"})
    response = connection.getresponse()
    page = response.read().decode()
    connection.close()
    assert response.status == 200, (response.status, page[:500])
    match = re.search(r'name="form_token" value="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


def _wait_until(condition: Any, timeout: float, what: Any) -> None:
    """Wait for ``condition()``; ``what`` (a text, or a function giving one at the failure)
    says what did not happen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout:.0f} s: {what() if callable(what) else what}")


@pytest.fixture
def production(tmp_path: Path, fresh_database_url: str) -> Any:  # noqa: F811
    """A migrated production configuration with one open public survey: (env, key)."""
    env = production_env(
        tmp_path / "data",
        OUTSIDEIN_DATABASE_URL=fresh_database_url,
        OUTSIDEIN_PUBLIC_RATE_LIMIT="0",  # the load comes from one address
    )
    migrate = run_cli(["migrate"], tmp_path, env)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    key = _shell(SETUP, tmp_path, env, "KEY")
    return env, key


def _serve(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], int, Path]:
    port = free_port()
    log = tmp_path / "serve.log"
    process = subprocess.Popen(
        [*OUTSIDEIN, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
        start_new_session=True,
    )
    wait_for_http(port, process, 90, log)
    return process, port, log


def _stored(tmp_path: Path, env: dict[str, str]) -> dict[str, Any]:
    return json.loads(_shell(STORED, tmp_path, env, "JSON"))


def _assert_nothing_lost(customers: Customers, stored: dict[str, Any]) -> None:
    reasons = stored["reasons"]
    acknowledged = [reason for _at, reason in customers.acknowledged]
    missing = sorted(set(acknowledged) - set(reasons))
    assert not missing, f"answered 200 but not stored: {missing[:10]}"
    doubles = sorted({r for r in reasons if reasons.count(r) > 1})
    assert not doubles, f"stored twice: {doubles[:10]}"
    # Stored without an acknowledgement (the connection died after the commit) may happen;
    # stored means whole: counted in both rollups and its arrival task queued.
    assert stored["daily"] == stored["monthly"] == len(reasons)
    assert stored["tasks"] == len(reasons)


def test_a_web_process_killed_mid_submission_loses_no_answer(
    tmp_path: Path, production: Any
) -> None:
    env, key = production
    process, port, log = _serve(tmp_path, env)
    customers = Customers(port, key, "")
    try:
        customers.token = _form_token(port, key)
        customers.start(threads=6)
        _wait_until(lambda: len(customers.acknowledged) >= 40, 60, "40 answers before the kill")
        workers = sorted(descendants(process.pid))
        assert workers, "gunicorn has no worker processes"
        os.kill(workers[0], signal.SIGKILL)  # busy: six customers keep both workers serving
        killed_at = time.monotonic()
        _wait_until(
            lambda: customers.acknowledged_after(killed_at) >= 40, 90, "answers after the kill"
        )
        customers.stop()
        assert process.poll() is None, log.read_text()[-2000:]
        assert workers[0] not in descendants(process.pid)  # replaced by a new worker
    finally:
        customers.stop()
        stop(process)
    _assert_nothing_lost(customers, _stored(tmp_path, env))


@pytest.mark.skipif(
    not os.environ.get("OUTSIDEIN_DATABASE_URL", "").startswith("postgres"),
    reason="dropped database connections are a PostgreSQL fault; runs in the PostgreSQL pass",
)
def test_database_connections_dropped_lose_no_answer_and_the_worker_goes_on(
    tmp_path: Path, production: Any
) -> None:
    """A PostgreSQL restart ends every connection of the web processes and the worker. Here the
    server ends them itself (pg_terminate_backend on this test's database), which is what the
    processes see of a restart, without stopping the server the rest of the suite uses."""
    import psycopg

    env, key = production
    process, port, log = _serve(tmp_path, env)
    worker_log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [*OUTSIDEIN, "worker"],
        stdout=worker_log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
        start_new_session=True,
    )
    database_url = env["OUTSIDEIN_DATABASE_URL"]
    database = database_url.rsplit("/", 1)[1]
    customers = Customers(port, key, "")
    try:
        customers.token = _form_token(port, key)
        customers.start(threads=4)
        _wait_until(lambda: len(customers.acknowledged) >= 30, 60, "30 answers before the drop")
        with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as db:
            dropped = db.execute(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()) t",
                [database],
            ).fetchone()
        assert dropped and dropped[0] >= 2, "the web processes and the worker held connections"
        dropped_at = time.monotonic()
        _wait_until(
            lambda: customers.acknowledged_after(dropped_at) >= 30, 60, "answers after the drop"
        )
        customers.stop()
        # A submission in flight when its connection went is written again on a new one (a
        # read repeated, a transaction that never reached its commit retried): none failed.
        assert not customers.failed, customers.failed[:10]
        # The worker reconnects and works off every arrival task, those queued after the drop
        # included.
        _wait_until(
            lambda: (lambda s: s["tasks_done"] == s["tasks"])(_stored(tmp_path, env)),
            120,
            lambda: "the worker ran every arrival task:\n" + worker_log.read_text()[-2000:],
        )
        assert worker.poll() is None, worker_log.read_text()[-2000:]
        assert process.poll() is None, log.read_text()[-2000:]
    finally:
        customers.stop()
        stop(worker)
        stop(process)
    _assert_nothing_lost(customers, _stored(tmp_path, env))
