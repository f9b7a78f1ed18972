"""Webhook signing secrets are stored encrypted: the database holds no usable secret, the
product still signs and checks with it, the migration encrypts secrets stored before, and a
secret that cannot be read back (SECRET_KEY changed) refuses every signature."""

from __future__ import annotations

import importlib
import time
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection

from outsidein.voice import webhooks
from outsidein.voice.models import InboundHook, OutboundHook
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

migration = importlib.import_module("outsidein.voice.migrations.0005_webhook_secrets_encrypted")


def _stored(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT secret FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def _signed(secret: str, body: bytes) -> dict[str, str]:
    now = int(time.time())
    return {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(now),
        "webhook-signature": webhooks.sign(secret, "msg_1", now, body),
    }


def test_the_database_holds_the_secret_encrypted(tenant: Tenant) -> None:
    inbound = InboundHook.objects.create(organisation=tenant.organisation, name="Helpdesk")
    outbound = OutboundHook.objects.create(
        organisation=tenant.organisation, url="https://example.org/hook"
    )
    for hook, table in ((inbound, "voice_inboundhook"), (outbound, "voice_outboundhook")):
        plain = type(hook).objects.get(pk=hook.pk).secret
        raw = _stored(table, hook.pk)
        assert plain.startswith("whsec_") and plain == hook.secret
        assert plain not in raw and "whsec_" not in raw
    body = b'{"comment": "late delivery"}'
    fresh = InboundHook.objects.get(pk=inbound.pk)
    assert webhooks.verify(fresh.secret, _signed(inbound.secret, body), body, now=int(time.time()))


def test_the_migration_encrypts_plain_secrets_and_reverses(tenant: Tenant) -> None:
    hook = InboundHook.objects.create(organisation=tenant.organisation, name="CRM")
    plain = hook.secret
    with connection.cursor() as cursor:
        cursor.execute("UPDATE voice_inboundhook SET secret = %s WHERE id = %s", [plain, hook.pk])
    assert _stored("voice_inboundhook", hook.pk) == plain
    editor = SimpleNamespace(connection=connection)  # the functions use only its connection
    migration.encrypt_secrets(None, editor)
    assert _stored("voice_inboundhook", hook.pk) != plain
    assert InboundHook.objects.get(pk=hook.pk).secret == plain
    migration.decrypt_secrets(None, editor)
    assert _stored("voice_inboundhook", hook.pk) == plain


def test_an_unreadable_secret_refuses_every_signature(tenant: Tenant, settings: Any) -> None:
    hook = InboundHook.objects.create(organisation=tenant.organisation, name="Old")
    old_secret = hook.secret
    settings.SECRET_KEY = "another-key-" + "x" * 40
    reread = InboundHook.objects.get(pk=hook.pk)
    assert reread.secret == ""
    body = b"{}"
    for secret in (old_secret, "whsec_"):
        with pytest.raises(webhooks.SignatureError, match="no usable secret"):
            webhooks.verify(reread.secret, _signed(secret, body), body, now=int(time.time()))
