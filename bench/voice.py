"""Benchmarks of the voice path at scale: a million imported responses, the dashboard over them,
public survey submissions under load, and the same NPS table computed with pandas.

For the database in OUTSIDEIN_DATABASE_URL (empty: SQLite in a temporary data folder; for
PostgreSQL a fresh, empty database), this script

1. creates an organisation with customers in four segments, writes a CSV of ``--rows``
   responses over two years (seeded) and imports it through the real path
   (``voice.imports.run_import``) in a child process, so its peak RSS is the import's own;
2. on PostgreSQL vacuums and analyses what it wrote and waits for autovacuum to finish (the
   steady state a server reaches minutes after an import), then starts the production server
   (``outsidein serve --workers 2 --threads N``, gunicorn's gthread worker; ``--threads 1``:
   its sync worker) on a free port of 127.0.0.1, logs in over HTTP and times
   ``/dashboard/data.json`` unfiltered and filtered;
3. opens an anonymous survey and drives POSTs of answers at it from a second process (a bounded
   load generator: a fixed number of requests or seconds, whichever comes first);
4. computes NPS by segment by month with pandas from the same CSV and compares it, value for
   value, with the dashboard's own query over the rollups;
5. measures the CPU (server processes + database backends) per request of the floor, a
   minimal Django view in the same server that validates a small form and inserts one row
   (``bench/bench_floor``, bench-only), and of a real public survey submission, saturated, in
   ``--rounds`` alternating rounds (the median round of each counts);
   then the submissions' p99 at 80% of their saturated rate (paced, latency from the planned
   send time);
6. writes an analysis for every response (synthetic: themes from the comment, or a seeded
   draw, sentiment from the score), rebuilds the theme rollup and times the themes overview
   and a theme page logged in over HTTP.

It prints a table and writes bench/results/voice-<vendor>.json. Needs pandas.

    python bench/voice.py                 # 1,000,000 rows (about 10 minutes)
    python bench/voice.py --rows 20000    # smoke check
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gc
import http.client
import itertools
import json
import os
import platform
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SETTINGS = "bench_floor.settings"  # the product's settings plus the bench-only floor view
FLOOR_PATH = "/bench-floor/"
RESULTS = ROOT / "bench" / "results"
HOST = "127.0.0.1"  # load is only ever sent to this machine's loopback address

DEFAULT_ROWS = 1_000_000
CUSTOMERS = 20_000
SEGMENTS = ("Particulier", "MKB", "Zakelijk", "Premium")
NO_SEGMENT = "No segment"
DAYS = 730
SEED = 2026
ORG_SLUG = "bench-voice"
WARM_UP = 40  # submissions before the timed load, spread over its connections
ADMIN_EMAIL = "bench-admin@example.org"

# name: (comparison, target, unit). None: reported without a target.
TARGETS: dict[str, tuple[str | None, float | None, str]] = {
    "import_rows_per_s": (">=", 20_000, "rows/s"),
    "peak_rss_mb_import": (None, None, "MB"),
    "dashboard_p95_ms": ("<=", 50, "ms"),
    "submit_per_s": (None, None, "requests/s"),
    "submit_p99_ms": (None, None, "ms"),
    "submit_p99_ms_at_80pct": ("<=", 100, "ms"),
    "submit_floor_cpu_ms": (None, None, "ms CPU/request"),
    "submit_cpu_ms": (None, None, "ms CPU/request"),
    "submit_cpu_ratio": ("<=", 1.5, "submission/floor"),
    "themes_p95_ms": ("<=", 100, "ms"),
    "peak_rss_mb_server": (None, None, "MB"),
    # Not given in the brief: taken as "our query is no slower than pandas".
    "pandas_ratio_compute": ("<=", 1.0, "ours/pandas"),
    "pandas_ratio_end_to_end": ("<=", 1.0, "ours/pandas"),
}

# NPS 0-10 weights per segment (and for anonymous answers), so segments differ.
NPS_WEIGHTS = {
    "Particulier": (2, 1, 1, 2, 2, 4, 6, 12, 18, 22, 14),
    "MKB": (3, 2, 2, 3, 4, 6, 8, 14, 18, 16, 10),
    "Zakelijk": (1, 1, 1, 1, 2, 3, 5, 10, 20, 26, 20),
    "Premium": (1, 0, 1, 1, 1, 2, 3, 8, 18, 30, 30),
    NO_SEGMENT: (5, 3, 3, 4, 5, 7, 8, 12, 16, 14, 12),
}
CHANNELS = ("email", "email", "email", "link", "widget", "phone")
COMMENTS = (
    "Snelle levering, prima service",
    'Medewerker was "super" vriendelijk',
    "Wachttijd aan de telefoon te lang",
    "Factuur klopte niet; twee keer gebeld",
    "Één keer fout gegaan, verder top",
    "Great app, easy to use",
    "Support took three days to reply",
    "Prijs is aan de hoge kant",
    "Monteur kwam op tijd en was netjes",
    "Website is onduidelijk bij het opzeggen",
)
REASONS = ("Prima", "Snel geholpen", "Te duur", "Vriendelijk", "Lang gewacht", "Goed")
THEMES = (
    "Levering",
    "Service",
    "Wachttijd",
    "Factuur",
    "App",
    "Prijs",
    "Monteur",
    "Website",
    "Opzeggen",
    "Bereikbaarheid",
)
# The themes of each comment above (in order); responses without a comment get a seeded draw.
COMMENT_THEMES = (
    ("Levering", "Service"),
    ("Service",),
    ("Wachttijd", "Bereikbaarheid"),
    ("Factuur",),
    ("Service",),
    ("App",),
    ("Bereikbaarheid", "Wachttijd"),
    ("Prijs",),
    ("Monteur",),
    ("Website", "Opzeggen"),
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * q // 100))  # ceil(n * q / 100)
    return sorted_values[int(rank) - 1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_backends() -> list[int]:
    """Process ids of the PostgreSQL backends serving this database (none for SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        pids = [row[0] for row in cursor.fetchall()]
    connection.close()
    return pids


def rss_mb(field: str = "VmRSS", pid: int | str = "self") -> float:
    """A memory line of /proc/<pid>/status (VmRSS now, VmHWM peak) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    import django

    django.setup()


# --- the dataset -------------------------------------------------------------------------------


def create_organisation(customers: int, password: str, workdir: Path) -> dict[str, Any]:
    """The organisation, its administrator, segments and customers (bulk), and a customers CSV
    (number, segment name) as a CRM export for the pandas side."""
    from outsidein.core.models import Customer, Organisation
    from outsidein.core.services import create_administrator, create_segment

    if Organisation.objects.filter(slug=ORG_SLUG).exists():
        raise SystemExit(
            f"The database already holds organisation {ORG_SLUG!r}: run the benchmark against "
            "a fresh, empty database (dropdb/createdb outsidein_bench_voice)."
        )
    admin = create_administrator(
        org_slug=ORG_SLUG,
        org_name="Bench Voice",
        name="Bench Admin",
        email=ADMIN_EMAIL,
        password=password,
    )
    organisation = admin.organisation
    segments = [create_segment(organisation, name=name) for name in SEGMENTS]
    batch = []
    path = workdir / "customers.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["customer_external_id", "segment"])
        for i in range(customers):
            segment = segments[i % len(segments)]
            number = f"C{i:06d}"
            batch.append(
                Customer(
                    organisation=organisation,
                    external_id=number,
                    name=f"Klant {i}",
                    email=f"klant{i}@example.nl",
                    language="en" if i % 5 == 0 else "nl",
                    segment=segment,
                )
            )
            writer.writerow([number, segment.name])
    Customer.objects.bulk_create(batch, batch_size=2000)
    return {
        "organisation": organisation,
        "admin": admin,
        "segments": {s.pk: s.name for s in segments},
        "customers_csv": path,
    }


def generate_csv(path: Path, rows: int, customers: int, end: datetime) -> dict[str, Any]:
    """Stream ``rows`` responses over the DAYS days before ``end`` to ``path`` (seeded)."""
    rng = random.Random(SEED)
    start = end - timedelta(days=DAYS)
    span = DAYS * 86400
    scores = range(11)
    weights = {name: list(itertools.accumulate(w)) for name, w in NPS_WEIGHTS.items()}
    header = [
        "submission_id",
        "customer_external_id",
        "email",
        "submitted_at",
        "channel",
        "nps",
        "csat",
        "ces",
        "comment",
        "language",
    ]
    started = time.perf_counter()
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for i in range(rows):
            moment = start + timedelta(seconds=int((i + rng.random()) * span / rows))
            if rng.random() < 0.95:
                c = rng.randrange(customers)
                number, email = f"C{c:06d}", f"klant{c}@example.nl"
                segment = SEGMENTS[c % len(SEGMENTS)]
                language = "en" if c % 5 == 0 else "nl"
            else:
                number, email, segment = "", "", NO_SEGMENT
                language = "en" if rng.random() < 0.2 else "nl"
            has_nps = rng.random() < 0.97
            nps = rng.choices(scores, cum_weights=weights[segment])[0] if has_nps else ""
            csat = rng.randint(1, 5) if (not has_nps or rng.random() < 0.4) else ""
            ces = rng.randint(1, 7) if rng.random() < 0.25 else ""
            comment = rng.choice(COMMENTS) if rng.random() < 0.25 else ""
            writer.writerow(
                [
                    f"S{i:07d}",
                    number,
                    email,
                    moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    rng.choice(CHANNELS),
                    nps,
                    csat,
                    ces,
                    comment,
                    language,
                ]
            )
            if (i + 1) % 250_000 == 0:
                log(f"  generated {i + 1:,} rows")
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "bytes": path.stat().st_size,
        "first_day": start.date().isoformat(),
        "last_day": (end - timedelta(seconds=1)).date().isoformat(),
    }


# --- the import, in a child process ------------------------------------------------------------


def child_import(args: argparse.Namespace) -> int:
    """Run the real import path once and write what it measured to ``args.result`` (JSON)."""
    setup_django()
    from outsidein.core.models import Organisation
    from outsidein.voice.imports import run_import

    organisation = Organisation.objects.get(slug=ORG_SLUG)
    csv_path = Path(args.csv)
    baseline_mb = rss_mb()
    raw = csv_path.read_bytes()
    marks: dict[str, float] = {}
    started = 0.0

    def progress(rows: int, message: str) -> None:
        # The import reads, checks and inserts a chunk at a time: "rows read" counts rows
        # that are read and checked, most of them inserted already.
        elapsed = time.perf_counter() - started
        if message.startswith(("Saving", "Opslaan")) or "rows read" not in message:
            marks.setdefault("saving", elapsed)
            log(f"  import: all {rows:,} rows read, checked and inserted in {elapsed:.1f} s")
        elif rows % 100_000 == 0:
            log(f"  import: {rows:,} rows read ({rows / elapsed:,.0f} rows/s so far)")

    profiler = None
    if args.profile_import:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    report = run_import(organisation, raw, filename=csv_path.name, progress=progress)
    seconds = time.perf_counter() - started
    if profiler is not None:
        import pstats

        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime")
        stats.print_stats(30)
        stats.sort_stats("cumulative").print_stats(40)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "rows": report.rows,
        "accepted": report.accepted,
        "already_imported": report.already_imported,
        "rejected": report.rejected,
        "errors": [str(e) for e in report.errors[:10]],
        "warnings": report.warnings,
        "survey_id": report.survey_id,
        "seconds": seconds,
        # Reading, checking and inserting overlap (chunk by chunk): the time until the last
        # row was read and inserted, before the rollups are written and the commit.
        "read_check_insert_seconds": marks.get("saving"),
        "peak_rss_mb": peak_mb,
        "baseline_rss_mb": baseline_mb,
        "file_mb": len(raw) / 2**20,
        "profiled": bool(profiler),
    }
    Path(args.result).write_text(json.dumps(result))
    return 0


def run_import_child(workdir: Path, csv_path: Path, profile: bool) -> dict[str, Any]:
    from django.db import connections

    connections.close_all()  # SQLite: leave the child the only writer
    result_path = workdir / "import-result.json"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "import",
        "--csv",
        str(csv_path),
        "--result",
        str(result_path),
    ]
    if profile:
        command.append("--profile-import")
    rc = subprocess.call(command, cwd=ROOT)
    if rc != 0 or not result_path.exists():
        raise RuntimeError(f"The import child failed (exit status {rc}).")
    return json.loads(result_path.read_text())


# --- HTTP -----------------------------------------------------------------------------------


class HttpSession:
    """Sequential HTTP/1.1 over one http.client connection, keeping cookies (a browser-ish
    session). gunicorn's sync workers close the connection after each response; http.client
    then opens a new one for the next request by itself."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        headers = {"Host": f"{HOST}:{self.port}", "Connection": "keep-alive"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (ConnectionError, http.client.HTTPException):
            self.connection.close()  # a connection the server closed while idle: once more
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        data = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _sep, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def close(self) -> None:
        self.connection.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class Server:
    """``outsidein serve`` (gunicorn, which replaces the CLI process: our child is the master)."""

    def __init__(self, workdir: Path, workers: int, threads: int = 1) -> None:
        self.port = free_port()
        self.log_path = workdir / "server.log"
        self.workers = workers
        self.threads = threads
        self.process: subprocess.Popen[bytes] | None = None
        self.worker_pids: set[int] = set()

    def start(self) -> None:
        env = dict(
            os.environ,
            OUTSIDEIN_PUBLIC_RATE_LIMIT="0",
            OUTSIDEIN_CACHE_URL="locmem://",
            DJANGO_SETTINGS_MODULE=SETTINGS,
            PYTHONPATH=os.pathsep.join(
                filter(None, [str(BENCH), str(ROOT / "src"), os.environ.get("PYTHONPATH")])
            ),
        )
        with self.log_path.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "outsidein.cli",
                    "serve",
                    "--host",
                    HOST,
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                    "--threads",
                    str(self.threads),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=ROOT,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The server stopped at start:\n{self.log_tail()}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    pass
                session = HttpSession(self.port)
                status, _body = session.request("GET", "/login/")
                session.close()
                if status == 200:
                    self.worker_pids = set(self.children())
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"The server did not answer within 90 s:\n{self.log_tail()}")

    def children(self) -> list[int]:
        assert self.process is not None
        pid = self.process.pid
        found: list[int] = []
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                found += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
        return found

    def peak_rss(self) -> dict[str, float]:
        """VmHWM (peak resident set) of the master and each worker, in MB."""
        assert self.process is not None
        peaks = {"master": rss_mb("VmHWM", self.process.pid)}
        for index, pid in enumerate(sorted(self.children())):
            peaks[f"worker {index + 1}"] = rss_mb("VmHWM", pid)
        return peaks

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.worker_pids |= set(self.children())
        self.process.send_signal(signal.SIGTERM)  # gunicorn: graceful stop of master and workers
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            for pid in self.worker_pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.process.kill()
            self.process.wait(timeout=10)


