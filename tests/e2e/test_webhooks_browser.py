"""The webhook settings page in a real browser: an endpoint with its event filter, the delivery
log with "Send again", at desktop and phone widths, without console or CSP errors."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e


def test_webhook_settings_with_filter_and_delivery_log(
    browsing: Any, e2e_tenant: Any, settings: Any
) -> None:
    from playwright.sync_api import expect

    from outsidein.voice import webhooks
    from outsidein.voice.models import Delivery

    settings.OUTGOING_ALLOW_HOSTS = ["hooks.acme.example"]
    organisation = e2e_tenant.organisation
    crm = webhooks.create_outbound_hook(
        organisation,
        url="https://hooks.acme.example/outsidein/crm-sync-endpoint",
        description="CRM",
        events=["case.opened", "case.closed"],
    )
    webhooks.create_outbound_hook(organisation, url="https://hooks.acme.example/warehouse")
    for n, (event, status, code, error) in enumerate(
        [
            ("case.opened", "delivered", 200, ""),
            ("case.closed", "pending", 500, "HTTP 500"),
            ("webhook.test", "failed", None, "Could not deliver: no answer."),
        ]
    ):
        Delivery.objects.create(
            organisation=organisation,
            hook=crm,
            message_id=f"msg_e2e{n}",
            event=event,
            payload={"type": event, "data": {}},
            status=status,
            attempts=n + 1,
            last_status_code=code,
            last_error=error,
        )
    for width, height, name in ((1400, 900, "webhooks-1400"), (390, 844, "webhooks-390")):
        page = browsing.new_page(viewport={"width": width, "height": height}, locale="en-GB")
        page.set_default_navigation_timeout(60_000)  # a busy test machine
        page.goto(browsing.url("/login/"))
        page.fill("input[name=username]", e2e_tenant.admin.email)
        page.fill("input[name=password]", TEST_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto(browsing.url("/settings/webhooks/"))
        expect(page.get_by_role("heading", name="Delivery log")).to_be_visible()
        expect(page.get_by_role("button", name="Send again")).to_have_count(3)
        expect(page.get_by_role("button", name="Send test event")).to_have_count(2)
        page.locator(f"#hook-{crm.pk} summary").click()
        expect(page.get_by_label("Customer item closed (case.closed)").first).to_be_checked()
        browsing.screenshot(name, page=page)
        wide = page.evaluate(
            "[...document.querySelectorAll('main *')].filter(e => !e.closest('.table-wrap') &&"
            " e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
            ".map(e => e.tagName + '.' + e.className)"
            ".slice(0, 8)"
        )
        assert not wide, f"the page scrolls sideways at {width} px: {wide}"
        page_width = page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= width, f"the page is {page_width} px wide at {width} px"
    browsing.problems.assert_none()
