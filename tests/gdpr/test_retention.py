"""The retention policy: old words and stale contact details anonymised, expired invitations
and revoked tokens purged, the figures unchanged; run by the daily round."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from outsidein.audit.models import AuditEntry
from outsidein.core import services as core
from outsidein.core.models import ApiToken, Customer
from outsidein.privacy import retention, services
from outsidein.voice import services as voice
from outsidein.voice.models import Feedback, Invitation
from tests.conftest import Tenant
from tests.gdpr.conftest import rollup_rows

pytestmark = pytest.mark.django_db


def test_retention_anonymises_old_words_and_purges_what_expired(tenant: Tenant) -> None:
    org = tenant.organisation
    long_ago = timezone.now() - timedelta(days=800)
    old_customer = core.create_customer(
        org, name="Oude Klant", email="oud@example.org", phone="0612345678"
    )
    Customer.objects.filter(pk=old_customer.pk).update(created_at=long_ago, updated_at=long_ago)
    old, _ = voice.record_feedback(
        org,
        kind="complaint",
        channel="phone",
        comment="Oude klacht",
        nps=2,
        submitted_at=long_ago,
        customer=old_customer,
    )
    recent, _ = voice.record_feedback(
        org, kind="complaint", channel="phone", comment="Nieuwe klacht", nps=8
    )
    survey = voice.create_survey(org, name="S")
    expired = Invitation.objects.create(
        organisation=org, survey=survey, customer=old_customer, expires_at=long_ago
    )
    token = core.create_api_token(tenant.employee, name="old").token
    core.revoke_api_token(token)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=long_ago)
    figures = rollup_rows()

    assert retention.run_retention(org) == {
        "revoked_tokens": 1,
        "expired_invitations": 1,
    }  # no policy yet: purge only
    services.update_settings(org, free_text_months=12, contact_details_months=24)
    counts = retention.run_retention(org)

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.comment == "[removed]" and old.nps == 2
    assert recent.comment == "Nieuwe klacht"
    old_customer.refresh_from_db()
    assert (old_customer.email, old_customer.phone) == ("", "")
    assert "Oude Klant" not in old_customer.name
    assert not Invitation.objects.filter(pk=expired.pk).exists()
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert counts["feedback"] == 1 and counts["customers_anonymised"] == 1
    assert rollup_rows() == figures
    assert AuditEntry.objects.filter(action="retention").count() == 2
    assert retention.run_retention(org) == {}  # idempotent
    assert Feedback.objects.filter(comment="Oude klacht").count() == 0


def test_privacy_settings_page_and_api(tenant: Tenant) -> None:
    admin = tenant.client_for(tenant.admin)
    page = admin.get("/settings/privacy/")
    assert page.status_code == 200
    assert "What we keep and why" in page.content.decode()
    response = admin.post(
        "/settings/privacy/", {"free_text_months": "0", "purge_expired_after_days": "90"}
    )
    assert response.status_code == 200 and "free_text_months" in response.content.decode()
    response = admin.post(
        "/settings/privacy/", {"free_text_months": "36", "purge_expired_after_days": "30"}
    )
    assert response.status_code == 302
    assert admin.post("/settings/privacy/", {"action": "run"}).status_code == 302
    assert tenant.client_for(tenant.manager).get("/settings/privacy/").status_code == 403
    data = admin.patch(
        "/api/v1/privacy/settings", {"contact_details_months": 48}, content_type="application/json"
    ).json()
    assert data == {
        **data,
        "free_text_months": 36,
        "contact_details_months": 48,
        "purge_expired_after_days": 30,
    }
    response = admin.patch(
        "/api/v1/privacy/settings", {"free_text_months": 0}, content_type="application/json"
    )
    assert response.status_code == 422
    assert tenant.client_for(tenant.employee).get("/api/v1/privacy/settings").status_code == 403
    entry = AuditEntry.objects.filter(
        object_type="privacy.privacysettings", action="change"
    ).first()
    assert entry is not None


def test_the_daily_round_applies_retention() -> None:
    from outsidein.jobs.schedule import DAILY_STEPS

    assert "retention" in [step.name for step in DAILY_STEPS]
