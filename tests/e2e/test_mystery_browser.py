"""End-to-end: an employee does their mystery shop report on a phone and opens a follow-up;
a manager reads the results, the team's shops and the scenarios."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import TEST_PASSWORD, PersonFactory, TeamFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def mystery(e2e_tenant: Any) -> Any:
    """Two scenarios, a year of reported shops by a dozen colleagues, and the employee's open
    shop of the phone scenario."""
    from outsidein.mystery import services

    organisation = e2e_tenant.organisation
    helpdesk = e2e_tenant.manager.team
    billing = TeamFactory(organisation=organisation, name="Billing", slug="billing")
    phone = services.create_scenario(
        organisation,
        name="Calling about the annual bill",
        channel="phone",
        touchpoint="Question about the annual bill",
        team=helpdesk,
        instructions="Call customer service and ask why your monthly payment goes up by €40.\n"
        "Note how long you wait and whether the explanation makes sense.",
        checklist=["Answered within 3 minutes", "Agent gives their name"],
        scoring=["Friendliness", "Clarity of the answer"],
    )
    chat = services.create_scenario(
        organisation,
        name="Chat about a payment plan",
        channel="widget",
        touchpoint="Agreeing a payment plan",
        team=billing,
        instructions="Open the website chat and ask for a payment plan in three instalments.",
        checklist=["A person within 2 minutes", "A concrete proposal"],
        scoring=["Empathy", "Speed"],
    )
    for index in range(22):
        PersonFactory(organisation=organisation, team=billing if index < 11 else helpdesk)
    today = timezone.localdate()
    start = today - timedelta(days=4 * 90 + 5)
    for round_index in range(4):
        day = start + timedelta(days=90 * round_index)
        for number, shop in enumerate(services.plan_assignments(organisation, day).created):
            if number % 4 == 3:
                continue  # not done: expires with the next round
            good = shop.scenario_id == phone.pk
            answers = {
                "checklist": {
                    item["key"]: "yes" if good or number % 3 == 0 else "no"
                    for item in shop.scenario.checklist
                },
                "scores": {
                    item["key"]: min(5, 3 + round_index // 2) if good else 2
                    for item in shop.scenario.scoring
                },
            }
            services.submit_report(
                shop,
                by=shop.person,
                observations="Fine." if good else "Long wait, no proposal.",
                now=timezone.make_aware(datetime.combine(day + timedelta(days=10), time(12))),
                **answers,
            )
    # The current round: the employee gets the phone scenario.
    from outsidein.mystery.models import Assignment, AssignmentStatus

    services.plan_assignments(organisation, today)
    mine = Assignment.objects.get(person=e2e_tenant.employee, status=AssignmentStatus.ASSIGNED)
    if mine.scenario_id != phone.pk:
        Assignment.objects.filter(pk=mine.pk).update(scenario=phone)
    e2e_tenant.chat = chat
    return Assignment.objects.get(pk=mine.pk)


def test_employee_reports_a_mystery_shop_on_a_phone(
    browsing: Any, e2e_tenant: Any, mystery: Any
) -> None:
    from playwright.sync_api import expect

    from outsidein.mystery.models import Assignment
    from outsidein.practice.models import Case

    phone = browsing.new_page(
        viewport={"width": 390, "height": 844}, locale="en-GB", is_mobile=True
    )
    browsing.log_in(e2e_tenant.employee.email, TEST_PASSWORD, page=phone)
    phone.goto(browsing.url("/mystery/"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("My mystery shops")
    browsing.screenshot("mystery-mine-phone", page=phone)
    phone.locator("[data-testid=open-shop]").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Calling about the annual bill")
    expect(phone.get_by_text("Call customer service and ask why")).to_be_visible()
    browsing.screenshot("mystery-shop-phone", page=phone)
    # Sending without answers names every item that is missing.
    phone.get_by_role("button", name="Send report").click()
    expect(phone.locator("[data-testid=report-errors]")).to_be_visible()
    expect(
        phone.get_by_text("Answer “Agent gives their name”: yes, no or not applicable.")
    ).to_be_visible()
    expect(phone.get_by_text("Score “Friendliness” from 1 to 5.")).to_be_visible()
    browsing.screenshot("mystery-report-errors-phone", page=phone)
    groups = phone.locator("fieldset.tap-group")
    expect(groups).to_have_count(4)
    groups.nth(0).locator("label.tap", has_text="No").click()
    groups.nth(1).locator("label.tap", has_text="Yes").click()
    groups.nth(2).locator("label.tap", has_text=re.compile(r"^4$")).click()
    groups.nth(3).locator("label.tap", has_text=re.compile(r"^2$")).click()
    expect(groups.nth(0).locator("input[value=no]")).to_be_checked()
    phone.fill(
        "textarea[name=observations]", "Fourteen minutes on hold; the agent was kind but vague."
    )
    phone.get_by_text("Something to put right?").click()
    phone.fill("input[name=follow_up]", "Phone queue too long at lunchtime")
    browsing.screenshot("mystery-report-phone", page=phone)
    # The page fits the phone: no sideways scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.get_by_role("button", name="Send report").click()
    expect(phone.locator(".message-success")).to_contain_text("your mystery shop is reported")
    expect(phone.get_by_role("heading", name="What it started")).to_be_visible()
    browsing.screenshot("mystery-report-done-phone", page=phone)
    shop = Assignment.objects.get(pk=mystery.pk)
    assert (shop.status, shop.score) == ("done", 50)  # no, yes, 4, 2: (0 + 100 + 75 + 25) / 4
    case = Case.objects.get(pk=shop.case_id)
    assert (case.kind, case.subject) == ("follow_up", "Phone queue too long at lunchtime")
    browsing.problems.assert_none()


def test_manager_reads_results_team_shops_and_scenarios(
    browsing: Any, e2e_tenant: Any, mystery: Any
) -> None:
    from playwright.sync_api import expect

    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    page = browsing.page
    page.goto(browsing.url("/mystery/results/?months=24"))
    expect(page.locator("canvas[data-mystery-chart][data-drawn='1']")).to_have_count(1)
    expect(page.locator("[data-testid=touchpoints] tr.touchpoint-row").first).to_contain_text(
        "Agreeing a payment plan"
    )
    expect(page.locator("[data-testid=coverage] tbody tr")).to_have_count(2)
    browsing.screenshot("mystery-results")
    page.goto(browsing.url("/mystery/shops/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mystery shops of the team")
    page.get_by_role("button", name="Plan the shops that are due").click()
    expect(page.locator(".message-success")).to_contain_text("Everyone already has")
    browsing.screenshot("mystery-team-shops")
    page.goto(browsing.url("/mystery/scenarios/"))
    page.get_by_role("link", name="Chat about a payment plan").click()
    page.fill("textarea[name=checklist]", "A person within 2 minutes\nA person within 2 minutes")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".errorlist")).to_contain_text("is in the list twice")
    browsing.screenshot("mystery-scenario-edit")
    page.goto(browsing.url("/mystery/settings/"))
    browsing.screenshot("mystery-settings")
    browsing.problems.assert_none()
