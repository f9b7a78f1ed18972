"""Outgoing and incoming webhook secrets are shown in full once, right after they are made;
afterwards the settings page and the API show them masked, and signing still works."""

from __future__ import annotations

import time
from typing import Any

import pytest

from outsidein.voice import webhooks
from outsidein.voice.hook_views import mask
from outsidein.voice.models import InboundHook, OutboundHook
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


def test_the_settings_page_shows_a_secret_once(tenant: Tenant, settings: Any) -> None:
    settings.OUTGOING_ALLOW_HOSTS = ["example.org"]  # no DNS in the test machine
    admin = tenant.client_for(tenant.admin)
    admin.post("/settings/webhooks/", {"inbound": "1", "name": "Zendesk"})
    admin.post(
        "/settings/webhooks/",
        {"outbound": "1", "url": "https://example.org/x", "events": ["case.opened"]},
    )
    inbound, outbound = InboundHook.objects.get(), OutboundHook.objects.get()
    first = admin.get("/settings/webhooks/").content.decode()
    assert inbound.secret in first and outbound.secret in first
    again = admin.get("/settings/webhooks/").content.decode()
    assert inbound.secret not in again and outbound.secret not in again
    assert mask(inbound.secret) in again and mask(outbound.secret) in again
    assert mask(outbound.secret).startswith("whsec_") and len(mask(outbound.secret)) == 11


def test_the_api_shows_the_secret_only_when_creating(tenant: Tenant, settings: Any) -> None:
    settings.OUTGOING_ALLOW_HOSTS = ["example.org"]
    client = tenant.client_for(tenant.admin)
    headers = tenant.api_headers(tenant.admin)
    created = client.post(
        "/api/v1/webhooks/outgoing",
        {"url": "https://example.org/y"},
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201
    hook = OutboundHook.objects.get()
    assert created.json()["secret"] == hook.secret
    shown = client.get(f"/api/v1/webhooks/outgoing/{hook.pk}", headers=headers).json()
    assert shown["secret"] == mask(hook.secret) != hook.secret
    listed = client.get("/api/v1/webhooks/outgoing", headers=headers).json()
    assert hook.secret not in str(listed)
    # Signing still uses the stored secret.
    body = b"{}"
    signature = webhooks.sign(hook.secret, "msg_1", int(time.time()), body)
    assert webhooks.verify(
        hook.secret,
        {
            "webhook-id": "msg_1",
            "webhook-timestamp": str(int(time.time())),
            "webhook-signature": signature,
        },
        body,
        now=int(time.time()),
    )
