"""Fixed-window rate limits kept in the shared cache (so all server processes count together)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest


def _key(scope: str, identity: str) -> str:
    digest = hashlib.sha256(identity.lower().encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def count(scope: str, identity: str) -> int:
    return int(cache.get(_key(scope, identity), 0))


def hit(scope: str, identity: str, *, window: int) -> int:
    """Count one event; return the number of events in the current window."""
    key = _key(scope, identity)
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def is_limited(scope: str, identity: str, *, limit: int) -> bool:
    return count(scope, identity) >= limit


def reset(scope: str, identity: str) -> None:
    cache.delete(_key(scope, identity))
