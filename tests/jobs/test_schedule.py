"""The daily round on schedule: due times in the configured time zone, once per due time, a
crashed holder's round taken over (skipping the steps done), a failing step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from outsidein.jobs import schedule
from outsidein.jobs.models import ScheduledRun

pytestmark = pytest.mark.django_db

AMSTERDAM_0630 = datetime(2026, 12, 4, 5, 30, tzinfo=UTC)  # 06:30 in Amsterdam (CET)


class Counting:
    def __init__(self, *names: str, failing: str = "") -> None:
        self.calls: list[str] = []
        self.failing = failing
        self.steps = tuple(schedule.Step(name, self._runner(name)) for name in names)

    def _runner(self, name: str) -> Any:
        def run() -> str:
            self.calls.append(name)
            if name == self.failing:
                raise ConnectionRefusedError("the mail server is down")
            return f"{name} done"

        return run


def test_the_due_time_is_the_round_time_in_the_configured_time_zone(settings: Any) -> None:
    settings.TIME_ZONE = "Europe/Amsterdam"
    settings.DAILY_ROUND_AT = "06:00"
    assert schedule.latest_due(AMSTERDAM_0630) == datetime(2026, 12, 4, 5, 0, tzinfo=UTC)
    # Before 06:00 local time the latest due time is yesterday's.
    early = datetime(2026, 12, 4, 4, 59, tzinfo=UTC)
    assert schedule.latest_due(early) == datetime(2026, 12, 3, 5, 0, tzinfo=UTC)
    # Summer time: 06:00 in Amsterdam is 04:00 UTC.
    assert schedule.latest_due(datetime(2026, 7, 1, 12, 0, tzinfo=UTC)) == datetime(
        2026, 7, 1, 4, 0, tzinfo=UTC
    )
    settings.DAILY_ROUND_AT = "18:30"
    assert schedule.latest_due(AMSTERDAM_0630) == datetime(2026, 12, 3, 17, 30, tzinfo=UTC)


def test_a_due_round_runs_once_however_often_the_workers_tick() -> None:
    counting = Counting("a", "b")
    run = schedule.tick(AMSTERDAM_0630, name="test", steps=counting.steps)
    assert run is not None
    for minutes in (0, 1, 60, 600):
        later = AMSTERDAM_0630 + timedelta(minutes=minutes)
        assert schedule.tick(later, name="test", steps=counting.steps) is None
    assert counting.calls == ["a", "b"]
    run.refresh_from_db()
    assert run.finished_at is not None
    assert run.steps_done == ["a", "b"]
    assert run.summary == {"a": "a done", "b": "b done"}
    # The next day's due time is a new round.
    assert schedule.tick(AMSTERDAM_0630 + timedelta(days=1), name="test", steps=counting.steps)
    assert counting.calls == ["a", "b", "a", "b"]


def test_a_round_held_under_a_live_lease_is_left_alone() -> None:
    counting = Counting("a")
    ScheduledRun.objects.create(
        name="test",
        due_at=schedule.latest_due(AMSTERDAM_0630),
        holder="other-worker",
        lease_expires_at=AMSTERDAM_0630 + timedelta(minutes=1),
    )
    assert schedule.tick(AMSTERDAM_0630, name="test", steps=counting.steps) is None
    assert counting.calls == []


def test_a_crashed_holders_round_is_taken_over_and_skips_the_steps_done() -> None:
    counting = Counting("a", "b", "c")
    crashed = ScheduledRun.objects.create(
        name="test",
        due_at=schedule.latest_due(AMSTERDAM_0630),
        holder="dead-worker",
        lease_expires_at=AMSTERDAM_0630 - timedelta(seconds=1),
        steps_done=["a"],
        summary={"a": "a done"},
    )
    run = schedule.tick(AMSTERDAM_0630, name="test", steps=counting.steps)
    assert run is not None and run.pk == crashed.pk
    assert counting.calls == ["b", "c"]
    crashed.refresh_from_db()
    assert crashed.attempts == 2 and crashed.holder != "dead-worker"
    assert crashed.finished_at is not None and crashed.steps_done == ["a", "b", "c"]


def test_a_failing_step_is_reported_and_the_next_steps_still_run() -> None:
    counting = Counting("a", "b", "c", failing="b")
    run = schedule.tick(AMSTERDAM_0630, name="test", steps=counting.steps)
    assert run is not None
    run.refresh_from_db()
    assert counting.calls == ["a", "b", "c"]
    assert run.finished_at is not None
    assert "the mail server is down" in run.summary["b"]


def test_the_real_daily_round_runs_from_the_schedule_and_remind_still_works() -> None:
    run = schedule.tick(AMSTERDAM_0630)
    assert run is not None
    run.refresh_from_db()
    assert run.steps_done == [step.name for step in schedule.DAILY_STEPS]
    assert run.finished_at is not None
    # Cron users: `outsidein remind` runs the same steps (run_steps) and prints one line each.
    lines = schedule.run_steps()
    assert len(lines) == len(schedule.DAILY_STEPS)
    assert lines[0].endswith("survey reminders sent.")
