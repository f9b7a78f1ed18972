"""Fixtures for the browser tests: a live server, one Chromium for the session, a fresh browser
context per test, and a record of console errors and Content-Security-Policy violations."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse ORM
# calls made from it (fixtures, assertions on the database).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
EXPECT_TIMEOUT_MS = 5_000

# Reports every CSP violation to the console as an error, so that it is caught even where the
# browser only logs it at another level. Init scripts are not subject to the page's CSP.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)."
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@dataclass
class BrowserProblems:
    """Console errors, uncaught exceptions and CSP violations seen on the pages of one test."""

    messages: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        def on_console(message: Any) -> None:
            if message.type == "error":
                self.messages.append(f"console error on {page.url}: {message.text}")

        def on_pageerror(error: Any) -> None:
            self.messages.append(f"uncaught exception on {page.url}: {error}")

        page.on("console", on_console)
        page.on("pageerror", on_pageerror)

    def assert_none(self) -> None:
        assert not self.messages, "The browser reported problems:\n" + "\n".join(self.messages)


@dataclass
class Browsing:
    """One test's browser context and page against the live server."""

    context: Any
    page: Any
    base_url: str
    problems: BrowserProblems

    def url(self, path: str) -> str:
        return self.base_url + path

    def new_page(self, **context_options: Any) -> Any:
        """A page in a further, separate context (e.g. another viewport), watched likewise."""
        context = self.context.browser.new_context(base_url=self.base_url, **context_options)
        context.add_init_script(_CSP_LISTENER)
        context.set_default_timeout(EXPECT_TIMEOUT_MS * 2)
        page = context.new_page()
        self.problems.watch(page)
        return page

    def screenshot(self, name: str, page: Any = None) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        (page or self.page).screenshot(path=str(path), full_page=True)
        return path

    def log_in(self, email: str, password: str, page: Any = None) -> None:
        from playwright.sync_api import expect

        page = page or self.page
        page.goto(self.url("/login/"))
        page.fill("input[name=username]", email)
        page.fill("input[name=password]", password)
        page.get_by_role("button", name=re.compile(r"^(Log in|Inloggen)$")).click()
        expect(page.locator("[data-testid=kpi-customers]")).to_be_visible()


@pytest.fixture
def e2e_tenant(transactional_db: Any) -> Any:
    """The "acme" organisation, committed to the database the live server reads, with customers."""
    from tests.conftest import make_tenant
    from tests.factories import ContactPersonFactory, CustomerFactory, SegmentFactory

    tenant = make_tenant("acme")
    organisation = tenant.organisation
    installers = SegmentFactory(organisation=organisation, name="Installers")
    households = SegmentFactory(organisation=organisation, name="Households")
    business = CustomerFactory(
        organisation=organisation,
        name="Van Dijk Installatietechniek B.V.",
        kind="business",
        email="info@vandijk-installatie.example",
        city="Utrecht",
        segment=installers,
    )
    ContactPersonFactory(
        customer=business,
        name="Marieke de Boer",
        job_title="Facilitair manager",
        email="marieke@vandijk-installatie.example",
        is_primary=True,
    )
    CustomerFactory(
        organisation=organisation, name="Bakkerij Jansen", kind="business", city="Zwolle"
    )
    CustomerFactory(
        organisation=organisation, name="Sanne Visser", city="Amsterdam", segment=households
    )
    CustomerFactory(
        organisation=organisation, name="Pieter Bakker", city="Rotterdam", language="en"
    )
    CustomerFactory(organisation=organisation, name="Fatima El Amrani", city="Den Haag")
    tenant.business_customer = business  # type: ignore[attr-defined]
    return tenant


@pytest.fixture
def browsing(browser: Any, live_server: Any, e2e_tenant: Any) -> Iterator[Browsing]:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 800}, locale="en-GB"
    )
    context.add_init_script(_CSP_LISTENER)
    context.set_default_timeout(EXPECT_TIMEOUT_MS * 2)
    page = context.new_page()
    problems = BrowserProblems()
    problems.watch(page)
    session = Browsing(context=context, page=page, base_url=live_server.url, problems=problems)
    try:
        yield session
    finally:
        for extra in context.browser.contexts:
            extra.close()
