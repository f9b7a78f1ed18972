"""Benchmarks of the foundation: seeding the demo and the pages/endpoints people use most.

Runs in-process against a fresh SQLite database in a temporary folder (or the database in
OUTSIDEIN_DATABASE_URL), prints a table and writes bench/results/foundation.json.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("OUTSIDEIN_DATA_DIR", tempfile.mkdtemp(prefix="outsidein-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outsidein.settings")
os.environ.setdefault("OUTSIDEIN_CACHE_URL", "locmem://")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

REPEATS = 30


def timed(fn: Callable[[], object], repeats: int = REPEATS) -> dict[str, float]:
    fn()  # warm up
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 2),
    }


def main() -> int:
    call_command("migrate", verbosity=0)
    from outsidein.core.demo import DEMO_SLUG, seed_demo
    from outsidein.core.models import Person
    from outsidein.core.services import create_api_token

    start = time.perf_counter()
    report = seed_demo()
    seed_seconds = time.perf_counter() - start
    start = time.perf_counter()
    seed_demo()
    reseed_seconds = time.perf_counter() - start

    admin = Person.objects.get(organisation__slug=DEMO_SLUG, role="admin", user__isnull=False)
    client = Client()
    client.force_login(admin.user)
    token = create_api_token(admin, name="bench").plaintext
    api = Client(headers={"Authorization": f"Bearer {token}"})

    def check(response: object) -> None:
        assert response.status_code == 200, response  # type: ignore[attr-defined]

    cases: dict[str, Callable[[], None]] = {
        "page: overview (home)": lambda: check(client.get("/")),
        "page: customers, first page": lambda: check(client.get("/customers/")),
        "page: customers, text search": lambda: check(client.get("/customers/?q=jansen")),
        "page: customers, htmx fragment": lambda: check(
            client.get("/customers/?q=bakker", headers={"HX-Request": "true"})
        ),
        "page: teams & people": lambda: check(client.get("/teams/")),
        "api: GET /customers (page of 50)": lambda: check(api.get("/api/v1/customers")),
        "api: GET /customers?q=": lambda: check(api.get("/api/v1/customers?q=utrecht")),
        "api: GET /people": lambda: check(api.get("/api/v1/people")),
    }
    results = []
    for name, fn in cases.items():
        with CaptureQueriesContext(connection) as queries:
            fn()
        results.append({"case": name, "queries": len(queries.captured_queries), **timed(fn)})

    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary = {
        "benchmark": "foundation",
        "database": connection.vendor,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "demo": {
            "customers": report.customers,
            "people": report.people,
            "seed_seconds": round(seed_seconds, 2),
            "second_seed_seconds": round(reseed_seconds, 2),
        },
        "requests": results,
        "peak_rss_mb": round(peak_rss_mb, 1),
        "repeats": REPEATS,
    }

    print(f"\noutsidein foundation benchmark ({connection.vendor}, {summary['machine']})")
    print(
        f"seed-demo: {seed_seconds:.2f} s for {report.customers} customers "
        f"(second run {reseed_seconds:.2f} s); peak RSS {peak_rss_mb:.0f} MB\n"
    )
    print(f"{'case':<38} {'median ms':>10} {'p95 ms':>10} {'queries':>8}")
    print("-" * 70)
    for row in results:
        print(f"{row['case']:<38} {row['median_ms']:>10} {row['p95_ms']:>10} {row['queries']:>8}")
    out = ROOT / "bench" / "results" / f"foundation-{connection.vendor}.json"
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\nwritten to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
