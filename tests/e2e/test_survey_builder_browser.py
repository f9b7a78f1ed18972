"""End-to-end: a manager builds a survey with a jump, previews it in English, and a customer
takes the jump on the public page (one browser session, builder and preview at 1400 and 390 px)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_build_preview_and_answer_a_survey_with_a_jump(browsing: Any, e2e_tenant: Any) -> None:
    from playwright.sync_api import expect

    from outsidein.voice.models import Feedback, Survey

    page = browsing.page
    page.set_viewport_size({"width": 1400, "height": 900})
    browsing.log_in(e2e_tenant.manager.email, TEST_PASSWORD)
    page.goto(browsing.url("/surveys/new/"))
    page.fill("input[name=name]", "Na de levering")
    page.select_option("select[name=template]", "nps")
    page.fill("input[name=title_nl]", "Hoe ging de levering?")
    page.fill("input[name=title_en]", "How was the delivery?")
    page.locator("main form button[type=submit]").click()
    survey = Survey.objects.get(name="Na de levering")
    nps = survey.questions.get(key="nps")

    # The jump: promoters (9–10) end the survey; everyone else is asked the reason.
    page.locator(f"#question-{nps.pk}").get_by_role("link", name="Edit").click()
    browsing.screenshot("survey-question-edit-1400")
    page.set_viewport_size({"width": 390, "height": 844})
    assert _fits(page), "the question editor is wider than a phone"
    browsing.screenshot("survey-question-edit-390")
    page.set_viewport_size({"width": 1400, "height": 900})
    page.fill("input[name=text_en]", "How likely are you to recommend us?")
    page.fill("input[name=jump_0_min]", "9")
    page.fill("input[name=jump_0_max]", "10")
    page.select_option("select[name=jump_0_goto]", "end")
    page.get_by_role("button", name="Save question").click()
    expect(page.locator("[data-testid=jump]")).to_have_text(re.compile("9–10: end the survey"))

    # Reorder by drag (saved at once), then back with the keyboard-friendly ↑ button.
    reason = survey.questions.get(key="reason")
    with (
        page.expect_navigation(),
        page.expect_response(lambda r: "/questions/order/" in r.url) as saved,
    ):
        page.locator(f"#question-{reason.pk} .drag-handle").drag_to(
            page.locator(f"#question-{nps.pk}"), target_position={"x": 40, "y": 2}
        )
    assert saved.value.ok
    expect(page.locator("ol.builder-questions > li").first).to_have_id(f"question-{reason.pk}")
    assert list(survey.questions.values_list("key", flat=True)) == ["reason", "nps"]
    page.locator(f"#question-{nps.pk}").get_by_role("button", name="Move question 2 up").click()
    expect(page.locator("ol.builder-questions > li").first).to_have_id(f"question-{nps.pk}")
    assert list(survey.questions.values_list("key", flat=True)) == ["nps", "reason"]

    # Public link on, survey open; the builder shows the whole widget snippet.
    page.get_by_role("link", name="Settings").click()
    page.check("input[name=allow_anonymous]")
    page.locator("main form button[type=submit]").click()
    page.get_by_role("button", name="Open survey").click()
    expect(page.locator("[data-testid=survey-status]")).to_have_text("Open")
    snippet = page.locator("[data-testid=widget-snippet]")
    assert snippet.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # wraps, not cut off
    page.get_by_role("button", name="Copy code").click()
    expect(
        page.get_by_role("button", name="Copied").or_(page.locator(".snippet-note"))
    ).to_be_visible()
    browsing.screenshot("survey-builder-1400")
    page.set_viewport_size({"width": 390, "height": 844})
    assert _fits(page), "the builder is wider than a phone"
    browsing.screenshot("survey-builder-390")

    # Preview in English: the jump hides the reason for a 10; nothing is stored.
    page.set_viewport_size({"width": 1400, "height": 900})
    page.get_by_test_id("preview-en").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How was the delivery?")
    expect(page.locator("[data-testid=preview-bar]")).to_be_visible()
    reason = page.locator("#q-reason")
    page.locator("label.scale-option", has_text=re.compile(r"^5$")).click()
    expect(reason).to_be_visible()
    page.locator("label.scale-option", has_text=re.compile(r"^10$")).click()
    expect(reason).to_be_hidden()
    browsing.screenshot("survey-preview-1400")
    page.set_viewport_size({"width": 390, "height": 844})
    assert _fits(page), "the preview is wider than a phone"
    browsing.screenshot("survey-preview-390")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("[data-testid=preview-answers]")).to_contain_text("10")
    assert not Feedback.objects.exists()

    # A customer on a phone takes the jump: the reason is skipped, only the score is kept.
    phone = browsing.new_page(viewport={"width": 390, "height": 844}, locale="nl-NL")
    phone.goto(browsing.url(f"/r/{survey.public_key}/"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hoe ging de levering?")
    phone.locator("label.scale-option", has_text=re.compile(r"^10$")).click()
    expect(phone.locator("#q-reason")).to_be_hidden()
    phone.get_by_role("button", name="Versturen").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Bedankt!")
    feedback = Feedback.objects.get(is_complete=True)
    assert feedback.answers == {"nps": 10} and feedback.channel == "link"
    browsing.problems.assert_none()
