"""Helpers run as real processes by the lease tests: `python -m tests.jobs.procs COMMAND ...`.

Each process is a separate Python with its own database connections, started with the
OUTSIDEIN_* environment of the test (database URL, data folder, task backend, lease length).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outsidein.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402

from outsidein.jobs.models import Job  # noqa: E402
from outsidein.jobs.services import job_handler, start_job  # noqa: E402


@job_handler("tests.sleep")
def sleep_job(job: Job, report: Any) -> dict[str, Any]:
    """Writes who ran it to the marker file, then works for ``seconds`` (or kills its own
    process with SIGKILL when ``die`` is set: a worker lost mid-job)."""
    marker = Path(job.params["marker"])
    with marker.open("a") as out:
        out.write(f"{job.pk} {os.getpid()} {job.attempts}\n")
    if job.params.get("die"):
        time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGKILL)
    steps = 10
    for step in range(steps):
        time.sleep(job.params.get("seconds", 1) / steps)
        report(int(100 * (step + 1) / steps), f"step {step + 1}")
    return {"pid": os.getpid()}


def main(argv: list[str]) -> None:
    command = argv[0]
    if command == "worker":
        from outsidein.jobs.worker import run

        run(interval=0.2)
    elif command == "start":
        # `start N MARKER SECONDS [die]`: N jobs from this "web" process, each in its own commit.
        from outsidein.core.models import Organisation

        count, marker, seconds = int(argv[1]), argv[2], float(argv[3])
        organisation = Organisation.objects.get(slug="procs")
        ids = []
        for _ in range(count):
            with transaction.atomic():
                job = start_job(
                    organisation,
                    kind="tests.sleep",
                    title="sleep",
                    created_by=None,
                    params={"marker": marker, "seconds": seconds, "die": "die" in argv},
                )
            ids.append(job.pk)
        print(json.dumps(ids))
    elif command == "tick":
        # `tick NOW_ISO MARKER GO_FILE`: one scheduler tick at a fixed time, with a test round.
        from datetime import datetime

        from outsidein.jobs import schedule

        marker, go = Path(argv[2]), Path(argv[3])
        while not go.exists():  # all processes start together: a real race for the round
            time.sleep(0.05)

        def step() -> str:
            with marker.open("a") as out:
                out.write(f"{os.getpid()}\n")
            time.sleep(1)
            return "done"

        run = schedule.tick(
            datetime.fromisoformat(argv[1]),
            name="tests-round",
            steps=(schedule.Step("only", step),),
        )
        print(json.dumps({"ran": run is not None}))
    elif command == "setup":
        from outsidein.core.models import Organisation

        Organisation.objects.get_or_create(slug="procs", defaults={"name": "Procs"})
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
