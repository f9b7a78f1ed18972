"""Rate limits: fixed windows that do not grow, atomic counts under concurrency (cache, Redis and
database), the client address behind a trusted proxy only, and login throttling that one attacker
cannot turn against everyone (the Django admin's login included)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client

from outsidein.core import ratelimit
from outsidein.core.models import RateCounter, User
from tests.conftest import Tenant

TEST_PASSWORD = "correct horse battery staple"


class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


STORES: list[Any] = [
    pytest.param("locmem", id="memory-cache"),
    pytest.param("database", id="database"),
    pytest.param(
        "redis",
        id="redis",
        marks=pytest.mark.skipif(not _redis_up(), reason="no Redis at 127.0.0.1:6379"),
    ),
]


@pytest.fixture
def use_store(settings: Any, tmp_path: Any) -> Callable[[str], None]:
    def use(name: str) -> None:
        if name == "redis":
            settings.CACHES = {
                "default": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": "redis://127.0.0.1:6379/15",
                    "KEY_PREFIX": f"test-{id(tmp_path)}",
                }
            }
        elif name == "database":
            # The default file cache has no atomic increment: counts go to the database.
            settings.CACHES = {
                "default": {
                    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                    "LOCATION": str(tmp_path / "cache"),
                }
            }
        assert ratelimit.store() == ("database" if name == "database" else "cache")
        caches["default"].clear()

    return use


@pytest.mark.django_db
@pytest.mark.parametrize("store", STORES)
def test_a_window_is_fixed_and_does_not_grow(
    store: str, use_store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_store(store)
    clock = _Clock(1_000_040.0)  # 20 s into the 60 s window that starts at 1_000_020
    monkeypatch.setattr(ratelimit, "time", clock)
    # Purge expired database counters on every hit: the live window's row must survive it.
    monkeypatch.setattr(ratelimit.random, "random", lambda: 0.0)
    counts = []
    for _ in range(39):  # a hit every second until the window's last second
        counts.append(ratelimit.hit("t", "1.2.3.4", window=60))
        clock.now += 1
    assert counts == list(range(1, 40))
    assert clock.now == 1_000_079.0
    assert ratelimit.count("t", "1.2.3.4", window=60) == 39
    clock.now = 1_000_080.0  # the next window starts on time, however often it was hit
    assert ratelimit.hit("t", "1.2.3.4", window=60) == 1
    assert ratelimit.key("t", "x", 60, 1_000_079.0) != ratelimit.key("t", "x", 60, 1_000_080.0)
    assert ratelimit.key("t", "x", 60, 1_000_079.0).startswith("rl:t:")
    assert ratelimit.key("t", "x", 60, 1_000_079.0).endswith(":1000020")


def _hit_waiting_for_locks() -> int:
    """One hit; the test database (SQLite in memory, shared cache) answers 'table is locked'
    where a database file waits (busy timeout): wait likewise. A refused statement changed
    nothing, so the count stays exact."""
    from django.db import OperationalError

    for _attempt in range(1000):  # up to ~10 s on a busy machine
        try:
            return ratelimit.hit("parallel", "203.0.113.9", window=60)
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(0.01)
    raise AssertionError("the test database stayed locked")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("store", STORES)
def test_parallel_hits_never_pass_the_limit(
    store: str, use_store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """16 threads, 48 hits against a limit of 30: exactly 30 get through, the count is 48."""
    if store == "database" and connection.vendor == "sqlite":
        # The suite's SQLite database lives in memory with a shared cache, which under 16
        # threads answers errors a database file (busy timeout) never gives: flaky here, so the
        # database counter's concurrency is proven in the PostgreSQL pass.
        pytest.skip("the database counter under 16 threads is tested on PostgreSQL")
    use_store(store)
    # One window for every hit: on a loaded machine the real clock can cross a minute while the
    # threads run, which starts a second window and lets hits through twice.
    monkeypatch.setattr(ratelimit, "time", _Clock(1_000_021.0))
    limit, threads, per_thread = 30, 16, 3
    allowed: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(per_thread):
                count = _hit_waiting_for_locks()
                if count <= limit:
                    with lock:
                        allowed.append(count)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert not errors, errors
    assert sorted(allowed) == list(range(1, limit + 1))
    assert ratelimit.count("parallel", "203.0.113.9", window=60) == threads * per_thread
    if store == "database":
        assert RateCounter.objects.count() == 1


@pytest.mark.django_db
def test_expired_database_counters_are_purged(use_store: Any) -> None:
    use_store("database")
    ratelimit.hit("old", "x", window=1)
    RateCounter.objects.update(expires_at="2000-01-01T00:00:00Z")
    assert ratelimit.purge_expired() == 1


def _login(client: Client, email: str, password: str, **extra: Any) -> Any:
    return client.post("/login/", {"username": email, "password": password}, **extra)


@pytest.fixture
def passwords(tenant: Tenant) -> Tenant:
    for person in (tenant.admin, tenant.employee, tenant.manager):
        person.user.set_password(TEST_PASSWORD)
        person.user.save()
    return tenant


@pytest.mark.django_db
def test_one_attacker_cannot_lock_a_user_out_from_everywhere(
    passwords: Tenant, settings: Any
) -> None:
    settings.LOGIN_RATE_LIMIT = 3
    victim = passwords.admin.email
    attacker = Client(REMOTE_ADDR="198.51.100.66")
    for _ in range(3):
        assert _login(attacker, victim, "guess").status_code == 200
    assert _login(attacker, victim, TEST_PASSWORD).status_code == 429  # this address: stopped
    # The victim, from their own address, still gets in.
    assert _login(Client(REMOTE_ADDR="192.0.2.10"), victim, TEST_PASSWORD).status_code == 302
    # The attacker moves on to other accounts: after 4x the limit the address is refused.
    for index in range(9):
        _login(attacker, f"someone{index}@acme.test", "guess")
    assert (
        _login(attacker, passwords.employee.email, TEST_PASSWORD).status_code == 429
    )  # every account from this address
    assert (
        _login(
            Client(REMOTE_ADDR="192.0.2.11"), passwords.employee.email, TEST_PASSWORD
        ).status_code
        == 302
    )


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_counts_alone(passwords: Tenant, settings: Any) -> None:
    settings.LOGIN_RATE_LIMIT = 2
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.9")
    for index in range(8):
        _login(attacker, f"nobody{index}@acme.test", "guess")
    assert _login(attacker, passwords.admin.email, TEST_PASSWORD).status_code == 429
    # Every other client reaches the server through the same proxy and is not refused.
    colleague = Client(**proxy, HTTP_X_FORWARDED_FOR="192.0.2.50")
    assert _login(colleague, passwords.admin.email, TEST_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_forwarded_header_from_an_untrusted_client_is_ignored(
    passwords: Tenant, settings: Any
) -> None:
    settings.LOGIN_RATE_LIMIT = 2
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for index in range(10):  # a new X-Forwarded-For each time does not make a new client
        client = Client(REMOTE_ADDR="198.51.100.8", HTTP_X_FORWARDED_FOR=f"192.0.2.{index}")
        _login(client, f"nobody{index}@acme.test", "guess")
    refused = _login(
        Client(REMOTE_ADDR="198.51.100.8", HTTP_X_FORWARDED_FOR="192.0.2.99"),
        passwords.admin.email,
        TEST_PASSWORD,
    )
    assert refused.status_code == 429


@pytest.mark.django_db
def test_public_survey_limit_is_per_client_behind_the_proxy(tenant: Tenant, settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    settings.PUBLIC_RATE_LIMIT = 3
    from django.test import RequestFactory

    from outsidein.proxy import TrustedProxyMiddleware

    seen: list[str] = []

    def view(request: Any) -> Any:
        seen.append(ratelimit.client_address(request))
        return ratelimit.hit("public-submit", ratelimit.client_address(request), window=60)

    middleware = TrustedProxyMiddleware(view)
    factory = RequestFactory()
    counts = [
        middleware(factory.post("/r/x/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=client))
        for client in ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.1"]
    ]
    assert counts == [1, 1, 1, 2]
    assert seen[0] == "192.0.2.1"


@pytest.mark.django_db
def test_the_django_admin_login_is_throttled(settings: Any) -> None:
    settings.LOGIN_RATE_LIMIT = 3
    User.objects.create_superuser(email="root@ops.test", password=TEST_PASSWORD)
    client = Client(REMOTE_ADDR="198.51.100.20")
    url = "/django-admin/login/"
    for _ in range(3):
        response = client.post(url, {"username": "root@ops.test", "password": "guess"})
        assert response.status_code == 200
    refused = client.post(url, {"username": "root@ops.test", "password": TEST_PASSWORD})
    assert refused.status_code == 429
    other = Client(REMOTE_ADDR="192.0.2.30")
    response = other.post(url, {"username": "root@ops.test", "password": TEST_PASSWORD})
    assert response.status_code == 302
