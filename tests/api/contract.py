"""Shared API test cases: every CRUD endpoint of every app runs these by subclassing.

A subclass names its path and model and says how to make a record, a valid and an invalid body,
a change, and which role may not write. It then gets, for free: list (paginated, scoped, query
count independent of size), get, create, update, delete, bad input (422 naming the field),
no/invalid token (401), another organisation's object (404) and a role that is not allowed (403).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import pytest
from django.db import models
from django.test import Client

from tests.conftest import Tenant


class CrudContract:
    path: ClassVar[str]
    model: ClassVar[type[models.Model]]
    # A role that may read but not create, change or delete.
    denied_role: ClassVar[str] = "employee"
    # The role that creates, changes and deletes in the happy-path tests.
    writer_role: ClassVar[str] = "admin"
    deletable: ClassVar[bool] = True

    # --- what a subclass provides ---------------------------------------------------------
    def make(self, tenant: Tenant) -> models.Model:
        raise NotImplementedError

    def valid_payload(self, tenant: Tenant) -> dict[str, Any]:
        raise NotImplementedError

    def invalid_payload(self, tenant: Tenant) -> tuple[dict[str, Any], str]:
        """A body with one bad field, and the name of that field."""
        raise NotImplementedError

    def change(self, tenant: Tenant) -> tuple[dict[str, Any], str, Any]:
        """A PATCH body, the attribute it changes and the value expected afterwards."""
        raise NotImplementedError

    # --- helpers -------------------------------------------------------------------------------
    def call(self, method: str, path: str, headers: dict[str, str] | None, body: Any = None) -> Any:
        client = Client()
        kwargs: dict[str, Any] = {"headers": headers or {}}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method)(path, **kwargs)

    def person(self, tenant: Tenant, role: str) -> Any:
        return getattr(tenant, role)

    def headers(self, tenant: Tenant, role: str | None = None) -> dict[str, str]:
        return tenant.api_headers(self.person(tenant, role or self.writer_role))

    def count(self, tenant: Tenant) -> int:
        return self.model._default_manager.filter(organisation=tenant.organisation).count()

    # --- the contract ----------------------------------------------------------------------------
    def test_list_is_paginated_and_scoped(self, tenant: Tenant, other_tenant: Tenant) -> None:
        mine = self.make(tenant)
        theirs = self.make(other_tenant)
        response = self.call("get", self.path, self.headers(tenant, "employee"))
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) >= {"items", "count"}
        ids = {item["id"] for item in body["items"]}
        assert mine.pk in ids
        assert theirs.pk not in ids
        assert body["count"] == len(body["items"])

    def test_list_query_count_does_not_grow_with_size(
        self, tenant: Tenant, django_assert_max_num_queries: Any
    ) -> None:
        headers = self.headers(tenant, "employee")
        self.make(tenant)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as small:
            assert self.call("get", self.path, headers).status_code == 200
        for _ in range(8):
            self.make(tenant)
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert self.call("get", self.path, headers).status_code == 200

    def test_get(self, tenant: Tenant) -> None:
        obj = self.make(tenant)
        response = self.call("get", f"{self.path}/{obj.pk}", self.headers(tenant, "employee"))
        assert response.status_code == 200, response.content
        assert response.json()["id"] == obj.pk

    def test_get_of_another_organisation_is_404(self, tenant: Tenant, other_tenant: Tenant) -> None:
        theirs = self.make(other_tenant)
        response = self.call("get", f"{self.path}/{theirs.pk}", self.headers(tenant))
        assert response.status_code == 404
        assert str(theirs) not in response.content.decode()

    def test_get_unknown_id_is_404(self, tenant: Tenant) -> None:
        response = self.call("get", f"{self.path}/987654321", self.headers(tenant))
        assert response.status_code == 404

    def test_create(self, tenant: Tenant) -> None:
        before = self.count(tenant)
        response = self.call("post", self.path, self.headers(tenant), self.valid_payload(tenant))
        assert response.status_code == 201, response.content
        created = self.model._default_manager.get(pk=response.json()["id"])
        assert created.organisation_id == tenant.organisation.pk  # type: ignore[attr-defined]
        assert self.count(tenant) == before + 1

    def test_create_with_bad_input_is_422_naming_the_field(self, tenant: Tenant) -> None:
        before = self.count(tenant)
        payload, field = self.invalid_payload(tenant)
        response = self.call("post", self.path, self.headers(tenant), payload)
        assert response.status_code == 422, response.content
        detail = response.json()["detail"]
        assert any(field in error["loc"] and error["msg"] for error in detail), detail
        assert self.count(tenant) == before

    def test_create_with_malformed_json_is_rejected(self, tenant: Tenant) -> None:
        client = Client()
        response = client.post(
            self.path,
            data="{not json",
            content_type="application/json",
            headers=self.headers(tenant),
        )
        assert response.status_code in {400, 422}

    def test_update(self, tenant: Tenant) -> None:
        obj = self.make(tenant)
        body, attribute, expected = self.change(tenant)
        response = self.call("patch", f"{self.path}/{obj.pk}", self.headers(tenant), body)
        assert response.status_code == 200, response.content
        obj.refresh_from_db()
        assert getattr(obj, attribute) == expected

    def test_update_of_another_organisation_is_404(
        self, tenant: Tenant, other_tenant: Tenant
    ) -> None:
        theirs = self.make(other_tenant)
        body, attribute, expected = self.change(tenant)
        response = self.call("patch", f"{self.path}/{theirs.pk}", self.headers(tenant), body)
        assert response.status_code == 404
        theirs.refresh_from_db()
        assert getattr(theirs, attribute) != expected

    def test_delete(self, tenant: Tenant) -> None:
        if not self.deletable:
            pytest.skip("not deletable through the API")
        obj = self.make(tenant)
        response = self.call("delete", f"{self.path}/{obj.pk}", self.headers(tenant))
        assert response.status_code == 204, response.content
        assert not self.model._default_manager.filter(pk=obj.pk).exists()

    def test_delete_of_another_organisation_is_404(
        self, tenant: Tenant, other_tenant: Tenant
    ) -> None:
        theirs = self.make(other_tenant)
        response = self.call("delete", f"{self.path}/{theirs.pk}", self.headers(tenant))
        assert response.status_code == 404
        assert self.model._default_manager.filter(pk=theirs.pk).exists()

    @pytest.mark.parametrize(
        "headers",
        [None, {"Authorization": "Bearer oi_nope_nope"}, {"Authorization": "Basic dXNlcjpwYXNz"}],
        ids=["no-token", "unknown-token", "wrong-scheme"],
    )
    def test_without_a_valid_token_is_401(
        self, tenant: Tenant, headers: dict[str, str] | None
    ) -> None:
        obj = self.make(tenant)
        assert self.call("get", self.path, headers).status_code == 401
        assert self.call("get", f"{self.path}/{obj.pk}", headers).status_code == 401
        before = self.count(tenant)
        assert self.call("post", self.path, headers, self.valid_payload(tenant)).status_code == 401
        assert self.count(tenant) == before

    def test_revoked_token_is_401(self, tenant: Tenant) -> None:
        from outsidein.core.services import create_api_token, revoke_api_token

        new = create_api_token(self.person(tenant, "admin"), name="soon revoked")
        headers = {"Authorization": f"Bearer {new.plaintext}"}
        assert self.call("get", self.path, headers).status_code == 200
        revoke_api_token(new.token)
        assert self.call("get", self.path, headers).status_code == 401

    def test_role_not_allowed_is_403_and_writes_nothing(self, tenant: Tenant) -> None:
        headers = self.headers(tenant, self.denied_role)
        before = self.count(tenant)
        response = self.call("post", self.path, headers, self.valid_payload(tenant))
        assert response.status_code == 403, response.content
        assert self.count(tenant) == before
        obj = self.make(tenant)
        body, attribute, expected = self.change(tenant)
        assert self.call("patch", f"{self.path}/{obj.pk}", headers, body).status_code == 403
        obj.refresh_from_db()
        assert getattr(obj, attribute) != expected
        assert self.call("delete", f"{self.path}/{obj.pk}", headers).status_code == 403
        assert self.model._default_manager.filter(pk=obj.pk).exists()
