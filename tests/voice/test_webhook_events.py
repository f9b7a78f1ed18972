"""Outgoing webhooks for the whole loop: each event from its domain service over real HTTP,
signed; payloads match docs/webhooks.md; the per-endpoint filter; the delivery log with
redelivery; the test event; receivers that fail, dawdle or answer too much."""

from __future__ import annotations

import contextlib
import importlib
import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps

from outsidein.practice import services as practice
from outsidein.practice.models import RootCause
from outsidein.voice import hook_events, services, webhooks
from outsidein.voice.models import Delivery, OutboundHook
from tests.conftest import Tenant
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []
    status = 200
    delay = 0.0
    answer = b""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        cls = type(self)
        cls.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        if cls.delay:
            time.sleep(cls.delay)
        self.send_response(cls.status)
        self.send_header("Content-Length", str(len(cls.answer)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(cls.answer)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def receiver(settings: Any) -> Iterator[tuple[str, type[_Receiver]]]:
    settings.OUTGOING_ALLOW_HOSTS = ["127.0.0.1"]  # the operator's setting for internal hosts
    handler = type(
        "Receiver", (_Receiver,), {"received": [], "status": 200, "delay": 0.0, "answer": b""}
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", handler
    finally:
        server.shutdown()


def _events(handler: type[_Receiver], hook: OutboundHook) -> list[dict[str, Any]]:
    """What the receiver got, each message's signature verified with the endpoint's secret."""
    out = []
    for headers, body in handler.received:
        assert webhooks.verify(hook.secret, headers, body, now=int(time.time()))
        message = json.loads(body)
        message["_id"] = headers["webhook-id"]
        out.append(message)
    return out


def _documented() -> dict[str, dict[str, Any]]:
    text = DOCS.read_text(encoding="utf-8")
    found = {}
    for name, block in re.findall(r"### `([a-z_.]+)`.*?```json\n(.*?)```", text, re.S):
        found[name] = json.loads(block)
    return found


def _shape(value: Any) -> Any:
    """The keys of a payload, recursively (list items by their first element)."""
    if isinstance(value, dict):
        return {key: _shape(inner) for key, inner in value.items()}
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [_shape(value[0])]
    return None


def _whole_loop(tenant: Tenant, survey: Any) -> None:
    """Walk the loop once through the services: every event type happens at least once."""
    from outsidein.ideas import services as ideas
    from outsidein.text import services as text

    org = tenant.organisation
    customer = CustomerFactory(organisation=org, external_id="PS-311")
    feedback, _created = services.record_feedback(
        org,
        kind="complaint",
        channel="phone",
        subject="Storing",
        comment="Geen stroom",
        customer=customer,
    )
    case = practice.open_case(
        org, kind="complaint", subject="Storing", customer=customer, opened_by=tenant.manager
    )
    practice.respond(case, tenant.manager, "Monteur komt morgen.")
    cause = RootCause.objects.create(organisation=org, name="Communicatie")
    practice.close_case(
        case, tenant.manager, learned="Melding niet ontvangen.", root_cause=cause, loop="inner"
    )
    idea = ideas.submit_idea(org, title="Betalen met incasso", entered_by=tenant.manager)
    ideas.change_status(idea, status="planned", person=tenant.manager, notify=False)
    decision = practice.create_decision(
        org,
        title="Storingen per sms melden",
        status="proposed",
        evidence=[("feedback", feedback.pk)],
        added_by=tenant.admin,
    )
    practice.update_decision(decision, status="taken")
    response, _created = services.record_feedback(
        org,
        kind="response",
        channel="link",
        survey=survey,
        nps=3,
        comment="Veel te duur en slechte service.",
        customer=customer,
    )
    text.analyse_feedback(org.pk, [response.pk])


def test_every_event_is_sent_signed_and_matches_its_documented_example(
    tenant: Tenant, survey: Any, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url, handler = receiver
    hook = webhooks.create_outbound_hook(tenant.organisation, url=url)
    assert hook.events == []  # a new endpoint takes every event
    with django_capture_on_commit_callbacks(execute=True):
        _whole_loop(tenant, survey)
    received = _events(handler, hook)
    by_type: dict[str, dict[str, Any]] = {}
    for message in received:
        by_type.setdefault(message["type"], message)
    documented = _documented()
    expected = set(hook_events.EVENTS)
    assert expected <= set(by_type), sorted(expected - set(by_type))
    assert set(documented) == expected | {hook_events.TEST}
    for name in expected:
        message = {k: v for k, v in by_type[name].items() if k != "_id"}
        assert _shape(message) == _shape(documented[name]), name
    # Every delivery is logged as delivered, once per message id.
    assert Delivery.objects.filter(hook=hook).exclude(status="delivered").count() == 0
    assert len({m["_id"] for m in received}) == len(received)
    closed = by_type["case.closed"]["data"]
    assert (closed["root_cause"], closed["loop"], closed["customer_external_id"]) == (
        "Communicatie",
        "inner",
        "PS-311",
    )
    assert by_type["idea.status_changed"]["data"]["previous_status"] == "new"
    analysed = by_type["survey_response.analysed"]["data"]
    assert analysed["survey_id"] == survey.pk and analysed["sentiment"] in {
        "negative",
        "neutral",
        "positive",
    }


def test_test_event_matches_its_documented_example(
    tenant: Tenant, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url, handler = receiver
    hook = webhooks.create_outbound_hook(tenant.organisation, url=url, events=["case.closed"])
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.send_test_event(hook)
    (message,) = _events(handler, hook)
    message.pop("_id")
    assert _shape(message) == _shape(_documented()["webhook.test"])


def test_the_filter_sends_only_the_chosen_events(
    tenant: Tenant, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url, handler = receiver
    only_closed = webhooks.create_outbound_hook(
        tenant.organisation, url=url, events=["case.closed"]
    )
    paused = webhooks.create_outbound_hook(tenant.organisation, url=url, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        case = practice.open_case(
            tenant.organisation, kind="question", subject="Factuur", opened_by=tenant.manager
        )
        practice.respond(case, tenant.manager, "Uitgelegd.")
        practice.close_case(case, tenant.manager)
    assert [m["type"] for m in _events(handler, only_closed)] == ["case.closed"]
    assert not Delivery.objects.filter(hook=paused).exists()


def test_nothing_is_sent_for_a_rolled_back_change(
    tenant: Tenant, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    url, handler = receiver
    webhooks.create_outbound_hook(tenant.organisation, url=url)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                practice.open_case(tenant.organisation, kind="question", subject="x")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == [] and handler.received == []
    assert not Delivery.objects.exists()


def test_existing_endpoints_keep_only_feedback_created() -> None:
    migration = importlib.import_module("outsidein.voice.migrations.0003_outbound_hook_events")
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory(slug="old")
    hook = OutboundHook.objects.create(organisation=organisation, url="https://example.org/x")
    assert hook.wants("case.opened")
    migration.keep_existing_endpoints_as_they_were(django_apps, None)
    hook.refresh_from_db()
    assert hook.events == ["feedback.created"]
    assert hook.wants("feedback.created") and not hook.wants("case.opened")


def test_a_receiver_answering_500_is_retried_logged_and_redelivered(
    tenant: Tenant, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url, handler = receiver
    handler.status = 500
    hook = webhooks.create_outbound_hook(tenant.organisation, url=url, events=["case.opened"])
    with django_capture_on_commit_callbacks(execute=True):
        practice.open_case(tenant.organisation, kind="question", subject="Factuur")
    delivery = Delivery.objects.get(hook=hook)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at is not None
    admin = tenant.client_for(tenant.admin)
    page = admin.get("/settings/webhooks/")
    assert b"HTTP 500" in page.content and b"case.opened" in page.content
    # A scheduled retry that comes early does nothing; the task skips what is not due.
    from outsidein.voice.tasks import deliver_webhook

    assert deliver_webhook.call(delivery_id=delivery.pk) == "not due"
    # The receiver is fixed; an administrator sends it again from the page.
    handler.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin.post(f"/settings/webhooks/deliveries/{delivery.pk}/redeliver/")
    assert answer.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.redeliveries, delivery.last_status_code) == (
        "delivered",
        1,
        200,
    )
    first, second = (headers["webhook-id"] for headers, _body in handler.received)
    assert first == second == delivery.message_id  # the same message: receivers deduplicate
    assert b"sent again once" in admin.get("/settings/webhooks/").content


def test_a_slow_receiver_times_out_and_a_huge_answer_is_cut_off(
    tenant: Tenant, receiver: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url, handler = receiver
    hook = webhooks.create_outbound_hook(tenant.organisation, url=url)
    monkeypatch.setattr(webhooks, "DELIVERY_TIMEOUT", 1.0)
    handler.delay = 3.0
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        slow = webhooks.send_test_event(hook)
    assert time.monotonic() - started < 2.9
    slow.refresh_from_db()
    assert slow.status == "pending" and slow.last_status_code is None
    assert "Could not deliver" in slow.last_error
    handler.delay = 0.0
    handler.answer = b"x" * (5 * 1024 * 1024)  # 5 MB: read no further than 64 KB
    with django_capture_on_commit_callbacks(execute=True):
        big = webhooks.send_test_event(hook)
    big.refresh_from_db()
    assert (big.status, big.last_status_code) == ("delivered", 200)


def test_settings_page_edits_the_filter_and_sends_a_test_event(
    tenant: Tenant, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url, handler = receiver
    admin = tenant.client_for(tenant.admin)
    answer = admin.post(
        "/settings/webhooks/",
        {"outbound": "1", "url": url, "events": ["case.opened", "case.closed"]},
    )
    assert answer.status_code == 302
    hook = OutboundHook.objects.get()
    assert hook.events == ["case.opened", "case.closed"]
    none_chosen = admin.post(f"/settings/webhooks/out/{hook.pk}/events/", {})
    assert none_chosen.status_code == 422
    assert "Choose at least one event." in none_chosen.content.decode()
    all_chosen = admin.post(
        f"/settings/webhooks/out/{hook.pk}/events/",
        {f"hook{hook.pk}-events": list(hook_events.EVENTS), f"hook{hook.pk}-is_active": "on"},
    )
    assert all_chosen.status_code == 302
    hook.refresh_from_db()
    assert hook.events == [] and hook.is_active
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(f"/settings/webhooks/out/{hook.pk}/test/").status_code == 302
    assert [m["type"] for m in _events(handler, hook)] == ["webhook.test"]
    assert (
        tenant.client_for(tenant.manager)
        .post(f"/settings/webhooks/out/{hook.pk}/test/")
        .status_code
        == 403
    )


def test_api_manages_endpoints_filters_log_and_redelivery(
    tenant: Tenant, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.test import Client

    url, handler = receiver
    client = Client()
    headers = tenant.api_headers(tenant.admin)
    created = client.post(
        "/api/v1/webhooks/outgoing",
        {"url": url, "events": ["idea.status_changed"]},
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201, created.content
    hook_id = created.json()["id"]
    assert created.json()["events"] == ["idea.status_changed"]
    bad = client.patch(
        f"/api/v1/webhooks/outgoing/{hook_id}",
        {"events": ["case.teleported"]},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422 and "events" in json.dumps(bad.json())
    unreachable = client.post(
        "/api/v1/webhooks/outgoing",
        {"url": "http://10.1.2.3/x"},
        content_type="application/json",
        headers=headers,
    )
    assert unreachable.status_code == 422
    assert unreachable.json()["detail"][0]["loc"] == ["body", "url"]
    patched = client.patch(
        f"/api/v1/webhooks/outgoing/{hook_id}",
        {"events": ["case.opened"]},
        content_type="application/json",
        headers=headers,
    )
    assert patched.status_code == 200 and patched.json()["events"] == ["case.opened"]
    with django_capture_on_commit_callbacks(execute=True):
        test = client.post(f"/api/v1/webhooks/outgoing/{hook_id}/test", headers=headers)
    assert test.status_code == 202 and test.json()["event"] == "webhook.test"
    log = client.get(f"/api/v1/webhooks/outgoing/{hook_id}/deliveries", headers=headers)
    assert log.status_code == 200
    (item,) = log.json()["items"]
    assert (item["status"], item["last_status_code"]) == ("delivered", 200)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/api/v1/webhooks/deliveries/{item['id']}/redeliver", headers=headers)
    assert again.status_code == 202
    assert len(handler.received) == 2
    # Other roles and other organisations.
    manager = tenant.api_headers(tenant.manager)
    assert client.get("/api/v1/webhooks/outgoing", headers=manager).status_code == 403
    from tests.conftest import make_tenant

    other = make_tenant("other")
    foreign = other.api_headers(other.admin)
    assert client.get(f"/api/v1/webhooks/outgoing/{hook_id}", headers=foreign).status_code == 404
    assert (
        client.post(
            f"/api/v1/webhooks/deliveries/{item['id']}/redeliver", headers=foreign
        ).status_code
        == 404
    )
