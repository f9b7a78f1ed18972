"""Dates outside 1900-2999 get a clear error naming the field, never a server error: every API
operation that takes a date (found in the OpenAPI schema) and every page that does."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from outsidein.api.api import api
from outsidein.voice.models import Survey
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

EXTREME_DATES = ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"]
EXTREME_MOMENTS = ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00"]


def _schema() -> dict[str, Any]:
    return api.get_openapi_schema(path_prefix="/api/v1")


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        node = schema["components"]["schemas"][name]
    return node


def _date_format(node: dict[str, Any]) -> str | None:
    for candidate in [node, *node.get("anyOf", []), *node.get("allOf", [])]:
        if candidate.get("format") in {"date", "date-time"}:
            return str(candidate["format"])
    return None


def date_operations() -> list[tuple[str, str, str, str, str]]:
    """(method, path, where, field, format) for every date input of the API."""
    schema = _schema()
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                fmt = _date_format(_resolve(schema, parameter.get("schema", {})))
                if fmt and parameter["in"] == "query":
                    found.append((method, path, "query", parameter["name"], fmt))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                model = _resolve(schema, body["schema"])
                for name, prop in model.get("properties", {}).items():
                    fmt = _date_format(_resolve(schema, prop))
                    if fmt:
                        found.append((method, path, "body", name, fmt))
    return found


API_CASES = date_operations()


def test_the_walk_finds_the_known_date_inputs() -> None:
    paths = {(method, path, field) for method, path, _where, field, _fmt in API_CASES}
    assert ("get", "/api/v1/metrics", "until") in paths
    assert ("get", "/api/v1/themes/drivers", "since") in paths
    assert len(API_CASES) >= 10


@pytest.mark.parametrize(("method", "path", "where", "field", "fmt"), API_CASES)
def test_every_api_date_input_refuses_extreme_years(
    tenant: Tenant, method: str, path: str, where: str, field: str, fmt: str
) -> None:
    headers = tenant.api_headers(tenant.admin)
    url = re.sub(r"\{[^}]+\}", "1", path)
    client = Client()
    values = EXTREME_DATES if fmt == "date" else EXTREME_MOMENTS
    for value in values:
        if where == "query":
            response = getattr(client, method)(url, {field: value}, headers=headers)
        else:
            response = getattr(client, method)(
                url,
                data=json.dumps({field: value}),
                content_type="application/json",
                headers=headers,
            )
        assert response.status_code == 422, (method, url, field, value, response.status_code)
        named = {str(loc[-1]) for loc in (e.get("loc", []) for e in response.json()["detail"])}
        assert field in named, (url, field, response.json())


def _pages(tenant: Tenant) -> list[tuple[str, str, dict[str, str], str]]:
    survey = Survey.objects.create(organisation=tenant.organisation, name="S")
    return [
        ("get", "/dashboard/", {"since": "0001-01-01", "until": "9999-12-31"}, "since"),
        ("get", "/dashboard/data.json", {"since": "0001-01-01", "until": "9999-12-31"}, "since"),
        ("get", "/dashboard/data.json", {"until": "9999-12-31"}, "until"),
        (
            "get",
            "/dashboard/export/trend.csv",
            {"since": "0001-01-01", "until": "9999-12-31"},
            "until",
        ),
        ("get", "/dashboard/export/breakdown.xlsx", {"until": "9999-12-31"}, "until"),
        ("get", "/inbox/", {"since": "0001-01-01"}, "since"),
        ("get", "/inbox/export.csv", {"until": "9999-12-31"}, "until"),
        (
            "post",
            f"/surveys/{survey.pk}/settings/",
            {"name": "S", "opens_at": "0001-01-01T00:00", "closes_at": "9999-12-31T23:59"},
            "opens_at",
        ),
        ("post", "/contacts/", {"happened_on": "9999-12-31", "summary": "x"}, "happened_on"),
        ("post", "/decisions/new/", {"title": "x", "decided_on": "0001-01-01"}, "decided_on"),
        (
            "post",
            "/mirror/waves/",
            {"name": "W", "opens_at": "0001-01-01T00:00", "closes_at": "9999-12-31T23:59"},
            "opens_at",
        ),
    ]


def test_every_page_that_takes_a_date_refuses_extreme_years(tenant: Tenant) -> None:
    client = tenant.client_for(tenant.admin)
    message = "between the years 1900 and 2999"
    for method, url, data, field in _pages(tenant):
        response = getattr(client, method)(url, data)
        assert response.status_code in (200, 422), (url, response.status_code)
        body = response.content.decode()
        if response.status_code == 200:  # a posted form shown again with its errors
            assert method == "post" and message in body, (url, field)
        elif response["Content-Type"].startswith("application/json"):
            assert field in response.json()["detail"], (url, field, body)
        else:
            assert message in body, (url, field)


@pytest.mark.parametrize("value", ["9999-12", "0001-01", "2999-13"])
def test_monthly_report_months_out_of_range(tenant: Tenant, value: str) -> None:
    client = tenant.client_for(tenant.admin)
    assert client.get("/report/", {"month": value}).status_code in (200, 400, 404, 422)
    assert client.get(f"/report/{value}.pdf").status_code in (400, 404, 422)
    assert client.get("/index/", {"quarter": "9999-Q4"}).status_code in (200, 400, 422)
