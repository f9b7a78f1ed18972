"""The mystery API: scenarios (the shared CRUD contract), shops, reports, skipping, planning."""

from __future__ import annotations

import json
from typing import Any

import pytest

from outsidein.mystery import services
from outsidein.mystery.models import Assignment, AssignmentStatus, Scenario
from tests.api.contract import CrudContract
from tests.conftest import Tenant
from tests.mystery.conftest import full_answers, make_scenario

pytestmark = pytest.mark.django_db


class TestScenariosApi(CrudContract):
    path = "/api/v1/mystery/scenarios"
    model = Scenario

    def make(self, tenant: Tenant) -> Scenario:
        return make_scenario(tenant, name=f"Scenario {Scenario.objects.count()}")

    def valid_payload(self, tenant: Tenant) -> dict[str, Any]:
        return {
            "name": "Chat op de website",
            "channel": "widget",
            "touchpoint": "Vraag via de chat",
            "team_id": tenant.manager.team_id,
            "instructions": "Open de chat en vraag naar een betalingsregeling.",
            "checklist": ["Binnen 1 minuut antwoord"],
            "scoring": ["Toon", "Oplossing"],
        }

    def invalid_payload(self, tenant: Tenant) -> tuple[dict[str, Any], str]:
        payload = self.valid_payload(tenant)
        payload["checklist"] = ["Groet", "groet"]
        return payload, "checklist"

    def change(self, tenant: Tenant) -> tuple[dict[str, Any], str, Any]:
        return {"touchpoint": "Overstappen"}, "touchpoint", "Overstappen"


def _call(method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
    return CrudContract().call(method, path, headers, body)


def test_scenario_items_keep_their_keys_through_a_patch(tenant: Tenant) -> None:
    scenario = make_scenario(tenant)
    headers = tenant.api_headers(tenant.admin)
    body = {"scoring": ["Duidelijkheid van het antwoord", "Empathie"]}
    response = _call("patch", f"/api/v1/mystery/scenarios/{scenario.pk}", headers, body)
    assert response.status_code == 200, response.content
    assert response.json()["scoring"] == [
        {"key": "s2", "label": "Duidelijkheid van het antwoord"},
        {"key": "s3", "label": "Empathie"},
    ]


def test_foreign_team_is_422(tenant: Tenant, other_tenant: Tenant) -> None:
    payload = TestScenariosApi().valid_payload(tenant)
    payload["team_id"] = other_tenant.manager.team_id
    response = _call("post", "/api/v1/mystery/scenarios", tenant.api_headers(tenant.admin), payload)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "team_id"]


def test_scenario_with_reports_is_not_deleted(tenant: Tenant, shop: Assignment) -> None:
    services.submit_report(shop, by=tenant.employee, **full_answers(shop.scenario))
    response = _call(
        "delete", f"/api/v1/mystery/scenarios/{shop.scenario_id}", tenant.api_headers(tenant.admin)
    )
    assert response.status_code == 422
    assert "inactive" in response.json()["detail"][0]["msg"]


def test_assignments_are_scoped_by_role_and_organisation(
    tenant: Tenant, other_tenant: Tenant, shop: Assignment
) -> None:
    make_scenario(other_tenant)
    services.plan_assignments(other_tenant.organisation)
    employee = _call("get", "/api/v1/mystery/assignments", tenant.api_headers(tenant.employee))
    assert [item["id"] for item in employee.json()["items"]] == [shop.pk]
    admin = _call("get", "/api/v1/mystery/assignments", tenant.api_headers(tenant.admin))
    assert admin.json()["count"] == 3
    manager = _call(
        "get", "/api/v1/mystery/assignments?status=assigned", tenant.api_headers(tenant.manager)
    )
    assert {item["person_id"] for item in manager.json()["items"]} == {
        tenant.manager.pk,
        tenant.employee.pk,
    }
    theirs = Assignment.objects.filter(organisation=other_tenant.organisation).first()
    assert theirs is not None
    response = _call(
        "get", f"/api/v1/mystery/assignments/{theirs.pk}", tenant.api_headers(tenant.admin)
    )
    assert response.status_code == 404


def test_report_through_the_api(tenant: Tenant, shop: Assignment) -> None:
    headers = tenant.api_headers(tenant.employee)
    path = f"/api/v1/mystery/assignments/{shop.pk}/report"
    bad = _call("post", path, headers, {"checklist": {"c1": "yes"}, "scores": {"s1": 7}})
    assert bad.status_code == 422
    fields = {error["loc"][-1] for error in bad.json()["detail"]}
    assert fields == {"checklist.c2", "scores.s1", "scores.s2"}
    strict = _call("post", path, headers, {"scores": {"s1": "4"}})
    assert strict.status_code == 422
    answers = full_answers(shop.scenario, "no", 2)
    good = _call("post", path, headers, {**answers, "observations": "Lang in de wacht."})
    assert good.status_code == 200, good.content
    assert good.json()["score"] == 13  # (0 + 0 + 25 + 25) / 4 = 12.5 → 13
    again = _call("post", path, headers, answers)
    assert again.status_code == 422


def test_only_the_shopper_reports_and_only_managers_skip(tenant: Tenant, shop: Assignment) -> None:
    path = f"/api/v1/mystery/assignments/{shop.pk}"
    manager = tenant.api_headers(tenant.manager)
    employee = tenant.api_headers(tenant.employee)
    answers = full_answers(shop.scenario)
    assert _call("post", f"{path}/report", manager, answers).status_code == 403
    assert _call("post", f"{path}/skip", employee, {"reason": "geen zin"}).status_code == 403
    assert _call("post", f"{path}/skip", manager, {"reason": ""}).status_code == 422
    skipped = _call("post", f"{path}/skip", manager, {"reason": "Verlof"})
    assert skipped.status_code == 200
    assert skipped.json()["status"] == AssignmentStatus.SKIPPED


def test_plan_through_the_api(tenant: Tenant) -> None:
    assert (
        _call("post", "/api/v1/mystery/plan", tenant.api_headers(tenant.employee)).status_code
        == 403
    )
    empty = _call("post", "/api/v1/mystery/plan", tenant.api_headers(tenant.admin))
    assert empty.json() == {"created": 0, "expired": 0, "reason": "no_scenarios"}
    make_scenario(tenant)
    planned = _call("post", "/api/v1/mystery/plan", tenant.api_headers(tenant.admin))
    assert planned.json()["created"] == 3


@pytest.mark.parametrize("body", [[1, 2], "report", None])
def test_report_body_must_be_an_object(tenant: Tenant, shop: Assignment, body: Any) -> None:
    from django.test import Client

    response = Client().post(
        f"/api/v1/mystery/assignments/{shop.pk}/report",
        data=json.dumps(body),
        content_type="application/json",
        headers=tenant.api_headers(tenant.employee),
    )
    assert response.status_code in {400, 422}
    shop.refresh_from_db()
    assert shop.status == AssignmentStatus.ASSIGNED
