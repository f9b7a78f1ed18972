"""End-to-end: an administrator grants an employee the export permission on the person page; a
webhook to an internal address is refused with a message; an employee sees no import or export
buttons."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e


def test_permissions_and_webhook_refusal(browsing: Any, e2e_tenant: Any) -> None:
    from playwright.sync_api import expect

    page = browsing.page
    employee = e2e_tenant.employee
    browsing.log_in(employee.email, TEST_PASSWORD)
    page.goto(browsing.url("/inbox/"))
    expect(page.get_by_role("link", name="Download CSV")).to_have_count(0)
    expect(page.get_by_role("link", name="Import")).to_have_count(0)
    page.goto(browsing.url("/customers/"))
    expect(page.get_by_role("button", name="Export CSV")).to_have_count(0)
    browsing.screenshot("security-employee-customers")
    page.context.clear_cookies()

    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    page.goto(browsing.url(f"/people/{employee.pk}/edit/"))
    page.set_viewport_size({"width": 1400, "height": 900})
    page.get_by_label("May export personal data").select_option("yes")
    browsing.screenshot("security-person-grants-1400")
    phone = browsing.new_page(viewport={"width": 390, "height": 844})
    phone.context.add_cookies(page.context.cookies())
    phone.goto(browsing.url(f"/people/{employee.pk}/edit/"))
    browsing.screenshot("security-person-grants-390", phone)
    page.get_by_role("button", name="Save").click()
    employee.refresh_from_db()
    assert employee.may_export is True

    page.goto(browsing.url("/settings/webhooks/"))
    form = page.locator("form", has=page.locator("input[name=outbound]"))
    form.locator("input[name=url]").fill("http://169.254.169.254/latest/meta-data/")
    form.locator("button[type=submit]").click()
    expect(page.get_by_text("not a public internet address")).to_be_visible()
    browsing.screenshot("security-webhook-refused-1400")
    phone.goto(browsing.url("/settings/webhooks/"))
    phone_form = phone.locator("form", has=phone.locator("input[name=outbound]"))
    phone_form.locator("input[name=url]").fill("http://127.0.0.1:5432/")
    phone_form.locator("button[type=submit]").click()
    browsing.screenshot("security-webhook-refused-390", phone)
    # A refused form may come back as 422, which the browser logs; nothing else may appear.
    browsing.problems.messages[:] = [m for m in browsing.problems.messages if "422" not in m]
    browsing.problems.assert_none()
