"""Rollups always equal a recomputation from raw feedback, after any sequence of writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outsidein.analytics import rollups
from outsidein.analytics.models import DailyRollup, MonthlyRollup
from outsidein.voice import services
from outsidein.voice.models import Feedback
from tests.conftest import Tenant
from tests.factories import CustomerFactory, SegmentFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 1, 1, 12, tzinfo=UTC)

score = st.one_of(st.none(), st.integers(0, 10))
new_item = st.fixed_dictionaries(
    {
        "op": st.just("add"),
        "nps": score,
        "csat": st.one_of(st.none(), st.integers(1, 5)),
        "ces": st.one_of(st.none(), st.integers(1, 7)),
        "days": st.integers(0, 3),
        "customer": st.integers(0, 2),
        "channel": st.sampled_from(["email", "link", "phone"]),
        "kind": st.sampled_from(["complaint", "review", "question"]),
    }
)
edit = st.fixed_dictionaries(
    {
        "op": st.just("edit"),
        "target": st.integers(0, 50),
        "nps": score,
        "days": st.integers(0, 3),
        "customer": st.integers(0, 2),
    }
)
delete = st.fixed_dictionaries({"op": st.just("delete"), "target": st.integers(0, 50)})
bulk = st.fixed_dictionaries(
    {
        "op": st.just("import"),
        "rows": st.lists(st.tuples(score, st.integers(0, 3), st.integers(0, 6)), max_size=6),
    }
)
operations = st.lists(st.one_of(new_item, edit, delete, bulk), min_size=1, max_size=12)


def recomputed(organisation_id: int) -> dict[Any, Any]:
    raw = rollups.deltas(Feedback.objects.filter(organisation_id=organisation_id), +1)
    return {key: counts for key, counts in raw.items() if any(counts.values())}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
def test_rollups_equal_recomputation_after_any_writes(
    tenant: Tenant, ops: list[dict[str, Any]]
) -> None:
    organisation = tenant.organisation
    Feedback.objects.filter(organisation=organisation).delete()
    DailyRollup.objects.filter(organisation=organisation).delete()
    MonthlyRollup.objects.filter(organisation=organisation).delete()
    apply_operations(organisation, ops)
    assert rollups.snapshot(organisation.pk) == recomputed(organisation.pk)
    assert rollups.snapshot(organisation.pk, monthly=True) == by_month(recomputed(organisation.pk))


def apply_operations(organisation: Any, ops: list[dict[str, Any]], before_each: Any = None) -> None:
    """Run ``ops`` (the strategies above) through the services, as users and imports would;
    ``before_each(op)`` is called before each one."""
    segments = [SegmentFactory(organisation=organisation) for _ in range(2)]
    customers = [
        None,
        CustomerFactory(organisation=organisation, segment=segments[0]),
        CustomerFactory(organisation=organisation, segment=segments[1], language="en"),
    ]
    import_counter = 0
    for op in ops:
        if before_each is not None:
            before_each(op)
        existing = list(Feedback.objects.filter(organisation=organisation).order_by("pk"))
        if op["op"] == "add":
            services.record_feedback(
                organisation,
                kind=op["kind"],
                channel=op["channel"],
                customer=customers[op["customer"]],
                nps=op["nps"],
                csat=op["csat"],
                ces=op["ces"],
                submitted_at=START + timedelta(days=op["days"]),
            )
        elif op["op"] == "edit" and existing:
            target = existing[op["target"] % len(existing)]
            services.update_feedback(
                target,
                nps=op["nps"],
                customer=customers[op["customer"]],
                submitted_at=START + timedelta(days=op["days"]),
            )
        elif op["op"] == "delete" and existing:
            services.delete_feedback(existing[op["target"] % len(existing)])
        elif op["op"] == "import":
            items = []
            for nps, days, ident in op["rows"]:
                import_counter += 1
                items.append(
                    Feedback(
                        kind="review",
                        channel="import",
                        language="nl",
                        nps=nps,
                        submitted_at=START + timedelta(days=days),
                        # repeated ids within and across imports must be skipped
                        external_id=f"imp-{ident}",
                    )
                )
            services.bulk_record(organisation, items)


def by_month(daily: dict[Any, Any]) -> dict[Any, Any]:
    months: dict[Any, Any] = {}
    for key, counts in daily.items():
        target = months.setdefault((key[0].replace(day=1), *key[1:]), dict.fromkeys(counts, 0))
        for name, value in counts.items():
            target[name] += value
    return {key: counts for key, counts in months.items() if any(counts.values())}


def test_rebuild_reproduces_incremental_rollups(tenant: Tenant) -> None:
    customer = CustomerFactory(organisation=tenant.organisation)
    for value in (0, 6, 7, 9, 10):
        services.record_feedback(
            tenant.organisation, kind="review", channel="link", customer=customer, nps=value
        )
    incremental = rollups.snapshot(tenant.organisation.pk)
    rollups.rebuild(tenant.organisation.pk)
    assert rollups.snapshot(tenant.organisation.pk) == incremental
    assert rollups.snapshot(tenant.organisation.pk, monthly=True) == by_month(incremental)
    (counts,) = incremental.values()
    assert (counts["promoters"], counts["passives"], counts["detractors"]) == (2, 1, 2)


def test_contribution_of_one_item() -> None:
    counts = rollups.contribution(nps=8, csat=4, ces=3)
    assert counts["passives"] == 1 and counts["csat_top2"] == 1
    assert (counts["ces_sum"], counts["ces_sumsq"]) == (3, 9)
