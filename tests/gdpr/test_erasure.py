"""Erasure: afterwards no text or JSON column of any table (every table of the database, read
with plain SQL) holds the customer's name, email addresses, phone, number, contact person or any
of their comments; every figure is as it was."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection

from outsidein.analytics import services as analytics
from outsidein.audit.models import AuditEntry
from outsidein.core.models import Customer
from outsidein.ideas.models import Participant, Vote
from outsidein.privacy import gdpr
from outsidein.voice.models import Feedback, Invitation
from tests.conftest import Tenant
from tests.gdpr.conftest import NUMBER, Footprint, rollup_rows

pytestmark = pytest.mark.django_db(transaction=False)


def _forms(needle: str) -> set[str]:
    return {
        needle.lower(),
        json.dumps(needle)[1:-1].lower(),
        json.dumps(needle, ensure_ascii=False)[1:-1].lower(),
    }


def find_everywhere(needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every column of every table whose text holds a needle."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            quoted_table = connection.ops.quote_name(table)
            for column in columns:
                quoted = connection.ops.quote_name(column)
                for needle in needles:
                    for form in _forms(needle):
                        cursor.execute(
                            f"SELECT COUNT(*) FROM {quoted_table} "  # noqa: S608
                            f"WHERE LOWER(CAST({quoted} AS TEXT)) LIKE %s",
                            [f"%{form}%"],
                        )
                        if cursor.fetchone()[0]:
                            found.append((table, column, needle))
    return found


def metrics(tenant: Tenant) -> dict[str, Any]:
    summary = analytics.summary(tenant.organisation.pk)
    return {
        "rollups": rollup_rows(),
        "summary": repr(summary),
        "feedback": sorted(
            Feedback.objects.values_list(
                "kind", "nps", "csat", "ces", "segment_id", "team_id", "survey_id"
            )
        ),
        "invitations": Invitation.objects.count(),
        "votes": Vote.objects.count(),
    }


def test_nothing_of_the_customer_is_left_and_every_figure_is_unchanged(
    tenant: Tenant, footprint: Footprint
) -> None:
    assert find_everywhere(footprint.needles), "the footprint should be findable before"
    before = metrics(tenant)

    counts = gdpr.erase_customer(footprint.customer, by=tenant.admin, reason="AVG-verzoek 12")

    assert find_everywhere(footprint.needles) == []
    assert metrics(tenant) == before
    assert counts["feedback"] == 3
    # The other customer is untouched.
    footprint.other.refresh_from_db()
    assert footprint.other.external_id == "K4711-0816"
    assert Feedback.objects.filter(
        customer=footprint.other, comment="Other words entirely"
    ).exists()
    husk = Customer.objects.get(pk=footprint.customer.pk)
    assert (husk.email, husk.phone, husk.external_id, husk.consent_surveys) == ("", "", "", False)
    assert not Participant.objects.filter(email__icontains="verbruggen").exists()
    entry = AuditEntry.objects.get(action="erase")
    assert entry.actor == tenant.admin and entry.reason == "AVG-verzoek 12"
    assert entry.object_id == str(husk.pk) and entry.details["feedback"] == 3


def test_erasure_from_the_api_the_page_and_the_command_line(
    tenant: Tenant, footprint: Footprint
) -> None:
    from outsidein.cli import main

    # The test database is not the data folder's SQLite file the command looks for first.

    path = f"/api/v1/customers/{footprint.customer.pk}/erase"
    employee = tenant.client_for(tenant.employee)
    assert (
        employee.post(path, {"confirm": True}, content_type="application/json").status_code == 403
    )
    admin = tenant.client_for(tenant.admin)
    response = admin.post(path, {"confirm": False}, content_type="application/json")
    assert response.status_code == 422 and "confirm" in response.content.decode()
    # The page asks for confirmation first.
    page = f"/customers/{footprint.customer.pk}/gdpr/erase/"
    assert admin.get(page).status_code == 200
    assert admin.post(page, {}).status_code == 200  # the box not ticked: nothing erased
    assert Customer.objects.get(pk=footprint.customer.pk).external_id == NUMBER
    # The command line refuses without --yes when nobody can answer.
    assert main(["gdpr", "erase", "--org", tenant.organisation.slug, "--customer", NUMBER]) == 2
    assert (
        main(["gdpr", "erase", "--org", tenant.organisation.slug, "--customer", NUMBER, "--yes"])
        == 0
    )
    assert find_everywhere(footprint.needles) == []
    entry = AuditEntry.objects.get(action="erase")
    assert entry.source == "cli"


def test_erasure_from_the_page(tenant: Tenant, footprint: Footprint) -> None:
    admin = tenant.client_for(tenant.admin)
    page = f"/customers/{footprint.customer.pk}/gdpr/erase/"
    response = admin.post(page, {"confirm": "on", "reason": "verzoek"})
    assert response.status_code == 302
    assert find_everywhere([NUMBER, footprint.customer.email]) == []
    assert AuditEntry.objects.get(action="erase").source == "web"
    # The customer page still opens, for the husk.
    assert admin.get(f"/customers/{footprint.customer.pk}/").status_code == 200


def test_erasure_via_the_api(tenant: Tenant, footprint: Footprint) -> None:
    admin = tenant.client_for(tenant.admin)
    response = admin.post(
        f"/api/v1/customers/{footprint.customer.pk}/erase",
        {"confirm": True},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["erased"]["feedback"] == 3
    assert find_everywhere([NUMBER]) == []


def test_another_organisations_customer_is_404(
    tenant: Tenant, other_tenant: Tenant, footprint: Footprint
) -> None:
    theirs = other_tenant.client_for(other_tenant.admin)
    assert (
        theirs.post(
            f"/api/v1/customers/{footprint.customer.pk}/erase",
            {"confirm": True},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert theirs.get(f"/api/v1/customers/{footprint.customer.pk}/gdpr-export").status_code == 404


def test_the_sweep_replaces_whole_mentions_only() -> None:
    pattern = gdpr._pattern(["K4711-0815", "Jan de Vries"])
    assert pattern is not None
    assert (
        gdpr._scrub("order K4711-0815-3 and K4711-08150", pattern)
        == "order [erased]-3 and K4711-08150"
    )
    assert gdpr._scrub({"by": "jan de vries"}, pattern) == {"by": "[erased]"}
