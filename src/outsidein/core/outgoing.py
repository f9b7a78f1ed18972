"""The one HTTP client for every request the server makes to the outside (webhooks today,
notifications to chat tools later). Safe by construction:

- only ``http`` and ``https`` URLs, without credentials in them;
- the host is resolved at delivery time and every address it resolves to must be public:
  loopback, private, shared (CGNAT), link-local, multicast, reserved and unspecified addresses are
  refused, and so are their IPv6 disguises (IPv4-mapped ``::ffff:127.0.0.1``, IPv4-compatible,
  6to4 ``2002::/16``, NAT64 ``64:ff9b::/96`` and Teredo carrying a refused IPv4 address);
- the connection is made to the address that was checked (the name is not resolved a second time,
  so a DNS answer that changes between check and connect cannot slip through), while TLS still
  verifies the certificate against the host name;
- redirects are never followed, every request has a time limit, and at most ``MAX_RESPONSE_BYTES``
  of an answer are read;
- an operator lets named internal hosts through with ``OUTSIDEIN_OUTGOING_ALLOW_HOSTS`` (host
  names, addresses or networks, comma-separated).

Errors say what failed without mapping the operator's network: a refused address, an unknown name,
a refused connection, a time-out and a TLS failure all read "could not deliver"; only the HTTP
status of an answer that did come is shown.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

CONNECT_TIMEOUT = 5.0
TOTAL_TIMEOUT = 10.0
MAX_RESPONSE_BYTES = 64 * 1024
USER_AGENT = "outsidein"

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_SHARED = ipaddress.ip_network("100.64.0.0/10")

# What a tenant sees. Kept deliberately coarse (see the module docstring).
COULD_NOT_DELIVER = gettext_lazy(
    "Could not deliver: no answer from the receiving server, or its address is not one "
    "outsidein may reach."
)
BAD_URL = gettext_lazy("Use an http:// or https:// address without a user name or password.")
NOT_REACHABLE = gettext_lazy(
    "This address cannot be used: it is not a public internet address outsidein may reach "
    "(or its name could not be found)."
)


class OutgoingError(Exception):
    """A request that was refused or failed. ``public`` is safe to show a tenant; ``detail`` is
    for the server log only."""

    def __init__(self, public: Any, detail: str = "", *, status: int | None = None) -> None:
        super().__init__(str(public))
        self.public = str(public)
        self.detail = detail
        self.status = status


class RefusedURL(OutgoingError):
    """The URL itself is not allowed (scheme, credentials, address)."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


# --- address checks ------------------------------------------------------------------------


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries (mapped, compatible, 6to4, NAT64, Teredo)."""
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    if address in _NAT64 or address in _NAT64_LOCAL:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    packed = int(address)
    if packed >> 32 == 0 and packed > 1:  # deprecated IPv4-compatible ::a.b.c.d
        found.append(ipaddress.IPv4Address(packed))
    return found


def is_public(address: IPAddress) -> bool:
    """Whether outsidein may connect to this address without the operator's say-so."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return False
        embedded = _embedded_ipv4(address)
        if embedded:
            return all(is_public(inner) for inner in embedded)
    if (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv4Address) and address in _SHARED)
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
    ):
        return False
    return address.is_global


def _allow_list() -> tuple[set[str], list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    names: set[str] = set()
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for entry in getattr(settings, "OUTGOING_ALLOW_HOSTS", []) or []:
        entry = entry.strip().lower().strip("[]")
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry.rstrip("."))
    return names, networks


def _allowed(host: str, address: IPAddress) -> bool:
    names, networks = _allow_list()
    if host in names:
        return True
    if any(address in network for network in networks):
        return True
    return is_public(address)


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


