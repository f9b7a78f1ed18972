"""The themes overview and a theme's page read only the theme rollup, at the grain that answers
them: their figures equal a recomputation from the analyses, and their number of queries does
not grow with the number of themes, comments, segments, teams or months."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outsidein.text import rollups
from outsidein.text.drivers import DriverScope, theme_drivers
from outsidein.text.models import (
    THEME_ROLLUP_COUNTERS,
    DailyThemeRollup,
    FeedbackAnalysis,
    MonthlyThemeRollup,
    Theme,
)
from outsidein.voice.models import Feedback
from tests.conftest import Tenant
from tests.factories import SegmentFactory, TeamFactory

pytestmark = pytest.mark.django_db

# Days ago the comments were received: whole months, partial months at either end, never on
# the first day of a period (a period starts at that day's midnight in the rollup).
DAYS_AGO = (1, 3, 12, 33, 47, 75, 120, 200, 300, 420)


def _fill(tenant: Tenant, themes: list[str], comments: int, seed: int) -> None:
    """``comments`` analysed comments spread over segments, teams, months, scores and themes;
    the theme rollup rebuilt from them (as analysing them one by one would leave it)."""
    organisation = tenant.organisation
    rng = random.Random(seed)
    Theme.objects.bulk_create(
        Theme(organisation=organisation, name=name)
        for name in themes
        if not Theme.objects.filter(organisation=organisation, name=name).exists()
    )
    segments = [SegmentFactory(organisation=organisation) for _ in range(3)] + [None]
    teams = [TeamFactory(organisation=organisation) for _ in range(2)] + [None]
    now = timezone.now()
    rows = Feedback.objects.bulk_create(
        Feedback(
            organisation=organisation,
            kind="response",
            channel="email",
            language="nl",
            comment=f"opmerking {i}",
            nps=rng.choice([None, *range(11), 0, 1, 9, 10]),
            csat=rng.choice([None, 1, 2, 3, 4, 5]),
            segment=rng.choice(segments),
            team=rng.choice(teams),
            submitted_at=now - timedelta(days=rng.choice(DAYS_AGO), hours=rng.randint(0, 5)),
        )
        for i in range(comments)
    )
    analyses = []
    for row in rows:
        score = round(rng.uniform(-1, 1), 3)
        analyses.append(
            FeedbackAnalysis(
                organisation=organisation,
                feedback=row,
                language="nl",
                sentiment="negative" if score < -0.2 else "positive" if score > 0.2 else "neutral",
                score=score,
                themes={name: round(rng.uniform(0.3, 1), 2) for name in rng.sample(themes, 2)},
            )
        )
    FeedbackAnalysis.objects.bulk_create(analyses)
    rollups.rebuild(organisation.pk)


def _figures(groups: list[Any]) -> list[Any]:
    return [
        (
            group.key,
            group.comments,
            group.nps.value,
            group.csat.value,
            sorted(  # by name: among themes of equal impact and volume the order is free
                (
                    item.name,
                    item.volume,
                    round(item.share, 9),
                    item.negative.value,
                    item.nps_difference.difference,
                    item.nps_difference.low,
                    item.nps_impact.difference,
                    item.csat_difference.difference,
                    item.csat_impact.difference,
                )
                for item in group.themes
            ),
        )
        for group in groups
    ]


def _sentiments(groups: list[Any]) -> Any:
    """The mean sentiments (summed in millionths in the rollup: equal up to rounding)."""
    return [
        value or 0.0
        for group in groups
        for _name, value in sorted((item.name, item.sentiment.value) for item in group.themes)
    ]


def _recomputed(tenant: Tenant, days: int, by: str | None = None, **kwargs: Any) -> list[Any]:
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    scope = DriverScope(start=midnight - timedelta(days=days))
    return theme_drivers(tenant.organisation.pk, by=by, scope=scope, source="analyses", **kwargs)


def test_the_overview_shows_the_figures_recomputed_from_the_analyses(tenant: Tenant) -> None:
    _fill(tenant, ["Factuur", "Levering", "App", "Prijs"], 400, seed=1)
    client = tenant.client_for(tenant.employee)
    for by in ("segment", "team", "month"):
        page = client.get(reverse("text-themes"), {"days": "365", "by": by})
        assert page.status_code == 200
        expected = _recomputed(tenant, 365, by)
        assert _figures(page.context["drivers"]["groups"]) == _figures(expected), by
        assert _sentiments(page.context["drivers"]["groups"]) == pytest.approx(
            _sentiments(expected), abs=1e-9
        )
    [everything] = _recomputed(tenant, 365)
    rows = {row["name"]: row for row in page.context["rows"]}
    assert page.context["total"] == everything.comments == 400 - _older_than(tenant, 365)
    for item in everything.themes:
        row = rows[item.name]
        assert row["volume"] == item.volume
        assert row["share"] == round(item.share, 4)
        assert row["sentiment"] == pytest.approx(round(item.sentiment.value or 0.0, 3), abs=1e-3)
        assert (row["nps_difference"], row["nps_low"], row["nps_high"]) == (
            item.nps_difference.difference,
            item.nps_difference.low,
            item.nps_difference.high,
        )
        # The monthly trend adds up to the theme's volume.
        assert sum(volume for _month, volume in row["trend"]) == item.volume


def _older_than(tenant: Tenant, days: int) -> int:
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return Feedback.objects.filter(
        organisation=tenant.organisation, submitted_at__lt=midnight - timedelta(days=days)
    ).count()


def test_a_theme_page_shows_the_figures_recomputed_from_the_analyses(tenant: Tenant) -> None:
    _fill(tenant, ["Factuur", "Levering", "App"], 300, seed=2)
    theme = Theme.objects.get(organisation=tenant.organisation, name="Factuur")
    client = tenant.client_for(tenant.employee)
    for days in (30, 90, 365):
        page = client.get(reverse("text-theme", args=[theme.pk]), {"days": days})
        assert page.status_code == 200
        [everything] = _recomputed(tenant, days, themes=["Factuur"])
        assert _figures([page.context["all_comments"]]) == _figures([everything])
        assert page.context["figures"].sentiment.value == pytest.approx(
            everything.themes[0].sentiment.value, abs=1e-9
        )
        for (_title, _column, rows, testid), by in zip(
            page.context["breakdowns"], ("segment", "team", "month"), strict=True
        ):
            expected = _recomputed(tenant, days, by, themes=["Factuur"])
            assert _figures([row["group"] for row in rows]) == _figures(expected), (days, testid)


def test_the_marginal_rows_add_up_the_full_grain(tenant: Tenant) -> None:
    """Every comment is counted at four grains; the "any segment/team" rows are the sums."""
    _fill(tenant, ["Factuur", "Levering", "App"], 120, seed=3)
    any_ = rollups.ANY
    for model, period in ((DailyThemeRollup, "day"), (MonthlyThemeRollup, "month")):
        rows = model.objects.filter(organisation=tenant.organisation)
        full = rows.filter(segment_id__gte=0, team_id__gte=0)
        sums = {name: Sum(name) for name in THEME_ROLLUP_COUNTERS}
        for kept, marginal in (
            (["segment_id"], {"team_id": any_, "segment_id__gte": 0}),
            (["team_id"], {"segment_id": any_, "team_id__gte": 0}),
            ([], {"segment_id": any_, "team_id": any_}),
        ):
            grouping = [period, "theme", "sentiment", *kept]
            expected = {
                tuple(row[g] for g in grouping): tuple(row[c] for c in THEME_ROLLUP_COUNTERS)
                for row in full.values(*grouping).annotate(**sums).order_by()
            }
            stored = {
                tuple(row[g] for g in grouping): tuple(row[c] for c in THEME_ROLLUP_COUNTERS)
                for row in rows.filter(**marginal).values(*grouping, *THEME_ROLLUP_COUNTERS)
            }
            assert stored == expected and stored, (model, kept)


def _queries(client: Any, url: str, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured.captured_queries)


def test_the_pages_queries_do_not_grow_with_themes_and_comments(tenant: Tenant) -> None:
    _fill(tenant, ["Factuur", "Levering"], 20, seed=4)
    client = tenant.client_for(tenant.employee)
    theme = Theme.objects.get(organisation=tenant.organisation, name="Factuur")
    pages = [
        (reverse("text-themes"), {}),
        (reverse("text-themes"), {"days": "365", "by": "segment"}),
        (reverse("text-themes"), {"days": "365", "by": "month"}),
        (reverse("text-theme", args=[theme.pk]), {}),
        (reverse("text-theme", args=[theme.pk]), {"days": "90"}),
    ]
    small = [_queries(client, url, params) for url, params in pages]
    # Ten times the themes, twenty times the comments, more segments and teams.
    _fill(tenant, [f"Thema {i}" for i in range(20)], 400, seed=5)
    assert [_queries(client, url, params) for url, params in pages] == small
