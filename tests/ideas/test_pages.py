"""Staff pages: list, insights, detail with triage; permissions and tenant isolation."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from outsidein.ideas import services
from outsidein.ideas.models import Idea, Participant
from tests.conftest import Tenant
from tests.factories import CustomerFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_list_filters_and_stats(tenant: Tenant, idea: Idea) -> None:
    services.submit_idea(tenant.organisation, title="Paper invoices again")
    client = tenant.client_for(tenant.employee)
    response = client.get("/innovation/ideas/")
    assert response.status_code == 200
    assert idea.title in response.content.decode()
    assert b'data-testid="kpi-answered"' in response.content
    filtered = client.get("/innovation/ideas/?q=paper&sort=newest").content.decode()
    assert "Paper invoices again" in filtered and idea.title not in filtered
    bad = client.get("/innovation/ideas/?team=abc&status=nonsense")
    assert bad.status_code == 200  # bad filters are ignored, named on the form
    assert client.get("/innovation/ideas/", headers={"HX-Request": "true"}).status_code == 200


def test_insights_page(tenant: Tenant, idea: Idea) -> None:
    response = tenant.client_for(tenant.employee).get("/innovation/ideas/insights/")
    assert response.status_code == 200
    assert b"Households" in response.content
    assert idea.title.encode() in response.content


def test_detail_and_triage_by_a_manager(
    tenant: Tenant, idea: Idea, django_capture_on_commit_callbacks: Any
) -> None:
    client = tenant.client_for(tenant.manager)
    assert client.get(f"/innovation/ideas/{idea.pk}/").status_code == 200
    response = client.post(
        f"/innovation/ideas/{idea.pk}/status/", {"status": "declined", "reason": ""}
    )
    assert response.status_code == 200
    assert b"a declined idea needs a reason" in response.content
    assert Idea.objects.get().status == "new"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/innovation/ideas/{idea.pk}/status/",
            {"status": "declined", "reason": "We cannot do this safely."},
        )
    assert response.status_code == 302
    assert Idea.objects.get().status == "declined"
    assert len(mail.outbox) == 1
    response = client.post(f"/innovation/ideas/{idea.pk}/team/", {"team": tenant.manager.team_id})
    assert response.status_code == 302
    assert Idea.objects.get().team == tenant.manager.team


def test_manager_cannot_triage_another_teams_idea_or_hand_ideas_to_it(
    tenant: Tenant, idea: Idea
) -> None:
    elsewhere = TeamFactory(organisation=tenant.organisation)
    client = tenant.client_for(tenant.manager)
    assert (
        client.post(f"/innovation/ideas/{idea.pk}/team/", {"team": elsewhere.pk}).status_code == 403
    )
    services.assign_team(idea, elsewhere)
    response = client.post(f"/innovation/ideas/{idea.pk}/status/", {"status": "planned"})
    assert response.status_code == 403
    assert Idea.objects.get().status == "new"
    page = client.get(f"/innovation/ideas/{idea.pk}/").content.decode()
    assert "Save status" not in page


def test_employee_may_answer_but_not_triage(tenant: Tenant, idea: Idea) -> None:
    client = tenant.client_for(tenant.employee)
    assert (
        client.post(f"/innovation/ideas/{idea.pk}/status/", {"status": "done"}).status_code == 403
    )
    assert client.post(f"/innovation/ideas/{idea.pk}/delete/").status_code == 403
    response = client.post(f"/innovation/ideas/{idea.pk}/comment/", {"text": ""})
    assert response.status_code == 200 and b"errorlist" in response.content
    response = client.post(f"/innovation/ideas/{idea.pk}/comment/", {"text": "Thanks, noted!"})
    assert response.status_code == 302
    assert Idea.objects.get().first_staff_response_at is not None


def test_merge_from_the_page(tenant: Tenant, idea: Idea) -> None:
    duplicate = services.submit_idea(tenant.organisation, title="Solar next to usage")
    client = tenant.client_for(tenant.admin)
    response = client.post(f"/innovation/ideas/{duplicate.pk}/merge/", {"into": ""})
    assert response.status_code == 200 and b"errorlist" in response.content
    response = client.post(f"/innovation/ideas/{duplicate.pk}/merge/", {"into": idea.pk})
    assert response["Location"] == f"/innovation/ideas/{idea.pk}/"
    assert Idea.objects.get(pk=duplicate.pk).merged_into == idea


def test_admin_deletes(tenant: Tenant, idea: Idea) -> None:
    response = tenant.client_for(tenant.admin).post(f"/innovation/ideas/{idea.pk}/delete/")
    assert response.status_code == 302
    assert not Idea.objects.exists()


def test_enter_an_idea_for_a_customer(tenant: Tenant) -> None:
    customer = CustomerFactory(organisation=tenant.organisation, email="kim@example.net")
    client = tenant.client_for(tenant.employee)
    page = client.get(f"/innovation/ideas/new/?customer={customer.pk}")
    assert b"kim@example.net" in page.content
    response = client.post(
        "/innovation/ideas/new/",
        {
            "customer": customer.pk,
            "title": "Pay per month by card",
            "email": "kim@example.net",
            "language": "en",
            "notify": "on",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    idea = Idea.objects.get()
    assert (idea.customer, idea.entered_by, idea.author.email) == (
        customer,
        tenant.employee,
        "kim@example.net",
    )
    assert Participant.objects.get().verified_at is None
    bad = client.post("/innovation/ideas/new/", {"title": "", "language": "xx"})
    assert bad.status_code == 200 and b"errorlist" in bad.content


def test_foreign_ids_are_404(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = services.submit_idea(other_tenant.organisation, title="Theirs")
    client = tenant.client_for(tenant.admin)
    assert client.get(f"/innovation/ideas/{theirs.pk}/").status_code == 404
    assert (
        client.post(f"/innovation/ideas/{theirs.pk}/status/", {"status": "done"}).status_code == 404
    )
    assert client.post(f"/innovation/ideas/{theirs.pk}/delete/").status_code == 404
    mine = services.submit_idea(tenant.organisation, title="Mine")
    response = client.post(f"/innovation/ideas/{mine.pk}/merge/", {"into": theirs.pk})
    assert response.status_code == 200  # not a choice: a named error, nothing merged
    assert Idea.objects.get(pk=mine.pk).merged_into is None
    assert "Theirs" not in client.get("/innovation/ideas/").content.decode()


def test_login_required(client: Any, db: Any) -> None:
    response = client.get("/innovation/ideas/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_customer_page_shows_their_ideas(tenant: Tenant, idea: Idea, customer: Any) -> None:
    page = tenant.client_for(tenant.employee).get(f"/customers/{customer.pk}/")
    assert page.status_code == 200
    assert idea.title.encode() in page.content
