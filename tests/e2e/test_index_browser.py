"""End-to-end: the CX lead reads the customer-centricity index (pillars, missing indicators,
what would move it, the trend), a team's partial index, sets a target, and the team
scorecards with the gaming warning and the export."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import TEST_PASSWORD, PersonFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def measured(e2e_tenant: Any) -> Any:
    """A mirror survey wave answered on both sides, survey scores and customer contacts in
    this quarter; helpdesk owns the survey it is scored on."""
    from outsidein.centricity import indicators, services
    from outsidein.centricity.models import EmployeeResponse
    from outsidein.core.models import Segment
    from outsidein.practice.models import Contact, ContactKind
    from outsidein.voice.models import Channel, FeedbackKind, Survey
    from outsidein.voice.services import FeedbackRow, bulk_record

    organisation = e2e_tenant.organisation
    helpdesk = e2e_tenant.manager.team
    people = [PersonFactory(organisation=organisation, team=helpdesk) for _ in range(8)]
    segment, _created = Segment.objects.get_or_create(organisation=organisation, name="Households")
    services.set_served_segments(helpdesk, [segment])
    now = timezone.now()
    wave = services.create_wave(organisation, name="Autumn", opens_at=now - timedelta(days=2))
    wave = services.open_wave(wave, now=now - timedelta(days=2))
    items = services.wave_items(wave)
    EmployeeResponse.objects.bulk_create(
        EmployeeResponse(
            organisation=organisation,
            wave=wave,
            team=helpdesk,
            answers={i["key"]: 5 + (n + len(i["key"])) % 3 for i in items},
        )
        for n in range(10)
    )
    survey = Survey.objects.create(organisation=organisation, name="After a call", team=helpdesk)
    rows = [
        FeedbackRow(
            kind=FeedbackKind.RESPONSE,
            channel=Channel.EMAIL,
            language="en",
            submitted_at=now - timedelta(hours=n + 1),
            survey_id=wave.survey_id,
            segment_id=segment.pk,
            answers={
                **{i["key"]: 3 + (n + len(i["key"])) % 3 for i in items},
                "superior": 7 if n % 8 == 0 else 3,
            },
        )
        for n in range(30)
    ]
    rows += [
        FeedbackRow(
            kind=FeedbackKind.RESPONSE,
            channel=Channel.EMAIL,
            language="en",
            submitted_at=now - timedelta(hours=n + 1),
            survey_id=survey.pk,
            team_id=helpdesk.pk,
            nps=[10, 9, 8, 7, 3, 10][n % 6],
            csat=[5, 4, 4, 2][n % 4],
        )
        for n in range(48)
    ]
    bulk_record(organisation, rows)
    Contact.objects.bulk_create(
        Contact(
            organisation=organisation,
            person=person,
            team=helpdesk,
            kind=ContactKind.choices[0][0],
            happened_on=timezone.localdate(),
        )
        for person in people[:6]
    )
    indicators.save_rewards(organisation, {"nps": "20", "contacts": ""})
    return wave


def test_cx_lead_reads_the_index_and_the_scorecards(
    browsing: Any, e2e_tenant: Any, measured: Any
) -> None:
    from playwright.sync_api import expect

    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    page = browsing.page
    from outsidein.core.periods import Quarter

    # The index shows the last complete quarter by default; the data is in the running one.
    running = Quarter.of(timezone.localdate())
    page.goto(browsing.url(f"/index/?quarter={running}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer-centricity index")
    expect(page.locator("[data-testid=index-value] .index-headline")).to_have_text(
        re.compile(r"^\d+$")
    )
    expect(page.locator("[data-testid=index-value]")).to_contain_text("indicators missing")
    expect(page.locator("[data-testid=movers] li").first).to_be_visible()
    expect(page.locator("[data-testid=indicator-ideas]")).to_contain_text("missing")
    expect(page.locator("canvas[data-chart='index-trend'][data-drawn='1']")).to_have_count(1)
    # Every number links to the data behind it: the NPS value opens the dashboard, filtered.
    nps_link = page.locator("[data-testid=indicator-nps] td.num a").first
    assert "/dashboard/?since=" in (nps_link.get_attribute("href") or "")
    browsing.screenshot("index")

    # A team: partial or not, the page says what is missing and never shows a zero for it.
    page.locator("#id_team").select_option(label=e2e_tenant.manager.team.name)
    page.get_by_role("button", name="Show").click()
    expect(page.locator("[data-testid=index-value]")).to_contain_text(
        f"Index of {e2e_tenant.manager.team.name}"
    )
    browsing.screenshot("index-team")

    # Targets and weights: a target below the floor is refused, naming the field.
    page.goto(browsing.url("/index/settings/"))
    page.fill("input[name=nps-target]", "-80")
    page.get_by_role("button", name="Save targets and weights").click()
    expect(page.locator(".field-error").first).to_contain_text("above the floor")
    browsing.screenshot("index-settings-error")
    page.fill("input[name=nps-target]", "40")
    page.get_by_role("button", name="Save targets and weights").click()
    expect(page.locator(".message-success")).to_contain_text("saved")

    # The scorecards warn that NPS asked by the rewarded team is easy to game.
    page.goto(browsing.url(f"/index/scorecards/?quarter={running}"))
    expect(page.locator("[data-testid=gaming-warnings]")).to_contain_text("whom to ask")
    expect(page.locator("[data-testid=gaming-warnings]")).to_contain_text("After a call")
    expect(page.locator("[data-testid=scorecard-helpdesk]")).to_contain_text("%")
    browsing.screenshot("index-scorecards")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    browsing.problems.assert_none()


def test_index_on_a_phone_without_data(browsing: Any, e2e_tenant: Any) -> None:
    from playwright.sync_api import expect

    phone = browsing.new_page(
        viewport={"width": 390, "height": 844}, locale="en-GB", is_mobile=True
    )
    browsing.log_in(e2e_tenant.employee.email, TEST_PASSWORD, page=phone)
    phone.goto(browsing.url("/index/"))
    expect(phone.locator("[data-testid=index-value]")).to_contain_text("no index")
    expect(phone.locator("[data-testid=index-statement]")).to_contain_text("Too little data")
    browsing.screenshot("index-empty-phone", page=phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    browsing.problems.assert_none()


def test_the_demo_index_tells_a_story(browsing: Any, e2e_tenant: Any) -> None:
    """The demo organisation (Polderstroom): a complete index whose weakest pillar is the
    customers' perception, a trend over four quarters and the scorecards' warnings."""
    import time

    from playwright.sync_api import expect

    from outsidein.centricity.demo import seed_index_demo
    from outsidein.core.demo import DEMO_PASSWORD, DEMO_SLUG, DOMAIN
    from outsidein.core.models import Organisation
    from outsidein.demo import seed_all

    seed_all()
    seed_index_demo(Organisation.objects.get(slug=DEMO_SLUG))
    browsing.log_in(f"cx@{DOMAIN}", DEMO_PASSWORD)
    page = browsing.page
    # The demo's people work in Dutch; this test reads the English page.
    page.get_by_test_id("lang-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    started = time.monotonic()
    page.goto(browsing.url("/index/"))
    expect(page.locator("[data-testid=index-value] .index-headline")).to_be_visible()
    assert time.monotonic() - started < 10
    expect(page.locator("[data-testid=movers]")).to_contain_text("superior experience")
    expect(page.locator("canvas[data-chart='index-trend'][data-drawn='1']")).to_have_count(1)
    browsing.screenshot("index-demo")
    page.goto(browsing.url("/index/scorecards/"))
    expect(page.locator("[data-testid=gaming-warnings]")).to_contain_text("NPS")
    expect(page.locator("[data-testid=scorecard-klantenservice]")).to_be_visible()
    browsing.screenshot("index-scorecards-demo")
    browsing.problems.assert_none()
