"""In the browser: a customer typing a new idea's title on a phone sees the ideas already
posted that look the same (in Dutch, for an English idea, with the sentence encoder), and staff
see the likely duplicates on an idea's page and merge one."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e


def test_customer_sees_similar_ideas_and_staff_merge(browsing: Any, e2e_tenant: Any) -> None:
    from django.urls import reverse
    from playwright.sync_api import expect

    from outsidein.ideas import services
    from outsidein.ideas.models import Idea
    from outsidein.text.engine import embeddings

    organisation = e2e_tenant.organisation
    slug = organisation.slug
    voters = [
        services.verify_participant(organisation, email=f"buur{n}@example.net", name=f"Buur {n}")
        for n in range(3)
    ]
    debit = services.submit_idea(
        organisation, title="Pay monthly by direct debit", author=voters[0]
    )
    services.vote(debit, voters[1])
    services.submit_idea(organisation, title="Better coffee in the waiting room", author=voters[2])
    # With the encoder the Dutch title finds the English idea; without it, shared words do.
    typed = (
        "Maandelijks betalen met automatische incasso"
        if embeddings.available()
        else "Monthly direct debit payment"
    )

    phone = browsing.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    token = services.verification_token(
        organisation,
        email="sanne@example.net",
        name="Sanne",
        language="nl",
        notify=True,
        next_url=f"/ideas/{slug}/new/",
    )
    phone.goto(browsing.url(reverse("ideas-portal-verify", args=[slug, token])))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Idee indienen")
    similar = phone.locator("[data-testid=similar-ideas]")
    expect(similar).to_be_hidden()
    phone.fill("#id_title", typed)
    expect(similar).to_be_visible()
    expect(similar).to_contain_text("Vergelijkbare ideeën")
    expect(similar).to_contain_text("Pay monthly by direct debit")
    expect(similar).to_contain_text("2 stemmen")
    expect(similar).not_to_contain_text("coffee")
    browsing.screenshot("ideas-similar-phone-390", page=phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # The customer may still post their own.
    phone.get_by_role("button", name="Idee indienen").click()
    expect(phone.locator(".portal-message")).to_be_visible()
    mine = Idea.objects.get(title=typed)

    # Staff: the new idea's page lists the likely duplicate; merging moves the votes.
    page = browsing.page
    page.set_viewport_size({"width": 1400, "height": 900})
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
    page.goto(browsing.url(reverse("idea-detail", args=[debit.pk])))
    likely = page.locator("[data-testid=likely-duplicates]")
    expect(likely).to_contain_text(typed)
    expect(likely).not_to_contain_text("coffee")
    browsing.screenshot("ideas-likely-duplicates-1400")
    page.on("dialog", lambda dialog: dialog.accept())
    likely.get_by_role("button").first.click()
    expect(page).to_have_url(browsing.url(reverse("idea-detail", args=[debit.pk])))
    expect(page.locator("[data-testid=likely-duplicates]")).to_have_count(0)
    mine.refresh_from_db()
    debit.refresh_from_db()
    assert mine.merged_into_id == debit.pk
    assert debit.vote_count == 3
