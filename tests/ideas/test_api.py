"""Ideas endpoints held to the shared API contract, plus triage, merge and comments."""

from __future__ import annotations

from typing import Any

import pytest

from outsidein.ideas import services
from outsidein.ideas.models import Idea, Vote
from tests.api.contract import CrudContract
from tests.conftest import Tenant
from tests.factories import CustomerFactory, TeamFactory

pytestmark = pytest.mark.django_db


class TestIdeasApi(CrudContract):
    path = "/api/v1/ideas"
    model = Idea
    # Every employee may enter an idea a customer told them; triage and delete are not theirs.
    denied_role = "employee"

    def make(self, tenant: Tenant) -> Idea:
        return services.submit_idea(tenant.organisation, title="Monthly usage email")

    def valid_payload(self, tenant: Tenant) -> dict[str, Any]:
        customer = CustomerFactory(organisation=tenant.organisation)
        return {"title": "Pay by card", "customer_id": customer.pk, "language": "en"}

    def invalid_payload(self, tenant: Tenant) -> tuple[dict[str, Any], str]:
        return {"title": "x", "email": "not-an-address"}, "email"

    def change(self, tenant: Tenant) -> tuple[dict[str, Any], str, Any]:
        return {"status": "under_review"}, "status", "under_review"

    def test_role_not_allowed_is_403_and_writes_nothing(self, tenant: Tenant) -> None:
        headers = self.headers(tenant, "employee")
        obj = self.make(tenant)
        response = self.call("patch", f"{self.path}/{obj.pk}", headers, {"status": "planned"})
        assert response.status_code == 403
        assert Idea.objects.get(pk=obj.pk).status == "new"
        assert self.call("delete", f"{self.path}/{obj.pk}", headers).status_code == 403
        other = self.make(tenant)
        merge = self.call("post", f"{self.path}/{obj.pk}/merge", headers, {"into_id": other.pk})
        assert merge.status_code == 403
        assert Idea.objects.filter(pk=obj.pk).exists()
        # ...but they may enter an idea on a customer's behalf.
        created = self.call("post", self.path, headers, self.valid_payload(tenant))
        assert created.status_code == 201


def test_create_links_the_customer_and_their_address(tenant: Tenant) -> None:
    customer = CustomerFactory(organisation=tenant.organisation, email="kim@example.net")
    api = TestIdeasApi()
    response = api.call(
        "post", "/api/v1/ideas", api.headers(tenant), {"title": "Card", "customer_id": customer.pk}
    )
    body = response.json()
    assert (body["customer_id"], body["author_email"], body["vote_count"]) == (
        customer.pk,
        "kim@example.net",
        1,
    )


def test_foreign_references_are_422(tenant: Tenant, other_tenant: Tenant) -> None:
    api = TestIdeasApi()
    theirs = CustomerFactory(organisation=other_tenant.organisation)
    response = api.call(
        "post", "/api/v1/ideas", api.headers(tenant), {"title": "X", "customer_id": theirs.pk}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "customer_id"]


