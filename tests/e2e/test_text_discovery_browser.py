"""End-to-end: an administrator discovers themes in recent comments, sees the candidates with
their key phrases and examples, renames one and accepts another, which then is a theme."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def comments(e2e_tenant: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from outsidein.voice.services import FeedbackRow, bulk_record
    from tests.text.discovery_data import planted

    items, _truth = planted()
    when = timezone.now() - timedelta(days=2)
    bulk_record(
        e2e_tenant.organisation,
        [
            FeedbackRow(
                kind="complaint", channel="email", language=language, submitted_at=when,
                comment=text,
            )
            for text, language in items
        ],
    )  # fmt: skip


def test_discover_accept_and_rename_candidates(
    browsing: Any, e2e_tenant: Any, comments: None
) -> None:
    from playwright.sync_api import expect

    from outsidein.text.models import Theme

    page = browsing.page
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    page.goto(browsing.url("/themes/"))
    expect(page.locator("[data-testid=no-candidates]")).to_be_visible()
    page.locator("[data-testid=discover-form] select[name=days]").select_option("30")
    page.locator("[data-testid=discover-form]").get_by_role("button").click()

    candidates = page.locator("[data-testid=candidate]")
    expect(candidates).to_have_count(3)
    expect(page.locator("[data-testid=discovery-run]")).to_contain_text("3 candidates")
    names = page.locator("[data-testid=candidate-name]")
    expect(names.filter(has_text=re.compile(r"te laat", re.I))).to_have_count(1)
    late = candidates.filter(has_text=re.compile(r"te laat", re.I))
    examples = late.locator("[data-testid=candidate-examples] li")
    expect(examples.first).to_be_visible()
    assert 2 <= examples.count() <= 4
    expect(late).to_contain_text("English:")
    browsing.screenshot("text-discovery-candidates")

    # Rename one inline, then accept it: it joins the themes.
    rename = late.locator("[data-testid=candidate-rename]")
    rename.locator("input[name=name]").fill("Late levering")
    rename.get_by_role("button", name="Rename").click()
    expect(page.locator(".message-success")).to_contain_text("Late levering")
    late = page.locator("[data-testid=candidate]").filter(has_text="Late levering")
    late.locator("[data-testid=candidate-accept]").click()
    expect(page.locator(".message-success")).to_contain_text("is now one of the themes")
    expect(page.locator("[data-testid=candidate]")).to_have_count(2)
    expect(page.locator("[data-testid=themes-table]")).to_contain_text("Late levering")
    browsing.screenshot("text-discovery-accepted")
    assert Theme.objects.get(organisation=e2e_tenant.organisation, name="Late levering").status == (
        "accepted"
    )
    browsing.problems.assert_none()
