"""End-to-end: what customers talk about. The themes overview with a breakdown per segment, a
theme's page per segment, team and month, adding and editing a theme, correcting the sentiment
and themes of one comment inline, filtering the inbox by theme and sentiment, and the overview in
Dutch."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots")

INVOICE = [
    "De factuur klopte weer niet, heel slecht geregeld",
    "Factuur veel te hoog en niemand belt terug",
    "Weer een verkeerde factuur, waardeloos",
]
PRAISE = [
    "De monteur was vriendelijk en snel, top",
    "Prima service, heel tevreden",
    "Great staff, very helpful and quick",
]


def _shot(browsing: Any, name: str, page: Any = None) -> None:
    path = browsing.screenshot(f"text-{name}", page=page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


@pytest.fixture
def comments(e2e_tenant: Any) -> dict[str, Any]:
    """Two segments of NPS comments over three months: in "Installers" the invoice costs points;
    the households' comments are too few to say."""
    from django.utils import timezone

    from outsidein.core.models import Customer
    from outsidein.text import services as text
    from outsidein.voice import services

    org = e2e_tenant.organisation
    text.save_theme(
        org,
        name="Factuur",
        description="Facturen en betalen",
        keywords="factuur\nrekening\ninvoice",
        owner_team=e2e_tenant.manager.team,
    )
    text.save_theme(org, name="Monteur", keywords="monteur\nengineer\nstaff")
    survey = services.open_survey(
        services.create_survey(org, name="Relatie-NPS", team=e2e_tenant.manager.team)
    )
    installer = e2e_tenant.business_customer
    household = Customer.objects.get(organisation=org, name="Sanne Visser")
    now = timezone.now()
    for i in range(66):
        unhappy = i % 2 == 0
        services.record_feedback(
            org,
            survey=survey,
            kind="response",
            channel="email",
            language="nl",
            customer=installer if i < 60 else household,
            nps=2 if unhappy else 10,
            comment=(INVOICE if unhappy else PRAISE)[i % 3] + f" ({i})",
            submitted_at=now - timedelta(days=2 + (i % 3) * 31),
        )
    text.analyse_feedback(org.pk)
    return {"survey": survey}


def test_themes_overview_breakdown_and_theme_page(
    browsing: Any, e2e_tenant: Any, comments: Any
) -> None:
    from playwright.sync_api import expect

    page = browsing.page
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    page.get_by_role("link", name="Themes", exact=True).click()
    expect(page.get_by_role("heading", name="What customers talk about")).to_be_visible()
    rows = page.locator("[data-testid=theme-row]")
    expect(rows.first).to_contain_text("Factuur")
    _shot(browsing, "overview")
    # The breakdown per segment: a group per segment, the small one honest about its size.
    form = page.locator("[data-testid=drivers-form]")
    form.get_by_label("Break down by").select_option("segment")
    form.get_by_label("Period").select_option("365")
    form.get_by_role("button", name="Show").click()
    groups = page.locator("[data-testid=drivers-group]")
    expect(groups).to_have_count(2)
    expect(groups.first).to_contain_text("Installers")
    expect(groups.first.locator("[data-testid=driver-row]").first).to_contain_text("Factuur")
    expect(groups.nth(1)).to_contain_text("not enough responses")
    _shot(browsing, "overview-by-segment")
    # Per month, within the installers only.
    form.get_by_label("Break down by").select_option("month")
    form.get_by_label("Segment").select_option(label="Installers")
    form.get_by_role("button", name="Show").click()
    expect(page.locator("[data-testid=drivers-group]")).to_have_count(3)
    _shot(browsing, "overview-by-month")
    # The theme's page: its figures per segment, team and month.
    page.locator("[data-testid=themes-table]").get_by_role("link", name="Factuur").click()
    expect(page.locator("[data-testid=theme-name]")).to_have_text("Factuur")
    expect(page.locator("[data-testid=theme-kpis]")).to_contain_text("NPS difference")
    per_segment = page.locator("[data-testid=per-segment]")
    expect(per_segment).to_contain_text("Installers")
    expect(page.locator("[data-testid=per-month] [data-testid=breakdown-row]")).to_have_count(3)
    expect(page.locator("[data-testid=theme-trend] progress")).to_have_count(3)
    _shot(browsing, "theme-detail")
    browsing.problems.assert_none()