def login(port: int, password: str) -> HttpSession:
    session = HttpSession(port)
    status, page = session.request("GET", "/login/")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or match is None:
        raise RuntimeError(f"GET /login/ answered {status} without a CSRF token.")
    status, _page = session.request(
        "POST",
        "/login/",
        {
            "username": ADMIN_EMAIL,
            "password": password,
            "csrfmiddlewaretoken": match.group(1).decode(),
        },
    )
    if status != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(f"Logging in over HTTP failed (status {status}).")
    return session


def time_requests(session: HttpSession, path: str, repeats: int) -> dict[str, Any]:
    for _ in range(5):  # warm up
        status, body = session.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        status, body = session.request("GET", path)
        samples.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
    samples.sort()
    data = json.loads(body)
    return {
        "path": path,
        "requests": repeats,
        "p50_ms": round(percentile(samples, 50), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "max_ms": round(samples[-1], 2),
        "items": data["summary"]["items"],
        "trend_points": len(data["trend"]),
    }


# --- the load generator, in a second process ---------------------------------------------------


def child_load(args: argparse.Namespace) -> int:
    """POST answers to a public survey from ``concurrency`` threads with one connection each,
    until ``total`` requests were sent or ``seconds`` passed. Stdlib only (no Django here)."""
    config = json.loads(args.config)
    port, path, token = config["port"], config["path"], config["token"]
    total, seconds, concurrency = config["total"], config["seconds"], config["concurrency"]
    rate = config.get("rate")  # requests per second, paced (None: as fast as answered)
    fields = config.get("fields") or {}
    tickets = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    started = time.perf_counter()
    deadline = started + seconds

    def worker(number: int) -> None:
        rng = random.Random(SEED + number)
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        mine: list[float] = []
        seen: Counter[str] = Counter()
        while time.perf_counter() < deadline:
            with lock:
                ticket = next(tickets)
            if ticket >= total:
                break
            planned = started + ticket / rate if rate else None
            if planned is not None:
                if planned >= deadline:
                    break
                pause = planned - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
            body = urllib.parse.urlencode(
                {
                    "form_token": token,
                    "lang": "nl",
                    "nps": str(rng.randrange(11)),
                    "reason": rng.choice(REASONS),
                    **fields,
                }
            )
            headers = {
                "Host": f"{HOST}:{port}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Connection": "keep-alive",
            }
            sent = time.perf_counter()
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                seen[type(exc).__name__] += 1
                continue
            # Paced: from the planned send time (a late send is the server's delay too).
            elapsed = (time.perf_counter() - (planned or sent)) * 1000
            seen[str(response.status)] += 1
            if response.status == 200:
                mine.append(elapsed)
        connection.close()
        with lock:
            latencies.extend(mine)
            statuses.update(seen)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    result = {
        "sent": sum(statuses.values()),
        "ok": len(latencies),
        "statuses": dict(statuses),
        "wall_s": wall,
        "per_s": len(latencies) / wall if wall else 0.0,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99),
        "max_ms": latencies[-1] if latencies else None,
        "concurrency": concurrency,
        "paced_rate_per_s": rate,
        "limit_requests": total,
        "limit_seconds": seconds,
    }
    Path(args.result).write_text(json.dumps(result))
    return 0


