"""End-to-end: an employee answers the mirror survey on a phone; the CX lead reads the delivery
gap (paired dots, headline, trend, a team with too few answers)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import TEST_PASSWORD, PersonFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def mirror(e2e_tenant: Any) -> Any:
    """Two closed waves with answers on both sides and the current, open one."""
    from outsidein.centricity import services
    from outsidein.centricity.models import EmployeeResponse
    from outsidein.core.models import Segment
    from outsidein.voice.models import Channel, FeedbackKind
    from outsidein.voice.services import FeedbackRow, bulk_record

    organisation = e2e_tenant.organisation
    helpdesk = e2e_tenant.manager.team
    for _ in range(8):
        PersonFactory(organisation=organisation, team=helpdesk)
    segment, _created = Segment.objects.get_or_create(organisation=organisation, name="Households")
    services.set_served_segments(helpdesk, [segment])
    now = timezone.now()
    waves = []
    for index, days in enumerate((300, 120, 3)):
        wave = services.create_wave(
            organisation,
            name=["Baseline", "Billing trouble", "Spring"][index],
            opens_at=now - timedelta(days=days),
            closes_at=now - timedelta(days=days) + timedelta(days=21),
        )
        wave = services.open_wave(wave, now=now - timedelta(days=days))
        items = services.wave_items(wave)
        employees = []
        for person in range(12 if index < 2 else 0):
            answers = {
                i["key"]: 5
                + (person + len(i["key"])) % 3
                + (1 if i["dimension"] in ("responsiveness", "promises") else 0)
                for i in items
            }
            answers = {k: min(7, v) for k, v in answers.items()}
            employees.append(
                EmployeeResponse(
                    organisation=organisation, wave=wave, team=helpdesk, answers=answers
                )
            )
        EmployeeResponse.objects.bulk_create(employees)
        rows = []
        dip = 1 if index == 1 else 0
        for number in range(30 if index < 2 else 0):
            answers = {i["key"]: max(1, 3 + (number + len(i["key"])) % 3 - dip) for i in items}
            answers["superior"] = 7 if number % 9 == 0 else 3
            rows.append(
                FeedbackRow(
                    kind=FeedbackKind.RESPONSE,
                    channel=Channel.EMAIL,
                    language="en",
                    submitted_at=now - timedelta(days=days - 2),
                    survey_id=wave.survey_id,
                    segment_id=segment.pk,
                    answers=answers,
                )
            )
        bulk_record(organisation, rows)
        if index < 2:
            services.close_wave(wave)
        waves.append(wave)
    return waves


def test_employee_answers_the_mirror_survey_on_a_phone(
    browsing: Any, e2e_tenant: Any, mirror: Any
) -> None:
    from playwright.sync_api import expect

    from outsidein.centricity.models import EmployeeResponse

    phone = browsing.new_page(
        viewport={"width": 390, "height": 844}, locale="en-GB", is_mobile=True
    )
    browsing.log_in(e2e_tenant.employee.email, TEST_PASSWORD, page=phone)
    phone.goto(browsing.url("/mirror/answer/"))
    browsing.screenshot("mirror-answer-list-phone", page=phone)
    phone.locator("[data-testid=mirror-open-wave]").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Spring")
    expect(phone.get_by_text("stored without your name").first).to_be_visible()
    # Sending nothing says so, with status 200 (no console error).
    phone.locator("[data-testid=mirror-submit]").click()
    expect(phone.locator("#form-errors")).to_contain_text("Answer at least one statement")
    groups = phone.locator("fieldset.agree")
    count = groups.count()
    assert count >= 20
    for index in range(count):
        groups.nth(index).locator("label.tap").nth(5).click()
    # Keyboard: the radios of a statement are reachable and change with the arrow keys.
    first = groups.nth(0).locator("input[type=radio]").nth(5)
    first.focus()
    phone.keyboard.press("ArrowRight")
    expect(groups.nth(0).locator("input[type=radio]").nth(6)).to_be_checked()
    browsing.screenshot("mirror-answer-phone", page=phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.locator("[data-testid=mirror-submit]").click()
    expect(phone.locator(".message-success")).to_contain_text("without your name")
    expect(phone.get_by_text("Answered, thank you")).to_be_visible()
    browsing.screenshot("mirror-answered-phone", page=phone)
    assert EmployeeResponse.objects.filter(wave=mirror[2]).count() == 1
    browsing.problems.assert_none()


def test_cx_lead_reads_the_delivery_gap(browsing: Any, e2e_tenant: Any, mirror: Any) -> None:
    from playwright.sync_api import expect

    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    page = browsing.page
    page.goto(browsing.url(f"/mirror/?wave={mirror[1].pk}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("The delivery gap")
    expect(page.locator("[data-testid=paired-dots] circle")).to_have_count(12)
    expect(page.locator("[data-testid=gap-story]")).to_contain_text("The widest gap is in")
    expect(page.locator("[data-testid=kpi-employees]")).not_to_have_text("–")
    expect(page.locator("canvas[data-chart='mirror-trend'][data-drawn='1']")).to_have_count(1)
    browsing.screenshot("mirror-gap")
    # The open wave has two answers: fewer than five, so nothing is shown and the page says why.
    from outsidein.centricity.models import EmployeeResponse

    for _ in range(2):
        EmployeeResponse.objects.create(
            organisation=e2e_tenant.organisation, wave=mirror[2], answers={"know-needs": 7}
        )
    page.goto(browsing.url(f"/mirror/?wave={mirror[2].pk}"))
    expect(page.get_by_text("employees: fewer than 5, hidden").first).to_be_visible()
    expect(page.get_by_text("anyone could work out who said what").first).to_be_visible()
    browsing.screenshot("mirror-gap-too-few")
    page.goto(browsing.url(f"/mirror/reliability/?wave={mirror[0].pk}"))
    expect(page.locator("[data-testid^=reliability-]")).to_have_count(6)
    browsing.screenshot("mirror-reliability")
    page.goto(browsing.url("/mirror/statements/"))
    browsing.screenshot("mirror-statements")
    page.goto(browsing.url(f"/mirror/waves/{mirror[2].pk}/"))
    browsing.screenshot("mirror-wave")
    browsing.problems.assert_none()
