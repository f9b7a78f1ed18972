"""Running it for real: static files in production mode, `outsidein check-deploy`, `outsidein
backup` with a restore, the trusted-proxy setting, and commands run where there is no database."""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from tests.deploy_support import STRONG_KEY, clean_env, free_port, run_cli

SRC = Path(__file__).resolve().parent.parent / "src" / "outsidein"
SUITE_DATABASE = os.environ.get("OUTSIDEIN_DATABASE_URL", "")
# Subprocess tests on their own SQLite data folders: the PostgreSQL pass would only repeat them.
sqlite_pass_only = pytest.mark.skipif(
    SUITE_DATABASE.startswith("postgres"), reason="own SQLite folders; runs in the SQLite pass"
)


@pytest.fixture
def fresh_database_url() -> Iterator[str]:
    """In the PostgreSQL pass, an empty database of its own on that server; else "" (SQLite in
    the data folder)."""
    if not SUITE_DATABASE.startswith("postgres"):
        yield ""
        return
    import psycopg

    name = f"outsidein_deploy_{secrets.token_hex(4)}"
    server = SUITE_DATABASE.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_env(data: Path, **extra: str) -> dict[str, str]:
    """A complete, good production configuration on SQLite in `data`."""
    return clean_env(
        OUTSIDEIN_ENV="production",
        OUTSIDEIN_SECRET_KEY=STRONG_KEY,
        OUTSIDEIN_ALLOWED_HOSTS="cx.example.com",
        OUTSIDEIN_BASE_URL="https://cx.example.com",
        OUTSIDEIN_TRUSTED_PROXIES="127.0.0.1",
        OUTSIDEIN_DATA_DIR=str(data),
        OUTSIDEIN_EMAIL_HOST="smtp.example.com",
        OUTSIDEIN_EMAIL_PORT="587",
        OUTSIDEIN_EMAIL_USE_TLS="true",
        OUTSIDEIN_DEFAULT_FROM_EMAIL="Acme <cx@example.com>",
        **extra,
    )


# --- static files ------------------------------------------------------------------------------


def test_no_shipped_script_or_stylesheet_names_a_source_map_that_is_not_shipped() -> None:
    """collectstatic in production mode fails on a sourceMappingURL whose map is missing."""
    dangling = []
    for path in SRC.glob("**/static/**/*"):
        if path.suffix not in {".js", ".css"}:
            continue
        for name in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(errors="replace")):
            if not name.startswith("data:") and not (path.parent / name).exists():
                dangling.append(f"{path.relative_to(SRC)} -> {name}")
    assert not dangling, dangling


@sqlite_pass_only
def test_collectstatic_succeeds_in_production_mode(tmp_path: Path) -> None:
    result = run_cli(
        ["manage", "collectstatic", "--noinput"], tmp_path, production_env(tmp_path / "data")
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "data" / "static" / "staticfiles.json").read_text())
    for name in (
        "outsidein/app.css",
        "outsidein/vendor/chart-4.5.1.umd.min.js",
        "strategy/vendor/cytoscape-3.35.0.min.js",
        "django_htmx/htmx-2.min.js",
    ):
        assert name in manifest["paths"], name


# --- check-deploy, and static files collected by migrate -----------------------------------------


