"""`outsidein demo` as a long-running process: its first load shows progress, and it stops its web
server and worker on SIGTERM (a service manager, `docker stop`, `kill`) as on Ctrl+C, leaving no
process behind that still serves the port."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.deploy_support import (
    OUTSIDEIN,
    alive,
    clean_env,
    copy_demo_database,
    demo_load_output,
    descendants,
    free_port,
    port_open,
    stop,
    wait_for_http,
)

ROOT = Path(__file__).resolve().parent.parent

# These tests use their own SQLite data folders whatever the suite's database is: the
# PostgreSQL pass would only repeat them.
pytestmark = pytest.mark.skipif(
    os.environ.get("OUTSIDEIN_DATABASE_URL", "").startswith("postgres"),
    reason="database-independent; runs in the SQLite pass",
)


def test_the_first_demo_load_shows_its_progress() -> None:
    output = demo_load_output()
    assert "the first time takes a few minutes" in output
    assert "a few seconds" not in output
    steps = re.findall(r"^\[\s*(\d+)%\] (.+)$", output, re.M)  # not a terminal: a line a step
    labels = [label for _percent, label in steps]
    assert labels[0] == "customers and people" and labels[-1] == "ready"
    for label in ("surveys and feedback", "practice", "ideas", "text analytics", "index"):
        assert label in labels
    percents = [int(percent) for percent, _label in steps]
    assert percents == sorted(percents) and percents[-1] == 100
    assert re.search(r"^Loaded in \d+ s\.$", output, re.M)
    assert "Demo organisation ready:" in output and "2000 customers" in output


@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl+C"])
def test_demo_stops_its_server_and_worker(tmp_path: Path, how: str) -> None:
    data = tmp_path / "data"
    copy_demo_database(data)
    port = free_port()
    log = tmp_path / "demo.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*OUTSIDEIN, "demo", "--port", str(port), "--workers", "1"],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            env=clean_env(OUTSIDEIN_DATA_DIR=str(data)),
            cwd=tmp_path,
            start_new_session=True,  # its own process group, as in a terminal
        )
    children: set[int] = set()
    try:
        wait_for_http(port, process, timeout=300, log=log)
        # gunicorn's master and its worker, and the background worker.
        for _ in range(50):
            children = descendants(process.pid)
            if len(children) >= 3:
                break
            time.sleep(0.2)
        assert len(children) >= 3, children
        if how == "SIGTERM":
            process.send_signal(signal.SIGTERM)  # to the demo only, as `kill PID` does
        else:
            os.killpg(process.pid, signal.SIGINT)  # Ctrl+C reaches the whole process group
        process.wait(timeout=60)
        assert process.returncode in (0, 130), log.read_text()[-3000:]
        assert not port_open(port)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(pid) for pid in children):
            time.sleep(0.2)
        assert not [pid for pid in children if alive(pid)], log.read_text()[-3000:]
        assert "Traceback" not in log.read_text()
    finally:
        stop(process)
        for pid in children:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_make_demo_passes_host_and_port(tmp_path: Path) -> None:
    result = subprocess.run(
        ["make", "-n", "demo", "HOST=0.0.0.0", "PORT=8111"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "outsidein demo --host 0.0.0.0 --port 8111" in result.stdout
