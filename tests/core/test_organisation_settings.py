"""The organisation's own settings (name, language, contact frequency) on the settings page
and in the API: administrators only, validated, audited, each organisation its own."""

from __future__ import annotations

import pytest

from outsidein.audit.models import AuditEntry
from outsidein.core.models import Organisation
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

PAGE = "/settings/organisation/"
API = "/api/v1/organisation"


def test_admin_changes_the_contact_frequency_on_the_page(tenant: Tenant) -> None:
    client = tenant.client_for(tenant.admin)
    page = client.get(PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="survey_interval_days"' in text and 'value="30"' in text
    answer = client.post(PAGE, {"name": "Acme BV", "language": "en", "survey_interval_days": "45"})
    assert answer.status_code == 302
    organisation = Organisation.objects.get(pk=tenant.organisation.pk)
    assert (organisation.name, organisation.language, organisation.survey_interval_days) == (
        "Acme BV",
        "en",
        45,
    )
    entry = AuditEntry.objects.filter(organisation=organisation, action="change").latest("pk")
    assert "survey_interval_days" in str(entry.changes) and "45" in str(entry.changes)


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "At least 1 day."), ("400", "At most 365 days"), ("abc", "whole number")],
)
def test_page_validation_names_what_is_wrong(tenant: Tenant, value: str, message: str) -> None:
    client = tenant.client_for(tenant.admin)
    client.cookies["django_language"] = "en"
    answer = client.post(PAGE, {"name": "Acme", "language": "nl", "survey_interval_days": value})
    assert answer.status_code == 200
    assert message in answer.content.decode()
    assert Organisation.objects.get(pk=tenant.organisation.pk).survey_interval_days == 30


def test_non_admins_cannot_see_or_change_the_settings(tenant: Tenant) -> None:
    for person in (tenant.manager, tenant.employee):
        client = tenant.client_for(person)
        assert client.get(PAGE).status_code == 403
        assert (
            client.post(
                PAGE, {"name": "x", "language": "nl", "survey_interval_days": "2"}
            ).status_code
            == 403
        )
        headers = tenant.api_headers(person)
        assert client.get(API, headers=headers).status_code == 403
        patch = client.patch(
            API, {"survey_interval_days": 2}, content_type="application/json", headers=headers
        )
        assert patch.status_code == 403
    assert Organisation.objects.get(pk=tenant.organisation.pk).survey_interval_days == 30


def test_api_reads_and_changes_only_the_callers_organisation(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    client = tenant.client_for(tenant.admin)
    headers = tenant.api_headers(tenant.admin)
    got = client.get(API, headers=headers).json()
    assert got["slug"] == tenant.organisation.slug and got["survey_interval_days"] == 30
    changed = client.patch(
        API, {"survey_interval_days": 14}, content_type="application/json", headers=headers
    )
    assert changed.status_code == 200 and changed.json()["survey_interval_days"] == 14
    assert Organisation.objects.get(pk=tenant.organisation.pk).survey_interval_days == 14
    assert Organisation.objects.get(pk=other_tenant.organisation.pk).survey_interval_days == 30
    assert AuditEntry.objects.filter(
        organisation=tenant.organisation, action="change", source="api"
    ).exists()
    assert not AuditEntry.objects.filter(
        organisation=other_tenant.organisation, action="change"
    ).exists()


@pytest.mark.parametrize(
    "body",
    [{"survey_interval_days": 0}, {"survey_interval_days": 366}, {"language": "fr"}, {"name": ""}],
)
def test_api_refuses_invalid_settings_naming_the_field(tenant: Tenant, body: dict) -> None:
    client = tenant.client_for(tenant.admin)
    answer = client.patch(
        API, body, content_type="application/json", headers=tenant.api_headers(tenant.admin)
    )
    assert answer.status_code == 422
    assert next(iter(body)) in answer.content.decode()
    assert Organisation.objects.get(pk=tenant.organisation.pk).survey_interval_days == 30
