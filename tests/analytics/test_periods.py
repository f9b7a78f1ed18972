"""Honest periods: the dashboard opens on complete months, a running month is marked "so far",
and the partial bar is flagged for the charts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.utils import translation

from outsidein.analytics import periods, views, window
from outsidein.analytics.services import Filters, Point, summarise
from outsidein.voice import services
from tests.conftest import Tenant


def test_last_complete_months_end_before_the_running_month() -> None:
    assert periods.last_complete_months(date(2026, 12, 4)) == (
        date(2025, 12, 1),
        date(2026, 11, 30),
    )
    assert periods.last_complete_months(date(2026, 1, 1), 1) == (
        date(2025, 12, 1),
        date(2025, 12, 31),
    )
    assert periods.running_months(date(2026, 12, 4), 3) == (date(2026, 10, 1), date(2026, 12, 4))
    with pytest.raises(ValueError):
        periods.last_complete_months(date(2026, 1, 1), 0)


def test_coverage_counts_days_and_knows_a_running_period() -> None:
    december = periods.coverage(
        date(2026, 12, 1), "month", since=None, until=None, today=date(2026, 12, 4)
    )
    assert (december.days, december.total, december.running, december.partial) == (
        4,
        31,
        True,
        True,
    )
    november = periods.coverage(
        date(2026, 11, 1), "month", since=None, until=None, today=date(2026, 12, 4)
    )
    assert not november.partial and not november.running
    # A week cut by the start of the window is partial but not running.
    week = periods.coverage(
        date(2026, 11, 30), "week", since=date(2026, 12, 2), until=None, today=date(2027, 1, 1)
    )
    assert (week.days, week.total, week.running) == (5, 7, False)


def test_window_names_the_default_and_marks_the_running_month() -> None:
    today = date(2026, 12, 4)
    with translation.override("en"):
        default = window.resolve(
            Filters(), today=today, explicit=False, all_time=False, running=False
        )
        assert (default.filters.since, default.filters.until) == (
            date(2025, 12, 1),
            date(2026, 11, 30),
        )
        assert default.label == "the last 12 complete months (Dec 2025 – Nov 2026)"
        running = window.resolve(
            Filters(), today=today, explicit=False, all_time=False, running=True
        )
        assert running.filters.until == today
        assert "so far (4 of 31 days)" in running.label
        point = Point(start=date(2026, 12, 1), summary=summarise({}))
        mark = window.mark(point, "month", running.filters, today)
        assert mark.partial and mark.note == "so far (4 of 31 days)"
        whole = window.mark(
            Point(date(2026, 11, 1), summarise({})), "month", running.filters, today
        )
        assert not whole.partial and whole.note == ""
    with translation.override("nl"):
        mark = window.mark(point, "month", running.filters, today)
        assert mark.note == "tot nu toe (4 van 31 dagen)"


@pytest.mark.django_db
def test_dashboard_opens_on_complete_months_and_marks_the_running_one(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "_today", lambda: date(2026, 12, 4))
    for month, day in ((11, 10), (12, 2)):
        services.record_feedback(
            tenant.organisation,
            kind="review",
            channel="link",
            nps=9,
            submitted_at=datetime(2026, month, day, 12, tzinfo=UTC),
        )
    client = tenant.client_for(tenant.employee)
    with translation.override("en"):
        page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["filters"].until == date(2026, 11, 30)
    assert page.context["summary"].items == 1  # December's answer is not in a complete month
    assert not page.context["partial_marks"]
    assert b"the last 12 complete months (Dec 2025 \xe2\x80\x93 Nov 2026)" in page.content
    running = client.get("/dashboard/", {"running": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert running.context["summary"].items == 2
    charts = running.context["charts"]
    assert charts["volume"]["partial"] == [False, True]
    assert charts["trend"]["partial"] == [False, True]
    assert b"so far (4 of 31 days)" in running.content
    csv_rows = (
        client.get("/dashboard/export/trend.csv", {"running": "on"}, HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
        .splitlines()
    )
    assert csv_rows[0].endswith(",coverage")
    assert csv_rows[-1].endswith(",so far (4 of 31 days)") and csv_rows[1].endswith(",")
    data = client.get("/dashboard/data.json", {"running": "on"}).json()
    assert [p["partial"] for p in data["trend"]] == [False, True]


def test_running_months_are_compared_with_the_same_days_before() -> None:
    running = Filters(since=date(2026, 1, 1), until=date(2026, 12, 4)).shifted_back()
    assert (running.since, running.until) == (date(2025, 1, 1), date(2025, 12, 4))
    one = Filters(since=date(2026, 3, 1), until=date(2026, 3, 31)).shifted_back()
    assert (one.since, one.until) == (date(2026, 2, 1), date(2026, 2, 28))
    so_far = Filters(since=date(2026, 3, 1), until=date(2026, 3, 30)).shifted_back()
    assert (so_far.since, so_far.until) == (date(2026, 2, 1), date(2026, 2, 28))  # clamped
    days = Filters(since=date(2026, 3, 5), until=date(2026, 3, 14)).shifted_back()
    assert (days.since, days.until) == (date(2026, 2, 23), date(2026, 3, 4))