def run_load_child(workdir: Path, config: dict[str, Any]) -> dict[str, Any]:
    result_path = workdir / "load-result.json"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "load",
        "--config",
        json.dumps(config),
        "--result",
        str(result_path),
    ]
    rc = subprocess.call(command, cwd=ROOT, timeout=config["seconds"] + 120)
    if rc != 0 or not result_path.exists():
        raise RuntimeError(f"The load generator failed (exit status {rc}).")
    return json.loads(result_path.read_text())


# --- pandas against our rollups ----------------------------------------------------------------


def compare_with_pandas(
    organisation_id: int, segments: dict[int, str], csv_path: Path, customers_csv: Path
) -> dict[str, Any]:
    """NPS by segment by month: pandas over the CSV against ``analytics.services.trend`` per
    segment over the rollups. Fails loudly when the two tables differ."""
    import numpy as np
    import pandas as pd
    from django.conf import settings

    from outsidein.analytics import services as metrics

    tz = settings.TIME_ZONE

    def pandas_read() -> tuple[Any, Any]:
        responses = pd.read_csv(
            csv_path,
            usecols=["customer_external_id", "submitted_at", "nps"],
            dtype={"customer_external_id": "str"},
        )
        customers = pd.read_csv(customers_csv, dtype="str")
        return responses, customers

    def pandas_compute(responses: Any, customers: Any) -> Any:
        answered = responses[responses["nps"].notna()]
        local = pd.to_datetime(answered["submitted_at"], utc=True, format="ISO8601")
        month = local.dt.tz_convert(tz).dt.tz_localize(None).dt.to_period("M")
        segment_of = customers.set_index("customer_external_id")["segment"]
        segment = answered["customer_external_id"].map(segment_of).fillna(NO_SEGMENT)
        nps = answered["nps"]
        score = np.where(nps >= 9, 100.0, np.where(nps <= 6, -100.0, 0.0))
        frame = pd.DataFrame({"segment": segment, "month": month, "nps": score})
        return frame.groupby(["segment", "month"])["nps"].agg(["mean", "size"])

    def ours() -> dict[tuple[str, str], tuple[float, int]]:
        table = {}
        for segment_id, name in [(0, NO_SEGMENT), *segments.items()]:
            filters = metrics.Filters(segment_id=segment_id)
            for point in metrics.trend(organisation_id, "month", filters):
                if point.summary.nps.n:
                    key = (name, point.start.strftime("%Y-%m"))
                    table[key] = (point.summary.nps.value, point.summary.nps.n)
        return table

    def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
        samples, value = [], None
        for _ in range(repeats):
            started = time.perf_counter()
            value = fn()
            samples.append(time.perf_counter() - started)
        return statistics.median(samples), value

    ours()  # warm up
    ours_s, our_table = timed(ours, 7)
    read_s, loaded = timed(pandas_read, 3)
    compute_s, pandas_table = timed(lambda: pandas_compute(*loaded), 3)
    loaded = None
    gc.collect()
    end_to_end_s, _table = timed(lambda: pandas_compute(*pandas_read()), 3)
    del _table
    gc.collect()

    theirs = {
        (str(segment), str(month)): (float(row["mean"]), int(row["size"]))
        for (segment, month), row in pandas_table.iterrows()
    }
    problems = []
    for key in sorted(set(theirs) | set(our_table)):
        a, b = our_table.get(key), theirs.get(key)
        if a is None or b is None:
            problems.append(f"{key}: ours {a}, pandas {b}")
        elif a[1] != b[1] or abs(a[0] - b[0]) > 1e-9:
            problems.append(f"{key}: ours NPS {a[0]!r} (n={a[1]}), pandas {b[0]!r} (n={b[1]})")
    if problems:
        raise AssertionError(
            f"NPS by segment by month differs between pandas and the rollups in "
            f"{len(problems)} of {len(theirs)} cells:\n  " + "\n  ".join(problems[:20])
        )
    return {
        "cells": len(theirs),
        "max_abs_difference": max(
            (abs(our_table[k][0] - theirs[k][0]) for k in theirs), default=0.0
        ),
        "ours_ms": ours_s * 1000,
        "pandas_read_ms": read_s * 1000,
        "pandas_compute_ms": compute_s * 1000,
        "pandas_end_to_end_ms": end_to_end_s * 1000,
        "ratio_compute": ours_s / compute_s,
        "ratio_end_to_end": ours_s / end_to_end_s,
        "ours": "analytics.services.trend(month) per segment over the rollups (5 queries)",
        "pandas": "read_csv(3 columns) + customers.csv; to_datetime, tz_convert, map segment, "
        "groupby(segment, month) mean of ±100/0",
        "pandas_version": pd.__version__,
    }


