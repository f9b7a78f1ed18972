"""The strategy API: the shared CRUD contract for its main resources, and the extras."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models

from outsidein.strategy import services
from outsidein.strategy.models import (
    DeclinedRequest,
    Journey,
    Need,
    Process,
    SegmentRule,
    Touchpoint,
)
from tests.api.contract import CrudContract
from tests.conftest import Tenant
from tests.factories import CustomerFactory, SegmentFactory
from tests.strategy.conftest import make_journey

pytestmark = pytest.mark.django_db


def _segment(tenant: Tenant) -> Any:
    return SegmentFactory(organisation=tenant.organisation)


def _stage(tenant: Tenant) -> Any:
    journey = services.create_journey(tenant.organisation, segment=_segment(tenant), name="J")
    return services.create_stage(journey, name="Support", kind="support")


class TestJourneysApi(CrudContract):
    path = "/api/v1/strategy/journeys"
    model = Journey

    def make(self, tenant: Tenant) -> models.Model:
        return services.create_journey(tenant.organisation, segment=_segment(tenant), name="J")

    def valid_payload(self, tenant: Tenant) -> dict[str, Any]:
        return {"segment_id": _segment(tenant).pk, "name": "Households journey"}

    def invalid_payload(self, tenant: Tenant) -> tuple[dict[str, Any], str]:
        return {"segment_id": 987654321, "name": "x"}, "segment_id"

    def change(self, tenant: Tenant) -> tuple[dict[str, Any], str, Any]:
        return {"name": "Renamed"}, "name", "Renamed"


class TestTouchpointsApi(CrudContract):
    path = "/api/v1/strategy/touchpoints"
    model = Touchpoint

    def make(self, tenant: Tenant) -> models.Model:
        return make_journey(tenant, name=f"J{Touchpoint.objects.count()}").touchpoint

    def valid_payload(self, tenant: Tenant) -> dict[str, Any]:
        stage = _stage(tenant)
        return {
            "stage_id": stage.pk,
            "name": "Chat",
            "channel": "widget",
            "team_id": tenant.manager.team_id,
            "measure": "ces",
        }

    def invalid_payload(self, tenant: Tenant) -> tuple[dict[str, Any], str]:
        stage = _stage(tenant)
        return {"stage_id": stage.pk, "name": "Chat", "channel": "pigeon"}, "channel"

    def change(self, tenant: Tenant) -> tuple[dict[str, Any], str, Any]:
        return (
            {"expected_experience": "Answered at once"},
            "expected_experience",
            "Answered at once",
        )


class TestProcessesApi(CrudContract):
    path = "/api/v1/strategy/processes"
    model = Process

    def make(self, tenant: Tenant) -> models.Model:
        return services.create_process(
            tenant.organisation, name=f"Process {Process.objects.count()}", team=tenant.manager.team
        )

    def valid_payload(self, tenant: Tenant) -> dict[str, Any]:
        touchpoint = make_journey(tenant, name="Served").touchpoint
        return {
            "name": "Billing run",
            "team_id": tenant.manager.team_id,
            "touchpoint_ids": [touchpoint.pk],
        }

    def invalid_payload(self, tenant: Tenant) -> tuple[dict[str, Any], str]:
        return {"name": "Billing run", "touchpoint_ids": [987654321]}, "touchpoint_ids"

    def change(self, tenant: Tenant) -> tuple[dict[str, Any], str, Any]:
        return {"description": "Every month"}, "description", "Every month"


class TestNeedsApi(CrudContract):
    path = "/api/v1/strategy/needs"
    model = Need

    def make(self, tenant: Tenant) -> models.Model:
        return services.create_need(
            tenant.organisation,
            segment=_segment(tenant),
            name="Clear bill",
            stance="served",
            reason="Core",
        )

    def valid_payload(self, tenant: Tenant) -> dict[str, Any]:
        return {
            "segment_id": _segment(tenant).pk,
            "name": "Advice at home",
            "stance": "declined",
            "reason": "Not our discipline",
        }

    def invalid_payload(self, tenant: Tenant) -> tuple[dict[str, Any], str]:
        return {
            "segment_id": _segment(tenant).pk,
            "name": "x",
            "stance": "maybe",
            "reason": "r",
        }, "stance"

    def change(self, tenant: Tenant) -> tuple[dict[str, Any], str, Any]:
        return {"stance": "declined"}, "stance", "declined"


class TestDeclinedRequestsApi(CrudContract):
    path = "/api/v1/strategy/declined-requests"
    model = DeclinedRequest

    def make(self, tenant: Tenant) -> models.Model:
        return services.create_declined(
            tenant.organisation, request="Pay monthly", source="sales", reason="Not our model"
        )

    def valid_payload(self, tenant: Tenant) -> dict[str, Any]:
        customer = CustomerFactory(organisation=tenant.organisation)
        return {
            "request": "A branch contract",
            "source": "sales",
            "reason": "Large accounts only",
            "customer_id": customer.pk,
        }

    def invalid_payload(self, tenant: Tenant) -> tuple[dict[str, Any], str]:
        return {"request": "Idea", "source": "idea", "ref_id": 987654321, "reason": "r"}, "ref_id"

    def change(self, tenant: Tenant) -> tuple[dict[str, Any], str, Any]:
        return {"customer_told": True}, "customer_told", True


class TestSegmentRulesApi(CrudContract):
    path = "/api/v1/strategy/segment-rules"
    model = SegmentRule

    def make(self, tenant: Tenant) -> models.Model:
        return services.create_rule(
            tenant.organisation,
            name="Consumers",
            segment=_segment(tenant),
            conditions=[{"field": "kind", "op": "is", "value": "consumer"}],
        )

    def valid_payload(self, tenant: Tenant) -> dict[str, Any]:
        return {
            "name": "Large",
            "segment_id": _segment(tenant).pk,
            "conditions": [{"field": "attr:size", "op": "in", "value": ["250+"]}],
        }

    def invalid_payload(self, tenant: Tenant) -> tuple[dict[str, Any], str]:
        return {
            "name": "Bad",
            "segment_id": _segment(tenant).pk,
            "conditions": [{"field": "colour", "op": "is", "value": "red"}],
        }, "conditions"

    def change(self, tenant: Tenant) -> tuple[dict[str, Any], str, Any]:
        return {"is_active": False}, "is_active", False


def test_a_manager_keeps_touchpoints_of_their_own_teams_only(tenant: Tenant) -> None:
    api = TestTouchpointsApi()
    stage = make_journey(tenant, name="Mine").support
    headers = tenant.api_headers(tenant.manager)
    own = {"stage_id": stage.pk, "name": "Own", "team_id": tenant.manager.team_id}
    assert api.call("post", api.path, headers, own).status_code == 201
    other_team = tenant.manager.team.parent
    foreign = {"stage_id": stage.pk, "name": "Theirs", "team_id": other_team.pk}
    assert api.call("post", api.path, headers, foreign).status_code == 403


def test_rule_check_reports_overlaps_and_the_journey_map_answers(tenant: Tenant) -> None:
    api = TestSegmentRulesApi()
    headers = tenant.api_headers(tenant.admin)
    first, second = _segment(tenant), _segment(tenant)
    for segment in (first, second):
        services.create_rule(
            tenant.organisation, name=f"All consumers → {segment.name}", segment=segment,
            conditions=[{"field": "kind", "op": "is", "value": "consumer"}],
        )  # fmt: skip
    customer = CustomerFactory(organisation=tenant.organisation, kind="consumer")
    body = api.call("post", "/api/v1/strategy/segment-rules/check", headers).json()
    assert body["would_change"] == 1
    (overlap,) = body["overlaps"]
    assert overlap["customers"] == 1 and overlap["example_customer_ids"] == [customer.pk]
    journey = make_journey(tenant, name="Mapped").journey
    cells = api.call("get", f"/api/v1/strategy/journeys/{journey.pk}/map", headers).json()
    assert cells[0]["heat"] == "thin" and cells[0]["csat"]["enough"] is False
    flags = api.call("get", "/api/v1/strategy/flags", headers).json()
    assert {
        "kind": "touchpoint_unmeasured",
        "object_id": cells[0]["touchpoint_id"],
        "name": "Helpdesk phone",
    } in flags
    strategy = api.call(
        "patch", f"/api/v1/strategy/segments/{first.pk}", headers,
        {"priority": "core", "value_discipline": "customer_intimacy"},
    )  # fmt: skip
    assert strategy.status_code == 200 and strategy.json()["priority"] == "core"
    bad = api.call("patch", f"/api/v1/strategy/segments/{first.pk}", headers, {"priority": "king"})
    assert bad.status_code == 422
