"""The core endpoints, each held to the shared API contract plus its own rules."""

from __future__ import annotations

from typing import Any

import pytest

from outsidein.core.models import Customer, Person, Segment, Team
from tests.api.contract import CrudContract
from tests.conftest import Tenant
from tests.factories import CustomerFactory, PersonFactory, SegmentFactory, TeamFactory

pytestmark = pytest.mark.django_db


class TestCustomersApi(CrudContract):
    path = "/api/v1/customers"
    model = Customer

    def make(self, tenant: Tenant) -> Customer:
        return CustomerFactory(organisation=tenant.organisation)

    def valid_payload(self, tenant: Tenant) -> dict[str, Any]:
        segment = SegmentFactory(organisation=tenant.organisation)
        return {
            "name": "Bakkerij Jansen",
            "kind": "business",
            "email": "info@bakkerijjansen.example",
            "language": "nl",
            "segment_id": segment.pk,
        }

    def invalid_payload(self, tenant: Tenant) -> tuple[dict[str, Any], str]:
        return {"name": "Bad Email", "email": "not-an-address"}, "email"

    def change(self, tenant: Tenant) -> tuple[dict[str, Any], str, Any]:
        return {"city": "Utrecht"}, "city", "Utrecht"


class TestSegmentsApi(CrudContract):
    path = "/api/v1/segments"
    model = Segment
    denied_role = "manager"

    def make(self, tenant: Tenant) -> Segment:
        return SegmentFactory(organisation=tenant.organisation)

    def valid_payload(self, tenant: Tenant) -> dict[str, Any]:
        return {"name": "Energiecoöperaties", "description": "Local energy co-operatives"}

    def invalid_payload(self, tenant: Tenant) -> tuple[dict[str, Any], str]:
        return {"name": ""}, "name"

    def change(self, tenant: Tenant) -> tuple[dict[str, Any], str, Any]:
        return {"description": "Changed"}, "description", "Changed"


class TestTeamsApi(CrudContract):
    path = "/api/v1/teams"
    model = Team

    def make(self, tenant: Tenant) -> Team:
        return TeamFactory(organisation=tenant.organisation)

    def valid_payload(self, tenant: Tenant) -> dict[str, Any]:
        return {"name": "Facturatie", "slug": "facturatie"}

    def invalid_payload(self, tenant: Tenant) -> tuple[dict[str, Any], str]:
        return {"name": "Bad slug", "slug": "Not A Slug!"}, "slug"

    def change(self, tenant: Tenant) -> tuple[dict[str, Any], str, Any]:
        return {"description": "Bills and payments"}, "description", "Bills and payments"


class TestPeopleApi(CrudContract):
    path = "/api/v1/people"
    model = Person

    def make(self, tenant: Tenant) -> Person:
        return PersonFactory(organisation=tenant.organisation, user=None)

    def valid_payload(self, tenant: Tenant) -> dict[str, Any]:
        return {"name": "Noor Bakker", "email": "noor@example.org", "role": "employee"}

    def invalid_payload(self, tenant: Tenant) -> tuple[dict[str, Any], str]:
        return {"name": "No Role", "email": "x@example.org", "role": "king"}, "role"

    def change(self, tenant: Tenant) -> tuple[dict[str, Any], str, Any]:
        return {"job_title": "Team lead"}, "job_title", "Team lead"


# --- rules beyond the contract ------------------------------------------------------------


