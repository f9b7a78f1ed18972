"""Forwarded headers are believed only from the proxies the operator names.

Behind a TLS-terminating proxy every request reaches the server from the proxy's address, with
the client's scheme and address in ``X-Forwarded-Proto`` and ``X-Forwarded-For``. Those headers
are plain request headers: anyone who reaches the server directly can send them. So they are
honoured only when the request comes from an address in ``OUTSIDEIN_TRUSTED_PROXIES``; from any
other address they are removed before Django (``SECURE_PROXY_SSL_HEADER``) or the rate limits
(``REMOTE_ADDR``) see them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST")


def parse_networks(values: Sequence[str], name: str = "OUTSIDEIN_TRUSTED_PROXIES") -> list[str]:
    """Check each entry is an address, a network (10.0.0.0/8) or '*'; name the bad one."""
    for value in values:
        if value == "*":
            continue
        try:
            ipaddress.ip_network(value)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or networks (e.g. 127.0.0.1,10.0.0.0/8) or '*', "
                f"not {value!r}."
            ) from None
    return list(values)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


class TrustedProxies:
    def __init__(self, values: Sequence[str]) -> None:
        self.any = "*" in values
        self.networks: list[Network] = [ipaddress.ip_network(v) for v in values if v != "*"]

    def __contains__(self, value: str) -> bool:
        if self.any:
            return True
        address = _address(value)
        return address is not None and any(address in network for network in self.networks)

    def client_address(self, peer: str, forwarded_for: str) -> str:
        """The first address, from the right, that is not one of our proxies."""
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        for hop in reversed(hops):
            if _address(hop) is None:
                return peer  # a malformed chain: keep the proxy's own address
            if hop not in self:
                return hop
        return hops[0] if hops else peer


class TrustedProxyMiddleware:
    """First in the chain: drop forwarded headers from strangers, believe them from our proxy."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response
        self.proxies = TrustedProxies(getattr(settings, "TRUSTED_PROXIES", []))

    def __call__(self, request: Any) -> Any:
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "")
        if peer and peer in self.proxies:
            forwarded_for = meta.get("HTTP_X_FORWARDED_FOR", "")
            if forwarded_for:
                meta["REMOTE_ADDR"] = self.proxies.client_address(peer, forwarded_for)
        else:
            for header in FORWARDED_HEADERS:
                meta.pop(header, None)
        return self.get_response(request)
