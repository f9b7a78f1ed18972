"""Outgoing requests (webhooks): no SSRF, no DNS-rebinding gap, no redirects, time and size caps,
and delivery errors that do not map the operator's network."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from outsidein.core import outgoing
from outsidein.voice import webhooks
from outsidein.voice.models import Delivery, OutboundHook
from tests.conftest import Tenant
from tests.security.cases import SSRF_REFUSED_URLS


class _Handler(BaseHTTPRequestHandler):
    hits: list[dict[str, str]]
    mode = "ok"
    location = ""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        type(self).hits.append({k.lower(): v for k, v in self.headers.items()})
        if self.mode == "redirect":
            self.send_response(302)
            self.send_header("Location", self.location)
            self.end_headers()
        elif self.mode == "huge":
            self.send_response(200)
            self.send_header("Content-Length", str(50 * 1024 * 1024))
            self.end_headers()
            try:
                for _ in range(50 * 16):
                    self.wfile.write(b"x" * 65536)
            except OSError:
                pass
        elif self.mode == "slow":
            time.sleep(3)
            self.send_response(200)
            self.end_headers()
        else:
            self.send_response(200)
            self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


def _serve(mode: str = "ok", location: str = "") -> tuple[ThreadingHTTPServer, type[_Handler]]:
    handler = type("H", (_Handler,), {"hits": [], "mode": mode, "location": location})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, handler


@pytest.fixture
def server() -> Iterator[Any]:
    started: list[ThreadingHTTPServer] = []

    def start(mode: str = "ok", location: str = "") -> tuple[str, type[_Handler]]:
        srv, handler = _serve(mode, location)
        started.append(srv)
        return f"http://127.0.0.1:{srv.server_port}/hook", handler

    yield start
    for srv in started:
        srv.shutdown()
        srv.server_close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("url", SSRF_REFUSED_URLS)
def test_refused_urls_are_refused_on_save_and_at_delivery(url: str) -> None:
    with pytest.raises(outgoing.RefusedURL):
        outgoing.check_url(url)
    with pytest.raises(outgoing.OutgoingError):
        outgoing.post(url, b"{}")


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "::ffff:127.0.0.1", "2002:a00:1::1"],
)
def test_names_that_resolve_to_refused_addresses_are_refused(
    monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET

    def fake(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with pytest.raises(outgoing.RefusedURL):
        outgoing.check_url("https://hooks.example.com/x")


def test_public_addresses_pass_the_check() -> None:
    import ipaddress

    for address in ["93.184.216.34", "2606:2800:220:1::1", "8.8.8.8", "2002:5db8:d822::1"]:
        assert outgoing.is_public(ipaddress.ip_address(address)), address


def test_the_checked_address_is_the_one_connected_to(
    server: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One lookup of the name, then a connection to that very address (no rebinding gap)."""
    url, handler = server()
    port = url.split(":")[2].split("/")[0]
    settings.OUTGOING_ALLOW_HOSTS = ["hooks.internal"]
    real = socket.getaddrinfo
    lookups: list[str] = []

    def fake(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        if host == "hooks.internal":
            lookups.append(host)
            # A rebinding name: first answer is the checked one, later ones would differ.
            target = "127.0.0.1" if len(lookups) == 1 else "10.9.9.9"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (target, int(port)))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    response = outgoing.post(f"http://hooks.internal:{port}/hook", b"{}")
    assert response.status == 200
    assert lookups == ["hooks.internal"]
    assert handler.hits[0]["host"] == f"hooks.internal:{port}"


def test_local_test_servers_need_the_operator_setting(server: Any, settings: Any) -> None:
    url, handler = server()
    settings.OUTGOING_ALLOW_HOSTS = []
    with pytest.raises(outgoing.RefusedURL):
        outgoing.post(url, b"{}")
    assert handler.hits == []
    settings.OUTGOING_ALLOW_HOSTS = ["127.0.0.1"]
    assert outgoing.post(url, b"{}").status == 200
    settings.OUTGOING_ALLOW_HOSTS = ["127.0.0.0/8"]
    assert outgoing.post(url, b"{}").status == 200
    assert len(handler.hits) == 2


def test_redirects_are_not_followed(server: Any, settings: Any) -> None:
    settings.OUTGOING_ALLOW_HOSTS = ["127.0.0.1"]
    inner_url, inner = server()
    url, _handler = server("redirect", location=inner_url)
    with pytest.raises(outgoing.OutgoingError) as caught:
        outgoing.post(url, b"{}")
    assert caught.value.status == 302
    assert "redirect" in caught.value.public
    assert inner.hits == []


def test_a_huge_answer_is_read_only_up_to_the_cap(server: Any, settings: Any) -> None:
    settings.OUTGOING_ALLOW_HOSTS = ["127.0.0.1"]
    url, _handler = server("huge")
    started = time.monotonic()
    response = outgoing.post(url, b"{}")
    assert response.status == 200
    assert len(response.body) <= outgoing.MAX_RESPONSE_BYTES
    assert time.monotonic() - started < 5


def test_a_slow_server_hits_the_time_limit(server: Any, settings: Any) -> None:
    settings.OUTGOING_ALLOW_HOSTS = ["127.0.0.1"]
    url, _handler = server("slow")
    started = time.monotonic()
    with pytest.raises(outgoing.OutgoingError) as caught:
        outgoing.post(url, b"{}", timeout=0.5)
    assert time.monotonic() - started < 2.5
    assert caught.value.public == str(outgoing.COULD_NOT_DELIVER)


@pytest.mark.django_db
def test_delivery_errors_do_not_map_the_network(tenant: Tenant, server: Any, settings: Any) -> None:
    """A closed port, a slow server and a refused address read the same in the delivery log."""
    settings.OUTGOING_ALLOW_HOSTS = ["127.0.0.1"]
    slow_url, _ = server("slow")
    urls = [
        f"http://127.0.0.1:{_free_port()}/closed",
        slow_url,
        "http://10.255.255.1:22/",
        "http://169.254.169.254/latest/meta-data/",
    ]
    errors = set()
    for index, url in enumerate(urls):
        hook = OutboundHook.objects.create(organisation=tenant.organisation, url=url)
        delivery = Delivery.objects.create(
            organisation=tenant.organisation,
            hook=hook,
            message_id=f"msg_{index}",
            event="feedback.created",
            payload={"type": "feedback.created"},
        )
        original = webhooks.DELIVERY_TIMEOUT
        webhooks.DELIVERY_TIMEOUT = 0.5  # type: ignore[assignment]
        try:
            done = webhooks.attempt(delivery.pk)
        finally:
            webhooks.DELIVERY_TIMEOUT = original
        assert done.status == "pending" and done.last_status_code is None
        errors.add(done.last_error)
    assert errors == {str(outgoing.COULD_NOT_DELIVER)}
    for word in ("refused", "timed out", "timeout", "Errno", "127.0.0.1", "10.255"):
        assert word.lower() not in next(iter(errors)).lower()


@pytest.mark.django_db
def test_saving_a_webhook_to_an_internal_address_is_refused(tenant: Tenant) -> None:
    admin = tenant.client_for(tenant.admin)
    for url in ["http://127.0.0.1:8000/", "http://[::ffff:127.0.0.1]/", "http://localhost/"]:
        page = admin.post("/settings/webhooks/", {"outbound": "1", "url": url})
        assert page.status_code in (200, 422)  # the form again, with the reason
        assert b"not a public internet address" in page.content
    assert not OutboundHook.objects.exists()
