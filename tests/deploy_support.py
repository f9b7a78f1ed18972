"""Running the `outsidein` command as an operator does: subprocesses, a clean environment, free
ports, and one loaded demo database per version of the code (loading it takes minutes)."""

from __future__ import annotations

import fcntl
import hashlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

OUTSIDEIN = [sys.executable, "-m", "outsidein.cli"]
SRC = Path(__file__).resolve().parent.parent / "src" / "outsidein"
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


def wait_for_http(
    port: int, process: subprocess.Popen[str] | None, timeout: float, log: Path | None = None
) -> None:
    """Wait until 127.0.0.1:port answers HTTP at all (any status, redirects not followed), or
    fail with what the process wrote to its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            out = log.read_text() if log and log.exists() else ""
            raise AssertionError(
                f"the server exited ({process.returncode}) before answering:\n{out}"
            )
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/login/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
        finally:
            connection.close()
    out = log.read_text()[-3000:] if log and log.exists() else ""
    raise AssertionError(f"port {port} did not answer within {timeout:.0f} s:\n{out}")


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


def _source_digest() -> str:
    """A digest of the code that shapes the demo database: a new one when any of it changes."""
    digest = hashlib.sha256()
    for path in sorted(SRC.rglob("*")):
        if path.suffix in {".py", ".json", ".csv", ".txt"} and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(SRC)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def demo_data_dir() -> Path:
    """A data folder holding the loaded demo organisation, made with `outsidein demo --no-serve`
    (migrate from nothing, then the whole demo load, which takes minutes on 2 busy cores) and
    kept in the temp folder for as long as the code is the same. Tests take a copy with
    `outsidein backup` and never write to it. The load's output is kept in demo-load.txt."""
    prebuilt = os.environ.get("OUTSIDEIN_TEST_DEMO_DATA")  # a developer's loaded data folder
    if prebuilt:
        return Path(prebuilt)
    root = Path(tempfile.gettempdir()) / f"outsidein-test-demo-{_source_digest()}"
    data = root / "data"
    root.mkdir(parents=True, exist_ok=True)
    with (root / "lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test session may be building it right now
        if not (root / "demo-load.txt").exists():
            shutil.rmtree(data, ignore_errors=True)
            result = run_cli(
                ["demo", "--no-serve"],
                root,
                clean_env(OUTSIDEIN_DATA_DIR=str(data)),
                timeout=2400,
            )
            assert result.returncode == 0, result.stdout + result.stderr
            (root / "demo-load.txt").write_text(
                result.stdout + "\n--- stderr ---\n" + result.stderr
            )
    return data


def demo_load_output() -> str:
    output = demo_data_dir().parent / "demo-load.txt"
    if not output.exists():
        pytest.skip("OUTSIDEIN_TEST_DEMO_DATA names a data folder loaded elsewhere")
    return output.read_text()


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
