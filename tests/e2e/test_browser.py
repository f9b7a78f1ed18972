"""End-to-end: drive the pages in Chromium against a live server, as an employee would.

Every test fails on a console error, an uncaught exception or a Content-Security-Policy
violation in any page it visited, and leaves a full-page screenshot in test-output/screenshots/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def test_log_in_lands_on_the_overview(browsing: Any, e2e_tenant: Any) -> None:
    expect = _expect()
    page = browsing.page
    page.goto(browsing.url("/"))
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))

    page.fill("input[name=username]", e2e_tenant.admin.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(browsing.url("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme")
    expect(page.locator("[data-testid=kpi-customers]")).to_have_text("5")
    expect(page.locator("[data-testid=kpi-people]")).to_have_text("3")
    expect(page.locator(".mainnav [aria-current=page]")).to_have_text("Overview")
    # Chart.js draws both charts from the JSON data islands (no inline script needed).
    expect(page.locator("canvas[data-chart][data-drawn='1']")).to_have_count(2)
    browsing.screenshot("home")
    browsing.problems.assert_none()


def test_switch_language_to_dutch_and_back(browsing: Any, e2e_tenant: Any) -> None:
    expect = _expect()
    page = browsing.page
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("[data-testid=lang-en]")).to_have_attribute("aria-pressed", "true")

    page.locator("[data-testid=lang-nl]").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("[data-testid=lang-nl]")).to_have_attribute("aria-pressed", "true")
    expect(page).to_have_url(browsing.url("/"))
    browsing.screenshot("home-nl")
    nav = page.locator(".mainnav")
    expect(nav.get_by_role("link", name="Klanten", exact=True)).to_be_visible()

    page.locator("[data-testid=lang-en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(nav.get_by_role("link", name="Customers", exact=True)).to_be_visible()
    browsing.problems.assert_none()


def test_find_a_customer_and_open_it(browsing: Any, e2e_tenant: Any) -> None:
    expect = _expect()
    page = browsing.page
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    page.locator(".mainnav").get_by_role("link", name="Customers").click()
    expect(page).to_have_url(browsing.url("/customers/"))
    results = page.locator("#results")
    expect(results.locator("[data-testid=result-count]")).to_have_text("5 customers")
    browsing.screenshot("customers")

    # Live search: htmx swaps #results while typing, without reloading the page.
    page.evaluate("window.__samePage = true")
    search = page.get_by_role("searchbox", name="Search")
    search.fill("Van Dijk")
    expect(results.locator("[data-testid=result-count]")).to_have_text("1 customer")
    expect(results.locator("tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]q=Van(\+|%20)Dijk"))
    assert page.evaluate("window.__samePage === true"), "the live search reloaded the page"

    # Pressing Enter submits the search too (value set without an input event on purpose).
    search.evaluate("el => { el.value = 'installatie'; }")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=installatie"))
    expect(results.locator("[data-testid=result-count]")).to_have_text("1 customer")
    row = results.locator("tbody tr").filter(has_text="Van Dijk Installatietechniek B.V.")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Utrecht")

    row.get_by_role("link", name="Van Dijk Installatietechniek B.V.").click()
    expect(page).to_have_url(browsing.url(f"/customers/{e2e_tenant.business_customer.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Van Dijk Installatietechniek B.V.")
    contacts = page.locator("section.card").filter(
        has=page.get_by_role("heading", name="Contact people")
    )
    expect(contacts).to_contain_text("Marieke de Boer")
    expect(contacts).to_contain_text("Facilitair manager")
    browsing.screenshot("customer-detail")
    browsing.problems.assert_none()


def test_teams_and_a_team(browsing: Any, e2e_tenant: Any) -> None:
    expect = _expect()
    page = browsing.page
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    page.locator(".mainnav").get_by_role("link", name="Teams & people").click()
    expect(page).to_have_url(browsing.url("/teams/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Teams & people")
    teams = page.locator("table.tree")
    expect(teams.get_by_role("link", name="Service")).to_be_visible()
    expect(teams.get_by_role("link", name="Helpdesk")).to_be_visible()
    expect(page.get_by_text(e2e_tenant.manager.name, exact=True)).to_be_visible()
    browsing.screenshot("teams")

    teams.get_by_role("link", name="Helpdesk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Helpdesk")
    expect(page.locator(".page-header")).to_contain_text("part of Service")
    members = page.locator("section.card").filter(has=page.get_by_role("heading", name="Members"))
    expect(members.locator("tbody tr")).to_have_count(2)
    expect(members).to_contain_text(e2e_tenant.manager.name)
    expect(members).to_contain_text(e2e_tenant.employee.name)
    browsing.screenshot("team-detail")
    browsing.problems.assert_none()


def test_create_and_revoke_an_api_token(browsing: Any, e2e_tenant: Any) -> None:
    expect = _expect()
    page = browsing.page
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    page.locator(".usermenu summary").click()
    page.get_by_role("link", name="API tokens").click()
    expect(page).to_have_url(browsing.url("/settings/tokens/"))
    expect(page.get_by_text("You have no tokens.")).to_be_visible()

    page.get_by_label("Name").fill("CRM sync")
    page.get_by_role("button", name="Create token").click()
    new_token = page.locator("[data-testid=new-token]")
    expect(new_token).to_have_text(re.compile(r"^oi_\S+$"))
    row = page.locator("tbody tr").filter(has_text="CRM sync")
    expect(row).to_have_count(1)
    browsing.screenshot("tokens")

    # Shown once only.
    page.goto(browsing.url("/settings/tokens/"))
    expect(page.locator("[data-testid=new-token]")).to_have_count(0)

    # Revoking asks for confirmation first.
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke").click()
    expect(page.locator(".message")).to_contain_text("revoked")
    expect(row.locator(".badge-bad")).to_have_text("revoked")
    expect(row.get_by_role("button", name="Revoke")).to_have_count(0)
    browsing.problems.assert_none()


def test_wrong_password_shows_an_error(browsing: Any, e2e_tenant: Any) -> None:
    expect = _expect()
    page = browsing.page
    page.goto(browsing.url("/login/"))
    page.fill("input[name=username]", e2e_tenant.admin.email)
    page.fill("input[name=password]", "not-the-password")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_contain_text("do not match")
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.locator("input[name=username]")).to_have_value(e2e_tenant.admin.email)
    expect(page.locator("input[name=password]")).to_have_value("")
    browsing.screenshot("login-error")
    # The failed login answers 200 with the form again: no console error expected.
    browsing.problems.assert_none()


def test_export_customers_to_csv(browsing: Any, e2e_tenant: Any) -> None:
    expect = _expect()
    page = browsing.page
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    page.goto(browsing.url("/customers/"))
    page.get_by_role("button", name="Export CSV").click()

    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Export of all customers (CSV)")
    expect(page.locator("[data-testid=job-status]")).to_have_class(re.compile(r"\bbadge-good\b"))
    download_link = page.locator("[data-testid=job-download]")
    expect(download_link).to_be_visible()
    browsing.screenshot("job")

    with page.expect_download() as info:
        download_link.click()
    csv_text = open(info.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    assert "Van Dijk Installatietechniek B.V." in csv_text
    assert info.value.suggested_filename.endswith(".csv")
    browsing.problems.assert_none()


def test_customers_page_fits_a_phone(browsing: Any, e2e_tenant: Any) -> None:
    expect = _expect()
    page = browsing.new_page(viewport={"width": 390, "height": 844}, has_touch=True)
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD, page=page)

    page.goto(browsing.url("/customers/"))
    expect(page.locator("[data-testid=result-count]")).to_have_text("5 customers")
    browsing.screenshot("customers-mobile", page=page)
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"] + 1, f"horizontal overflow on a phone: {widths}"

    page.goto(browsing.url(f"/customers/{e2e_tenant.business_customer.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    browsing.screenshot("customer-detail-mobile", page=page)
    browsing.problems.assert_none()
