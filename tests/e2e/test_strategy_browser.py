"""End-to-end: the journey map shows each touchpoint's scores as a heat map (and says "not
enough data" honestly), and the process network is drawn, zooms and opens a node's page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.factories import TEST_PASSWORD, CustomerFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def strategy(e2e_tenant: Any) -> Any:
    from outsidein.core.models import Segment
    from outsidein.strategy import services
    from outsidein.voice import services as voice

    organisation = e2e_tenant.organisation
    households = Segment.objects.get(organisation=organisation, name="Households")
    helpdesk = e2e_tenant.manager.team
    services.update_strategy(
        households, priority="core", value_discipline="operational_excellence",
        proposition="Green energy at a fair price, without hassle.",
    )  # fmt: skip
    survey = voice.create_survey(organisation, template="csat", name="Contact CSAT")
    customers = [CustomerFactory(organisation=organisation, segment=households) for _ in range(8)]
    for index in range(40):
        voice.record_feedback(
            organisation, kind="response", channel="email", survey=survey,
            customer=customers[index % 8], csat=5 if index % 5 else 2,
        )  # fmt: skip
    journey = services.create_journey(organisation, segment=households, name="Households journey")
    orientation = services.create_stage(journey, name="Orientation", kind="orientation")
    support = services.create_stage(journey, name="Support", kind="support")
    website = services.create_touchpoint(
        organisation, stage=orientation, name="Website and price check", channel="widget"
    )
    phone = services.create_touchpoint(
        organisation, stage=support, name="Helpdesk phone", channel="phone", team=helpdesk,
        moment_that_matters=True, expected_experience="Someone who solves it in one call.",
    )  # fmt: skip
    services.link(phone, kind="survey", ref_id=survey.pk)
    routing = services.create_process(
        organisation, name="Routing customer questions", team=helpdesk, touchpoints=[phone]
    )
    close = services.create_process(organisation, name="Month-end close", team=helpdesk.parent)
    return {
        "journey": journey,
        "website": website,
        "phone": phone,
        "routing": routing,
        "close": close,
    }


def test_journey_map_and_process_network(browsing: Any, e2e_tenant: Any, strategy: Any) -> None:
    from playwright.sync_api import expect

    page = browsing.page
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)

    page.goto(browsing.url(f"/strategy/journeys/{strategy['journey'].pk}/map/"))
    expect(page.get_by_role("heading", name="Journey map: Households journey")).to_be_visible()
    phone = page.locator(f"#tp-{strategy['phone'].pk}")
    expect(phone).to_have_attribute("data-heat", "good")  # CSAT 80%, n=40: enough
    expect(phone).to_contain_text("80%")
    expect(phone).to_contain_text("n=40")
    website = page.locator(f"#tp-{strategy['website'].pk}")
    expect(website).to_have_attribute("data-heat", "thin")
    expect(website).to_contain_text("Not measured")
    expect(website).to_contain_text("Suggested measure: NPS")
    browsing.screenshot("strategy-journey-map")

    page.goto(browsing.url("/strategy/network/"))
    network = page.locator("[data-testid=network]")
    expect(network).to_have_attribute("data-ready", "1")
    expect(page.locator("[data-testid=flag-count]")).to_contain_text("3 disconnected")
    browsing.screenshot("strategy-network")
    # Zoom in with the wheel, then click the disconnected process to open its page.
    box = network.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -200)
    page.wait_for_timeout(200)
    zoomed = page.evaluate("window.outsideinNetwork.zoom()")
    assert zoomed > 0
    position = page.evaluate(
        f"(() => {{ const p = window.outsideinNetwork.$('#process-{strategy['close'].pk}')"
        ".renderedPosition(); return [p.x, p.y]; })()"
    )
    page.mouse.click(box["x"] + position[0], box["y"] + position[1])
    expect(page).to_have_url(re.compile(rf"/strategy/processes/{strategy['close'].pk}/$"))

    page.goto(browsing.url("/strategy/flags/"))
    expect(page.locator("[data-testid=flags-process_no_touchpoint]")).to_contain_text(
        "Month-end close"
    )
    expect(page.locator("[data-testid=flags-touchpoint_unmeasured]")).to_contain_text(
        "Website and price check"
    )
    browsing.screenshot("strategy-flags")
    browsing.problems.assert_none()