def parse(url: str) -> Target:
    """Split a URL into what a request needs, refusing anything but plain http(s)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise RefusedURL(BAD_URL, f"unparsable URL {url!r}") from None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not parts.hostname:
        raise RefusedURL(BAD_URL, f"scheme {scheme!r} or no host")
    if parts.username is not None or parts.password is not None:
        raise RefusedURL(BAD_URL, "credentials in URL")
    host = parts.hostname.lower().rstrip(".")
    if not host or any(c in host for c in " \t\r\n%\\"):
        raise RefusedURL(BAD_URL, f"bad host {host!r}")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme, host, port or (443 if scheme == "https" else 80), path)


def resolve(target: Target) -> list[IPAddress]:
    """Every address the host resolves to, each one checked; refuse if any is not allowed."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise RefusedURL(NOT_REACHABLE, f"cannot resolve {target.host}: {exc}") from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and len(sockaddr) > 3 and sockaddr[3]:
            raise RefusedURL(NOT_REACHABLE, f"{target.host} resolves to a scoped address")
        if not _allowed(target.host, address):
            raise RefusedURL(NOT_REACHABLE, f"{target.host} resolves to {address}")
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise RefusedURL(NOT_REACHABLE, f"{target.host} has no address")
    return addresses


def check_url(url: str) -> None:
    """Validate a URL a tenant saves (a webhook): raise ``RefusedURL`` with a message to show."""
    target = parse(url)
    names, _networks = _allow_list()
    if target.host in names:
        return  # the operator vouches for it; it is checked again at each delivery
    resolve(target)


# --- requests ------------------------------------------------------------------------------


def _connection(target: Target, address: IPAddress, timeout: float) -> http.client.HTTPConnection:
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)

    def connect_to_checked_address(
        _address: Any, timeout: Any = None, source_address: Any = None
    ) -> socket.socket:
        # The checked address, never a second lookup of the name (TLS still uses the name).
        return socket.create_connection((str(address), target.port), timeout, source_address)

    connection._create_connection = connect_to_checked_address  # type: ignore[attr-defined]
    return connection


def post(
    url: str,
    body: bytes,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float = TOTAL_TIMEOUT,
) -> Response:
    """POST ``body`` to ``url``. A 2xx answer returns; anything else raises ``OutgoingError``
    (a 3xx is not followed)."""
    return request("POST", url, body=body, headers=headers, timeout=timeout)


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = TOTAL_TIMEOUT,
) -> Response:
    target = parse(url)
    try:
        addresses = resolve(target)
    except RefusedURL as exc:
        # At delivery a refused address reads like any other failure (no map of the network).
        raise RefusedURL(COULD_NOT_DELIVER, exc.detail) from None
    deadline = time.monotonic() + timeout
    all_headers = {"user-agent": USER_AGENT, **(headers or {})}
    last_error = ""
    for address in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        connection = _connection(target, address, min(CONNECT_TIMEOUT, remaining))
        try:
            try:
                connection.connect()
            except OSError as exc:  # try the next address of the name
                last_error = f"{address}: {exc}"
                continue
            if connection.sock is not None:
                connection.sock.settimeout(max(0.1, deadline - time.monotonic()))
            connection.request(method, target.path, body=body, headers=all_headers)
            answer = connection.getresponse()
            data = _read_capped(answer, deadline)
            status = answer.status
            answer_headers = {k.lower(): v for k, v in answer.getheaders()}
        except OutgoingError:
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:
            raise OutgoingError(COULD_NOT_DELIVER, f"{address}: {exc!r}") from None
        finally:
            connection.close()
        if 200 <= status < 300:
            return Response(status, answer_headers, data)
        if 300 <= status < 400:
            raise OutgoingError(
                gettext_lazy("HTTP %(status)s: redirects are not followed.") % {"status": status},
                f"redirect to {answer_headers.get('location', '')!r}",
                status=status,
            )
        raise OutgoingError(f"HTTP {status}", f"HTTP {status}", status=status)
    raise OutgoingError(COULD_NOT_DELIVER, last_error or "time limit reached")


def _read_capped(answer: http.client.HTTPResponse, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise OutgoingError(COULD_NOT_DELIVER, "time limit reached while reading")
        chunk = answer.read(8192)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size >= MAX_RESPONSE_BYTES:  # read no further: the rest is not needed
            return b"".join(chunks)[:MAX_RESPONSE_BYTES]