# --- the benchmark ----------------------------------------------------------------------------


def measure_load(
    server: Server, path: str, token: str, args: argparse.Namespace, rate: float | None = None
) -> dict[str, Any]:
    """Drive POSTs at ``path`` from a second process and measure the CPU the server's worker
    processes and the database's backends spend meanwhile, per request sent."""
    workers = server.children()
    backends = {pid: cpu_seconds(pid) for pid in database_backends()}
    before = {"server": sum(cpu_seconds(pid) for pid in workers)}
    load = run_load_child(
        server.log_path.parent,
        {
            "port": server.port,
            "path": path,
            "token": token,
            "total": args.submit_total if rate is None else int(rate * args.submit_seconds) + 1,
            "seconds": args.submit_seconds,
            # Paced: enough connections that the client never queues behind a slow answer.
            "concurrency": args.concurrency if rate is None else 16,
            "rate": rate,
        },
    )
    # The server's connections persist (CONN_MAX_AGE): its backends live through the run; one
    # that appeared meanwhile counts whole, one that ended is left out (its CPU is unknown).
    after = {pid: cpu_seconds(pid) for pid in database_backends()}
    spent = {
        "server": sum(cpu_seconds(pid) for pid in workers) - before["server"],
        "database": sum(cpu - backends.get(pid, 0.0) for pid, cpu in after.items()),
    }
    sent = max(1, load["sent"])
    load["cpu_ms_per_request"] = {
        name: round(seconds * 1000 / sent, 3) for name, seconds in spent.items()
    }
    load["cpu_ms_per_request"]["total"] = round(sum(spent.values()) * 1000 / sent, 3)
    if load["ok"] != load["sent"]:
        raise RuntimeError(f"POST {path}: {load['statuses']}")
    return load


