"""`make test`: the whole suite on SQLite, then again on PostgreSQL.

PostgreSQL is used when OUTSIDEIN_TEST_DATABASE_URL is set or a local server answers on
127.0.0.1:5432. With OUTSIDEIN_REQUIRE_POSTGRES=1 (CI) a missing server is a failure, not a skip.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/outsidein"


def postgres_url() -> str | None:
    configured = os.environ.get("OUTSIDEIN_TEST_DATABASE_URL")
    if configured:
        return configured
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            return LOCAL_POSTGRES
    except OSError:
        return None


def run(label: str, extra_env: dict[str, str], args: list[str]) -> int:
    print(f"\n=== {label} ===", flush=True)
    env = {**os.environ, **extra_env}
    return subprocess.call([sys.executable, "-m", "pytest", *args], cwd=ROOT, env=env)


def main() -> int:
    env_sqlite = {"OUTSIDEIN_DATABASE_URL": ""}
    failures = 0
    if run("SQLite: unit, API and browser tests", env_sqlite, sys.argv[1:]) != 0:
        failures += 1
    url = postgres_url()
    if url is None:
        if os.environ.get("OUTSIDEIN_REQUIRE_POSTGRES"):
            print("PostgreSQL is required here but none answers on 127.0.0.1:5432.")
            return 1
        print("\nNo PostgreSQL server found: the PostgreSQL pass is skipped.")
    elif run(f"PostgreSQL ({url.split('@')[-1]})", {"OUTSIDEIN_DATABASE_URL": url}, sys.argv[1:]):
        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
