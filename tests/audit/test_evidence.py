"""What a customer said is evidence: staff tag it, route it and note beside it, but only an
administrator changes it, with a reason, and the audit trail keeps before and after."""

from __future__ import annotations

import pytest

from outsidein.analytics import services as analytics
from outsidein.audit.models import AuditEntry
from outsidein.voice import services
from outsidein.voice.models import Feedback
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


def _response(tenant: Tenant) -> Feedback:
    survey = services.create_survey(tenant.organisation, name="NPS")
    services.open_survey(survey)
    return services.submit_response(
        survey, data={"nps": 4, "reason": "Te duur"}, channel="link", language="nl"
    )


def test_no_employee_rewrites_what_a_customer_said(tenant: Tenant) -> None:
    feedback = _response(tenant)
    for person in (tenant.employee, tenant.manager, tenant.admin):
        client = tenant.client_for(person)
        response = client.patch(
            f"/api/v1/feedback/{feedback.pk}",
            {"nps": 10, "comment": "Everything was perfect"},
            content_type="application/json",
        )
        assert response.status_code == 403, person.role
        assert "amend" in response.json()["detail"]
    feedback.refresh_from_db()
    assert (feedback.nps, feedback.comment) == (4, "Te duur")
    assert not AuditEntry.objects.filter(object_type="voice.feedback").exists()


def test_staff_tag_and_route_beside_it(tenant: Tenant) -> None:
    feedback = _response(tenant)
    employee = tenant.client_for(tenant.employee)
    response = employee.patch(
        f"/api/v1/feedback/{feedback.pk}", {"tags": ["prijs"]}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["tags"] == ["prijs"]
    # Moving it to a team is for managers and administrators.
    team = tenant.manager.team_id
    body = {"team_id": team}
    assert (
        employee.patch(
            f"/api/v1/feedback/{feedback.pk}", body, content_type="application/json"
        ).status_code
        == 403
    )
    manager = tenant.client_for(tenant.manager)
    assert (
        manager.patch(
            f"/api/v1/feedback/{feedback.pk}", body, content_type="application/json"
        ).status_code
        == 200
    )
    entry = AuditEntry.objects.get(action="change", object_type="voice.feedback")
    assert entry.actor == tenant.manager and "team" in entry.changes
    # The page's tag form works for everyone who sees the feedback.
    assert (
        employee.post(f"/inbox/{feedback.pk}/tags/", {"tags": "prijs, levering"}).status_code == 302
    )


def test_the_author_corrects_their_own_note(tenant: Tenant) -> None:
    note, _ = services.record_feedback(
        tenant.organisation,
        kind="note",
        channel="visit",
        author=tenant.employee,
        comment="Klant wil factuur per post",
    )
    mine = tenant.client_for(tenant.employee)
    response = mine.patch(
        f"/api/v1/feedback/{note.pk}",
        {"comment": "Klant wil factuur per e-mail"},
        content_type="application/json",
    )
    assert response.status_code == 200
    colleague = tenant.client_for(tenant.manager)
    response = colleague.patch(
        f"/api/v1/feedback/{note.pk}", {"comment": "iets anders"}, content_type="application/json"
    )
    assert response.status_code == 403
    entry = AuditEntry.objects.get(action="change", object_type="voice.feedback")
    assert entry.changes["comment"] == [
        "Klant wil factuur per post",
        "Klant wil factuur per e-mail",
    ]


def test_an_administrator_amends_an_import_error_with_a_reason(tenant: Tenant) -> None:
    feedback = _response(tenant)
    path = f"/api/v1/feedback/{feedback.pk}/amend"
    assert (
        tenant.client_for(tenant.manager)
        .post(path, {"reason": "import", "nps": 9}, content_type="application/json")
        .status_code
        == 403
    )
    admin = tenant.client_for(tenant.admin)
    response = admin.post(path, {"nps": 9}, content_type="application/json")
    assert response.status_code == 422 and "reason" in response.content.decode()
    before = analytics.summary(tenant.organisation.pk)
    response = admin.post(
        path, {"reason": "CSAT stond in de NPS-kolom", "nps": 9}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["nps"] == 9
    after = analytics.summary(tenant.organisation.pk)
    assert repr(before) != repr(after)  # the rollups followed
    entry = AuditEntry.objects.get(action="amend")
    assert entry.actor == tenant.admin
    assert entry.reason == "CSAT stond in de NPS-kolom"
    assert entry.changes == {"nps": [4, 9]}
    # An empty amendment names what is missing.
    response = admin.post(path, {"reason": "niets"}, content_type="application/json")
    assert response.status_code == 422


def test_deleting_feedback_is_recorded(tenant: Tenant) -> None:
    feedback = _response(tenant)
    admin = tenant.client_for(tenant.admin)
    assert admin.delete(f"/api/v1/feedback/{feedback.pk}").status_code == 204
    entry = AuditEntry.objects.get(action="delete", object_type="voice.feedback")
    assert entry.changes["nps"] == [4, None]