def settle_database() -> dict[str, Any]:
    """PostgreSQL: vacuum and analyse what this run bulk-wrote, then wait (60 s at most) until
    no autovacuum worker runs, so the pages and submissions are measured in the steady state a
    server reaches minutes after an import, not beside a vacuum of a million fresh rows that
    competes for the same two cores (it raised both the floor's and the submission's CPU per
    request by a third within one run)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        # The vacuum dirtied every page it set visible: write them out now, not in a
        # checkpoint during the measurements (a superuser's or pg_checkpoint's right).
        with contextlib.suppress(Exception):
            cursor.execute("CHECKPOINT")
    vacuum_s = time.perf_counter() - started
    waited = time.perf_counter()
    while time.perf_counter() - waited < 60:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
            )
            (running,) = cursor.fetchone()
        if not running:
            break
        time.sleep(1)
    return {
        "vacuum_analyze_checkpoint_s": round(vacuum_s, 1),
        "waited_for_autovacuum_s": round(time.perf_counter() - waited, 1),
    }


def median_round(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The round whose CPU per request is the median (the lower middle one for an even
    count)."""
    ordered = sorted(rounds, key=lambda one: one["cpu_ms_per_request"]["total"])
    return ordered[(len(ordered) - 1) // 2]


def run_worker_batch(workdir: Path, tasks: int = 600) -> dict[str, Any]:
    """Run the task worker over what the submissions queued (follow-ups, analysis, webhooks),
    ``tasks`` tasks at most, and measure its CPU per task."""
    from django.conf import settings

    backend = settings.TASKS["default"]["BACKEND"]
    if backend != "django_tasks_db.DatabaseBackend":
        return {"skipped": f"tasks backend {backend}"}
    from django_tasks_db.models import DBTaskResult

    done_before = DBTaskResult.objects.exclude(status="READY").count()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE=SETTINGS,
        PYTHONPATH=os.pathsep.join([str(BENCH), str(ROOT / "src")]),
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--max-tasks",
            str(tasks),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "worker.log").open("wb"),
        timeout=600,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    done = DBTaskResult.objects.exclude(status="READY").count() - done_before
    by_task = dict(
        Counter(
            path.rsplit(".", 1)[-1]
            for path in DBTaskResult.objects.exclude(status="READY").values_list(
                "task_path", flat=True
            )
        )
    )
    return {
        "tasks_run": done,
        "by_task": by_task,
        "wall_s": round(wall, 2),
        "cpu_s_including_start": round(cpu, 2),
        "cpu_ms_per_task_including_start": round(cpu * 1000 / max(1, done), 2),
        "left_in_queue": DBTaskResult.objects.filter(status="READY").count(),
    }


def write_analyses(organisation_id: int) -> dict[str, Any]:
    """An analysis for every response (synthetic, seeded): the themes of its comment, or for
    one without a comment none to two drawn themes; sentiment from the score. Then the theme
    rollup rebuilt from them (what analysing them one by one would have left)."""
    from django.utils import timezone as tz

    from outsidein.text import rollups as theme_rollups
    from outsidein.text.models import FeedbackAnalysis, Theme
    from outsidein.voice.models import Feedback

    started = time.perf_counter()
    for name in THEMES:
        Theme.objects.create(organisation_id=organisation_id, name=name, keywords=name.lower())
    by_comment = dict(zip(COMMENTS, COMMENT_THEMES, strict=True))
    rng = random.Random(SEED + 1)
    now = tz.now()
    batch: list[Any] = []
    written = 0
    rows = Feedback.objects.filter(organisation_id=organisation_id).values_list(
        "pk", "comment", "nps", "csat", "language"
    )
    for pk, comment, nps, csat, language in rows.iterator(chunk_size=5000):
        found = by_comment.get(comment)
        if found is None:
            found = tuple(rng.sample(THEMES, rng.choice((0, 1, 1, 2))))
        value = nps if nps is not None else (csat - 1) * 2.5 if csat is not None else 5
        score = round(max(-1.0, min(1.0, (value - 6.5) / 4 + rng.uniform(-0.3, 0.3))), 3)
        sentiment = "negative" if score < -0.2 else "positive" if score > 0.2 else "neutral"
        batch.append(
            FeedbackAnalysis(
                organisation_id=organisation_id,
                feedback_id=pk,
                language=language or "nl",
                language_confidence=0.9,
                sentiment=sentiment,
                score=score,
                confidence=0.8,
                themes=dict.fromkeys(found, 0.7),
                model_version="bench",
                analysed_at=now,
            )
        )
        if len(batch) >= 5000:
            FeedbackAnalysis.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    FeedbackAnalysis.objects.bulk_create(batch)
    written += len(batch)
    written_s = time.perf_counter() - started
    rebuilt = time.perf_counter()
    rollup_rows = theme_rollups.rebuild(organisation_id)
    from django.db import connection

    if connection.vendor == "postgresql":
        # These rows are written here, not by the product: refresh the planner's statistics
        # as autovacuum does within minutes of a bulk write (the product's import does it at
        # once), so the pages are measured in the steady state, not in the first minute.
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE text_feedbackanalysis, text_dailythemerollup, text_monthlythemerollup"
            )
    return {
        "analyses": written,
        "themes": len(THEMES),
        "write_s": round(written_s, 1),
        "rollup_rebuild_s": round(time.perf_counter() - rebuilt, 1),
        "daily_rollup_rows": rollup_rows,
    }


