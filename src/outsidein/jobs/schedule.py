"""The daily round, run by the workers on schedule: once per due time across all of them.

The round (survey reminders, deadline alerts, contact reminders, mystery shops, growing
themes, monthly reports) used to need an external cron calling ``outsidein remind``; that
command stays for cron users. Every worker's loop calls ``tick()``; the first to insert the
``ScheduledRun`` row of the due time (unique per name and due time) runs the round under a
lease that a heartbeat renews. If that worker dies, its lease expires and the next tick of any
worker takes the round over, skipping the steps already done. Each step is idempotent on its
own too (it records what it sent), so a step cut off half-way sends nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from outsidein.jobs.leases import Heartbeat, heartbeat_interval, lease_duration, worker_id
from outsidein.jobs.models import ScheduledRun

logger = logging.getLogger(__name__)

DAILY_ROUND = "daily-round"


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[], str]  # does the work, returns one line for the log / the command


def _survey_reminders() -> str:
    from outsidein.voice.distribution import send_reminders

    return f"{send_reminders(base_url=settings.BASE_URL)} survey reminders sent."


def _breach_alerts() -> str:
    from outsidein.core.models import Organisation
    from outsidein.practice.services import send_breach_alerts

    sent = sum(send_breach_alerts(org) for org in Organisation.objects.order_by("pk"))
    return f"{sent} emails about customer items past their deadline sent."


def _contact_reminders() -> str:
    from outsidein.core.models import Organisation
    from outsidein.practice.services import send_contact_reminders

    sent = sum(send_contact_reminders(org) for org in Organisation.objects.order_by("pk"))
    return f"{sent} reminders to speak with a customer this month sent."


def _mystery_shops() -> str:
    from outsidein.mystery.services import run_daily

    report = run_daily(base_url=settings.BASE_URL)
    return f"{report.planned} mystery shops assigned, {report.emailed} mystery shop emails sent."


def _growing_themes() -> str:
    from outsidein.core.models import Organisation
    from outsidein.text.services import send_emerging_theme_alerts

    sent = sum(send_emerging_theme_alerts(org) for org in Organisation.objects.order_by("pk"))
    return f"{sent} emails about growing themes sent."


def _monthly_reports() -> str:
    from outsidein.centricity.report import send_monthly_reports

    return f"{send_monthly_reports()} monthly reports sent to leaders."


def _retention() -> str:
    from outsidein.privacy.retention import run_retention_all

    changed = sum(sum(counts.values()) for counts in run_retention_all().values())
    return f"{changed} records anonymised or purged by the retention policies."


def _rollup_stripes() -> str:
    from outsidein.analytics.rollups import compact
    from outsidein.core.models import Organisation

    folded = sum(
        compact(pk) for pk in Organisation.objects.order_by("pk").values_list("pk", flat=True)
    )
    return f"{folded} dashboard figures of past days merged into one row each."


DAILY_STEPS: tuple[Step, ...] = (
    Step("survey-reminders", _survey_reminders),
    Step("breach-alerts", _breach_alerts),
    Step("contact-reminders", _contact_reminders),
    Step("mystery-shops", _mystery_shops),
    Step("growing-themes", _growing_themes),
    Step("monthly-reports", _monthly_reports),
    Step("retention", _retention),
    Step("rollup-stripes", _rollup_stripes),
)


def run_steps(
    steps: tuple[Step, ...] = DAILY_STEPS,
    *,
    skip: frozenset[str] = frozenset(),
    after_step: Callable[[Step, str], bool] | None = None,
    keep_going: bool = False,
) -> list[str]:
    """Run the steps in order (``outsidein remind`` calls this directly). ``after_step`` is told
    each outcome and may stop the round by returning False (the lease was lost). With
    ``keep_going`` a failing step (the mail server down) is logged and the next one runs; its
    records of what was sent make the next round catch up."""
    lines = []
    for step in steps:
        if step.name in skip:
            continue
        try:
            line = step.run()
        except Exception as exc:
            if not keep_going:
                raise
            logger.exception("The daily round's step %s failed", step.name)
            line = f"{step.name} failed: {type(exc).__name__}: {exc}"
        lines.append(line)
        if after_step is not None and not after_step(step, line):
            break
    return lines


# --- the schedule --------------------------------------------------------------------------


def round_time() -> time:
    hour, minute = (int(part) for part in settings.DAILY_ROUND_AT.split(":"))
    return time(hour, minute)


def latest_due(now: datetime, at: time | None = None) -> datetime:
    """The most recent due time at or before ``now``: today's round time in TIME_ZONE if it
    has passed, else yesterday's."""
    zone = ZoneInfo(settings.TIME_ZONE)
    local = now.astimezone(zone)
    at = at or round_time()
    due = datetime.combine(local.date(), at, tzinfo=zone)
    if due > local:
        due = datetime.combine(local.date() - timedelta(days=1), at, tzinfo=zone)
    return due.astimezone(ZoneInfo("UTC"))


def claim(name: str, due_at: datetime, holder: str, now: datetime) -> ScheduledRun | None:
    """The run of this due time for ``holder``, or None when another worker holds it or has
    finished it. New: the unique INSERT decides. Existing: an UPDATE that only matches an
    unfinished run whose lease has expired."""
    try:
        with transaction.atomic():
            return ScheduledRun.objects.create(
                name=name,
                due_at=due_at,
                holder=holder,
                lease_expires_at=now + lease_duration(),
                started_at=now,
            )
    except IntegrityError:
        pass
    taken = ScheduledRun.objects.filter(
        name=name, due_at=due_at, finished_at__isnull=True, lease_expires_at__lt=now
    ).update(holder=holder, lease_expires_at=now + lease_duration(), attempts=F("attempts") + 1)
    if not taken:
        return None
    return ScheduledRun.objects.get(name=name, due_at=due_at)


def run_claimed(run: ScheduledRun, steps: tuple[Step, ...] = DAILY_STEPS) -> bool:
    """Run the claimed round to the end under a heartbeat; False if the lease was lost."""
    holder = run.holder
    mine = ScheduledRun.objects.filter(pk=run.pk, holder=holder, finished_at__isnull=True)

    def renew() -> bool:
        return bool(mine.update(lease_expires_at=timezone.now() + lease_duration()))

    done = list(run.steps_done)
    summary = dict(run.summary)

    def record(step: Step, line: str) -> bool:
        done.append(step.name)
        summary[step.name] = line
        logger.info("%s: %s", run, line)
        return bool(
            mine.update(
                steps_done=done,
                summary=summary,
                lease_expires_at=timezone.now() + lease_duration(),
            )
        )

    with Heartbeat(renew, interval=heartbeat_interval(), name=f"round-{run.pk}") as heartbeat:
        run_steps(steps, skip=frozenset(done), after_step=record, keep_going=True)
    if heartbeat.lost or not mine.update(finished_at=timezone.now()):
        logger.warning("%s: the lease was lost; another worker finishes the round", run)
        return False
    return True


def tick(
    now: datetime | None = None,
    *,
    name: str = DAILY_ROUND,
    steps: tuple[Step, ...] = DAILY_STEPS,
) -> ScheduledRun | None:
    """Called by every worker's loop: runs the round of the latest due time if nobody has run
    it (or its holder died). Returns the run when this worker ran it."""
    now = now or timezone.now()
    due_at = latest_due(now)
    if ScheduledRun.objects.filter(name=name, due_at=due_at, finished_at__isnull=False).exists():
        return None
    run = claim(name, due_at, worker_id(), now)
    if run is None:
        return None
    logger.info("%s: this worker (%s) runs it", run, run.holder)
    run_claimed(run, steps)
    return run
