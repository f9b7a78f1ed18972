"""Production mode, run exactly as the README's "Running it for real" tells an operator.

The test reads that shell block from README.md and runs its `outsidein` commands as they stand
(migrate, createadmin, check-deploy, serve, worker), with test values for the exported variables:
SQLite in a temporary data folder holding a restored copy of the demo organisation, a local SMTP
server, and the local Redis when one answers. Chromium then plays the customer and the staff
behind a TLS proxy: every request carries `X-Forwarded-Proto: https`, which the server believes
because the test's address is the configured trusted proxy.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.deploy_support import (
    OUTSIDEIN,
    STRONG_KEY,
    clean_env,
    copy_demo_database,
    free_port,
    port_open,
    run_cli,
    stop,
    wait_for_http,
)
from tests.e2e.conftest import _CSP_LISTENER, SCREENSHOTS, BrowserProblems

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        os.environ.get("OUTSIDEIN_DATABASE_URL", "").startswith("postgres"),
        reason="runs its own server on its own SQLite data folder: the SQLite pass covers it",
    ),
]

README = Path(__file__).resolve().parents[2] / "README.md"
ADMIN_PASSWORD = "a-long-admin-passphrase-for-acme"
DEMO_ADMIN = ("cx@polderstroom.example", "demo-outsidein")
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
LONG_RUNNING = {"serve", "worker"}
# Two busy cores run the server, its worker and Chromium: allow a page this long.
SLOW_MS = 30_000


def readme_block() -> tuple[dict[str, str], list[list[str]]]:
    """The exported variables and the `outsidein` commands of README's production block."""
    text = README.read_text()
    section = text[text.index("## Running it for real") :]
    section = section[: section.index("\n## ", 3)]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "README's 'Running it for real' has no ```sh block"
    exported: dict[str, str] = {}
    commands: list[list[str]] = []
    for line in block.group(1).splitlines():
        words = shlex.split(line, comments=True)
        if not words:
            continue
        if words[0] == "export":
            for assignment in words[1:]:
                name, _, value = assignment.partition("=")
                exported[name] = value
        elif words[0] == "outsidein":
            commands.append(words[1:])
        else:
            raise AssertionError(f"README's block holds a line the test cannot run: {line!r}")
    return exported, commands