def time_pages(session: HttpSession, path: str, repeats: int) -> dict[str, Any]:
    for _ in range(3):
        status, body = session.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        status, _body = session.request("GET", path)
        samples.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
    samples.sort()
    return {
        "path": path,
        "requests": repeats,
        "p50_ms": round(percentile(samples, 50), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "max_ms": round(samples[-1], 2),
    }


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {mem_kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        memory = ""
    return f"{platform.machine()}, {os.cpu_count()} cores{memory}" + (f", {model}" if model else "")


def code_version() -> dict[str, Any]:
    """Which outsidein ran: the package's folder and, where it is this checkout, the commit."""
    import outsidein

    package = Path(outsidein.__file__).resolve().parent
    result: dict[str, Any] = {"package": str(package)}
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return result
    if package.is_relative_to(ROOT):
        result.update(commit=commit, uncommitted_changes_in_src=bool(changed))
    else:
        result["checkout_commit"] = commit  # the package comes from elsewhere (PYTHONPATH)
    return result


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return str(cursor.fetchone()[0])


# Targets the issue sets on PostgreSQL only (SQLite reports the figure without one).
POSTGRESQL_ONLY = {"submit_cpu_ratio", "submit_p99_ms_at_80pct"}


def metric(name: str, value: float | None, vendor: str = "") -> dict[str, Any]:
    comparison, target, unit = TARGETS[name]
    if name in POSTGRESQL_ONLY and vendor != "postgresql":
        comparison, target = None, None
    met = None
    if comparison and target is not None and value is not None:
        met = value >= target if comparison == ">=" else value <= target
    return {
        "value": None if value is None else round(value, 4 if value < 10 else 1),
        "unit": unit,
        "target": None if target is None else f"{comparison} {target:g}",
        "met": met,
    }


def benchmark(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection, connections

    from outsidein.analytics.models import DailyRollup
    from outsidein.voice import services
    from outsidein.voice.models import Feedback

    vendor = connection.vendor
    log(f"outsidein voice benchmark: {args.rows:,} rows on {vendor}; work folder {workdir}")
    load_before = os.getloadavg()
    call_command("migrate", verbosity=0)
    from bench_floor.models import FloorRow

    with connection.schema_editor() as editor:
        editor.create_model(FloorRow)
    password = "Bench-" + secrets.token_urlsafe(16)

    log(f"creating the organisation with {args.customers:,} customers in {len(SEGMENTS)} segments")
    setup = create_organisation(args.customers, password, workdir)
    organisation = setup["organisation"]

    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    csv_path = workdir / "responses.csv"
    log(f"writing {args.rows:,} responses to {csv_path.name}")
    generated = generate_csv(csv_path, args.rows, args.customers, end)
    log(f"  {generated['bytes'] / 2**20:.0f} MB in {generated['seconds']:.1f} s")

    log("importing through voice.imports.run_import (child process)")
    imported = run_import_child(workdir, csv_path, args.profile_import)
    if imported["rejected"] or imported["accepted"] != args.rows:
        raise AssertionError(
            f"The import accepted {imported['accepted']} of {args.rows} rows "
            f"({imported['rejected']} rejected): {imported['errors']}"
        )
    rows_per_s = args.rows / imported["seconds"]
    log(
        f"  {imported['accepted']:,} rows in {imported['seconds']:.1f} s = "
        f"{rows_per_s:,.0f} rows/s; peak RSS {imported['peak_rss_mb']:.0f} MB"
    )
    rollup_rows = DailyRollup.objects.filter(organisation=organisation).count()

    log("NPS by segment by month: pandas against the rollups")
    pandas = compare_with_pandas(
        organisation.pk, setup["segments"], csv_path, setup["customers_csv"]
    )
    log(
        f"  {pandas['cells']} cells agree; ours {pandas['ours_ms']:.1f} ms, pandas compute "
        f"{pandas['pandas_compute_ms']:.0f} ms, read+compute "
        f"{pandas['pandas_end_to_end_ms']:.0f} ms"
    )

    log("an analysis for every response (synthetic), then the theme rollup rebuilt")
    analysed = write_analyses(organisation.pk)
    log(f"  {analysed}")

    settled = settle_database()
    if settled:
        log(f"  database settled: {settled}")

    survey = services.create_survey(
        organisation, template="nps", name="Bench public survey", allow_anonymous=True
    )
    survey = services.open_survey(survey)
    connections.close_all()

    server = Server(workdir, workers=2, threads=args.threads)
    try:
        log(
            f"starting `outsidein serve --workers 2 --threads {args.threads}` "
            f"on {HOST}:{server.port}"
        )
        server.start()
        session = login(server.port, password)

        last_day = end.date() - timedelta(days=1)
        since = last_day - timedelta(days=364)
        segment_id = next(iter(setup["segments"]))
        cases = {
            "org-wide, default view (last 12 months)": "/dashboard/data.json",
            "org-wide, all time (2 years)": "/dashboard/data.json?all=1",
            "segment + channel, 12 months": (
                f"/dashboard/data.json?segment={segment_id}&channel=email"
                f"&since={since.isoformat()}&until={last_day.isoformat()}"
            ),
        }
        dashboard = {}
        for name, path in cases.items():
            log(f"dashboard: {args.dashboard_requests} × GET {path}")
            dashboard[name] = time_requests(session, path, args.dashboard_requests)
            log(f"  p50 {dashboard[name]['p50_ms']} ms, p95 {dashboard[name]['p95_ms']} ms")
        from outsidein.text.models import Theme

        theme = Theme.objects.get(organisation=organisation, name="Wachttijd")
        theme_cases = {
            "themes overview (90 days)": "/themes/",
            "themes overview, per segment, 12 months": "/themes/?days=365&by=segment",
            "theme page (12 months)": f"/themes/{theme.pk}/",
        }
        themes_pages = {}
        for name, path in theme_cases.items():
            log(f"themes: {args.theme_requests} × GET {path}")
            themes_pages[name] = time_pages(session, path, args.theme_requests)
            log(f"  p50 {themes_pages[name]['p50_ms']} ms, p95 {themes_pages[name]['p95_ms']} ms")
        session.close()

        public = HttpSession(server.port)
        status, page = public.request("GET", f"/r/{survey.public_key}/")
        match = re.search(rb'name="form_token" value="([^"]+)"', page)
        if status != 200 or match is None:
            raise RuntimeError(f"The public survey page answered {status} without a form token.")
        token = match.group(1).decode()
        public.close()
        # Warm up every worker process and thread (code paths, database connections) with as
        # many connections as the load will use, WARM_UP submissions in all.
        warm_statuses: list[int] = []

        def warm_up(number: int) -> None:
            session = HttpSession(server.port)
            for score in range(WARM_UP // args.concurrency):
                status, _page = session.request(
                    "POST",
                    f"/r/{survey.public_key}/",
                    {"form_token": token, "lang": "nl", "nps": str(score), "reason": "warm-up"},
                )
                warm_statuses.append(status)
                status, _page = session.request(
                    "POST", FLOOR_PATH, {"nps": str(score), "reason": "warm-up"}
                )
                warm_statuses.append(status)
            session.close()

        warmers = [threading.Thread(target=warm_up, args=(n,)) for n in range(args.concurrency)]
        for thread in warmers:
            thread.start()
        for thread in warmers:
            thread.join()
        warmed = len(warm_statuses) // 2
        if any(status != 200 for status in warm_statuses):
            raise RuntimeError(f"Warm-up submissions answered {Counter(warm_statuses)}.")

        # Floor and submission side by side in the same server: CPU per request when
        # saturated, in alternating rounds (drift in the machine's speed touches both alike);
        # each figure is the median round. Then the submissions paced at 80% of their
        # saturated rate.
        floors, loads = [], []
        for round_number in range(1, args.rounds + 1):
            floors.append(measure_load(server, FLOOR_PATH, token, args))
            log(
                f"  round {round_number}: floor {FLOOR_PATH}: {floors[-1]['per_s']:,.0f}/s, "
                f"p99 {floors[-1]['p99_ms']:.1f} ms, CPU {floors[-1]['cpu_ms_per_request']}"
            )
            loads.append(measure_load(server, f"/r/{survey.public_key}/", token, args))
            log(
                f"  round {round_number}: submissions: {loads[-1]['ok']:,} of "
                f"{loads[-1]['sent']:,} answered 200 in {loads[-1]['wall_s']:.1f} s = "
                f"{loads[-1]['per_s']:,.0f}/s; p50 {loads[-1]['p50_ms']:.1f} ms, "
                f"p99 {loads[-1]['p99_ms']:.1f} ms; CPU {loads[-1]['cpu_ms_per_request']}"
            )
        floor, load = median_round(floors), median_round(loads)
        paced_rounds = []
        for round_number in range(1, args.rounds + 1):
            paced_rounds.append(
                measure_load(
                    server, f"/r/{survey.public_key}/", token, args, rate=0.8 * load["per_s"]
                )
            )
            one = paced_rounds[-1]
            log(
                f"  round {round_number}: submissions paced at {one['paced_rate_per_s']:,.0f}/s: "
                f"{one['per_s']:,.0f}/s answered, p50 {one['p50_ms']:.1f} ms, "
                f"p99 {one['p99_ms']:.1f} ms"
            )
        # The median round by p99, as for the CPU: one round beside a checkpoint or the
        # machine's other work is kept in the details, not taken as the figure.
        paced = sorted(paced_rounds, key=lambda one: one["p99_ms"])[(args.rounds - 1) // 2]
        worker = run_worker_batch(workdir)
        log(f"  worker: {worker}")
        server_rss = server.peak_rss()
    except Exception:
        print(f"--- last lines of the server's log ---\n{server.log_tail(60)}", file=sys.stderr)
        raise
    finally:
        server.stop()
    stored = Feedback.objects.filter(survey=survey).count()
    answered = sum(one["ok"] for one in [*loads, *paced_rounds]) + warmed
    if stored != answered:
        raise AssertionError(f"{answered} submissions answered 200 but {stored} were stored.")

    metrics = {
        "import_rows_per_s": metric("import_rows_per_s", rows_per_s),
        "peak_rss_mb_import": metric("peak_rss_mb_import", imported["peak_rss_mb"]),
        "dashboard_p95_ms": metric(
            "dashboard_p95_ms", max(case["p95_ms"] for case in dashboard.values())
        ),
        "submit_floor_cpu_ms": metric("submit_floor_cpu_ms", floor["cpu_ms_per_request"]["total"]),
        "submit_cpu_ms": metric("submit_cpu_ms", load["cpu_ms_per_request"]["total"]),
        # Each round's submission against the floor measured just before it, the median of
        # those ratios (not the ratio of the medians, which may pair different rounds).
        "submit_cpu_ratio": metric(
            "submit_cpu_ratio",
            statistics.median(
                one_load["cpu_ms_per_request"]["total"] / one_floor["cpu_ms_per_request"]["total"]
                for one_floor, one_load in zip(floors, loads, strict=True)
            ),
            vendor,
        ),
        "submit_per_s": metric("submit_per_s", load["per_s"]),
        "submit_p99_ms": metric("submit_p99_ms", load["p99_ms"]),
        "submit_p99_ms_at_80pct": metric("submit_p99_ms_at_80pct", paced["p99_ms"], vendor),
        "themes_p95_ms": metric(
            "themes_p95_ms", max(case["p95_ms"] for case in themes_pages.values())
        ),
        "peak_rss_mb_server": metric("peak_rss_mb_server", sum(server_rss.values())),
        "pandas_ratio_compute": metric("pandas_ratio_compute", pandas["ratio_compute"]),
        "pandas_ratio_end_to_end": metric("pandas_ratio_end_to_end", pandas["ratio_end_to_end"]),
    }
    return {
        "benchmark": "voice",
        "database": vendor,
        "database_version": database_version(),
        "python": platform.python_version(),
        "machine": machine(),
        "code": code_version(),
        # Other work on the machine skews every number here; this says how busy it was.
        "load_average_1_5_15": {
            "start": [round(x, 2) for x in load_before],
            "end": [round(x, 2) for x in os.getloadavg()],
        },
        "rows": args.rows,
        "customers": args.customers,
        "database_settled": settled,
        "segments": len(SEGMENTS),
        "metrics": metrics,
        "notes": {
            "dashboard_p95_ms": "the worst p95 of the dashboard cases below",
            "peak_rss_mb_server": "sum of VmHWM of the gunicorn master and its workers "
            "(pages shared after fork are counted in each)",
            "submit": "load generator and server share this machine's cores",
            "submit_cpu_ms": "CPU of the server's worker processes + the database's backends "
            "(PostgreSQL; SQLite runs inside the server) per request sent, saturated with "
            f"{args.concurrency} connections; the floor is bench/bench_floor (a form of two "
            "fields validated, one row inserted) in the same server; floor and submission in "
            f"{args.rounds} alternating rounds, each figure the median round, the ratio the "
            "median of the rounds' ratios (all rounds under details.submit_cpu_ms_rounds)",
            "submit_p99_ms_at_80pct": "paced at 80% of submit_per_s from 16 connections, "
            "latency from each request's planned send time; the median of "
            f"{args.rounds} rounds (each under details.submit_paced_p99_ms_rounds)",
            "themes_p95_ms": f"the worst p95 of the theme pages below, over "
            f"{analysed['analyses']:,} analysed comments (synthetic analyses; on PostgreSQL "
            "the planner's statistics refreshed after writing them, as autovacuum would)",
            "server": f"gunicorn, 2 worker processes x {args.threads} threads "
            f"({'gthread' if args.threads > 1 else 'sync'} worker)",
            "pandas_ratio": "time of our query / time of pandas; the target (<= 1) is assumed",
        },
        "details": {
            "dataset": {**generated, "csv_mb": round(generated["bytes"] / 2**20, 1)},
            "import": {
                **{k: v for k, v in imported.items() if k != "errors"},
                "rollup_rows": rollup_rows,
            },
            "dashboard": dashboard,
            "submit": {**load, "warm_up": warmed},
            "submit_floor": floor,
            "submit_cpu_ms_rounds": [
                {
                    "floor": one_floor["cpu_ms_per_request"],
                    "submission": one_load["cpu_ms_per_request"],
                }
                for one_floor, one_load in zip(floors, loads, strict=True)
            ],
            "submit_paced": paced,
            "submit_paced_p99_ms_rounds": [one["p99_ms"] for one in paced_rounds],
            "worker": worker,
            "themes": {"analyses": analysed, "pages": themes_pages},
            "server_peak_rss_mb": {k: round(v, 1) for k, v in server_rss.items()},
            "pandas": pandas,
        },
    }


def print_table(summary: dict[str, Any]) -> None:
    print(
        f"\noutsidein voice benchmark ({summary['database']} {summary['database_version']}, "
        f"{summary['machine']}, {summary['rows']:,} rows)"
    )
    load = summary["load_average_1_5_15"]
    print(f"load average (1, 5, 15 min) at start {load['start']}, at end {load['end']}\n")
    print(f"{'metric':<26} {'value':>12} {'unit':<12} {'target':>10} {'met':>5}")
    print("-" * 70)
    for name, m in summary["metrics"].items():
        value = (
            "–"
            if m["value"] is None
            else f"{m['value']:,.4g}"
            if m["value"] < 10
            else (f"{m['value']:,.0f}")
        )
        met = "" if m["met"] is None else "yes" if m["met"] else "NO"
        print(f"{name:<26} {value:>12} {m['unit']:<12} {m['target'] or '':>10} {met:>5}")
    details = summary["details"]
    print("\ndashboard /dashboard/data.json (sequential, logged in over HTTP):")
    for name, case in details["dashboard"].items():
        print(f"  {name:<42} p50 {case['p50_ms']:>7.1f} ms   p95 {case['p95_ms']:>7.1f} ms")
    submit = details["submit"]
    print(
        f"submissions: {submit['ok']:,}/{submit['sent']:,} answered 200 in {submit['wall_s']:.1f} s"
        f" with {submit['concurrency']} connections; p50 {submit['p50_ms']:.1f} ms, "
        f"p95 {submit['p95_ms']:.1f} ms, p99 {submit['p99_ms']:.1f} ms; statuses "
        f"{submit['statuses']}"
    )
    imported = details["import"]
    print(
        f"import: {imported['seconds']:.1f} s ({imported['read_check_insert_seconds'] or 0:.1f} s "
        f"reading, checking and inserting chunk by chunk, the rest rollups and commit); "
        f"{imported['rollup_rows']:,} rollup rows"
    )
    pandas = details["pandas"]
    print(
        f"NPS by segment by month ({pandas['cells']} cells, equal): "
        f"ours {pandas['ours_ms']:.1f} ms; pandas compute {pandas['pandas_compute_ms']:.0f} ms, "
        f"read {pandas['pandas_read_ms']:.0f} ms, "
        f"read+compute {pandas['pandas_end_to_end_ms']:.0f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="responses to import")
    parser.add_argument("--customers", type=int, default=CUSTOMERS)
    parser.add_argument("--dashboard-requests", type=int, default=200)
    parser.add_argument("--theme-requests", type=int, default=60)
    parser.add_argument("--submit-total", type=int, default=5000)
    parser.add_argument("--submit-seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating floor/submission rounds (median)"
    )
    parser.add_argument(
        "--threads", type=int, default=2, help="threads per server process (1: sync worker)"
    )
    parser.add_argument(
        "--profile-import", action="store_true", help="profile the import (slower; prints stats)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    parser.add_argument("--out", help="results file (default bench/results/voice-<vendor>.json)")
    parser.add_argument("--child", choices=["import", "load"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "import":
        return child_import(args)
    if args.child == "load":
        return child_load(args)
    if not 1 <= args.concurrency <= 32 or not 0 < args.submit_seconds <= 120:
        parser.error("--concurrency must lie in 1..32 and --submit-seconds in (0, 120]")
    if not 1 <= args.rounds <= 9:
        parser.error("--rounds must lie in 1..9")

    workdir = Path(tempfile.mkdtemp(prefix="outsidein-bench-voice-"))
    # A data folder of our own (SQLite file, secret key) that the import child and the server
    # share; the database itself comes from OUTSIDEIN_DATABASE_URL when set.
    os.environ["OUTSIDEIN_DATA_DIR"] = str(workdir / "data")
    os.environ["OUTSIDEIN_CACHE_URL"] = "locmem://"
    os.environ["OUTSIDEIN_PUBLIC_RATE_LIMIT"] = "0"
    try:
        setup_django()
        summary = benchmark(args, workdir)
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110  (cleaning up after whatever failed)
            pass
        if args.keep:
            print(f"work folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print_table(summary)
    out = Path(args.out) if args.out else RESULTS / f"voice-{summary['database']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2, default=str) + "\n")
    print(f"\nwritten to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
