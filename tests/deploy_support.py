"""Running the `outsidein` command as an operator does: subprocesses, a clean environment, free
ports, and one demo database per test session (loading it takes a minute or two)."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

OUTSIDEIN = [sys.executable, "-m", "outsidein.cli"]
STRONG_KEY = "pR7#vQ2!mX9kL4@wZ8nB3$tY6hJ1^cF5gD0&sA7eU2*iO9pK4lM8qN3rT6yV1xW5"


def clean_env(**settings: str) -> dict[str, str]:
    """The test runner's environment without any OUTSIDEIN_ setting, plus the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTSIDEIN_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(settings)
    return env


def run_cli(
    args: list[str], cwd: Path, env: dict[str, str], timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*OUTSIDEIN, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_for_http(url: str, process: subprocess.Popen[str] | None, timeout: float) -> None:
    """Wait until the URL answers at all (any status), or fail with the process's output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            out = process.stdout.read() if process.stdout else ""
            raise AssertionError(
                f"the server exited ({process.returncode}) before answering:\n{out}"
            )
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout:.0f} s")


def descendants(pid: int) -> set[int]:
    """Every living process below pid (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    """True for a running process (a zombie waiting to be reaped does not count)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def stop(process: subprocess.Popen[str]) -> None:
    """Make sure a server the test started is gone, whatever the test did."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_demo_dir: Path | None = None


def demo_data_dir() -> Path:
    """A data folder holding the loaded demo organisation, made once per test session with
    `outsidein demo --no-serve` (migrate from nothing, then the whole demo load). Tests take a
    copy with `outsidein backup` and never write to it. Its output is kept in demo-load.txt."""
    global _demo_dir
    if _demo_dir is None:
        root = Path(tempfile.mkdtemp(prefix="outsidein-demo-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        data = root / "data"
        result = run_cli(
            ["demo", "--no-serve"], root, clean_env(OUTSIDEIN_DATA_DIR=str(data)), timeout=900
        )
        assert result.returncode == 0, result.stdout + result.stderr
        (root / "demo-load.txt").write_text(result.stdout + "\n--- stderr ---\n" + result.stderr)
        _demo_dir = data
    return _demo_dir


def demo_load_output() -> str:
    return (demo_data_dir().parent / "demo-load.txt").read_text()


def copy_demo_database(into: Path) -> Path:
    """Restore the session's demo database into a new data folder, as an operator restores a
    backup: `outsidein backup` of the source, the file placed as outsidein.sqlite3."""
    source = demo_data_dir()
    into.mkdir(parents=True, exist_ok=True)
    backup = into / "restore.sqlite3"
    result = run_cli(
        ["backup", "--out", str(backup)], into, clean_env(OUTSIDEIN_DATA_DIR=str(source))
    )
    assert result.returncode == 0, result.stderr
    target = into / "outsidein.sqlite3"
    backup.replace(target)
    return target
