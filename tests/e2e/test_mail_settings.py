"""The customer email settings page in a real browser, wide and narrow, in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e


def test_mail_settings_page(browsing: Any, e2e_tenant: Any) -> None:
    from playwright.sync_api import expect

    from outsidein.mailin import ingest, services

    mailbox = services.create_mailbox(
        e2e_tenant.organisation,
        name="Klantenservice",
        host="imap.example.nl",
        port=993,
        username="service@acme.example",
        password="not-shown-anywhere",
        folder="INBOX",
        kind="complaint",
        address="service@acme.example",
    )
    ingest.ingest(mailbox, b"this is not an email at all\r\n")
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    page = browsing.page
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(browsing.url("/settings/mail/"))
    expect(page.get_by_role("heading", name="Email from customers")).to_be_visible()
    expect(page.get_by_text("The message has no headers; it is not an email.")).to_be_visible()
    assert "not-shown-anywhere" not in page.content()
    browsing.screenshot("mail-settings-1400")
    narrow = browsing.new_page(viewport={"width": 390, "height": 844}, locale="nl-NL")
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD, page=narrow)
    narrow.goto(browsing.url("/settings/mail/"))
    narrow.get_by_test_id("usermenu").click()
    expect(narrow.get_by_role("link", name="Email from customers")).to_be_visible()
    wide = narrow.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390, f"the page is {wide}px wide on a 390px screen"
    browsing.screenshot("mail-settings-390", page=narrow)
    browsing.problems.assert_none()
