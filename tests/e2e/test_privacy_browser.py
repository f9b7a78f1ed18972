"""End-to-end: an administrator reads the audit trail, sets the retention policy, and exports
and erases one customer's data; the pages work on a desktop and a phone without console errors
or CSP violations."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e


def test_audit_privacy_and_erasure(browsing: Any, e2e_tenant: Any) -> None:
    from playwright.sync_api import expect

    from outsidein.core import services as core
    from outsidein.voice import services as voice

    customer = e2e_tenant.business_customer
    core.update_customer(customer, phone="+31 30 123 4567", consent_marketing=True)
    survey = voice.create_survey(e2e_tenant.organisation, name="Relatie-NPS")
    voice.update_survey(survey, name="Relatie-NPS 2027")
    voice.record_feedback(
        e2e_tenant.organisation,
        kind="complaint",
        channel="phone",
        customer=customer,
        comment='=HYPERLINK("http://evil.example") De monteur kwam te laat',
        nps=3,
    )
    page = browsing.page
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    page.goto(browsing.url("/settings/audit/"))
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    expect(page.get_by_text("Relatie-NPS 2027").first).to_be_visible()
    browsing.screenshot("audit-1400")
    page.select_option("#id_action", "change")
    expect(page.locator("#results")).to_contain_text("Relatie-NPS")
    page.goto(browsing.url("/settings/privacy/"))
    expect(page.get_by_role("heading", name="What we keep and why")).to_be_visible()
    page.fill("#id_free_text_months", "36")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Privacy settings saved.")).to_be_visible()
    browsing.screenshot("privacy-1400")
    page.goto(browsing.url(f"/customers/{customer.pk}/"))
    expect(page.get_by_role("heading", name="Consent history")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export all data (zip)").click()
    assert download.value.suggested_filename.endswith(".zip")
    browsing.screenshot("customer-privacy-1400")
    page.get_by_role("link", name=re.compile("Erase personal data")).click()
    browsing.screenshot("erase-1400")
    page.get_by_label("I understand that this cannot be undone").check()
    page.get_by_role("button", name="Erase now").click()
    expect(page.get_by_text("The customer's personal data and words were erased")).to_be_visible()
    # The husk is named in the organisation's language (Dutch here).
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        re.compile("Erased customer|Gewiste klant")
    )

    phone = browsing.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD, page=phone)
    for path, name in (
        ("/settings/audit/", "audit-390"),
        ("/settings/privacy/", "privacy-390"),
        (f"/customers/{customer.pk}/", "customer-privacy-390"),
        (f"/customers/{customer.pk}/gdpr/erase/", "erase-390"),
    ):
        phone.goto(browsing.url(path))
        browsing.screenshot(name, page=phone)
    browsing.problems.assert_none()
