"""Metrics read from rollups agree with the raw feedback they summarise."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from outsidein.analytics import services as metrics
from outsidein.analytics import stats
from outsidein.voice import services
from tests.conftest import Tenant
from tests.factories import CustomerFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def _feedback(tenant: Tenant, nps: int, day: int, month: int = 3, **extra: object) -> None:
    services.record_feedback(
        tenant.organisation,
        kind="review",
        channel=str(extra.pop("channel", "link")),
        nps=nps,
        submitted_at=datetime(2026, month, day, 12, tzinfo=UTC),
        **extra,
    )


def test_summary_matches_the_statistics_of_the_raw_scores(tenant: Tenant) -> None:
    scores = [10, 10, 9, 8, 7, 6, 3, 0, 10, 9]
    for index, score in enumerate(scores):
        _feedback(tenant, score, day=1 + index)
    result = metrics.summary(tenant.organisation.pk)
    expected = stats.nps(*stats.nps_from_scores(scores))
    assert result.nps == expected
    assert result.items == 10
    assert result.nps.value == pytest.approx(20.0)
    assert not result.nps.enough  # 10 < 30: the page says "not enough responses"


def test_filters_breakdown_and_labels(tenant: Tenant) -> None:
    mkb = SegmentFactory(organisation=tenant.organisation, name="MKB")
    customer = CustomerFactory(organisation=tenant.organisation, segment=mkb)
    _feedback(tenant, 10, day=1, customer=customer)
    _feedback(tenant, 0, day=2, customer=customer, channel="phone")
    _feedback(tenant, 9, day=3)
    groups = metrics.breakdown(
        tenant.organisation.pk,
        "segment",
        labels=metrics.dimension_labels(tenant.organisation.pk, "segment"),
    )
    by_label = {g.label: g.summary for g in groups}
    assert by_label["MKB"].counts["promoters"] == 1 and by_label["MKB"].counts["detractors"] == 1
    assert by_label["No segment"].items == 1
    phone = metrics.summary(tenant.organisation.pk, metrics.Filters(channel="phone"))
    assert phone.items == 1 and phone.nps.value == -100
    window = metrics.summary(
        tenant.organisation.pk, metrics.Filters(since=date(2026, 3, 2), until=date(2026, 3, 2))
    )
    assert window.items == 1


def test_monthly_trend_and_period_comparison(tenant: Tenant) -> None:
    for index in range(30):
        _feedback(tenant, 0 if index % 3 else 8, day=1 + index % 28, month=2)
    for index in range(30):
        _feedback(tenant, 10 if index % 3 else 8, day=1 + index % 28, month=3)
    points = metrics.trend(tenant.organisation.pk, "month")
    assert [(p.start, round(p.summary.nps.value, 1)) for p in points] == [
        (date(2026, 2, 1), -66.7),
        (date(2026, 3, 1), 66.7),
    ]
    comparison = metrics.compare(
        tenant.organisation.pk, metrics.Filters(since=date(2026, 3, 1), until=date(2026, 3, 28))
    )
    assert comparison.previous.items == 30 and comparison.current.items == 30
    assert comparison.nps.difference == pytest.approx(400 / 3)
    assert comparison.nps.significant


def test_score_distribution(tenant: Tenant) -> None:
    for score in (0, 0, 7, 10):
        _feedback(tenant, score, day=1)
    assert metrics.score_distribution(tenant.organisation.pk) == {
        0: 2,
        1: 0,
        2: 0,
        3: 0,
        4: 0,
        5: 0,
        6: 0,
        7: 1,
        8: 0,
        9: 0,
        10: 1,
    }


def test_breakdown_refuses_unknown_dimension(tenant: Tenant) -> None:
    with pytest.raises(ValueError, match="Cannot break down"):
        metrics.breakdown(tenant.organisation.pk, "colour")


from datetime import timedelta  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

days = st.one_of(st.none(), st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)))


@settings(max_examples=300, deadline=None)
@given(since=days, until=days)
def test_spans_cover_every_day_exactly_once(since: date | None, until: date | None) -> None:
    spans = metrics._spans(since, until)
    lo = since or date(2024, 1, 1)
    hi = until or date(2026, 12, 31)
    covered: list[date] = []
    for grain, first, last in spans:
        first = first or date(2024, 1, 1)
        last = last or date(2026, 12, 31)
        if grain == "month":
            assert first.day == 1 and (last + timedelta(days=1)).day == 1
        day = first
        while day <= last:
            covered.append(day)
            day += timedelta(days=1)
    expected = []
    day = lo
    while day <= hi:
        expected.append(day)
        day += timedelta(days=1)
    assert sorted(covered) == expected


def test_metrics_over_partial_months_match_raw_feedback(tenant: Tenant) -> None:
    for month, day, score in [
        (1, 5, 10),
        (1, 20, 0),
        (2, 3, 9),
        (2, 27, 6),
        (3, 1, 8),
        (3, 15, 10),
    ]:
        _feedback(tenant, score, day=day, month=month)
    window = metrics.Filters(since=date(2026, 1, 15), until=date(2026, 3, 10))
    counts = metrics.summary(tenant.organisation.pk, window).counts
    assert (counts["promoters"], counts["passives"], counts["detractors"]) == (1, 1, 2)
    points = metrics.trend(tenant.organisation.pk, "month", window)
    assert [p.summary.items for p in points] == [1, 2, 1]


def test_overview_agrees_with_the_separate_queries(tenant: Tenant) -> None:
    mkb = SegmentFactory(organisation=tenant.organisation, name="MKB")
    customer = CustomerFactory(organisation=tenant.organisation, segment=mkb)
    for month, day, score in [(1, 5, 10), (1, 20, 0), (2, 3, 9), (2, 27, 6), (3, 1, 8)]:
        _feedback(tenant, score, day=day, month=month, customer=customer if day < 10 else None)
    org = tenant.organisation.pk
    window = metrics.Filters(since=date(2026, 1, 10), until=date(2026, 3, 31))
    for period in ("month", "week"):
        result = metrics.overview(org, window, by="segment", period=period)
        assert result.summary == metrics.summary(org, window)
        assert result.trend == metrics.trend(org, period, window)
        assert {g.key: g.summary for g in result.breakdown} == {
            g.key: g.summary for g in metrics.breakdown(org, "segment", window)
        }
        assert result.distribution == metrics.score_distribution(org, window)
