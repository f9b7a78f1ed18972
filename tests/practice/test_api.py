"""The practice API: the shared base cases for cases, contacts and decisions, plus the actions."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from outsidein.practice import services
from outsidein.practice.models import Case, Contact, Decision
from outsidein.voice import services as voice
from tests.api.contract import CrudContract
from tests.conftest import Tenant
from tests.factories import CustomerFactory, TeamFactory


class TestCasesApi(CrudContract):
    path = "/api/v1/cases"
    model = Case

    def make(self, tenant: Tenant) -> Case:
        return services.open_case(
            tenant.organisation, kind="question", subject="Hoe lees ik mijn meter af?"
        )

    def valid_payload(self, tenant: Tenant) -> dict[str, Any]:
        customer = CustomerFactory(organisation=tenant.organisation)
        return {"kind": "complaint", "subject": "Monteur kwam niet", "customer_id": customer.pk}

    def invalid_payload(self, tenant: Tenant) -> tuple[dict[str, Any], str]:
        return {"kind": "rumour", "subject": "x"}, "kind"

    def change(self, tenant: Tenant) -> tuple[dict[str, Any], str, Any]:
        return {"priority": "high"}, "priority", "high"

    def test_role_not_allowed_is_403_and_writes_nothing(self, tenant: Tenant) -> None:
        # Everyone may put a customer item in the queue; working another team's item, moving
        # it to someone else and deleting it are not for employees.
        other = TeamFactory(organisation=tenant.organisation, name="IT", slug="it")
        case = services.open_case(tenant.organisation, kind="question", subject="?", team=other)
        headers = self.headers(tenant, "employee")
        assert (
            self.call("patch", f"{self.path}/{case.pk}", headers, {"priority": "high"}).status_code
            == 403
        )
        assert self.call("delete", f"{self.path}/{case.pk}", headers).status_code == 403
        assert self.call("post", f"{self.path}/{case.pk}/pick-up", headers).status_code == 200
        response = self.call(
            "patch", f"{self.path}/{case.pk}", headers, {"owner_id": tenant.admin.pk}
        )
        assert response.status_code == 403
        case.refresh_from_db()
        assert case.owner == tenant.employee
        assert case.priority == "normal"


def test_the_loop_through_the_api(tenant: Tenant) -> None:
    api = TestCasesApi()
    headers = tenant.api_headers(tenant.employee)
    services.create_root_cause(tenant.organisation, name="Billing")
    feedback = voice.record_feedback(
        tenant.organisation, kind="complaint", channel="phone", comment="Nota te hoog"
    )[0]
    case = Case.objects.get(feedback=feedback)
    closing = {"learned": "Termijn fout", "root_cause": "Billing", "loop": "outer"}
    early = api.call("post", f"/api/v1/cases/{case.pk}/close", headers, closing)
    assert early.status_code == 422
    assert any("first_response" in error["loc"] for error in early.json()["detail"])
    reply = api.call("post", f"/api/v1/cases/{case.pk}/responses", headers, {"text": "Gebeld"})
    assert reply.status_code == 201
    unknown = api.call(
        "post", f"/api/v1/cases/{case.pk}/close", headers, {**closing, "root_cause": "Maan"}
    )
    assert unknown.status_code == 422
    closed = api.call("post", f"/api/v1/cases/{case.pk}/close", headers, closing)
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert body["status"] == "closed"
    assert body["root_cause"] == "Billing"
    assert body["decision_id"] is not None
    notes = api.call("get", f"/api/v1/cases/{case.pk}/notes", headers)
    assert notes.json()[0]["kind"] == "response"


class TestContactsApi(CrudContract):
    path = "/api/v1/contacts"
    model = Contact

    def make(self, tenant: Tenant) -> Contact:
        return services.log_contact(tenant.employee, kind="call", learned="Wil papieren nota")

    def valid_payload(self, tenant: Tenant) -> dict[str, Any]:
        customer = CustomerFactory(organisation=tenant.organisation)
        return {"kind": "visit", "customer_id": customer.pk, "learned": "Tevreden over de app"}

    def invalid_payload(self, tenant: Tenant) -> tuple[dict[str, Any], str]:
        return {"kind": "visit", "happened_on": "2999-01-01"}, "happened_on"

    def change(self, tenant: Tenant) -> tuple[dict[str, Any], str, Any]:
        return {"learned": "Wil een papieren nota"}, "learned", "Wil een papieren nota"

    def test_role_not_allowed_is_403_and_writes_nothing(self, tenant: Tenant) -> None:
        # Contacts are personal: another employee's contact is not even visible (404), and an
        # employee cannot change or delete a colleague's contact.
        theirs = services.log_contact(tenant.manager, kind="call", learned="Geheim")
        headers = self.headers(tenant, "employee")
        assert self.call("get", f"{self.path}/{theirs.pk}", headers).status_code == 404
        listed = self.call("get", self.path, headers).json()
        assert theirs.pk not in {item["id"] for item in listed["items"]}
        assert self.call("delete", f"{self.path}/{theirs.pk}", headers).status_code == 404
        manager = self.headers(tenant, "manager")
        mine = services.log_contact(tenant.employee, kind="call")
        assert self.call("get", f"{self.path}/{mine.pk}", manager).status_code == 200
        assert self.call("delete", f"{self.path}/{mine.pk}", manager).status_code == 403
        assert Contact.objects.filter(pk__in=[theirs.pk, mine.pk]).count() == 2


class TestDecisionsApi(CrudContract):
    path = "/api/v1/decisions"
    model = Decision

    def make(self, tenant: Tenant) -> Decision:
        return services.create_decision(
            tenant.organisation, title="Chat tot 21:00", team=tenant.manager.team
        )

    def valid_payload(self, tenant: Tenant) -> dict[str, Any]:
        feedback = voice.record_feedback(
            tenant.organisation, kind="complaint", channel="phone", comment="Chat dicht"
        )[0]
        return {
            "title": "Chat langer open",
            "status": "taken",
            "decided_on": "2026-11-01",
            "evidence": [{"kind": "feedback", "ref_id": feedback.pk}],
        }

    def invalid_payload(self, tenant: Tenant) -> tuple[dict[str, Any], str]:
        return {"title": "Nieuwe huisstijl", "status": "taken"}, "without_customer_input"

    def change(self, tenant: Tenant) -> tuple[dict[str, Any], str, Any]:
        return {"description": "Vanaf januari"}, "description", "Vanaf januari"

    def test_role_not_allowed_is_403_and_writes_nothing(self, tenant: Tenant) -> None:
        # Everyone may propose; only the owner, the team's managers and administrators change.
        other = TeamFactory(organisation=tenant.organisation, name="IT", slug="it")
        decision = services.create_decision(tenant.organisation, title="Nieuw CRM", team=other)
        headers = self.headers(tenant, "employee")
        body = {"description": "stiekem"}
        assert self.call("patch", f"{self.path}/{decision.pk}", headers, body).status_code == 403
        assert self.call("delete", f"{self.path}/{decision.pk}", headers).status_code == 403
        evidence = {"kind": "survey", "ref_id": 1}
        response = self.call("post", f"{self.path}/{decision.pk}/evidence", headers, evidence)
        assert response.status_code == 403
        decision.refresh_from_db()
        assert decision.description == ""


def test_evidence_of_another_organisation_is_422(tenant: Tenant, other_tenant: Tenant) -> None:
    api = TestDecisionsApi()
    theirs = voice.record_feedback(
        other_tenant.organisation, kind="complaint", channel="phone", comment="Geheim"
    )[0]
    decision = api.make(tenant)
    response = api.call(
        "post",
        f"/api/v1/decisions/{decision.pk}/evidence",
        tenant.api_headers(tenant.admin),
        {"kind": "feedback", "ref_id": theirs.pk},
    )
    assert response.status_code == 422
    assert "Geheim" not in response.content.decode()
    assert not decision.evidence.exists()


def test_the_norms_for_a_month(tenant: Tenant) -> None:
    api = TestDecisionsApi()
    headers = tenant.api_headers(tenant.employee)
    month = timezone.localdate().strftime("%Y-%m")
    services.log_contact(tenant.employee, kind="call")
    response = api.call("get", f"/api/v1/practices?month={month}", headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["month"] == month
    keys = [norm["key"] for norm in body["norms"]]
    assert keys[:4] == ["queue", "loop", "contacts", "decisions"]
    contacts = next(norm for norm in body["norms"] if norm["key"] == "contacts")
    assert contacts["n"] == 3  # the tenant's three employees, one of whom spoke to a customer
    assert contacts["value"] == 100 / 3
    queue = next(norm for norm in body["norms"] if norm["key"] == "queue")
    assert queue["value"] is None  # nothing to measure is not zero
    for bad in ("2026-13", "0000-01", "26-01"):
        assert api.call("get", f"/api/v1/practices?month={bad}", headers).status_code == 422