def test_declining_without_reason_is_422_naming_it(tenant: Tenant) -> None:
    api = TestIdeasApi()
    idea = api.make(tenant)
    headers = api.headers(tenant)
    response = api.call("post", f"/api/v1/ideas/{idea.pk}/status", headers, {"status": "declined"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "reason"]
    response = api.call(
        "patch", f"/api/v1/ideas/{idea.pk}", headers, {"status": "declined", "decline_reason": ""}
    )
    assert response.status_code == 422
    response = api.call(
        "post",
        f"/api/v1/ideas/{idea.pk}/status",
        headers,
        {"status": "declined", "reason": "Not our focus."},
    )
    assert response.status_code == 200
    assert response.json()["decline_reason"] == "Not our focus."


def test_merge_endpoint(tenant: Tenant, other_tenant: Tenant) -> None:
    api = TestIdeasApi()
    headers = api.headers(tenant)
    first = services.submit_idea(tenant.organisation, title="A")
    second = services.submit_idea(tenant.organisation, title="B")
    theirs = services.submit_idea(other_tenant.organisation, title="C")
    bad = api.call("post", f"/api/v1/ideas/{second.pk}/merge", headers, {"into_id": theirs.pk})
    assert bad.status_code == 422
    itself = api.call("post", f"/api/v1/ideas/{second.pk}/merge", headers, {"into_id": second.pk})
    assert itself.status_code == 422 and itself.json()["detail"][0]["loc"] == ["body", "into_id"]
    done = api.call("post", f"/api/v1/ideas/{second.pk}/merge", headers, {"into_id": first.pk})
    assert done.status_code == 200 and done.json()["id"] == first.pk
    listed = api.call("get", "/api/v1/ideas", headers).json()
    assert [item["id"] for item in listed["items"]] == [first.pk]
    merged = api.call("get", "/api/v1/ideas?include_merged=true", headers).json()
    assert merged["count"] == 2


def test_manager_triages_own_team_or_unassigned_only(tenant: Tenant) -> None:
    api = TestIdeasApi()
    headers = api.headers(tenant, "manager")
    elsewhere = TeamFactory(organisation=tenant.organisation)
    idea = services.submit_idea(tenant.organisation, title="A")
    ok = api.call("patch", f"/api/v1/ideas/{idea.pk}", headers, {"team_id": tenant.manager.team_id})
    assert ok.status_code == 200
    assert (
        api.call(
            "patch", f"/api/v1/ideas/{idea.pk}", headers, {"team_id": elsewhere.pk}
        ).status_code
        == 403
    )
    services.assign_team(idea, elsewhere)
    assert (
        api.call("patch", f"/api/v1/ideas/{idea.pk}", headers, {"status": "planned"}).status_code
        == 403
    )


def test_comments_and_stats(tenant: Tenant) -> None:
    api = TestIdeasApi()
    headers = api.headers(tenant, "employee")
    idea = services.submit_idea(tenant.organisation, title="A")
    assert (
        api.call("post", f"/api/v1/ideas/{idea.pk}/comments", headers, {"text": ""}).status_code
        == 422
    )
    created = api.call("post", f"/api/v1/ideas/{idea.pk}/comments", headers, {"text": "Noted"})
    assert created.status_code == 201 and created.json()["is_staff"] is True
    assert api.call("get", f"/api/v1/ideas/{idea.pk}/comments", headers).json()["count"] == 1
    stats = api.call("get", "/api/v1/ideas/stats", headers).json()
    assert (stats["ideas"], stats["answered"], stats["share_answered"]) == (1, 1, 100.0)
    assert stats["norm"]["key"] == "ideas" and stats["norm"]["window"]["complete"] is True
    refused = api.call("get", "/api/v1/ideas/stats?period=2026-13", headers)
    assert refused.status_code == 422 and "period" in refused.text


def test_filters(tenant: Tenant) -> None:
    api = TestIdeasApi()
    headers = api.headers(tenant, "employee")
    services.submit_idea(tenant.organisation, title="Dark mode", team=tenant.manager.team)
    services.submit_idea(tenant.organisation, title="Paper bills")
    assert api.call("get", "/api/v1/ideas?q=dark", headers).json()["count"] == 1
    assert api.call("get", "/api/v1/ideas?team=-1", headers).json()["count"] == 1
    assert api.call("get", "/api/v1/ideas?status=open&sort=newest", headers).json()["count"] == 2
    assert api.call("get", "/api/v1/ideas?status=maybe", headers).status_code == 422
    assert Vote.objects.count() == 0


@pytest.mark.parametrize("body", ['"AAA"', "[]", "3"])
def test_a_body_that_is_not_an_object_is_422(tenant: Tenant, body: str) -> None:
    from django.test import Client

    response = Client().post(
        "/api/v1/ideas",
        data=body,
        content_type="application/json",
        headers=tenant.api_headers(tenant.admin),
    )
    assert response.status_code == 422
    assert not Idea.objects.exists()
