"""Configuration errors and the `outsidein` command, run as a user runs them (subprocesses)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUTSIDEIN = [sys.executable, "-m", "outsidein.cli"]


def run_cli(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OUTSIDEIN_")}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    clean.update({"OUTSIDEIN_DATA_DIR": str(tmp_path / "data"), **env})
    return subprocess.run(
        [*OUTSIDEIN, *args], capture_output=True, text=True, env=clean, timeout=120, cwd=tmp_path
    )


def test_help_explains_every_command(tmp_path: Path) -> None:
    result = run_cli(["--help"], tmp_path)
    assert result.returncode == 0
    for command in ("demo", "serve", "worker", "migrate", "createadmin", "seed-demo"):
        assert command in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = run_cli(["migrate"], tmp_path, OUTSIDEIN_ENV="production", OUTSIDEIN_ALLOWED_HOSTS="x")
    assert result.returncode == 2
    assert "OUTSIDEIN_SECRET_KEY is missing" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path: Path) -> None:
    result = run_cli(
        ["migrate"], tmp_path, OUTSIDEIN_ENV="production", OUTSIDEIN_SECRET_KEY="s" * 50
    )
    assert result.returncode == 2
    assert "OUTSIDEIN_ALLOWED_HOSTS" in result.stderr


def test_a_bad_database_url_is_named(tmp_path: Path) -> None:
    result = run_cli(["migrate"], tmp_path, OUTSIDEIN_DATABASE_URL="mysqlish:/nonsense")
    assert result.returncode == 2
    assert "OUTSIDEIN_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_reported(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_cli(
        ["migrate"], tmp_path, OUTSIDEIN_DATABASE_URL=f"postgresql://nobody@127.0.0.1:{port}/x"
    )
    assert result.returncode == 2
    assert "Cannot reach the database" in result.stderr


def test_a_bad_boolean_is_named(tmp_path: Path) -> None:
    result = run_cli(["migrate"], tmp_path, OUTSIDEIN_DEBUG="maybe")
    assert result.returncode == 2
    assert "OUTSIDEIN_DEBUG must be true or false" in result.stderr


def test_the_local_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    assert run_cli(["migrate"], tmp_path).returncode == 0
    key_file = tmp_path / "data" / "secret_key.txt"
    first = key_file.read_text()
    assert len(first) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert run_cli(["manage", "check"], tmp_path).returncode == 0
    assert key_file.read_text() == first
    assert (tmp_path / "data" / "outsidein.sqlite3").exists()


def test_serve_reports_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli(["serve", "--port", str(port)], tmp_path)
    assert result.returncode == 2
    assert f"Port {port}" in result.stderr and "already in use" in result.stderr


def test_createadmin_then_login_works(tmp_path: Path) -> None:
    assert run_cli(["migrate"], tmp_path).returncode == 0
    result = run_cli(
        [
            "createadmin",
            "--org",
            "acme",
            "--org-name",
            "Acme B.V.",
            "--email",
            "boss@acme.test",
            "--password",
            "a-long-admin-passphrase",
        ],
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "boss@acme.test" in result.stdout
    again = run_cli(
        [
            "createadmin",
            "--org",
            "acme",
            "--email",
            "boss@acme.test",
            "--password",
            "another-long-pass",
        ],
        tmp_path,
    )
    assert again.returncode == 2
    assert "email" in again.stderr


def test_production_settings_are_secure(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0,"
        " s.DEBUG, s.SECURE_SSL_REDIRECT)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OUTSIDEIN_")}
    clean.update(
        OUTSIDEIN_ENV="production",
        OUTSIDEIN_SECRET_KEY="k" * 50,
        OUTSIDEIN_ALLOWED_HOSTS="cx.example.com",
        OUTSIDEIN_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="outsidein.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + code],
        capture_output=True,
        text=True,
        env=clean,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "True", "True", "False", "True"], result.stderr


@pytest.mark.django_db
def test_pages_send_security_headers(client: Any) -> None:
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"<script>" not in response.content  # no inline scripts anywhere
