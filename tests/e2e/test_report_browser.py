"""End-to-end: a leader opens the monthly report, picks a month, and finds the PDF link; an
administrator chooses who receives it. Screenshots in test-output/screenshots."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def last_month(e2e_tenant: Any) -> Any:
    from outsidein.centricity.report import last_full_month
    from tests.centricity.test_report import scores, stories

    month = last_full_month(timezone.localdate())
    before = last_full_month(month)
    scores(e2e_tenant, month, [10] * 20 + [8] * 10 + [3] * 10, csat=[5, 4, 2])
    scores(e2e_tenant, before, [9] * 10 + [7] * 10 + [1] * 20, csat=[2, 1, 4])
    stories(e2e_tenant, month)
    return month


def test_leader_reads_the_monthly_report(browsing: Any, e2e_tenant: Any, last_month: Any) -> None:
    from playwright.sync_api import expect

    browsing.log_in(e2e_tenant.employee.email, TEST_PASSWORD)
    page = browsing.page
    page.goto(browsing.url("/report/"))
    code = last_month.strftime("%Y-%m")
    expect(page.locator("[data-testid=report-month-select]")).to_have_value(code)
    expect(page.locator("[data-testid=figure-nps]")).to_contain_text("n=43")
    expect(page.locator("[data-testid=story-detractor]")).to_contain_text("gedeelde mailbox")
    expect(page.locator("[data-testid=report-index]")).to_be_visible()
    expect(page.locator("[data-testid=report-pdf-link]")).to_have_attribute(
        "href", f"/report/{code}.pdf"
    )
    assert page.locator("[data-testid=figure-nps] svg circle").count() == 1
    browsing.screenshot("report-month")
    response = page.request.get(browsing.url(f"/report/{code}.pdf"))
    assert response.ok and response.body().startswith(b"%PDF-")
    # A month with nothing in it: statements, not numbers that mean nothing.
    page.locator("[data-testid=report-month-select]").select_option(index=6)
    page.get_by_role("button", name="Show").click()
    expect(page.locator("[data-testid=report-figures]")).to_contain_text(
        "No customer feedback was recorded in this month."
    )
    browsing.screenshot("report-empty-month")
    phone = browsing.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    browsing.log_in(e2e_tenant.employee.email, TEST_PASSWORD, page=phone)
    phone.goto(browsing.url(f"/report/?month={code}"))
    expect(phone.locator("[data-testid=story-promoter]")).to_contain_text("monteur")
    browsing.screenshot("report-phone", page=phone)


def test_admin_chooses_who_receives_the_report(browsing: Any, e2e_tenant: Any) -> None:
    from playwright.sync_api import expect

    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    page = browsing.page
    page.goto(browsing.url("/report/subscriptions/"))
    page.get_by_label("Leader").select_option(str(e2e_tenant.manager.pk))
    page.get_by_label("Day of the month").fill("3")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-testid=subscriptions]")).to_contain_text(e2e_tenant.manager.email)
    browsing.screenshot("report-subscriptions")
