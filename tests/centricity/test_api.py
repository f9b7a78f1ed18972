"""The mirror survey API: statements (the shared CRUD contract), waves and results."""

from __future__ import annotations

from typing import Any

import pytest

from outsidein.centricity import services
from outsidein.centricity.models import MirrorItem, Wave
from tests.api.contract import CrudContract
from tests.centricity.conftest import add_customers, add_employees
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


class TestItemsApi(CrudContract):
    path = "/api/v1/mirror/items"
    model = MirrorItem

    def make(self, tenant: Tenant) -> MirrorItem:
        return services.add_item(
            tenant.organisation,
            dimension="knowing",
            employee_nl="We kennen onze klanten.",
            customer_nl="{org} kent mij.",
        )

    def valid_payload(self, tenant: Tenant) -> dict[str, Any]:
        return {
            "dimension": "involving",
            "employee_nl": "We testen nieuwe diensten eerst met klanten.",
            "employee_en": "We test new services with customers first.",
            "customer_nl": "{org} test nieuwe diensten eerst met klanten zoals ik.",
        }

    def invalid_payload(self, tenant: Tenant) -> tuple[dict[str, Any], str]:
        return {**self.valid_payload(tenant), "dimension": "nope"}, "dimension"

    def change(self, tenant: Tenant) -> tuple[dict[str, Any], str, Any]:
        return {"employee_en": "Reworded."}, "employee_en", "Reworded."


def _get(tenant: Tenant, path: str) -> Any:
    return CrudContract().call("get", path, tenant.api_headers(tenant.employee))


def test_builtin_statement_is_not_deleted(tenant: Tenant) -> None:
    services.ensure_items(tenant.organisation)
    item = MirrorItem.objects.get(organisation=tenant.organisation, key="prom-keep")
    response = CrudContract().call(
        "delete", f"/api/v1/mirror/items/{item.pk}", tenant.api_headers(tenant.admin)
    )
    assert response.status_code == 422
    assert MirrorItem.objects.filter(pk=item.pk).exists()


def test_waves_and_gap(tenant: Tenant, other_tenant: Tenant, wave: Wave) -> None:
    keys = [i["key"] for i in wave.items]
    add_employees(wave, None, [dict.fromkeys(keys, 5 + i % 3) for i in range(6)])
    add_customers(wave, [dict.fromkeys(keys, 3 + i % 3) for i in range(6)])
    waves = _get(tenant, "/api/v1/mirror/waves").json()
    assert [w["id"] for w in waves["items"]] == [wave.pk]
    assert _get(tenant, f"/api/v1/mirror/waves/{wave.pk}").json()["items"][0]["key"]
    theirs = services.create_wave(other_tenant.organisation, name="Theirs")
    assert _get(tenant, f"/api/v1/mirror/waves/{theirs.pk}").status_code == 404
    # A foreign id in a query filter is bad input (422), like every filter of the API.
    assert _get(tenant, f"/api/v1/mirror/gap?wave_id={theirs.pk}").status_code == 422
    body = _get(tenant, "/api/v1/mirror/gap").json()
    assert body["wave_id"] == wave.pk
    assert len(body["dimensions"]) == 6
    first = body["dimensions"][0]
    assert first["gap"]["difference"] == pytest.approx(2.0)
    assert first["significant"] is True
    assert body["superior"]["employee"]["n"] == 6
    team = _get(tenant, f"/api/v1/mirror/gap?team_id={tenant.employee.team_id}").json()
    assert team["dimensions"][0]["gap"]["difference"] is None
    reliability = _get(tenant, "/api/v1/mirror/reliability?side=customer").json()
    assert reliability[0]["key"] == "knowing" and "items" in reliability[0]
    assert _get(tenant, "/api/v1/mirror/reliability?side=boss").status_code == 422
