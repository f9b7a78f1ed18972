"""End-to-end: an administrator sets the contact frequency on the organisation settings page
(a wrong value is named, a right one saved), and imports another tool's history whose customer
numbers are new: the customers are created and counted. Desktop (1400 px) and phone (390 px)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e

HISTORY = (
    b"submission_id,customer_external_id,email,customer_name,submitted_at,nps,comment\n"
    b"h1,OLD-1,ann@example.org,Ann Jansen,2026-01-05,9,Fijn\n"
    b"h2,OLD-2,,,2026-01-06,11,\n"
)


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url}: {width} px wide"


def test_settings_and_history_import(browsing: Any, e2e_tenant: Any) -> None:
    from playwright.sync_api import expect

    from outsidein.core.models import Customer, Organisation

    page = browsing.page
    page.set_viewport_size({"width": 1400, "height": 900})
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    page.goto(browsing.url("/settings/organisation/"))
    expect(page.get_by_role("heading", name="Contact frequency")).to_be_visible()
    field = page.get_by_label("Days between survey invitations (contact frequency)")
    field.fill("400")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("At most 365 days (a year).")).to_be_visible()
    _fits(page)
    browsing.screenshot("organisation-settings-error-1400")
    page.get_by_label("Days between survey invitations (contact frequency)").fill("21")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    assert Organisation.objects.get(pk=e2e_tenant.organisation.pk).survey_interval_days == 21
    browsing.screenshot("organisation-settings-1400")

    page.goto(browsing.url("/imports/"))
    page.set_input_files("input[type=file]", files=[
        {"name": "history.csv", "mimeType": "text/csv", "buffer": HISTORY}
    ])  # fmt: skip
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_text("Customer numbers no customer has yet")).to_be_visible()
    page.get_by_label(re.compile("^First look for a customer")).check()
    _fits(page)
    browsing.screenshot("import-map-1400")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_test_id("customers-created")).to_have_text(
        "1", timeout=30_000
    )  # the rejected row creates no one
    expect(page.get_by_text("11 is outside 0–10")).to_be_visible()
    browsing.screenshot("import-report-1400")
    assert Customer.objects.filter(
        organisation=e2e_tenant.organisation, external_id="OLD-1"
    ).exists()

    phone = browsing.new_page(viewport={"width": 390, "height": 844})
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD, page=phone)
    for path, name in (
        ("/settings/organisation/", "organisation-settings"),
        ("/imports/", "import-start"),
    ):
        phone.goto(browsing.url(path))
        _fits(phone)
        browsing.screenshot(f"{name}-390", page=phone)
    browsing.problems.assert_none()
