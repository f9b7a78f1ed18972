"""Voice endpoints held to the shared API contract, plus intake and server-to-server rules."""

from __future__ import annotations

from typing import Any

import pytest

from outsidein.analytics.models import DailyRollup
from outsidein.voice import services
from outsidein.voice.models import Feedback, Survey
from tests.api.contract import CrudContract
from tests.conftest import Tenant
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


class TestFeedbackApi(CrudContract):
    path = "/api/v1/feedback"
    model = Feedback
    # Everyone may log and tag feedback; only administrators delete it. The contract's 403
    # case checks create/change/delete together, so it is exercised separately below.
    denied_role = "employee"

    def make(self, tenant: Tenant) -> Feedback:
        return services.record_feedback(
            tenant.organisation, kind="complaint", channel="phone", comment="Te hoge factuur"
        )[0]

    def valid_payload(self, tenant: Tenant) -> dict[str, Any]:
        customer = CustomerFactory(organisation=tenant.organisation)
        return {"kind": "complaint", "customer_id": customer.pk, "comment": "Meter kapot", "nps": 2}

    def invalid_payload(self, tenant: Tenant) -> tuple[dict[str, Any], str]:
        return {"kind": "complaint", "comment": "x", "nps": 11}, "nps"

    def change(self, tenant: Tenant) -> tuple[dict[str, Any], str, Any]:
        # What the customer said cannot be changed (tests/audit/test_evidence.py); routing can.
        team_id = tenant.manager.team_id
        return {"team_id": team_id}, "team_id", team_id

    def test_role_not_allowed_is_403_and_writes_nothing(self, tenant: Tenant) -> None:
        obj = self.make(tenant)
        headers = self.headers(tenant, "employee")
        assert self.call("delete", f"{self.path}/{obj.pk}", headers).status_code == 403
        assert Feedback.objects.filter(pk=obj.pk).exists()


class TestSurveysApi(CrudContract):
    path = "/api/v1/surveys"
    model = Survey

    def make(self, tenant: Tenant) -> Survey:
        return services.create_survey(tenant.organisation, name="Relatie-NPS")

    def valid_payload(self, tenant: Tenant) -> dict[str, Any]:
        return {"name": "Na levering", "template": "csat", "team_id": tenant.manager.team_id}

    def invalid_payload(self, tenant: Tenant) -> tuple[dict[str, Any], str]:
        return {"name": "x", "template": "quiz"}, "template"

    def change(self, tenant: Tenant) -> tuple[dict[str, Any], str, Any]:
        return {"title_en": "How did we do?"}, "title_en", "How did we do?"


def test_intake_is_idempotent_on_external_id_and_counts_once(tenant: Tenant) -> None:
    api = TestFeedbackApi()
    headers = tenant.api_headers(tenant.employee)
    CustomerFactory(organisation=tenant.organisation, external_id="PS-7")
    body = {
        "kind": "complaint",
        "customer_external_id": "PS-7",
        "comment": "Storing",
        "external_id": "ticket-991",
    }
    first = api.call("post", "/api/v1/feedback", headers, body)
    second = api.call("post", "/api/v1/feedback", headers, body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert DailyRollup.objects.get().items == 1


def test_intake_names_an_unknown_customer_number(tenant: Tenant) -> None:
    response = TestFeedbackApi().call(
        "post",
        "/api/v1/feedback",
        tenant.api_headers(tenant.employee),
        {"kind": "question", "customer_external_id": "nope", "comment": "?"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "customer_external_id"]


def test_server_to_server_response(tenant: Tenant) -> None:
    survey = services.open_survey(services.create_survey(tenant.organisation, name="S2S"))
    api = TestSurveysApi()
    headers = tenant.api_headers(tenant.admin)
    url = f"/api/v1/surveys/{survey.pk}/responses"
    ok = api.call(
        "post", url, headers, {"answers": {"nps": 9, "reason": "Prima"}, "external_id": "s-1"}
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["channel"] == "api" and ok.json()["nps"] == 9
    again = api.call("post", url, headers, {"answers": {"nps": 9}, "external_id": "s-1"})
    assert again.status_code == 200
    bad = api.call("post", url, headers, {"answers": {"nps": 12}})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "nps"]
    missing = api.call("post", url, headers, {"answers": {"reason": "no score"}})
    assert missing.status_code == 422
    assert Feedback.objects.count() == 1


def test_metrics_endpoint(tenant: Tenant) -> None:
    for score in (10, 10, 0):
        services.record_feedback(tenant.organisation, kind="review", channel="link", nps=score)
    response = TestFeedbackApi().call(
        "get", "/api/v1/metrics?by=channel&period=month", tenant.api_headers(tenant.employee)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["summary"]["nps"]["n"] == 3
    assert body["summary"]["nps"]["value"] == pytest.approx(100 / 3)
    assert body["summary"]["nps"]["enough"] is False
    assert body["breakdown"][0]["label"]
    assert len(body["trend"]) == 1


def test_deleting_a_survey_takes_its_responses_out_of_the_rollups(tenant: Tenant) -> None:
    survey = services.open_survey(services.create_survey(tenant.organisation, name="Tmp"))
    services.submit_response(survey, data={"nps": 3}, channel="link", language="nl")
    assert DailyRollup.objects.exists()
    response = TestSurveysApi().call(
        "delete", f"/api/v1/surveys/{survey.pk}", tenant.api_headers(tenant.admin)
    )
    assert response.status_code == 204
    assert not DailyRollup.objects.exists()