def test_customer_with_segment_of_another_organisation_is_422(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    foreign_segment = SegmentFactory(organisation=other_tenant.organisation)
    response = TestCustomersApi().call(
        "post",
        "/api/v1/customers",
        tenant.api_headers(tenant.admin),
        {"name": "Leak Test", "segment_id": foreign_segment.pk},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "segment_id"]
    assert not Customer.objects.filter(name="Leak Test").exists()


def test_duplicate_external_id_is_422_naming_the_field(tenant: Tenant) -> None:
    CustomerFactory(organisation=tenant.organisation, external_id="PS-1")
    response = TestCustomersApi().call(
        "post",
        "/api/v1/customers",
        tenant.api_headers(tenant.admin),
        {"name": "Twin", "external_id": "PS-1"},
    )
    assert response.status_code == 422, response.content
    assert any(
        "external_id" in str(e["loc"]) or "external id" in e["msg"].lower()
        for e in response.json()["detail"]
    )


def test_customer_search_and_filters(tenant: Tenant) -> None:
    segment = SegmentFactory(organisation=tenant.organisation, name="MKB")
    match = CustomerFactory(
        organisation=tenant.organisation,
        name="Van Dijk Installatie",
        segment=segment,
        kind="business",
    )
    CustomerFactory(organisation=tenant.organisation, name="Jansen", kind="consumer")
    headers = tenant.api_headers(tenant.employee)
    api = TestCustomersApi()
    by_text = api.call("get", "/api/v1/customers?q=dijk", headers).json()
    assert [c["id"] for c in by_text["items"]] == [match.pk]
    by_segment = api.call("get", f"/api/v1/customers?segment_id={segment.pk}", headers).json()
    assert [c["id"] for c in by_segment["items"]] == [match.pk]
    by_kind = api.call("get", "/api/v1/customers?kind=consumer", headers).json()
    assert match.pk not in [c["id"] for c in by_kind["items"]]


def test_pagination_pages_through_everything(tenant: Tenant) -> None:
    CustomerFactory.create_batch(7, organisation=tenant.organisation)
    headers = tenant.api_headers(tenant.employee)
    api = TestCustomersApi()
    first = api.call("get", "/api/v1/customers?page=1&page_size=5", headers).json()
    second = api.call("get", "/api/v1/customers?page=2&page_size=5", headers).json()
    assert first["count"] == 7
    assert len(first["items"]) == 5 and len(second["items"]) == 2
    assert not {c["id"] for c in first["items"]} & {c["id"] for c in second["items"]}


def test_manager_cannot_make_an_administrator(tenant: Tenant) -> None:
    response = TestPeopleApi().call(
        "post",
        "/api/v1/people",
        tenant.api_headers(tenant.manager),
        {
            "name": "Power Grab",
            "email": "grab@example.org",
            "role": "admin",
            "team_id": tenant.manager.team_id,
        },
    )
    assert response.status_code == 403
    assert not Person.objects.filter(email="grab@example.org").exists()


def test_manager_adds_people_to_their_own_team_only(tenant: Tenant) -> None:
    elsewhere = TeamFactory(organisation=tenant.organisation, name="Finance")
    api = TestPeopleApi()
    headers = tenant.api_headers(tenant.manager)
    refused = api.call(
        "post",
        "/api/v1/people",
        headers,
        {"name": "A", "email": "a@example.org", "team_id": elsewhere.pk},
    )
    assert refused.status_code == 403
    accepted = api.call(
        "post",
        "/api/v1/people",
        headers,
        {"name": "B", "email": "b@example.org", "team_id": tenant.manager.team_id},
    )
    assert accepted.status_code == 201, accepted.content


def test_last_administrator_cannot_be_demoted(tenant: Tenant) -> None:
    response = TestPeopleApi().call(
        "patch",
        f"/api/v1/people/{tenant.admin.pk}",
        tenant.api_headers(tenant.admin),
        {"role": "employee"},
    )
    assert response.status_code in {403, 422}
    tenant.admin.refresh_from_db()
    assert tenant.admin.role == "admin"


def test_tokens_are_shown_once_stored_hashed_and_revocable(tenant: Tenant) -> None:
    from outsidein.core.models import ApiToken

    api = TestCustomersApi()
    headers = tenant.api_headers(tenant.employee)
    created = api.call("post", "/api/v1/tokens", headers, {"name": "CRM sync"})
    assert created.status_code == 201
    plaintext = created.json()["token"]
    stored = ApiToken.objects.get(pk=created.json()["id"])
    assert plaintext.split("_", 2)[2] not in stored.key_hash
    assert "token" not in api.call("get", "/api/v1/tokens", headers).json()[0]
    own = {"Authorization": f"Bearer {plaintext}"}
    assert api.call("get", "/api/v1/me", own).json()["email"] == tenant.employee.email
    assert api.call("delete", f"/api/v1/tokens/{stored.pk}", own).status_code == 204
    assert api.call("get", "/api/v1/me", own).status_code == 401


def test_someone_elses_token_cannot_be_revoked(tenant: Tenant) -> None:
    from outsidein.core.services import create_api_token

    admins = create_api_token(tenant.admin, name="admin's")
    response = TestCustomersApi().call(
        "delete", f"/api/v1/tokens/{admins.token.pk}", tenant.api_headers(tenant.employee)
    )
    assert response.status_code == 404
    admins.token.refresh_from_db()
    assert admins.token.revoked_at is None


def test_session_auth_requires_csrf_for_writes(tenant: Tenant) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(tenant.admin.user)
    assert client.get("/api/v1/customers").status_code == 200
    response = client.post(
        "/api/v1/segments", data='{"name": "x"}', content_type="application/json"
    )
    assert response.status_code == 403
    assert not Segment.objects.filter(name="x").exists()


def test_openapi_schema_and_docs_are_served(tenant: Tenant) -> None:
    from django.test import Client

    assert Client().get("/api/v1/openapi.json").status_code == 401
    assert Client().get("/api/v1/docs").status_code == 302  # to the login page
    schema = Client().get("/api/v1/openapi.json", headers=tenant.api_headers(tenant.employee))
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/v1/customers", "/api/v1/teams", "/api/v1/people", "/api/v1/segments"):
        assert path in paths
    docs = tenant.client_for(tenant.employee).get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_nul_characters_are_refused_not_crashed_on(tenant: Tenant) -> None:
    api = TestCustomersApi()
    headers = tenant.api_headers(tenant.admin)
    body = api.call("post", "/api/v1/customers", headers, {"name": "a\u0000b"})
    assert body.status_code == 422
    assert api.call("get", "/api/v1/customers?q=%00", headers).status_code == 400
    assert not Customer.objects.filter(name__startswith="a").exists()


def test_patch_body_must_be_an_object_and_null_means_unchanged(tenant: Tenant) -> None:
    segment = SegmentFactory(organisation=tenant.organisation, description="kept")
    api = TestSegmentsApi()
    headers = tenant.api_headers(tenant.admin)
    for body in ([], [1], 5, "x", True):
        assert api.call("patch", f"/api/v1/segments/{segment.pk}", headers, body).status_code == 422
    assert (
        api.call(
            "patch", f"/api/v1/segments/{segment.pk}", headers, {"description": None}
        ).status_code
        == 200
    )
    segment.refresh_from_db()
    assert segment.description == "kept"
    customer = CustomerFactory(organisation=tenant.organisation, segment=segment)
    cleared = TestCustomersApi().call(
        "patch", f"/api/v1/customers/{customer.pk}", headers, {"segment_id": None}
    )
    assert cleared.status_code == 200 and cleared.json()["segment_id"] is None


def test_loose_types_are_refused(tenant: Tenant) -> None:
    api = TestCustomersApi()
    headers = tenant.api_headers(tenant.admin)
    for body in ({"name": "x", "consent_marketing": "yes"}, {"name": "x", "segment_id": "1"}):
        assert api.call("post", "/api/v1/customers", headers, body).status_code == 422
    assert api.call("get", "/api/v1/customers?page=99999999999", headers).status_code == 422
    assert api.call("get", f"/api/v1/customers?segment_id={2**70}", headers).status_code == 422
    example = api.call("post", "/api/v1/customers", headers, {"name": "x", "email": "a@b.example"})
    assert example.status_code == 201
