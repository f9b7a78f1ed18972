"""Webhooks in and out with Standard Webhooks signatures, over real HTTP for outgoing ones."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.test import Client

from outsidein.voice import services, webhooks
from outsidein.voice.models import Delivery, Feedback, InboundHook, OutboundHook
from tests.conftest import Tenant
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _signed(
    hook: InboundHook,
    body: dict[str, Any],
    *,
    message_id: str = "msg_1",
    timestamp: int | None = None,
    secret: str | None = None,
) -> dict[str, Any]:
    raw = json.dumps(body).encode()
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "data": raw,
        "content_type": "application/json",
        "headers": {
            "webhook-id": message_id,
            "webhook-timestamp": str(ts),
            "webhook-signature": webhooks.sign(secret or hook.secret, message_id, ts, raw),
        },
    }


def test_signature_matches_the_standard_webhooks_reference_example() -> None:
    # The example from the Standard Webhooks specification.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert (
        webhooks.sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_signed_feedback_is_accepted_once(tenant: Tenant) -> None:
    hook = InboundHook.objects.create(organisation=tenant.organisation, name="Helpdesk")
    customer = CustomerFactory(organisation=tenant.organisation, external_id="PS-5")
    body = {
        "customer_external_id": "PS-5",
        "subject": "Storing",
        "comment": "Geen stroom sinds gisteren",
    }
    response = Client().post(f"/hooks/{hook.key}/", **_signed(hook, body))
    assert response.status_code == 201, response.content
    feedback = Feedback.objects.get()
    assert (feedback.kind, feedback.channel, feedback.customer) == (
        "complaint",
        "webhook",
        customer,
    )
    replay = Client().post(f"/hooks/{hook.key}/", **_signed(hook, body))
    assert replay.status_code == 409
    assert Feedback.objects.count() == 1


@pytest.mark.parametrize(
    ("tamper", "status"),
    [("secret", 401), ("old", 401), ("future", 401), ("unsigned", 401)],
)
def test_bad_signatures_and_old_timestamps_are_refused(
    tenant: Tenant, tamper: str, status: int
) -> None:
    hook = InboundHook.objects.create(organisation=tenant.organisation, name="Helpdesk")
    body = {"comment": "x"}
    kwargs: dict[str, Any] = {}
    if tamper == "secret":
        kwargs["secret"] = "whsec_" + "A" * 32
    elif tamper == "old":
        kwargs["timestamp"] = int(time.time()) - 3600
    elif tamper == "future":
        kwargs["timestamp"] = int(time.time()) + 3600
    request = _signed(hook, body, **kwargs)
    if tamper == "unsigned":
        request["headers"].pop("webhook-signature")
    response = Client().post(f"/hooks/{hook.key}/", **request)
    assert response.status_code == status
    assert "detail" in response.json()
    assert not Feedback.objects.exists()


def test_bad_body_is_422_naming_the_field(tenant: Tenant) -> None:
    hook = InboundHook.objects.create(organisation=tenant.organisation, name="Reviews")
    response = Client().post(f"/hooks/{hook.key}/", **_signed(hook, {"comment": "x", "nps": 42}))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "nps"]
    unknown = Client().post("/hooks/nope/", **_signed(hook, {"comment": "x"}))
    assert unknown.status_code == 404


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def receiver(settings: Any) -> Iterator[tuple[str, type[_Receiver]]]:
    settings.OUTGOING_ALLOW_HOSTS = ["127.0.0.1"]  # the operator's setting for internal hosts
    handler = type("Receiver", (_Receiver,), {"received": [], "status": 200})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", handler
    finally:
        server.shutdown()


def test_new_feedback_is_announced_signed_over_http(
    tenant: Tenant, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url, handler = receiver
    hook = OutboundHook.objects.create(
        organisation=tenant.organisation, url=url, events=["feedback.created"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        feedback, _created = services.record_feedback(
            tenant.organisation, kind="complaint", channel="phone", comment="Te laat"
        )
    ((headers, body),) = handler.received
    assert (
        webhooks.verify(hook.secret, headers, body, now=int(time.time())) == headers["webhook-id"]
    )
    assert json.loads(body)["data"]["id"] == feedback.pk
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_failed_delivery_is_retried_with_backoff_then_given_up(
    tenant: Tenant, receiver: Any
) -> None:
    url, handler = receiver
    handler.status = 503
    hook = OutboundHook.objects.create(organisation=tenant.organisation, url=url)
    delivery = Delivery.objects.create(
        organisation=tenant.organisation,
        hook=hook,
        message_id="msg_x",
        event="feedback.created",
        payload={"type": "feedback.created"},
    )
    first = webhooks.attempt(delivery.pk)
    assert first.status == "pending" and first.last_status_code == 503
    assert first.next_attempt_at is not None
    for _ in range(len(webhooks.RETRY_DELAYS)):
        last = webhooks.attempt(delivery.pk)
    assert last.status == "failed" and last.attempts == len(webhooks.RETRY_DELAYS) + 1
    assert len(handler.received) == len(webhooks.RETRY_DELAYS) + 1


def test_webhook_settings_are_for_admins(tenant: Tenant, settings: Any) -> None:
    assert tenant.client_for(tenant.manager).get("/settings/webhooks/").status_code == 403
    settings.OUTGOING_ALLOW_HOSTS = ["example.org"]  # no DNS in the test machine
    admin = tenant.client_for(tenant.admin)
    assert admin.post("/settings/webhooks/", {"inbound": "1", "name": "Zendesk"}).status_code == 302
    assert (
        admin.post(
            "/settings/webhooks/",
            {"outbound": "1", "url": "https://example.org/x", "events": ["feedback.created"]},
        ).status_code
        == 302
    )
    page = admin.get("/settings/webhooks/")
    hook = InboundHook.objects.get()
    assert hook.secret.encode() in page.content
