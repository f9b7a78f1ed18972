"""The audit trail: who did what and when, with before and after, never a secret; visible to
administrators only, filterable, exportable, in the API."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from outsidein import audit
from outsidein.audit.models import AuditEntry
from outsidein.core import services as core
from outsidein.voice import services as voice
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


def test_secrets_are_masked_whatever_the_caller_passes(tenant: Tenant) -> None:
    entry = audit.record(
        tenant.organisation,
        "change",
        object_type="voice.outboundhook",
        changes={"secret": ["whsec_old", "whsec_new"], "url": ["a", "b"]},
        details={"api_key": "k", "password": "p", "rows": 3},
    )
    assert entry.changes == {"secret": ["••••", "••••"], "url": ["a", "b"]}
    assert entry.details == {"api_key": "••••", "password": "••••", "rows": 3}
    assert audit.diff({"key_hash": "x"}, {"key_hash": "y"}) == {"key_hash": ["••••", "••••"]}


def test_people_roles_tokens_surveys_and_settings_are_recorded(tenant: Tenant) -> None:
    admin = tenant.client_for(tenant.admin)
    response = admin.patch(
        f"/api/v1/people/{tenant.employee.pk}", {"role": "manager"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    role = AuditEntry.objects.get(action="role")
    assert role.actor == tenant.admin and role.source == "api"
    assert role.changes["role"] == ["employee", "manager"]
    new = core.create_api_token(tenant.employee, name="script")
    created = AuditEntry.objects.get(action="create", object_type="core.apitoken")
    assert new.plaintext not in str(created.changes) and new.token.key_hash not in str(
        created.changes
    )
    core.revoke_api_token(new.token)
    assert AuditEntry.objects.filter(action="revoke", object_type="core.apitoken").exists()
    survey = voice.create_survey(tenant.organisation, name="Relatie")
    voice.update_survey(survey, name="Relatie-NPS")
    changed = AuditEntry.objects.get(action="change", object_type="voice.survey")
    assert changed.changes == {"name": ["Relatie", "Relatie-NPS"]}
    response = admin.post("/settings/organisation/", {"name": "Acme BV", "language": "en"})
    assert response.status_code in (200, 302)
    assert AuditEntry.objects.filter(object_type="core.organisation").exists()


def test_api_is_for_administrators_paginated_and_filterable(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    voice.create_survey(tenant.organisation, name="A")
    voice.create_survey(other_tenant.organisation, name="Theirs")
    core.create_segment(tenant.organisation, name="Zakelijk")
    employee = tenant.client_for(tenant.employee)
    assert employee.get("/api/v1/audit").status_code == 403
    admin = tenant.client_for(tenant.admin)
    data = admin.get("/api/v1/audit").json()
    assert data["count"] == 2  # never another organisation's
    data = admin.get("/api/v1/audit?object_type=voice.survey").json()
    assert [i["object"] for i in data["items"]] == ["A"]
    data = admin.get("/api/v1/audit?action=create&page_size=1").json()
    assert data["count"] == 2 and len(data["items"]) == 1
    foreign = other_tenant.admin.pk
    response = admin.get(f"/api/v1/audit?actor_id={foreign}")
    assert response.status_code == 422
    assert admin.get("/api/v1/audit?since=2026-01-01&until=2999-12-31").status_code == 200


def test_page_filters_and_csv(tenant: Tenant) -> None:
    voice.create_survey(tenant.organisation, name='=HYPERLINK("http://evil.example")')
    assert tenant.client_for(tenant.manager).get("/settings/audit/").status_code == 403
    admin = tenant.client_for(tenant.admin)
    page = admin.get("/settings/audit/?action=create")
    assert page.status_code == 200
    assert "HYPERLINK" in page.content.decode()
    response = admin.get("/settings/audit/export.csv?object_type=voice.survey")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:4] == ["when", "who", "through", "action"]
    assert rows[1][6].startswith("'=")  # shown as text in a spreadsheet, never a formula
    assert AuditEntry.objects.filter(action="export", object_type="audit.auditentry").exists()


def test_a_rolled_back_change_leaves_no_entry(tenant: Tenant) -> None:
    from django.core.exceptions import ValidationError

    segment = core.create_segment(tenant.organisation, name="Een")
    core.create_segment(tenant.organisation, name="Twee")
    count = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        core.update_segment(segment, name="Twee")
    assert AuditEntry.objects.count() == count


def test_cli_actions_name_the_command_line(tenant: Tenant, monkeypatch: Any, tmp_path: Any) -> None:
    from outsidein.audit.context import acting

    with acting(source="cli", label="command line"):
        entry = audit.record(tenant.organisation, "change", object_type="x")
    assert (entry.source, entry.actor_label) == ("cli", "command line")


def test_corrections_of_the_analysis_are_recorded(tenant: Tenant) -> None:
    from outsidein.text import services as text
    from outsidein.text.models import FeedbackAnalysis

    feedback, _ = voice.record_feedback(
        tenant.organisation, kind="complaint", channel="phone", comment="Prima geholpen"
    )
    analysis, _ = FeedbackAnalysis.objects.get_or_create(
        feedback=feedback,
        defaults={"organisation": tenant.organisation, "language": "nl", "sentiment": "negative"},
    )
    analysis.sentiment = "negative"
    analysis.save()
    text.correct_analysis(analysis, sentiment="positive")
    entry = AuditEntry.objects.get(action="correct")
    assert entry.changes["sentiment"] == ["negative", "positive"]
    assert entry.details["feedback_id"] == feedback.pk


def test_the_solved_question_respects_consent(tenant: Tenant, mailoutbox: Any) -> None:
    from outsidein.practice.models import Case
    from outsidein.practice.services import send_solved_question

    customer = core.create_customer(tenant.organisation, name="K", email="k@example.org")
    case = Case.objects.create(
        organisation=tenant.organisation, kind="complaint", subject="x", customer=customer
    )
    core.update_customer(customer, consent_surveys=False)
    assert send_solved_question(case.pk) is False