def test_check_deploy_passes_a_good_configuration_after_migrate(
    tmp_path: Path, fresh_database_url: str
) -> None:
    env = production_env(tmp_path / "data", OUTSIDEIN_DATABASE_URL=fresh_database_url)
    migrate = run_cli(["migrate"], tmp_path, env)
    assert migrate.returncode == 0, migrate.stderr
    assert "Static files collected" in migrate.stdout
    result = run_cli(["check-deploy"], tmp_path, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout
    for name in (
        "secret key",
        "debug off",
        "allowed hosts",
        "base URL",
        "database",
        "migrations",
        "static files",
        "cache",
        "task queue",
        "email",
        "secure settings",
        "trusted proxy",
    ):
        assert re.search(rf"^\s+ok\s+{name}:", result.stdout, re.M), (name, result.stdout)
    assert "All 13 checks passed." in result.stdout

    # After an upgrade the shipped files differ from the collected ones: check-deploy says so,
    # and the next `outsidein migrate` collects them again (nothing for the operator to recall).
    stamp = tmp_path / "data" / "static.sources"
    stamp.write_text("files of an older version\n")
    stale = run_cli(["check-deploy"], tmp_path, env)
    assert stale.returncode == 1
    assert re.search(r"FAIL\s+static files: .*another version", stale.stdout)
    again = run_cli(["migrate"], tmp_path, env)
    assert "Static files collected" in again.stdout
    assert run_cli(["check-deploy"], tmp_path, env).returncode == 0


@sqlite_pass_only
def test_check_deploy_lists_each_fault_of_a_bad_configuration(tmp_path: Path) -> None:
    closed = free_port()
    env = clean_env(
        OUTSIDEIN_ENV="production",
        OUTSIDEIN_SECRET_KEY="short-and-guessable",
        OUTSIDEIN_ALLOWED_HOSTS="*",
        OUTSIDEIN_BASE_URL="http://cx.example.com",
        OUTSIDEIN_DEBUG="true",
        OUTSIDEIN_SSL_REDIRECT="false",
        OUTSIDEIN_DATA_DIR=str(tmp_path / "data"),
        OUTSIDEIN_CACHE_URL=f"redis://127.0.0.1:{closed}/0",
        OUTSIDEIN_TASKS_BACKEND="rq",
        OUTSIDEIN_REDIS_URL=f"redis://127.0.0.1:{closed}/0",
    )
    result = run_cli(["check-deploy"], tmp_path, env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    out = result.stdout
    for name, reason in (
        ("secret key", "too weak"),
        ("debug off", "OUTSIDEIN_DEBUG is on"),
        ("secure settings", "SECURE_SSL_REDIRECT"),
        ("trusted proxy", "OUTSIDEIN_TRUSTED_PROXIES is empty"),
        ("allowed hosts", "'*'"),
        ("base URL", "https://"),
        ("database", "no SQLite database"),
        ("static files", "not collected"),
        ("cache", "does not answer"),
        ("task queue", "does not answer"),
        ("email", "OUTSIDEIN_EMAIL_HOST"),
    ):
        assert re.search(rf"FAIL\s+{name}: .*{re.escape(reason)}", out), (name, out)
    assert "checks failed" in out
    # Checking creates no database.
    assert not (tmp_path / "data" / "outsidein.sqlite3").exists()


@sqlite_pass_only
def test_check_deploy_flags_a_local_install(tmp_path: Path) -> None:
    result = run_cli(["check-deploy"], tmp_path, clean_env(OUTSIDEIN_DATA_DIR=str(tmp_path)))
    assert result.returncode == 1
    assert re.search(r"FAIL\s+production mode", result.stdout)
    assert re.search(r"FAIL\s+secret key: OUTSIDEIN_SECRET_KEY is not set", result.stdout)


# --- backup and restore ------------------------------------------------------------------------


@sqlite_pass_only
def test_backup_then_restore_gives_the_same_data(tmp_path: Path) -> None:
    live = tmp_path / "live"
    env = clean_env(OUTSIDEIN_DATA_DIR=str(live))
    assert run_cli(["migrate"], tmp_path, env).returncode == 0
    created = run_cli(
        [
            "createadmin",
            "--org",
            "acme",
            "--org-name",
            "Acme",
            "--email",
            "cx@acme.test",
            "--password",
            "a-long-admin-passphrase",
        ],
        tmp_path,
        env,
    )
    assert created.returncode == 0, created.stderr
    csv = tmp_path / "answers.csv"
    csv.write_text(
        "submission_id,submitted_at,nps,comment\n"
        + "".join(f"s{i},2026-11-{1 + i % 28:02d},{i % 11},comment {i}\n" for i in range(60))
    )
    imported = run_cli(["import", str(csv), "--org", "acme"], tmp_path, env)
    assert imported.returncode == 0, imported.stderr

    backup = tmp_path / "backup.sqlite3"
    result = run_cli(["backup", "--out", str(backup)], tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert "checked by SQLite" in result.stdout
    assert not backup.with_name("backup.sqlite3.partial").exists()
    again = run_cli(["backup", "--out", str(backup)], tmp_path, env)
    assert again.returncode == 2 and "already exists" in again.stderr

    # Restore: the file becomes outsidein.sqlite3 of a new data folder.
    restored = tmp_path / "restored"
    restored.mkdir()
    backup.replace(restored / "outsidein.sqlite3")
    restored_env = clean_env(OUTSIDEIN_DATA_DIR=str(restored))
    metrics = ["metrics", "--org", "acme", "--json"]
    before = run_cli(metrics, tmp_path, env)
    after = run_cli(metrics, tmp_path, restored_env)
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout) == json.loads(before.stdout)
    assert json.loads(after.stdout)["overall"]["nps"]["n"] == 60
    with (
        sqlite3.connect(live / "outsidein.sqlite3") as a,
        sqlite3.connect(restored / "outsidein.sqlite3") as b,
    ):
        tables = [r[0] for r in a.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            query = f'SELECT count(*) FROM "{table}"'  # noqa: S608  (names from sqlite_master)
            assert a.execute(query).fetchone() == b.execute(query).fetchone(), table
    # The restored copy is a working database: the administrator still exists, no migration left.
    check = run_cli(["manage", "migrate", "--check"], tmp_path, restored_env)
    assert check.returncode == 0, check.stdout + check.stderr


@sqlite_pass_only
def test_backup_of_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    result = run_cli(
        ["backup", "--out", str(tmp_path / "x")],
        tmp_path,
        clean_env(OUTSIDEIN_DATABASE_URL=f"postgresql://nobody@127.0.0.1:{free_port()}/x"),
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


# --- no database -------------------------------------------------------------------------------


@sqlite_pass_only
@pytest.mark.parametrize(
    "args",
    [
        ["metrics", "--org", "x"],
        ["import", "answers.csv", "--org", "x"],
        ["index", "--org", "x"],
        ["report", "--org", "x", "--month", "2026-01", "--out", "r.pdf"],
        ["remind"],
        ["worker", "--batch"],
        ["createadmin", "--org", "x", "--email", "a@b.test", "--password", "long-enough-pass"],
        ["seed-demo"],
        ["backup", "--out", "b.sqlite3"],
        ["serve", "--port", "0"],
        ["text", "discover", "--org", "x"],
    ],
    ids=lambda args: args[0] if args[0] != "text" else "text-discover",
)
def test_without_a_database_a_command_says_where_it_looked(tmp_path: Path, args: list[str]) -> None:
    """In a folder without ./var and without OUTSIDEIN_DATA_DIR: one sentence, no traceback,
    and no ./var with a new, empty database left behind."""
    result = run_cli(args, tmp_path, clean_env())
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    message = result.stderr.strip()
    assert message.count("\n") == 0, message
    assert f"the data folder {tmp_path.resolve() / 'var'}" in message
    assert "outsidein migrate" in message and "OUTSIDEIN_DATA_DIR" in message
    assert not (tmp_path / "var").exists()


@sqlite_pass_only
def test_an_empty_data_folder_is_named_and_left_empty(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli(["metrics", "--org", "x"], tmp_path, clean_env(OUTSIDEIN_DATA_DIR=str(empty)))
    assert result.returncode == 2
    assert str(empty.resolve()) in result.stderr and "Traceback" not in result.stderr
    assert list(empty.iterdir()) == []


@sqlite_pass_only
def test_a_database_file_without_tables_asks_for_migrate(tmp_path: Path) -> None:
    (tmp_path / "outsidein.sqlite3").touch()
    result = run_cli(
        ["metrics", "--org", "x"], tmp_path, clean_env(OUTSIDEIN_DATA_DIR=str(tmp_path))
    )
    assert result.returncode == 2
    assert "no outsidein tables yet" in result.stderr and "outsidein migrate" in result.stderr
    assert "Traceback" not in result.stderr


# --- the trusted proxy ------------------------------------------------------------------------


@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    TRUSTED_PROXIES=["10.0.0.0/8"],
)
def test_x_forwarded_proto_counts_only_from_a_trusted_proxy(db: object) -> None:
    stranger = Client(REMOTE_ADDR="203.0.113.9").get(
        "/login/", headers={"X-Forwarded-Proto": "https"}
    )
    assert stranger.status_code == 301
    assert stranger["Location"].startswith("https://")
    proxied = Client(REMOTE_ADDR="10.1.2.3").get("/login/", headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200


def test_the_client_address_comes_from_x_forwarded_for_behind_a_trusted_proxy() -> None:
    from django.test import RequestFactory

    from outsidein.proxy import TrustedProxyMiddleware

    seen: dict[str, object] = {}

    def view(request: object) -> None:
        seen["addr"] = request.META["REMOTE_ADDR"]  # type: ignore[attr-defined]
        seen["xff"] = request.META.get("HTTP_X_FORWARDED_FOR")  # type: ignore[attr-defined]

    factory = RequestFactory()
    with override_settings(TRUSTED_PROXIES=["127.0.0.1", "10.0.0.0/8"]):
        middleware = TrustedProxyMiddleware(view)
    # The client put a fake hop in front; our proxies (10.0.0.5 behind 127.0.0.1) appended theirs.
    middleware(
        factory.get(
            "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7, 10.0.0.5"
        )
    )
    assert seen["addr"] == "198.51.100.7"
    middleware(factory.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4"))
    assert seen == {"addr": "203.0.113.9", "xff": None}
    with override_settings(TRUSTED_PROXIES=[]):
        nobody = TrustedProxyMiddleware(view)
    nobody(factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4"))
    assert seen == {"addr": "127.0.0.1", "xff": None}


def test_a_bad_trusted_proxy_is_named() -> None:
    from outsidein.proxy import parse_networks

    assert parse_networks(["127.0.0.1", "10.0.0.0/8", "::1", "*"]) == [
        "127.0.0.1",
        "10.0.0.0/8",
        "::1",
        "*",
    ]
    with pytest.raises(ImproperlyConfigured, match=r"OUTSIDEIN_TRUSTED_PROXIES.*'proxy\.local'"):
        parse_networks(["proxy.local"])


@sqlite_pass_only
def test_a_bad_trusted_proxy_stops_the_command(tmp_path: Path) -> None:
    result = run_cli(
        ["migrate"],
        tmp_path,
        clean_env(OUTSIDEIN_DATA_DIR=str(tmp_path), OUTSIDEIN_TRUSTED_PROXIES="nginx"),
    )
    assert result.returncode == 2
    assert "OUTSIDEIN_TRUSTED_PROXIES" in result.stderr and "Traceback" not in result.stderr


# --- the demo's progress bar ------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_redraws_one_line_on_a_terminal_and_prints_steps_elsewhere() -> None:
    from outsidein.cli import _ProgressBar

    terminal = _Terminal()
    bar = _ProgressBar(terminal)
    bar("practice", 0.4)
    bar("text analytics", 0.75, "12000 comments analysed")
    bar.close()
    text = terminal.getvalue()
    assert "\r[############                  ]  40% practice" in text
    assert "\r[######################        ]  75% text analytics: 12000 comments analysed" in text
    assert text.endswith("analysed\nLoaded in 0 s.\n")

    log = io.StringIO()
    bar = _ProgressBar(log)
    bar("practice", 0.4)
    bar("text analytics", 0.5)
    bar("text analytics", 0.75, "12000 comments analysed")  # the same step: no new line
    bar.close()
    assert log.getvalue().splitlines()[:2] == ["[ 40%] practice", "[ 50%] text analytics"]
    assert "\r" not in log.getvalue() and len(log.getvalue().splitlines()) == 3
