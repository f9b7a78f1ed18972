"""End-to-end: a customer answers a survey on a phone; staff read the inbox and dashboard."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def open_survey(e2e_tenant: Any) -> Any:
    from outsidein.voice import services

    survey = services.create_survey(
        e2e_tenant.organisation,
        name="Relatie-NPS",
        title_nl="Hoe doen we het?",
        title_en="How are we doing?",
        team=e2e_tenant.manager.team,
        allow_anonymous=True,
    )
    return services.open_survey(survey)


def test_customer_answers_on_a_phone_with_follow_up(browsing: Any, open_survey: Any) -> None:
    from playwright.sync_api import expect

    from outsidein.voice.models import Feedback

    phone = browsing.new_page(
        viewport={"width": 390, "height": 844}, locale="nl-NL", is_mobile=True
    )
    phone.goto(browsing.url(f"/r/{open_survey.public_key}/"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hoe doen we het?")
    # Submitting without the required score names the question.
    phone.get_by_role("button", name="Versturen").click()
    expect(phone.locator("#err-nps")).to_be_visible()
    browsing.screenshot("survey-error-phone", page=phone)
    phone.locator("label.scale-option", has_text=re.compile(r"^3$")).click()
    phone.fill("textarea[name=reason]", "De factuur klopte niet")
    browsing.screenshot("survey-phone", page=phone)
    # The page fits the phone: no sideways scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.get_by_role("button", name="Versturen").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Bedankt!")
    feedback = Feedback.objects.get(is_complete=True)
    assert (feedback.nps, feedback.comment, feedback.language) == (
        3,
        "De factuur klopte niet",
        "nl",
    )
    browsing.problems.assert_none()


def test_sending_while_a_partial_save_is_on_its_way_stores_one_response(
    browsing: Any, open_survey: Any
) -> None:
    """The page saves answers as the customer goes; a customer who sends while such a save is
    still on its way (a slow network) gets one response, the one that save started."""
    from playwright.sync_api import expect

    from outsidein.voice.models import Feedback

    phone = browsing.new_page(
        viewport={"width": 390, "height": 844}, locale="nl-NL", is_mobile=True
    )
    held: list[Any] = []

    def hold_partial_saves(route: Any) -> None:
        request = route.request
        if request.method == "POST" and 'name="partial"' in (request.post_data or ""):
            held.append(route)  # let through only after the customer has sent
        else:
            route.continue_()

    phone.route("**/r/**", hold_partial_saves)
    phone.goto(browsing.url(f"/r/{open_survey.public_key}/"))
    phone.locator("label.scale-option", has_text=re.compile(r"^8$")).click()
    phone.wait_for_timeout(1000)  # the page saves 0.8 s after an answer
    assert len(held) == 1, "the page made no partial save to hold"
    phone.fill("textarea[name=reason]", "Snel geholpen")
    phone.get_by_role("button", name="Versturen").click(no_wait_after=True)
    phone.wait_for_timeout(500)
    for route in held:
        route.continue_()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Bedankt!")
    [feedback] = Feedback.objects.filter(survey=open_survey)
    assert (feedback.is_complete, feedback.nps, feedback.comment) == (True, 8, "Snel geholpen")
    browsing.problems.assert_none()


def test_score_keyboard_only(browsing: Any, open_survey: Any) -> None:
    from playwright.sync_api import expect

    page = browsing.page
    page.goto(browsing.url(f"/r/{open_survey.public_key}/?lang=en"))
    page.locator("input[name=nps][value='0']").focus()
    page.keyboard.press("ArrowRight")  # radio group: arrows move and select
    page.keyboard.press("ArrowRight")
    expect(page.locator("input[name=nps][value='2']")).to_be_checked()
    browsing.problems.assert_none()


def test_staff_read_the_inbox_and_dashboard(
    browsing: Any, e2e_tenant: Any, open_survey: Any
) -> None:
    from playwright.sync_api import expect

    from outsidein.voice import services

    customer = e2e_tenant.business_customer
    now = timezone.now()
    for index in range(40):
        services.record_feedback(
            e2e_tenant.organisation,
            kind="response",
            channel="email",
            survey=open_survey,
            customer=customer if index % 4 == 0 else None,
            nps=(index * 7) % 11,
            comment="Factuur te laat" if index % 5 == 0 else "",
            submitted_at=now - timedelta(days=index * 5),
        )
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    page = browsing.page
    page.goto(browsing.url("/dashboard/"))
    expect(page.locator("[data-testid=kpi-nps]")).not_to_have_text("")
    expect(page.locator("canvas[data-chart][data-drawn='1']")).to_have_count(4)
    browsing.screenshot("dashboard")
    page.goto(browsing.url("/inbox/"))
    page.fill("input[name=q]", "factuur")
    expect(page.locator("[data-testid=feedback-count]")).to_have_text("8 items")
    page.locator(".feedback-row a").first.click()
    expect(page.get_by_role("heading", name="What the customer said")).to_be_visible()
    browsing.screenshot("feedback-detail")
    page.goto(browsing.url(f"/surveys/{open_survey.pk}/"))
    expect(page.locator("[data-testid=public-link]")).to_be_visible()
    browsing.screenshot("survey-detail")
    browsing.problems.assert_none()