def test_creating_and_editing_a_theme(browsing: Any, e2e_tenant: Any, comments: Any) -> None:
    from playwright.sync_api import expect

    from outsidein.text.models import Theme

    page = browsing.page
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    page.goto(browsing.url("/themes/"))
    add = page.locator("form[action$='/themes/new/']")
    add.get_by_label("Name").fill("Prijs")
    add.get_by_label("Keywords and phrases").fill("prijs\nduur\nprice")
    add.get_by_role("button", name="Add").click()
    expect(page.locator(".message")).to_contain_text("Theme “Prijs” added.")
    expect(page.locator("[data-testid=theme-name]")).to_have_text("Prijs")
    expect(page.locator("[data-testid=theme-no-figures]")).to_be_visible()
    _shot(browsing, "theme-new")
    edit = page.locator("[data-testid=theme-form]")
    edit.get_by_label("Description").fill("Wat klanten van onze prijzen vinden")
    edit.get_by_label("Owner team").select_option(label="Helpdesk")
    edit.get_by_role("button", name="Save").click()
    expect(page.locator(".message")).to_contain_text("Theme saved.")
    expect(page.locator(".page-header")).to_contain_text("Wat klanten van onze prijzen vinden")
    theme = Theme.objects.get(name="Prijs")
    assert theme.owner_team == e2e_tenant.manager.team and "duur" in theme.keyword_list
    browsing.problems.assert_none()


def test_correcting_a_comment_inline_and_filtering_the_inbox(
    browsing: Any, e2e_tenant: Any, comments: Any
) -> None:
    from playwright.sync_api import expect

    from outsidein.text.models import FeedbackAnalysis, TrainingExample

    page = browsing.page
    analysis = FeedbackAnalysis.objects.filter(themes__has_key="Factuur").order_by("pk").first()
    assert analysis is not None and analysis.sentiment == "negative"
    browsing.log_in(e2e_tenant.manager.email, TEST_PASSWORD)
    page.goto(browsing.url(f"/inbox/{analysis.feedback_id}/"))
    panel = page.locator("[data-testid=feedback-text]")
    expect(panel.locator("[data-testid=sentiment]")).to_have_text("Negative")
    panel.get_by_text("Correct", exact=True).click()
    form = panel.locator("[data-testid=correct-form]")
    form.get_by_label("Sentiment").select_option("neutral")
    form.get_by_label("Monteur").check()
    form.get_by_label("Factuur").uncheck()
    _shot(browsing, "correct-form")
    form.get_by_role("button", name="Save correction").click()
    expect(page.locator(".message")).to_contain_text("the correction is kept and learnt from")
    expect(panel.locator("[data-testid=sentiment]")).to_have_text("Neutral")
    expect(panel).to_contain_text("corrected")
    _shot(browsing, "corrected")
    analysis.refresh_from_db()
    assert (analysis.sentiment, analysis.themes) == ("neutral", {"Monteur": 1.0})
    assert TrainingExample.objects.get(feedback_id=analysis.feedback_id).themes == ["Monteur"]

    # The inbox, filtered by theme and sentiment.
    def items(n: int) -> str:
        return f"{n} item" if n == 1 else f"{n} items"

    # One customer praises the invoice, so the sentiment filter has something to narrow.
    from outsidein.text import services as text
    from outsidein.voice import services as voice

    praise, _created = voice.record_feedback(
        e2e_tenant.organisation,
        survey=comments["survey"],
        kind="response",
        channel="email",
        language="nl",
        nps=10,
        comment="De factuur was dit keer helemaal duidelijk en klopte, top!",
    )
    text.analyse_feedback(e2e_tenant.organisation.pk, feedback_ids=[praise.pk])
    invoices = FeedbackAnalysis.objects.filter(themes__has_key="Factuur")
    negative = invoices.filter(sentiment="negative").count()
    assert 0 < negative < invoices.count()
    page.goto(browsing.url("/inbox/"))
    count = page.locator("[data-testid=feedback-count]")
    expect(count).to_have_text("67 items")
    page.get_by_label("Theme").select_option("Factuur")
    expect(count).to_have_text(items(invoices.count()))
    page.get_by_label("Sentiment").select_option("negative")
    expect(count).to_have_text(items(negative))
    expect(page).to_have_url(
        re.compile(r"theme=Factuur.*sentiment=negative|sentiment=negative.*theme=Factuur")
    )
    page.get_by_label("Theme").select_option("Monteur")
    page.get_by_label("Sentiment").select_option("neutral")
    expect(count).to_have_text("1 item")
    _shot(browsing, "inbox-filtered")
    browsing.problems.assert_none()


def test_the_themes_pages_in_dutch(browsing: Any, e2e_tenant: Any, comments: Any) -> None:
    from playwright.sync_api import expect

    from outsidein.text.models import Theme

    page = browsing.page
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    page.goto(browsing.url("/themes/?by=segment&days=365"))
    page.locator("[data-testid=lang-nl]").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("[data-testid=drivers-group]")).to_have_count(2)
    expect(page.locator("[data-testid=drivers]")).to_contain_text("te weinig")
    _shot(browsing, "overview-nl")
    page.goto(browsing.url(f"/themes/{Theme.objects.get(name='Factuur').pk}/"))
    expect(page.locator("[data-testid=theme-breakdowns]")).to_be_visible()
    _shot(browsing, "theme-detail-nl")
    phone = browsing.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD, page=phone)
    phone.goto(browsing.url("/themes/?by=segment&days=365"))
    expect(phone.locator("[data-testid=drivers-group]").first).to_be_visible()
    _shot(browsing, "overview-phone", page=phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    browsing.problems.assert_none()
