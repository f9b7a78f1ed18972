"""A customer's data, exported: one zip with JSON and CSV, from the page, the API and the CLI."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from outsidein.audit.models import AuditEntry
from tests.conftest import Tenant
from tests.gdpr.conftest import COMMENTS, EMAIL, NUMBER, Footprint

pytestmark = pytest.mark.django_db

SECTIONS = {
    "customer",
    "contact_people",
    "consent_history",
    "feedback",
    "invitations",
    "cases",
    "case_notes",
    "contacts",
    "portal_participants",
    "ideas",
    "votes",
    "portal_comments",
    "mystery_shop_mentions",
}


def _check(data: bytes) -> dict[str, Any]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    assert {"customer.json", "README.txt"} <= names
    assert {f"{section}.csv" for section in SECTIONS} <= names
    content = json.loads(archive.read("customer.json"))
    assert set(content) >= SECTIONS
    assert content["customer"][0]["email"] == EMAIL
    assert content["customer"][0]["external_id"] == NUMBER
    assert {f["comment"] for f in content["feedback"]} == set(COMMENTS)
    assert len(content["invitations"]) == 1
    assert content["portal_participants"][0]["email"] == EMAIL
    assert len(content["votes"]) == 1 and len(content["portal_comments"]) == 1
    assert any(e["given"] for e in content["consent_history"])
    feedback_csv = archive.read("feedback.csv").decode("utf-8-sig")
    assert COMMENTS[1] in feedback_csv
    return content


def test_export_from_the_api_page_and_cli(
    tenant: Tenant, footprint: Footprint, tmp_path: Path
) -> None:
    path = f"/api/v1/customers/{footprint.customer.pk}/gdpr-export"
    assert tenant.client_for(tenant.manager).get(path).status_code == 403
    admin = tenant.client_for(tenant.admin)
    response = admin.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    _check(response.content)
    response = admin.post(f"/customers/{footprint.customer.pk}/gdpr/export/")
    assert response.status_code == 200
    _check(response.content)
    from outsidein.cli import main

    out = tmp_path / "export.zip"
    args = ["gdpr", "export", "--org", "acme", "--customer", NUMBER, "--out", str(out)]
    assert main(args) == 0
    _check(out.read_bytes())
    assert main(args) == 2  # never overwrites
    assert (
        main(
            ["gdpr", "export", "--org", "acme", "--customer", "nope", "--out", str(tmp_path / "x")]
        )
        == 2
    )
    entries = AuditEntry.objects.filter(action="gdpr_export")
    assert entries.count() == 3
    assert EMAIL not in json.dumps([e.details for e in entries])


def test_customer_page_shows_consent_and_gdpr_actions_to_admins(
    tenant: Tenant, footprint: Footprint
) -> None:
    page = (
        tenant.client_for(tenant.admin).get(f"/customers/{footprint.customer.pk}/").content.decode()
    )
    assert "Consent history" in page and "Export all data" in page
    page = (
        tenant.client_for(tenant.employee)
        .get(f"/customers/{footprint.customer.pk}/")
        .content.decode()
    )
    assert "Consent history" in page and "Export all data" not in page


def test_consent_is_recorded_with_its_source(tenant: Tenant, footprint: Footprint) -> None:
    from outsidein.privacy.models import ConsentEvent
    from outsidein.voice.distribution import unsubscribe

    unsubscribe(footprint.customer)
    event = ConsentEvent.objects.filter(customer=footprint.customer).first()
    assert event is not None
    assert (event.kind, event.given, event.source) == ("surveys", False, "unsubscribe")
    admin = tenant.client_for(tenant.admin)
    response = admin.patch(
        f"/api/v1/customers/{footprint.customer.pk}",
        {"consent_marketing": False},
        content_type="application/json",
    )
    assert response.status_code == 200
    history = admin.get(f"/api/v1/customers/{footprint.customer.pk}/consent").json()["items"]
    assert [(e["kind"], e["given"], e["source"]) for e in history[:2]] == [
        ("marketing", False, "api"),
        ("surveys", False, "unsubscribe"),
    ]