def test_the_readme_block_is_the_whole_operator_path() -> None:
    exported, commands = readme_block()
    assert exported["OUTSIDEIN_ENV"] == "production"
    assert [c[0] for c in commands] == ["migrate", "createadmin", "check-deploy", "serve", "worker"]


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class Deployment:
    port: int
    env: dict[str, str]
    data: Path
    output: dict[str, str]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    from aiosmtpd.controller import Controller

    from tests.smtp import Inbox

    root = tmp_path_factory.mktemp("production")
    data = root / "data"
    copy_demo_database(data)  # the operator's restored backup, with customers and feedback
    smtp_port = free_port()
    smtp = Controller(Inbox(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    port = free_port()
    exported, commands = readme_block()
    test_values = {
        "OUTSIDEIN_SECRET_KEY": STRONG_KEY,
        "OUTSIDEIN_ALLOWED_HOSTS": "127.0.0.1",
        "OUTSIDEIN_BASE_URL": "https://127.0.0.1",
        "OUTSIDEIN_TRUSTED_PROXIES": "127.0.0.1",  # the "proxy" is this test, on 127.0.0.1
        "OUTSIDEIN_DATA_DIR": str(data),
        "OUTSIDEIN_DATABASE_URL": "",  # SQLite in the data folder
        "OUTSIDEIN_EMAIL_HOST": "127.0.0.1",
        "OUTSIDEIN_EMAIL_PORT": str(smtp_port),
        "OUTSIDEIN_EMAIL_USE_TLS": "false",
    }
    if not _redis_answers():
        if os.environ.get("OUTSIDEIN_REQUIRE_REDIS"):
            pytest.fail("Redis is required here but none answers on 127.0.0.1:6379.")
        test_values["OUTSIDEIN_CACHE_URL"] = ""  # the file cache in the data folder
    unknown = (
        set(exported)
        - set(test_values)
        - {
            "OUTSIDEIN_ENV",
            "OUTSIDEIN_CACHE_URL",
            "OUTSIDEIN_DEFAULT_FROM_EMAIL",
        }
    )
    assert not unknown, f"README exports variables this test gives no value: {unknown}"
    env = clean_env(**{**exported, **test_values}, OUTSIDEIN_ADMIN_PASSWORD=ADMIN_PASSWORD)
    # Only for this test: the browser's origin is http://127.0.0.1:PORT, where behind the real
    # proxy it is https://HOST, the origin Django's CSRF check expects for an https request.
    env["OUTSIDEIN_CSRF_TRUSTED_ORIGINS"] = f"http://127.0.0.1:{port}"
    substitutions = {"--host": "127.0.0.1", "--port": str(port), "--workers": "2"}

    processes: list[subprocess.Popen[str]] = []
    output: dict[str, str] = {}
    try:
        for command in commands:
            args = [
                substitutions.get(previous, word) if previous in substitutions else word
                for previous, word in zip(["", *command], command, strict=False)
            ]
            if args[0] in LONG_RUNNING:
                log = root / f"{args[0]}.log"
                with log.open("w") as handle:
                    processes.append(
                        subprocess.Popen(
                            [*OUTSIDEIN, *args],
                            stdout=handle,
                            stderr=subprocess.STDOUT,
                            text=True,
                            env=env,
                            cwd=root,
                        )
                    )
                if args[0] == "serve":
                    wait_for_http(port, processes[-1], timeout=120, log=log)
                continue
            result = run_cli(args, root, env)
            output[args[0]] = result.stdout + result.stderr
            assert result.returncode == 0, f"outsidein {shlex.join(args)}:\n{output[args[0]]}"
        yield Deployment(port=port, env=env, data=data, output=output)
        for process in processes:
            assert process.poll() is None, f"{process.args} stopped early"
    finally:
        for process in processes:
            stop(process)
        smtp.stop()
    assert not port_open(port)


@pytest.fixture
def browsing_production(browser: Any, deployment: Deployment) -> Iterator[Any]:
    problems = BrowserProblems()
    failed: list[str] = []

    def new_page(width: int = 1400, height: int = 900, **options: Any) -> Any:
        context = browser.new_context(
            base_url=deployment.url(""),
            viewport={"width": width, "height": height},
            locale="en-GB",
            extra_http_headers=PROXY_HEADERS,
            **options,
        )
        context.add_init_script(_CSP_LISTENER)
        context.set_default_timeout(30_000)
        page = context.new_page()
        problems.watch(page)
        page.on(
            "response",
            lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        return page

    yield new_page, problems, failed
    for context in browser.contexts:
        context.close()


def _log_in(page: Any, email: str, password: str) -> None:
    from playwright.sync_api import expect

    page.goto("/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name=re.compile(r"^(Log in|Inloggen)$")).click()
    expect(page.locator("[data-testid=kpi-customers]")).to_be_visible(timeout=SLOW_MS)


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"production-{name}.png"), full_page=True)


def test_the_readme_commands_prepare_a_sound_deployment(deployment: Deployment) -> None:
    assert "Static files collected into" in deployment.output["migrate"]
    assert "can now log in to Acme B.V." in deployment.output["createadmin"]
    assert "All 13 checks passed." in deployment.output["check-deploy"]
    assert (deployment.data / "static" / "staticfiles.json").is_file()


def test_staff_and_customers_use_the_production_server(
    deployment: Deployment, browsing_production: Any
) -> None:
    from playwright.sync_api import expect

    new_page, problems, failed = browsing_production

    # The login page: 200, the security headers, the hashed static files.
    page = new_page()
    response = page.goto("/login/")
    assert response.status == 200
    headers = response.all_headers()
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "'unsafe" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert re.search(r"/static/outsidein/app\.[0-9a-f]{12}\.css", page.content())
    _shot(page, "login")

    # The administrator README's createadmin made logs in to an empty organisation.
    _log_in(page, "cx@acme.example", ADMIN_PASSWORD)
    cookies = {c["name"]: c for c in page.context.cookies()}
    for name in ("sessionid", "csrftoken"):
        assert cookies[name]["secure"], name
        assert cookies[name]["httpOnly"], name
        assert cookies[name]["sameSite"] == "Lax", name

    # The demo organisation's administrator: the dashboard with its charts, a feedback item.
    staff = new_page()
    _log_in(staff, *DEMO_ADMIN)
    response = staff.goto("/dashboard/")
    assert response.status == 200
    expect(staff.locator("canvas[data-chart][data-drawn='1']").first).to_be_visible(timeout=SLOW_MS)
    _shot(staff, "dashboard")
    response = staff.goto("/inbox/")
    assert response.status == 200
    staff.locator(".feedback-row a").first.click()
    expect(
        staff.get_by_role(
            "heading", name=re.compile(r"^(What the customer said|Wat de klant zei)$")
        )
    ).to_be_visible(timeout=SLOW_MS)
    assert re.search(r"/inbox/\d+/$", staff.url)
    _shot(staff, "feedback-item")

    # A customer answers the public survey on a phone.
    with sqlite3.connect(deployment.data / "outsidein.sqlite3") as db:
        survey_id, key = db.execute(
            "SELECT id, public_key FROM voice_survey WHERE name = 'Relatie-NPS'"
        ).fetchone()
        before = db.execute(
            "SELECT count(*) FROM voice_feedback WHERE survey_id = ?", (survey_id,)
        ).fetchone()[0]
    phone = new_page(390, 844, is_mobile=True)
    response = phone.goto(f"/r/{key}/?lang=en")
    assert response.status == 200
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "What do you think of Polderstroom?", timeout=SLOW_MS
    )
    phone.locator("label.scale-option", has_text=re.compile(r"^9$")).click()
    phone.locator("textarea").first.fill("Quick help with my meter, thank you")
    _shot(phone, "survey-phone")
    phone.get_by_role("button", name="Send").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you!", timeout=SLOW_MS)
    _shot(phone, "survey-thanks-phone")
    with sqlite3.connect(deployment.data / "outsidein.sqlite3") as db:
        after = db.execute(
            "SELECT count(*) FROM voice_feedback WHERE survey_id = ?", (survey_id,)
        ).fetchone()[0]
    assert after == before + 1

    # The ideas portal, as a customer sees it.
    portal = new_page()
    response = portal.goto("/ideas/polderstroom/")
    assert response.status == 200
    expect(portal.get_by_role("heading", level=1)).to_contain_text(
        "Your ideas for", timeout=SLOW_MS
    )
    _shot(portal, "ideas-portal")

    problems.assert_none()
    assert not failed, failed


def test_without_the_proxy_header_the_server_sends_browsers_to_https(
    deployment: Deployment,
) -> None:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", deployment.port, timeout=10)
    try:
        connection.request("GET", "/login/")
        response = connection.getresponse()
        assert response.status == 301
        assert response.getheader("Location") == f"https://127.0.0.1:{deployment.port}/login/"
    finally:
        connection.close()
