"""End-to-end: a customer confirms their email on a phone, submits an idea and votes; staff
triage it (declining needs a reason), and the customer sees the deliberate "no" and its reason."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def portal_ideas(e2e_tenant: Any) -> Any:
    """Two ideas from other customers already on the portal."""
    from outsidein.ideas import services

    organisation = e2e_tenant.organisation
    voters = [
        services.verify_participant(organisation, email=f"buur{n}@example.net", name=f"Buur {n}")
        for n in range(4)
    ]
    solar = services.submit_idea(
        organisation,
        title="Show my solar yield next to my usage",
        description="One chart per day: what my panels made and what we used.",
        author=voters[0],
        team=e2e_tenant.manager.team,
    )
    for voter in voters[1:]:
        services.vote(solar, voter)
    services.add_comment(solar, text="We are building this now.", person=e2e_tenant.manager)
    services.change_status(solar, status="planned", notify=False)
    services.submit_idea(organisation, title="Dark mode in the app", author=voters[1])
    return solar


def test_customer_submits_and_votes_staff_triage(
    browsing: Any, e2e_tenant: Any, portal_ideas: Any
) -> None:
    from playwright.sync_api import expect

    from outsidein.ideas.models import Idea

    slug = e2e_tenant.organisation.slug
    phone = browsing.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.goto(browsing.url(f"/ideas/{slug}/?lang=en"))
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Your ideas for")
    expect(phone.locator("[data-testid=idea-list] .idea-card")).to_have_count(2)
    browsing.screenshot("ideas-portal-phone", page=phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # Submitting asks for an email address first; the link in the email signs the customer in.
    phone.locator(".portal-cta").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Sign in with your email address")
    phone.get_by_role("button", name="Email me a link").click()
    expect(phone.locator("#err-email")).to_be_visible()
    phone.fill("input[name=email]", "marieke@vandijk-installatie.example")
    phone.fill("input[name=name]", "Marieke de Boer")
    browsing.screenshot("ideas-join-phone", page=phone)
    phone.get_by_role("button", name="Email me a link").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Check your email")
    link = re.search(r"http://\S+/verify/\S+/", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    phone.goto(link.group(0))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Submit an idea")
    expect(phone.locator(".portal-message-success")).to_be_visible()

    # A clear error, then the idea.
    phone.get_by_role("button", name="Submit idea").click()
    expect(phone.locator("#err-title")).to_be_visible()
    phone.fill("input[name=title]", "One invoice for all our sites")
    phone.fill("textarea[name=description]", "We get six invoices a month; one would save us work.")
    browsing.screenshot("ideas-new-phone", page=phone)
    phone.get_by_role("button", name="Submit idea").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("One invoice for all our sites")
    expect(phone.locator("[data-testid=vote-count]")).to_have_text("1")
    expect(phone.locator("[data-testid=author-note]")).to_contain_text(
        "marieke@vandijk-installatie.example"
    )
    browsing.screenshot("ideas-idea-phone", page=phone)
    idea = Idea.objects.get(title="One invoice for all our sites")
    assert idea.customer == e2e_tenant.business_customer  # matched through the contact person

    # Voting for another idea, from the list.
    phone.goto(browsing.url(f"/ideas/{slug}/"))
    card = phone.locator(f"#idea-{portal_ideas.pk}")
    expect(card.locator(".vote-count")).to_have_text("4")
    card.locator("button.vote-button").click()
    expect(phone.locator(f"#idea-{portal_ideas.pk} .vote-count")).to_have_text("5")
    expect(phone.locator(f"#idea-{portal_ideas.pk} button.vote-button")).to_have_attribute(
        "aria-pressed", "true"
    )

    # Staff triage: declining without a reason is refused, with one it is shown to customers.
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    page = browsing.page
    page.goto(browsing.url("/innovation/ideas/"))
    expect(page.locator("[data-testid=idea-count]")).to_have_text("3 ideas")
    browsing.screenshot("ideas-staff-list")
    page.get_by_role("link", name="One invoice for all our sites").click()
    status_form = page.locator("[data-testid=status-form]")
    status_form.locator("select[name=status]").select_option("declined")
    status_form.get_by_role("button", name="Save status").click()
    expect(page.locator("[data-testid=status-form] .errorlist")).to_contain_text("needs a reason")
    reason = "We bill per connection by law; a summary of all sites comes with the next release."
    page.locator("[data-testid=status-form] textarea[name=reason]").fill(reason)
    page.locator("[data-testid=status-form]").get_by_role("button", name="Save status").click()
    expect(page.locator("[data-testid=staff-status]")).to_have_text("Declined")
    browsing.screenshot("ideas-staff-detail")
    assert any(m.to == ["marieke@vandijk-installatie.example"] for m in mail.outbox)
    page.goto(browsing.url("/innovation/ideas/insights/"))
    expect(page.locator("[data-testid=top-ideas] li")).to_have_count(2)
    browsing.screenshot("ideas-staff-insights")

    phone.goto(browsing.url(f"/ideas/{slug}/{idea.pk}/"))
    expect(phone.locator("[data-testid=idea-status]")).to_have_text("Declined")
    expect(phone.locator(".decline")).to_contain_text(reason)
    browsing.screenshot("ideas-declined-phone", page=phone)
    browsing.problems.assert_none()
