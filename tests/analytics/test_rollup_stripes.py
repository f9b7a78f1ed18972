"""Rollup stripes: concurrent submissions add to a key's rows on different stripes, so they do
not queue for one row's lock; every reader sums the stripes, and a removal folds a key's
stripes back into one row (or none, where its counters sum to zero)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outsidein.analytics import rollups, services
from outsidein.analytics.models import DIMENSIONS, DailyRollup, MonthlyRollup
from outsidein.voice.models import Feedback
from tests.analytics.test_rollups import apply_operations, by_month, operations, recomputed
from tests.conftest import Tenant

START = datetime(2026, 1, 1, 12, tzinfo=UTC)


def _feedback(tenant: Tenant, nps: int, *, days: int = 0) -> Feedback:
    """An unsaved answer: the rollups read only its dimensions and scores."""
    return Feedback(
        organisation=tenant.organisation,
        kind="response",
        channel="link",
        language="nl",
        nps=nps,
        submitted_at=START + timedelta(days=days),
    )


def _stored_keys(organisation_id: int, model: Any = DailyRollup) -> set[tuple[Any, ...]]:
    period = "month" if model is MonthlyRollup else "day"
    rows = model.objects.filter(organisation_id=organisation_id)
    return set(rows.values_list(period, *DIMENSIONS[1:]))


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations, stripes=st.lists(st.integers(1, 8), min_size=12, max_size=12))
def test_rollups_equal_recomputation_when_every_write_comes_from_another_connection(
    tenant: Tenant,
    ops: list[dict[str, Any]],
    stripes: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    organisation = tenant.organisation
    Feedback.objects.filter(organisation=organisation).delete()
    DailyRollup.objects.filter(organisation=organisation).delete()
    MonthlyRollup.objects.filter(organisation=organisation).delete()
    # Each operation's single-row writes land on the stripe drawn for it, as if every edit,
    # deletion and new answer came through a different database connection.
    current = iter(stripes)
    stripe = {"now": 1}
    monkeypatch.setattr(rollups, "submission_stripe", lambda: stripe["now"])

    def next_stripe(_op: dict[str, Any]) -> None:
        stripe["now"] = next(current)

    apply_operations(organisation, ops, before_each=next_stripe)
    expected = recomputed(organisation.pk)
    assert rollups.snapshot(organisation.pk) == expected
    assert rollups.snapshot(organisation.pk, monthly=True) == by_month(expected)
    # No key is left behind with counters that sum to zero (an empty group on a dashboard).
    assert _stored_keys(organisation.pk) == set(expected)
    assert _stored_keys(organisation.pk, MonthlyRollup) == set(by_month(expected))


@pytest.mark.django_db
def test_a_key_on_several_stripes_reads_as_one(tenant: Tenant) -> None:
    organisation_id = tenant.organisation.pk
    for stripe, nps in ((1, 10), (5, 0), (5, 9)):
        rollups.upsert_increments(
            DailyRollup,
            ["day", "survey_id", "segment_id", "team_id", "channel", "language", "kind"],
            rollups.COUNTERS,
            organisation_id,
            rollups.deltas([_feedback(tenant, nps)], +1),
            stripe=stripe,
        )
    assert DailyRollup.objects.filter(organisation_id=organisation_id).count() == 2
    [(_key, counts)] = rollups.snapshot(organisation_id).items()
    assert (counts["items"], counts["promoters"], counts["detractors"]) == (3, 2, 1)
    filters = services.Filters(since=START.date(), until=START.date())
    summary = services.summary(organisation_id, filters)
    assert summary.items == 3
    [group] = services.breakdown(organisation_id, "channel", filters)
    assert (group.key, group.summary.items) == ("link", 3)


@pytest.mark.django_db
def test_a_removal_folds_the_key_into_one_row_or_none(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    organisation_id = tenant.organisation.pk
    promoter, detractor = _feedback(tenant, 10), _feedback(tenant, 0)
    monkeypatch.setattr(rollups, "submission_stripe", lambda: 2)
    rollups.add(organisation_id, [promoter])
    monkeypatch.setattr(rollups, "submission_stripe", lambda: 7)
    rollups.add(organisation_id, [detractor])
    assert DailyRollup.objects.filter(organisation_id=organisation_id).count() == 2
    # The promoter taken away on a third connection's stripe.
    monkeypatch.setattr(rollups, "submission_stripe", lambda: 4)
    rollups.remove(organisation_id, [promoter])
    for model in (DailyRollup, MonthlyRollup):
        [row] = model.objects.filter(organisation_id=organisation_id)
        assert (row.stripe, row.items, row.detractors, row.promoters) == (
            rollups.BULK_STRIPE,
            1,
            1,
            0,
        )
    rollups.remove(organisation_id, [detractor])
    assert not DailyRollup.objects.filter(organisation_id=organisation_id).exists()
    assert not MonthlyRollup.objects.filter(organisation_id=organisation_id).exists()


@pytest.mark.django_db
def test_the_daily_round_folds_past_days_and_leaves_today(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    organisation_id = tenant.organisation.pk
    today = (START + timedelta(days=40)).date()
    for stripe, days, nps in ((3, 0, 10), (9, 0, 0), (5, 0, 8), (3, 40, 9), (11, 40, 1)):
        monkeypatch.setattr(rollups, "submission_stripe", lambda stripe=stripe: stripe)
        rollups.add(organisation_id, [_feedback(tenant, nps, days=days)])
    before = rollups.snapshot(organisation_id), rollups.snapshot(organisation_id, monthly=True)
    # One key on the first day, one on "today"; one month key each.
    assert rollups.compact(organisation_id, today=today) == 2
    assert (rollups.snapshot(organisation_id), rollups.snapshot(organisation_id, monthly=True)) == (
        before
    )
    past = DailyRollup.objects.filter(organisation_id=organisation_id, day=START.date())
    assert list(past.values_list("stripe", "items")) == [(rollups.BULK_STRIPE, 3)]
    todays = DailyRollup.objects.filter(organisation_id=organisation_id, day=today)
    assert sorted(todays.values_list("stripe", flat=True)) == [3, 11]
    months = MonthlyRollup.objects.filter(organisation_id=organisation_id)
    assert sorted(months.values_list("month", "stripe")) == [
        (START.date(), rollups.BULK_STRIPE),
        (today.replace(day=1), 3),
        (today.replace(day=1), 11),
    ]
    assert rollups.compact(organisation_id, today=today) == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stripes", [(3, 12), (7, 7)], ids=["two stripes", "one stripe"])
def test_two_connections_add_to_one_key_without_waiting_for_each_other(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch, stripes: tuple[int, int]
) -> None:
    """One connection's answer, not yet committed, holds its stripe's row: a second
    connection's answer to the same survey on the same day, on another stripe, goes on at once
    instead of waiting for that commit. On the same stripe it waits (here: past a 1 s lock
    timeout), as every answer did when a key had one row."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has one writer at a time by design")
    organisation_id = tenant.organisation.pk
    first_thread = threading.current_thread()
    monkeypatch.setattr(
        rollups,
        "submission_stripe",
        lambda: stripes[0] if threading.current_thread() is first_thread else stripes[1],
    )
    outcome: dict[str, Any] = {}
    first_added = threading.Event()
    second_done = threading.Event()

    def second() -> None:
        from django.db import connection as own

        try:
            first_added.wait(10)
            with transaction.atomic():
                with own.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '1s'")
                started = time.monotonic()
                rollups.add(organisation_id, [_feedback(tenant, 3)])
                outcome["waited_s"] = time.monotonic() - started
        except OperationalError as exc:  # the lock timeout
            outcome["error"] = exc
        finally:
            own.close()
            second_done.set()

    thread = threading.Thread(target=second)
    thread.start()
    with transaction.atomic():
        rollups.add(organisation_id, [_feedback(tenant, 9)])
        first_added.set()
        # The second answer is tried while this transaction still holds its row.
        assert second_done.wait(15)
    thread.join()
    if stripes[0] == stripes[1]:
        assert "lock timeout" in str(outcome.get("error"))
        return
    assert "error" not in outcome, outcome.get("error")
    assert outcome["waited_s"] < 0.5
    assert set(DailyRollup.objects.values_list("stripe", flat=True)) == set(stripes)
    [(_key, counts)] = rollups.snapshot(organisation_id).items()
    assert (counts["items"], counts["promoters"], counts["detractors"]) == (2, 1, 1)
