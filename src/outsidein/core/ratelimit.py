"""Fixed-window rate limits that all server processes count together.

- **Fixed windows that do not grow.** Each window has its own key,
  ``rl:{scope}:{identity}:{window_start}``; a hit never extends a window, and a new window starts
  a new count. (The old design kept one key and let ``incr`` reset its expiry on the file cache.)
- **Atomic counts.** With Redis (``OUTSIDEIN_CACHE_URL=redis://…``) the count is Redis' ``INCR``
  after an ``add`` that creates the window's key; the in-process memory cache locks its own
  ``incr``. The default file cache has no atomic increment, so then the count lives in the
  database instead: one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` per hit (``RateCounter``).
- **The client address** is ``REMOTE_ADDR`` as ``outsidein.proxy.TrustedProxyMiddleware`` leaves
  it: the proxy's forwarded address only when the request came from one of
  ``OUTSIDEIN_TRUSTED_PROXIES``, the connecting address otherwise. A raw header is never read here.
- **Logins** are counted per account *and* address, per address, and per account from all
  addresses (a much higher bar), so one attacker cannot lock a user out from everywhere.
"""

from __future__ import annotations

import hashlib
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest

from outsidein.core import prepared

# How many failed logins each counter allows within settings.LOGIN_RATE_WINDOW, as multiples of
# settings.LOGIN_RATE_LIMIT: one account from one address; one address over all accounts; one
# account from all addresses (a distributed guess; high so a single attacker cannot reach it).
LOGIN_PER_ACCOUNT_AND_ADDRESS = 1
LOGIN_PER_ADDRESS = 4
LOGIN_PER_ACCOUNT = 20


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def window_start(window: int, now: float | None = None) -> int:
    now = time.time() if now is None else now
    return int(now // window * window)


def key(scope: str, identity: str, window: int, now: float | None = None) -> str:
    digest = hashlib.sha256(identity.strip().lower().encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{window_start(window, now)}"


def store() -> str:
    """``cache`` where the cache increments atomically, ``database`` otherwise."""
    configured = getattr(settings, "RATELIMIT_STORE", "")
    if configured in {"cache", "database"}:
        return str(configured)
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("RedisCache", "LocMemCache")):
        return "cache"
    return "database"


def _cache_hit(name: str, window: int) -> int:
    # Slack past the window's end so a late ``incr`` never meets a key that just expired.
    cache.add(name, 0, timeout=window + 60)
    try:
        return int(cache.incr(name))
    except ValueError:  # evicted between add and incr: count from here
        cache.add(name, 1, timeout=window + 60)
        return 1


def _database_hit(name: str, window: int, start: int) -> int:
    from outsidein.core.models import RateCounter

    table = connection.ops.quote_name(RateCounter._meta.db_table)
    expires = connection.ops.adapt_datetimefield_value(
        datetime.fromtimestamp(start + window, tz=UTC)
    )
    with prepared.cursor() as cursor:  # planned once per connection on PostgreSQL
        # One statement: creates the window's row or adds one to it, and says the new count.
        cursor.execute(
            f'INSERT INTO {table} ("key", "count", "expires_at") VALUES (%s, 1, %s) '  # noqa: S608
            f'ON CONFLICT ("key") DO UPDATE SET "count" = {table}."count" + 1 RETURNING "count"',
            [name, expires],
        )
        row = cursor.fetchone()
    if random.random() < 0.01:
        purge_expired()
    return int(row[0]) if row else 1


def purge_expired() -> int:
    from outsidein.core.models import RateCounter

    # The module's clock (``time.time``), the same one the windows are cut with.
    cutoff = datetime.fromtimestamp(time.time(), tz=UTC) - timedelta(minutes=5)
    deleted, _ = RateCounter.objects.filter(expires_at__lt=cutoff).delete()
    return deleted


def hit(scope: str, identity: str, *, window: int) -> int:
    """Count one event; return the number of events in the current window (this one included)."""
    now = time.time()
    name = key(scope, identity, window, now)
    if store() == "cache":
        return _cache_hit(name, window)
    return _database_hit(name, window, window_start(window, now))


def count(scope: str, identity: str, *, window: int) -> int:
    name = key(scope, identity, window)
    if store() == "cache":
        return int(cache.get(name, 0))
    from outsidein.core.models import RateCounter

    found = RateCounter.objects.filter(key=name).values_list("count", flat=True).first()
    return int(found or 0)


def is_limited(scope: str, identity: str, *, limit: int, window: int) -> bool:
    return count(scope, identity, window=window) >= limit


def reset(scope: str, identity: str, *, window: int) -> None:
    name = key(scope, identity, window)
    if store() == "cache":
        cache.delete(name)
    else:
        from outsidein.core.models import RateCounter

        RateCounter.objects.filter(key=name).delete()


# --- logins (the product's login page and the Django admin's) ----------------------------------


def _login_counters(request: HttpRequest, account: str) -> list[tuple[str, str, int]]:
    address = client_address(request)
    account = account.strip().lower()
    limit = settings.LOGIN_RATE_LIMIT
    return [
        ("login-account-address", f"{account}|{address}", limit * LOGIN_PER_ACCOUNT_AND_ADDRESS),
        ("login-address", address, limit * LOGIN_PER_ADDRESS),
        ("login-account", account, limit * LOGIN_PER_ACCOUNT),
    ]


def login_refused(request: HttpRequest, account: str) -> bool:
    """Whether this login attempt is refused before the password is even checked."""
    window = settings.LOGIN_RATE_WINDOW
    return any(
        is_limited(scope, identity, limit=limit, window=window)
        for scope, identity, limit in _login_counters(request, account)
    )


def login_failed(request: HttpRequest, account: str) -> None:
    window = settings.LOGIN_RATE_WINDOW
    for scope, identity, _limit in _login_counters(request, account):
        hit(scope, identity, window=window)


def login_succeeded(request: HttpRequest, account: str) -> None:
    """A correct password clears this address's failures for the account (not the others)."""
    scope, identity, _limit = _login_counters(request, account)[0]
    reset(scope, identity, window=settings.LOGIN_RATE_WINDOW)


def throttled_admin_login(login_view: Any) -> Any:
    """Wrap ``AdminSite.login`` with the same login counters as the product's login page."""
    from functools import wraps

    from django.http import HttpResponse
    from django.utils.translation import gettext as _

    @wraps(login_view)
    def view(request: HttpRequest, extra_context: Any = None) -> Any:
        if request.method != "POST":
            return login_view(request, extra_context)
        account = request.POST.get("username", "")
        if login_refused(request, account):
            return HttpResponse(
                _("Too many failed attempts. Wait a while, or reset your password."),
                status=429,
                content_type="text/plain; charset=utf-8",
            )
        response = login_view(request, extra_context)
        if response.status_code == 200:  # the form came back: the login failed
            login_failed(request, account)
        else:
            login_succeeded(request, account)
        return response

    return view
