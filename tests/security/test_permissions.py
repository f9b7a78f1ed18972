"""Permissions: import and bulk export of personal data are granted, no cross-organisation email
oracle, the API schema behind login, and foreign ids in query filters refused (422) everywhere."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from outsidein.api.api import api
from outsidein.centricity.models import Wave
from outsidein.core.models import Person, Segment, Team
from outsidein.mystery.models import Scenario
from outsidein.voice import services
from outsidein.voice.models import Survey
from tests.conftest import Tenant
from tests.factories import CustomerFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _csv(response: Any) -> str:
    return b"".join(response.streaming_content).decode()


# --- import and export ---------------------------------------------------------------------------


def test_employees_may_not_import_unless_granted(tenant: Tenant) -> None:
    employee = tenant.client_for(tenant.employee)
    assert employee.get("/imports/").status_code == 403
    assert employee.get("/imports/00000000-0000-0000-0000-000000000000/").status_code == 403
    assert b"/imports/" not in employee.get("/inbox/").content
    assert tenant.client_for(tenant.manager).get("/imports/").status_code == 200
    assert tenant.client_for(tenant.admin).get("/imports/").status_code == 200
    tenant.employee.may_import = True
    tenant.employee.save()
    assert employee.get("/imports/").status_code == 200
    tenant.manager.may_import = False  # an administrator withdrew it
    tenant.manager.save()
    assert tenant.client_for(tenant.manager).get("/imports/").status_code == 403


def test_managers_import_into_their_own_teams_surveys(tenant: Tenant) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    sales = Team.objects.create(organisation=tenant.organisation, name="Sales", slug="sales")
    theirs = Survey.objects.create(organisation=tenant.organisation, name="Sales", team=sales)
    ours = Survey.objects.create(
        organisation=tenant.organisation, name="Ours", team=tenant.manager.team
    )
    client = tenant.client_for(tenant.manager)
    raw = b"submission_id,submitted_at,nps\nu1,2026-03-01,6\n"
    upload = client.post("/imports/", {"file": SimpleUploadedFile("s.csv", raw)})
    assert upload.status_code == 302
    mapping = {"map_0": "submission_id", "map_1": "submitted_at", "map_2": "nps"}
    refused = client.post(upload["Location"], {**mapping, "survey": theirs.pk})
    assert refused.status_code == 403
    assert client.post(upload["Location"], {**mapping, "survey": ours.pk}).status_code == 302


def test_employees_may_not_export_customers_or_feedback(tenant: Tenant) -> None:
    CustomerFactory(organisation=tenant.organisation, email="klant@example.net")
    employee = tenant.client_for(tenant.employee)
    assert employee.post("/customers/export/").status_code == 403
    assert employee.get("/inbox/export.csv").status_code == 403
    assert b"customers/export" not in employee.get("/customers/").content
    assert tenant.client_for(tenant.admin).post("/customers/export/").status_code == 302


def test_managers_export_their_own_teams_feedback(tenant: Tenant) -> None:
    other_team = Team.objects.create(organisation=tenant.organisation, name="Sales", slug="sales")
    services.record_feedback(
        tenant.organisation,
        kind="complaint",
        channel="phone",
        comment="ours",
        team=tenant.manager.team,
    )
    services.record_feedback(
        tenant.organisation, kind="complaint", channel="phone", comment="theirs", team=other_team
    )
    manager_csv = _csv(tenant.client_for(tenant.manager).get("/inbox/export.csv"))
    assert "ours" in manager_csv and "theirs" not in manager_csv
    admin_csv = _csv(tenant.client_for(tenant.admin).get("/inbox/export.csv"))
    assert "ours" in admin_csv and "theirs" in admin_csv


def test_only_administrators_grant_permissions(tenant: Tenant) -> None:
    url = f"/api/v1/people/{tenant.employee.pk}"
    body = json.dumps({"may_export": True})
    manager = Client().patch(
        url, body, content_type="application/json", headers=tenant.api_headers(tenant.manager)
    )
    assert manager.status_code == 403
    admin_headers = tenant.api_headers(tenant.admin)
    granted = Client().patch(url, body, content_type="application/json", headers=admin_headers)
    assert granted.status_code == 200 and granted.json()["can_export"] is True
    back = Client().patch(
        url,
        json.dumps({"may_export": None}),
        content_type="application/json",
        headers=admin_headers,
    )
    assert back.status_code == 200 and back.json()["can_export"] is False
    page = tenant.client_for(tenant.admin).post(
        f"/people/{tenant.employee.pk}/edit/",
        {
            "name": tenant.employee.name,
            "email": tenant.employee.email,
            "role": "employee",
            "team": tenant.employee.team_id,
            "language": "nl",
            "is_active": "on",
            "may_import": "yes",
        },
    )
    assert page.status_code in (200, 302)
    tenant.employee.refresh_from_db()
    assert tenant.employee.may_import is True


# --- no cross-organisation email oracle ----------------------------------------------------------


def _create(tenant: Tenant, email: str) -> Any:
    return Client().post(
        "/api/v1/people",
        json.dumps({"name": "New colleague", "email": email, "invite": True}),
        content_type="application/json",
        headers=tenant.api_headers(tenant.admin),
    )


def _shape(response: Any) -> tuple[int, dict[str, Any]]:
    body = response.json()
    return response.status_code, {
        k: v for k, v in body.items() if k not in {"id", "email", "name"}
    } if isinstance(body, dict) else body


def test_creating_a_person_answers_the_same_whether_the_email_has_a_login_elsewhere(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    taken = other_tenant.employee.email  # has a login in the other organisation
    fresh = _create(tenant, "fresh@example.org")
    elsewhere = _create(tenant, taken)
    assert _shape(fresh) == _shape(elsewhere)
    assert fresh.status_code == 201
    assert "another login" not in elsewhere.content.decode()
    # The owner of the address is told by email; they keep their one login.
    assert any(taken in message.to for message in mail.outbox)
    assert Person.objects.get(organisation=tenant.organisation, email=taken).user_id is None


def test_changing_a_login_email_answers_the_same_and_never_500(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    headers = tenant.api_headers(tenant.admin)
    url = f"/api/v1/people/{tenant.employee.pk}"

    def patch(email: str) -> Any:
        return Client().patch(
            url, json.dumps({"email": email}), content_type="application/json", headers=headers
        )

    taken, fresh = patch(other_tenant.admin.email), patch("nobody-has-this@example.org")
    assert taken.status_code == fresh.status_code == 422
    assert taken.json() == fresh.json()
    # Someone without a login: the address is just a field of the person.
    no_login = PersonFactory(organisation=tenant.organisation, user=None, email="x@acme.test")
    response = Client().patch(
        f"/api/v1/people/{no_login.pk}",
        json.dumps({"email": other_tenant.admin.email}),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200


# --- the API's schema and docs -------------------------------------------------------------------


def test_openapi_and_docs_need_a_login(tenant: Tenant) -> None:
    assert Client().get("/api/v1/openapi.json").status_code == 401
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 302 and "/login/" in docs["Location"]
    assert tenant.client_for(tenant.employee).get("/api/v1/openapi.json").status_code == 200
    assert tenant.client_for(tenant.employee).get("/api/v1/docs").status_code == 200
    token = Client().get("/api/v1/openapi.json", headers=tenant.api_headers(tenant.employee))
    assert token.status_code == 200
    bad = Client().get("/api/v1/openapi.json", headers={"Authorization": "Bearer oi_nope"})
    assert bad.status_code == 401


# --- foreign ids in query filters ----------------------------------------------------------------


def scoped_query_parameters() -> list[tuple[str, str, str]]:
    """(path, parameter, model) for every query filter that takes an id."""
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    found = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get or "{" in path:
            continue
        for parameter in get.get("parameters", []):
            node = parameter.get("schema", {})
            for candidate in [node, *node.get("anyOf", [])]:
                if "x-scoped-to" in candidate:
                    found.append((path, parameter["name"], candidate["x-scoped-to"]))
    return found


QUERY_IDS = scoped_query_parameters()


def _foreign(tenant: Tenant, label: str) -> int:
    organisation = tenant.organisation
    made: Any
    if label == "voice.Survey":
        made = Survey.objects.create(organisation=organisation, name="Foreign")
    elif label == "core.Segment":
        made = Segment.objects.create(organisation=organisation, name="Foreign")
    elif label == "core.Team":
        made = Team.objects.get(organisation=organisation, slug="helpdesk")
    elif label == "core.Person":
        made = tenant.employee
    elif label == "mystery.Scenario":
        made = Scenario.objects.create(
            organisation=organisation, name="F", channel="phone", touchpoint="F"
        )
    elif label == "centricity.Wave":
        made = Wave.objects.create(organisation=organisation, name="F")
    else:
        raise AssertionError(f"no foreign object for {label}")
    return int(made.pk)


def test_the_walk_finds_the_query_filters() -> None:
    assert ("/api/v1/metrics", "survey_id", "voice.Survey") in QUERY_IDS
    assert len(QUERY_IDS) >= 15


@pytest.mark.parametrize(("path", "parameter", "label"), QUERY_IDS)
def test_a_foreign_id_in_a_query_filter_is_422(
    tenant: Tenant, other_tenant: Tenant, path: str, parameter: str, label: str
) -> None:
    foreign = _foreign(other_tenant, label)
    headers = tenant.api_headers(tenant.admin)
    response = Client().get(path, {parameter: foreign}, headers=headers)
    assert response.status_code == 422, (path, parameter, response.status_code)
    assert parameter in {str(e["loc"][-1]) for e in response.json()["detail"]}
    unknown = Client().get(path, {parameter: 2**40}, headers=headers)
    assert unknown.status_code == 422
    own = _foreign(tenant, label)
    assert Client().get(path, {parameter: own}, headers=headers).status_code == 200
