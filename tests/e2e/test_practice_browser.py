"""End-to-end: an unhappy customer's follow-up from My work to a closed loop and a proposal in the
decision register; a contact logged on a phone; the Practices overview."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def unhappy_customer(e2e_tenant: Any) -> Any:
    from outsidein.practice import services as practice
    from outsidein.voice import services

    practice.create_root_cause(e2e_tenant.organisation, name="Communication")
    survey = services.open_survey(
        services.create_survey(
            e2e_tenant.organisation, name="Relatie-NPS", team=e2e_tenant.employee.team
        )
    )
    return services.submit_response(
        survey,
        data={"nps": "2", "reason": "Niemand belde terug over mijn storing"},
        channel="email",
        language="nl",
        customer=e2e_tenant.business_customer,
    )


def test_closing_the_loop_from_my_work(
    browsing: Any, e2e_tenant: Any, unhappy_customer: Any
) -> None:
    from playwright.sync_api import expect

    from outsidein.practice.models import Case

    page = browsing.page
    browsing.log_in(e2e_tenant.employee.email, TEST_PASSWORD)
    page.get_by_role("link", name="My work").click()
    item = page.locator("[data-testid=work-customer]").first
    expect(item).to_contain_text("NPS 2")
    browsing.screenshot("practice-my-work")
    item.get_by_role("link").click()
    page.get_by_role("button", name="Pick up").click()
    expect(page.locator(".message")).to_contain_text("It is yours now")
    # Closing before speaking with the customer is refused, with the reason on the form.
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.locator("#close")).to_contain_text("Record your contact with the customer")
    page.fill("textarea[name=text]", "Gebeld: storing was al verholpen, excuses gemaakt.")
    page.get_by_role("button", name="Record contact").click()
    expect(page.locator(".timeline")).to_contain_text("storing was al verholpen")
    page.fill("textarea[name=learned]", "Storingsmeldingen worden niet teruggekoppeld.")
    page.select_option("select[name=root_cause]", label="Communication")
    page.select_option("select[name=loop]", value="outer")
    browsing.screenshot("practice-close-loop")
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.locator("[data-testid=case-status]")).to_have_text("Closed")
    page.get_by_role("link", name=re.compile("Structural fix")).click()
    expect(page.locator("[data-testid=evidence]")).to_contain_text("Niemand belde terug")
    browsing.screenshot("practice-proposal")
    case = Case.objects.get(feedback=unhappy_customer)
    assert case.loop == "outer" and case.decision is not None
    browsing.problems.assert_none()


def test_logging_a_contact_on_a_phone(browsing: Any, e2e_tenant: Any) -> None:
    from playwright.sync_api import expect

    from outsidein.practice.models import Contact

    phone = browsing.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    browsing.log_in(e2e_tenant.employee.email, TEST_PASSWORD, page=phone)
    phone.goto(browsing.url("/contacts/"))
    phone.get_by_text("Support shift", exact=True).click()
    phone.fill("input[name=customer]", "Bakkerij Jansen")
    phone.fill("textarea[name=learned]", "Wil de nota per filiaal.")
    phone.get_by_label("Also put this learning in the feedback inbox").check()
    browsing.screenshot("practice-contact-phone", page=phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.get_by_role("button", name="Log contact").click()
    expect(phone.locator(".message")).to_contain_text("in the feedback inbox")
    contact = Contact.objects.get()
    assert contact.customer.name == "Bakkerij Jansen"
    assert contact.feedback is not None
    # Coverage shows the last complete month by default; the running month is asked for.
    this_month = timezone.localdate().strftime("%Y-%m")
    phone.goto(browsing.url(f"/contacts/coverage/?period={this_month}"))
    expect(phone.locator("[data-testid=kpi-coverage]")).to_have_text("33%")
    browsing.screenshot("practice-coverage-phone", page=phone)
    browsing.problems.assert_none()


def test_the_practices_overview(browsing: Any, e2e_tenant: Any) -> None:
    from playwright.sync_api import expect

    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    browsing.page.get_by_role("link", name="Practices").click()
    expect(browsing.page.locator("[data-testid=norm-queue]")).to_be_visible()
    expect(browsing.page.locator("[data-testid=norm-contacts]")).to_contain_text("no data")
    browsing.page.wait_for_function("document.querySelectorAll('canvas[data-drawn]').length >= 4")
    browsing.screenshot("practice-overview")
    browsing.problems.assert_none()
