"""Single sign-on in a real browser: the login page's company sign-in goes to the local OpenID
Connect provider and back, logged in; the settings page at desktop and phone widths."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from outsidein.sso import services
from tests.sso.provider import Provider

pytestmark = pytest.mark.e2e


@pytest.fixture
def provider(settings: Any, live_server: Any) -> Iterator[Provider]:
    settings.OUTGOING_ALLOW_HOSTS = ["127.0.0.1"]
    settings.BASE_URL = live_server.url  # the redirect URI the provider sends the browser to
    provider = Provider().start()
    provider.clients = {"acme-app": "acme-secret-1234"}
    yield provider
    provider.stop()


def test_company_sign_in_and_settings(browsing: Any, e2e_tenant: Any, provider: Provider) -> None:
    services.save_configuration(
        e2e_tenant.organisation,
        enabled=True,
        issuer=provider.issuer,
        client_id="acme-app",
        client_secret="acme-secret-1234",
        allowed_domains=["acme.test"],
        auto_create=False,
        default_team=None,
        password_login=False,
        break_glass_admin=e2e_tenant.admin,
    )
    provider.user = {"sub": "1", "email": e2e_tenant.admin.email, "email_verified": True}
    page = browsing.page
    for width in (1400, 390):
        phone = browsing.new_page(viewport={"width": width, "height": 900})
        phone.goto(browsing.url("/login/"))
        expect(
            phone.get_by_role("heading", name="Sign in with your company account")
        ).to_be_visible()
        browsing.screenshot(f"sso-login-{width}", phone)
        phone.close()
    page.goto(browsing.url("/login/"))
    page.fill("#id_sso_email", e2e_tenant.admin.email)
    page.get_by_role("button", name="Continue to your company sign-in").click()
    expect(page.locator("[data-testid=kpi-customers]")).to_be_visible()
    for width in (1400, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(browsing.url("/settings/sso/"))
        page.get_by_role("button", name="Test discovery").click()
        expect(page.get_by_test_id("sso-discovery")).to_contain_text("Discovery works")
        browsing.screenshot(f"sso-settings-{width}")
    browsing.problems.assert_none()
