"""Slack and Teams notifications over real HTTP to local endpoints: each service's payload
format, the channel's language, per-event and per-team filtering, failures shown on the
settings page, the webhook URL never shown again, tenant isolation and roles."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from outsidein.chat import events, services
from outsidein.chat.models import ChatChannel, ChatMessage
from outsidein.core.models import Team
from outsidein.practice import services as practice
from outsidein.voice import services as voice
from tests.conftest import Tenant
from tests.factories import CustomerFactory, TeamFactory

pytestmark = pytest.mark.django_db

ALL = list(events.EVENTS)


class _Receiver(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        cls = type(self)
        assert self.headers["Content-Type"] == "application/json"
        cls.received.append(json.loads(body))
        answer = b"ok" if cls.status < 300 else b"invalid_payload"
        self.send_response(cls.status)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def receiver(settings: Any) -> Iterator[tuple[str, type[_Receiver]]]:
    settings.OUTGOING_ALLOW_HOSTS = ["127.0.0.1"]  # the operator lets the local endpoint through
    settings.BASE_URL = "https://outsidein.example.org"
    handler = type("Receiver", (_Receiver,), {"received": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/services/T000/B000/abcdWXYZ", handler
    finally:
        server.shutdown()


def _team(tenant: Tenant) -> Team:
    team = tenant.manager.team
    assert team is not None
    return team


def _channel(tenant: Tenant, url: str, service: str = "slack", **kwargs: Any) -> ChatChannel:
    kwargs.setdefault("team", _team(tenant))
    kwargs.setdefault("events", ALL)
    return services.create_channel(tenant.organisation, service=service, url=url, **kwargs)


def _question(
    tenant: Tenant, team: Team | None = None, subject: str = "Waar blijft mijn pas?"
) -> Any:
    customer = CustomerFactory(organisation=tenant.organisation, name="Jansen BV")
    return practice.open_case(
        tenant.organisation,
        kind="question",
        subject=subject,
        customer=customer,
        team=team or _team(tenant),
    )


def test_slack_gets_block_kit_with_a_link_to_the_new_item(
    tenant: Tenant, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url, handler = receiver
    _channel(tenant, url, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        case = _question(tenant)
    (message,) = handler.received
    link = f"https://outsidein.example.org/queue/{case.pk}/"
    assert set(message) == {"text", "blocks"}
    assert link in message["text"]  # the fallback a notification shows
    types = [block["type"] for block in message["blocks"]]
    assert types == ["header", "section", "actions"]
    header, section, actions = message["blocks"]
    assert header["text"] == {"type": "plain_text", "text": "New in the queue of Helpdesk"}
    assert section["text"] == {"type": "mrkdwn", "text": "Waar blijft mijn pas?"}
    fields = {f["text"].split("\n")[0]: f["text"].split("\n")[1] for f in section["fields"]}
    assert fields["*Customer*"] == "Jansen BV" and fields["*Kind*"] == "Question"
    (button,) = actions["elements"]
    assert button["type"] == "button" and button["url"] == link
    assert button["text"] == {"type": "plain_text", "text": "Open the item"}
    stored = ChatMessage.objects.get()
    assert stored.status == "delivered" and stored.event == events.QUEUE_NEW
    channel = ChatChannel.objects.get()
    assert channel.last_result == "delivered" and channel.last_error == ""


def test_teams_gets_an_adaptive_card_for_an_unhappy_customer(
    tenant: Tenant, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url, handler = receiver
    _channel(tenant, url, service="teams", language="en", team=None)
    with django_capture_on_commit_callbacks(execute=True):
        feedback, _created = voice.record_feedback(
            tenant.organisation,
            kind="review",
            channel="review_site",
            nps=2,
            comment="Niemand belt terug",
            customer=CustomerFactory(organisation=tenant.organisation, name="Pietersen"),
        )
    (message,) = handler.received
    case = feedback.case
    assert message["type"] == "message"
    (attachment,) = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.4"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["lang"] == "en"
    title, text, facts = card["body"]
    assert title["type"] == "TextBlock" and title["weight"] == "Bolder"
    assert title["text"] == "Unhappy customer waiting for a follow-up: Pietersen"
    assert text["type"] == "TextBlock" and "Niemand belt terug" in text["text"]
    assert facts["type"] == "FactSet"
    assert {f["title"] for f in facts["facts"]} >= {"Follow up before"}
    (action,) = card["actions"]
    assert action == {
        "type": "Action.OpenUrl",
        "title": "Open the item",
        "url": f"https://outsidein.example.org/queue/{case.pk}/",
    }
    assert ChatMessage.objects.get().event == events.FOLLOW_UP


def test_each_channel_speaks_its_language(
    tenant: Tenant, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A channel without its own language follows the organisation's (Dutch here)."""
    url, handler = receiver
    tenant.organisation.language = "nl"
    tenant.organisation.save()
    _channel(tenant, url, service="slack")  # Dutch: the organisation's language
    _channel(tenant, url, service="teams", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        _question(tenant)
    by_kind = {("blocks" in m): m for m in handler.received}
    slack, teams = by_kind[True], by_kind[False]
    assert slack["blocks"][0]["text"]["text"] == "Nieuw in de wachtrij van Helpdesk"
    assert slack["blocks"][2]["elements"][0]["text"]["text"] == "Open het item"
    card = teams["attachments"][0]["content"]
    assert card["lang"] == "en" and card["body"][0]["text"] == "New in the queue of Helpdesk"


def test_channels_get_only_their_events_and_their_teams(
    tenant: Tenant, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url, handler = receiver
    helpdesk = _team(tenant)
    sales = TeamFactory(organisation=tenant.organisation, name="Sales", slug="sales")
    decisions_only = _channel(tenant, url, events=[events.DECISION_INPUT], name="#decisions")
    department = _channel(tenant, url, team=helpdesk.parent, events=[events.QUEUE_NEW])
    sales_channel = _channel(tenant, url, team=sales, events=ALL)
    paused = _channel(tenant, url, events=ALL, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        _question(tenant)  # helpdesk: its department hears it, the others do not
        practice.propose_decision(
            tenant.organisation, title="Pas per post", team=helpdesk, owner=tenant.manager
        )
        practice.propose_decision(  # with customer evidence: no need to ask
            tenant.organisation,
            title="Pas per mail",
            team=helpdesk,
            evidence=[("feedback", _feedback_id(tenant))],
        )
    by_channel = {
        c.pk: sorted(m.event for m in ChatMessage.objects.filter(channel=c))
        for c in (decisions_only, department, sales_channel, paused)
    }
    assert by_channel == {
        decisions_only.pk: [events.DECISION_INPUT],
        department.pk: [events.QUEUE_NEW],
        sales_channel.pk: [],
        paused.pk: [],
    }
    assert len(handler.received) == 2
    decision_message = next(m for m in handler.received if "decision" in m["text"].lower())
    assert "Pas per post" in decision_message["blocks"][0]["text"]["text"]
    assert "/decisions/" in decision_message["blocks"][-1]["elements"][0]["url"]


def _feedback_id(tenant: Tenant) -> int:
    feedback, _created = voice.record_feedback(
        tenant.organisation, kind="complaint", channel="phone", comment="Pas kwijt"
    )
    return int(feedback.pk)


def test_breached_targets_are_listed_once_per_channel(
    tenant: Tenant, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url, handler = receiver
    _channel(tenant, url, service="teams", events=[events.TARGET_BREACHED], language="en")
    earlier = timezone.now() - timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        for subject in ("Eén", "Twee", "Drie"):
            practice.open_case(
                tenant.organisation,
                kind="question",
                subject=subject,
                team=_team(tenant),
                opened_at=earlier,
            )
        practice.send_breach_alerts(tenant.organisation)
        practice.send_breach_alerts(tenant.organisation)  # announced once
    (message,) = handler.received
    card = message["attachments"][0]["content"]
    assert card["body"][0]["text"] == "3 customer items are past their response-time target"
    lines = [block["text"] for block in card["body"][1:]]
    assert all("](https://outsidein.example.org/queue/" in line for line in lines)
    assert [line.split("[", 1)[1].split(" ·")[0] for line in lines] == ["Eén", "Twee", "Drie"]
    assert card["actions"][0]["url"] == "https://outsidein.example.org/queue/?view=breached"


def test_a_growing_theme_reaches_its_owner_teams_channel(
    tenant: Tenant, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from outsidein.text import services as text
    from outsidein.text.models import Theme
    from tests.text.test_services import _feedback

    url, handler = receiver
    _channel(tenant, url, events=[events.THEME_GROWING], language="en")
    theme = Theme.objects.create(
        organisation=tenant.organisation,
        name="Factuur",
        keywords="factuur",
        owner_team=_team(tenant),
    )
    for i in range(40):
        _feedback(tenant, "Heel tevreden over de service" if i % 10 else "Factuur fout", days=45)
    for i in range(40):
        _feedback(tenant, "De factuur klopte weer niet" if i % 2 else "Prima service", days=5)
    text.analyse_feedback(tenant.organisation.pk)
    with django_capture_on_commit_callbacks(execute=True):
        text.send_emerging_theme_alerts(tenant.organisation)
    (message,) = handler.received
    assert message["blocks"][0]["text"]["text"] == "Customers write more about “Factuur”"
    button = message["blocks"][-1]["elements"][0]
    assert button["url"] == f"https://outsidein.example.org/themes/{theme.pk}/"
    fields = " ".join(f["text"] for f in message["blocks"][1]["fields"])
    assert "percentage points" in fields


def test_a_failing_endpoint_is_shown_on_the_settings_page(
    tenant: Tenant, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url, handler = receiver
    handler.status = 500
    channel = _channel(tenant, url, name="#helpdesk")
    admin = tenant.client_for(tenant.admin)
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(f"/settings/chat/{channel.pk}/test/").status_code == 302
    assert len(handler.received) == 1
    message = ChatMessage.objects.get()
    assert message.status == "pending" and message.next_attempt_at is not None
    assert message.last_status_code == 500
    page = admin.get("/settings/chat/").content.decode()
    assert "Failed, will retry" in page and "HTTP 500" in page
    # Retries run out: the message gives up and the channel says so.
    for _ in range(len(services.RETRY_DELAYS)):
        services.attempt(message.pk)
    message.refresh_from_db()
    assert message.status == "failed" and message.attempts == len(services.RETRY_DELAYS) + 1
    assert "Failed, gave up" in admin.get("/settings/chat/").content.decode()


def test_an_unknown_webhook_gives_up_at_once_with_advice(
    tenant: Tenant, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url, handler = receiver
    handler.status = 404
    channel = _channel(tenant, url)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test(channel)
    message = ChatMessage.objects.get()
    assert message.status == "failed" and message.attempts == 1
    channel.refresh_from_db()
    assert channel.last_result == "failed"
    assert "kent deze webhook-URL niet" in channel.last_error  # the organisation speaks Dutch


def test_an_unreachable_endpoint_is_recorded(
    tenant: Tenant, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.OUTGOING_ALLOW_HOSTS = ["127.0.0.1"]
    tenant.organisation.language = "en"  # errors are written in the organisation's language
    tenant.organisation.save()
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    channel = _channel(tenant, f"http://127.0.0.1:{port}/hook")
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test(channel)
    channel.refresh_from_db()
    assert channel.last_result == "retrying"
    assert channel.last_error.startswith("Could not deliver")
    page = tenant.client_for(tenant.admin).get("/settings/chat/").content.decode()
    assert "Could not deliver" in page


def test_the_webhook_url_is_stored_encrypted_and_never_shown_again(
    tenant: Tenant, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url, handler = receiver
    admin = tenant.client_for(tenant.admin)
    answer = admin.post(
        "/settings/chat/",
        {
            "service": "slack",
            "team": _team(tenant).pk,
            "name": "#helpdesk",
            "url": url,
            "events": [events.QUEUE_NEW, events.TARGET_BREACHED],
            "language": "en",
        },
    )
    assert answer.status_code == 302
    channel = ChatChannel.objects.get()
    assert channel.events == [events.QUEUE_NEW, events.TARGET_BREACHED]
    assert url not in channel.url_encrypted and "abcdWXYZ" not in channel.url_encrypted
    assert channel.url_hint == "127.0.0.1 …WXYZ"
    page = admin.get("/settings/chat/").content.decode()
    assert url not in page and "/services/T000" not in page
    assert "127.0.0.1 …WXYZ" in page
    # Sending still works: the worker decrypts it.
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(f"/settings/chat/{channel.pk}/test/").status_code == 302
    (message,) = handler.received
    assert message["blocks"][0]["text"]["text"] == "Test message from outsidein"
    assert "Delivered" in admin.get("/settings/chat/").content.decode()


def test_bad_input_is_answered_on_the_field(tenant: Tenant, settings: Any) -> None:
    settings.OUTGOING_ALLOW_HOSTS = []
    admin = tenant.client_for(tenant.admin)
    data = {"service": "slack", "url": "https://93.184.215.14/x", "events": [events.QUEUE_NEW]}
    page = admin.post("/settings/chat/", data)
    assert page.status_code == 422
    assert "https://hooks.slack.com/services/" in page.content.decode()
    page = admin.post("/settings/chat/", {**data, "url": "http://127.0.0.1:8000/x"})
    assert page.status_code == 422
    assert "not a public internet address" in page.content.decode()
    page = admin.post("/settings/chat/", {**data, "url": "ftp://hooks.slack.com/x"})
    assert "Use an http:// or https:// address" in page.content.decode()
    page = admin.post("/settings/chat/", {**data, "events": []})
    assert "Choose at least one event." in page.content.decode()
    page = admin.post(
        "/settings/chat/", {**data, "service": "teams", "url": "http://93.184.215.14/x"}
    )
    assert "Use the https:// address" in page.content.decode()
    assert not ChatChannel.objects.exists()


def test_roles(tenant: Tenant, receiver: Any) -> None:
    url, _handler = receiver
    assert tenant.client_for(tenant.employee).get("/settings/chat/").status_code == 403
    manager = tenant.client_for(tenant.manager)
    assert manager.get("/settings/chat/").status_code == 200
    whole = _channel(tenant, url, team=None, name="#everyone")
    sales = TeamFactory(organisation=tenant.organisation, name="Sales", slug="sales")
    theirs = _channel(tenant, url, team=sales, name="#sales")
    page = manager.get("/settings/chat/").content.decode()
    assert "#everyone" not in page and "#sales" not in page
    for path in (f"/settings/chat/{theirs.pk}/test/", f"/settings/chat/{theirs.pk}/delete/"):
        assert manager.post(path).status_code == 404
    # A team lead adds a channel for their own team, not for another or the whole organisation.
    base = {"service": "teams", "url": url, "events": [events.QUEUE_NEW]}
    assert manager.post("/settings/chat/", {**base, "team": sales.pk}).status_code == 422
    assert manager.post("/settings/chat/", base).status_code == 422
    assert manager.post("/settings/chat/", {**base, "team": _team(tenant).pk}).status_code == 302
    mine = ChatChannel.objects.get(team=_team(tenant))
    answer = manager.post(
        f"/settings/chat/{mine.pk}/",
        {f"c{mine.pk}-events": [events.FOLLOW_UP], f"c{mine.pk}-language": "nl"},
    )
    assert answer.status_code == 302
    mine.refresh_from_db()
    assert (mine.events, mine.language, mine.is_active) == ([events.FOLLOW_UP], "nl", False)
    assert manager.post(f"/settings/chat/{mine.pk}/delete/").status_code == 302
    # The administrator sees and manages every channel.
    admin = tenant.client_for(tenant.admin)
    page = admin.get("/settings/chat/").content.decode()
    assert "#everyone" in page and "#sales" in page
    assert admin.post(f"/settings/chat/{whole.pk}/delete/").status_code == 302


def test_tenants_never_meet(
    tenant: Tenant,
    other_tenant: Tenant,
    receiver: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    url, handler = receiver
    ours = _channel(tenant, url, team=None, name="#acme")
    foreign = tenant.client_for(tenant.admin)
    theirs_admin = other_tenant.client_for(other_tenant.admin)
    assert "#acme" not in theirs_admin.get("/settings/chat/").content.decode()
    for path in (
        f"/settings/chat/{ours.pk}/",
        f"/settings/chat/{ours.pk}/test/",
        f"/settings/chat/{ours.pk}/delete/",
    ):
        assert theirs_admin.post(path, {f"c{ours.pk}-events": ALL}).status_code == 404
    # Another organisation's team cannot be chosen, and its events never reach our channel.
    answer = foreign.post(
        "/settings/chat/",
        {
            "service": "teams",
            "url": url,
            "team": _team(other_tenant).pk,
            "events": ALL,
        },
    )
    assert answer.status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        _question(other_tenant)
    assert handler.received == []
    assert ChatChannel.objects.filter(organisation=tenant.organisation).count() == 1


def test_the_settings_link_is_in_the_admin_menu(tenant: Tenant) -> None:
    page = tenant.client_for(tenant.admin).get("/").content.decode()
    assert 'href="/settings/chat/"' in page
    assert django_settings.BASE_URL  # absolute links come from this setting
