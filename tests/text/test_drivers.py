"""Theme drivers: the pure figures (hand-worked) and the database sums per segment, team and
month behind the themes overview and the theme page, with their query counts."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outsidein.analytics import stats
from outsidein.analytics.drivers import Counts, theme_driver
from outsidein.text import rollups, services
from outsidein.text.drivers import DriverScope, theme_drivers
from outsidein.text.models import FeedbackAnalysis, Theme
from outsidein.voice.models import Feedback
from tests.factories import SegmentFactory, TeamFactory

# ----------------------------------------------------------------------------- pure, by hand


def test_scale_change_multiplies_the_difference_and_its_interval_only() -> None:
    change = stats.Change(difference=-10.0, low=-16.0, high=-4.0, p_value=0.001, significant=True)
    impact = stats.scale_change(change, 0.25)
    assert (impact.difference, impact.low, impact.high) == (-2.5, -4.0, -1.0)
    assert (impact.p_value, impact.significant) == (0.001, True)
    empty = stats.Change(difference=None, low=None, high=None, p_value=None, significant=False)
    assert stats.scale_change(empty, 0.5) == empty
    for bad in (-0.1, math.inf, math.nan):
        with pytest.raises(ValueError, match="factor"):
            stats.scale_change(change, bad)


def test_theme_driver_hand_worked() -> None:
    # 100 comments; 40 speak of the theme: 10 promoters, 10 passives, 20 detractors (NPS -25).
    # The other 60: 30 promoters, 20 passives, 10 detractors (NPS +33.3).
    with_theme = Counts(
        n=40, score_sum=-12.0, score_sq=8.0, negative=24, promoters=10, passives=10, detractors=20
    )
    everything = with_theme + Counts(
        n=60, score_sum=18.0, score_sq=9.0, negative=6, promoters=30, passives=20, detractors=10
    )
    driver = theme_driver("Invoice", with_theme, everything)
    assert (driver.volume, driver.share) == (40, 0.4)
    # Var(with) = (.25 + .5 - .25²) / 40 = .0171875; Var(without) = (.5 + 1/6 - (1/3)²) / 60
    # = .00925926; se = 100 · sqrt(.02644676) = 16.2625; difference = -25 - 33.333 = -58.333;
    # interval ± 1.959964 · 16.2625 = ± 31.874.
    assert driver.nps_difference.difference == pytest.approx(-58.3333, abs=1e-4)
    assert driver.nps_difference.low == pytest.approx(-90.2072, abs=1e-4)
    assert driver.nps_difference.high == pytest.approx(-26.4595, abs=1e-4)
    assert driver.nps_difference.significant
    # Impact: the difference and its bounds times the share .4.
    assert driver.nps_impact.difference == pytest.approx(-23.3333, abs=1e-4)
    assert driver.nps_impact.low == pytest.approx(-36.0829, abs=1e-4)
    assert driver.nps_impact.high == pytest.approx(-10.5838, abs=1e-4)
    assert driver.nps.value == -25.0 and driver.nps.n == 40
    # Sentiment: mean -12 / 40 = -0.3; negative 24 of 40 = 60%.
    assert driver.sentiment.value == pytest.approx(-0.3)
    assert driver.negative.value == pytest.approx(60.0)
    # No CSAT answers: no CSAT difference, never a made-up number.
    assert driver.csat_difference.difference is None and driver.csat_impact.difference is None


def test_theme_driver_below_the_minimum_says_so() -> None:
    with_theme = Counts(n=29, promoters=0, passives=0, detractors=29)
    everything = with_theme + Counts(n=100, promoters=100)
    driver = theme_driver("Small", with_theme, everything)
    assert driver.nps_difference.difference is None and not driver.nps_difference.significant
    assert driver.nps_impact.difference is None
    assert not driver.nps.enough
    # With the minimum lowered (as a caller may choose), the same counts give a figure.
    assert theme_driver("Small", with_theme, everything, minimum_n=20).nps_difference.difference


def test_csat_difference_is_in_percentage_points() -> None:
    # With the theme: 10 of 40 satisfied (25%); without: 45 of 60 (75%): -50 points.
    with_theme = Counts(n=40, csat_top2=10, csat_n=40)
    everything = with_theme + Counts(n=60, csat_top2=45, csat_n=60)
    driver = theme_driver("Wait", with_theme, everything)
    assert driver.csat_difference.difference == pytest.approx(-50.0)
    assert driver.csat_impact.difference == pytest.approx(-20.0)
    assert driver.csat.value == pytest.approx(25.0)


def test_impact_weighs_by_the_share_among_those_who_gave_the_score() -> None:
    # 1,000 comments, 500 with an NPS answer; the theme is in 200 comments, 40 of them scored.
    with_theme = Counts(n=200, promoters=0, passives=10, detractors=30)
    everything = with_theme + Counts(n=800, promoters=230, passives=150, detractors=80)
    driver = theme_driver("Invoice", with_theme, everything)
    assert driver.share == pytest.approx(0.2)  # the volume share, of all comments
    difference = driver.nps_difference.difference
    assert difference is not None
    assert driver.nps_impact.difference == pytest.approx(difference * 40 / 500)


def test_counts_of_a_subset_cannot_exceed_the_whole() -> None:
    with pytest.raises(ValueError, match="more than the whole"):
        _ = Counts(n=2, promoters=2) - Counts(n=3, promoters=3)


# ----------------------------------------------------------------------------- the database


def _add(
    tenant: Any,
    count: int,
    *,
    nps: int | None,
    themes: dict[str, float],
    sentiment: str = "neutral",
    score: float = 0.0,
    segment: Any = None,
    team: Any = None,
    csat: int | None = None,
    when: datetime | None = None,
) -> None:
    when = when or timezone.now() - timedelta(days=3)
    rows = Feedback.objects.bulk_create(
        Feedback(
            organisation=tenant.organisation,
            kind="response",
            channel="email",
            language="nl",
            comment="tekst",
            nps=nps,
            csat=csat,
            segment=segment,
            team=team,
            submitted_at=when,
        )
        for _ in range(count)
    )
    FeedbackAnalysis.objects.bulk_create(
        FeedbackAnalysis(
            organisation=tenant.organisation,
            feedback=row,
            language="nl",
            sentiment=sentiment,
            score=score,
            themes=themes,
        )
        for row in rows
    )
    # Written around the services: the theme rollup is recomputed to match.
    rollups.rebuild(tenant.organisation.pk)


@pytest.fixture
def invoices(tenant: Any) -> dict[str, Any]:
    """Two segments: in "Retail" the invoice theme costs NPS, in "Business" it is too small."""
    org = tenant.organisation
    Theme.objects.create(organisation=org, name="Factuur")
    Theme.objects.create(organisation=org, name="App")
    retail = SegmentFactory(organisation=org, name="Retail")
    business = SegmentFactory(organisation=org, name="Business")
    team = tenant.manager.team
    _add(
        tenant,
        40,
        nps=2,
        themes={"Factuur": 0.7},
        sentiment="negative",
        score=-0.5,
        segment=retail,
        team=team,
    )
    _add(tenant, 60, nps=10, themes={"App": 0.7}, score=0.5, segment=retail)
    _add(tenant, 5, nps=3, themes={"Factuur": 0.7}, segment=business, team=team)
    _add(tenant, 10, nps=9, themes={}, segment=business)
    return {"retail": retail, "business": business, "team": team}


pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_drivers_per_segment(tenant: Any, invoices: dict[str, Any]) -> None:
    groups = {g.label: g for g in theme_drivers(tenant.organisation.pk, by="segment")}
    assert set(groups) == {"Retail", "Business"}
    retail = groups["Retail"]
    assert retail.comments == 100 and retail.nps.value == 20.0  # 60 promoters, 40 detractors
    invoice = retail.theme("Factuur")
    assert invoice is not None
    assert (invoice.volume, invoice.share) == (40, 0.4)
    # All detractors with the theme (NPS -100), all promoters without (NPS 100): zero spread.
    assert invoice.nps_difference.difference == -200.0
    assert invoice.nps_impact.difference == pytest.approx(-80.0)
    assert invoice.sentiment.value == pytest.approx(-0.5) and invoice.negative.value == 100.0
    # In "Business" the theme has 5 comments: not enough responses, no number.
    small = groups["Business"].theme("Factuur")
    assert small is not None and small.volume == 5
    assert small.nps_difference.difference is None and small.nps_impact.difference is None
    assert groups["Business"].theme("App") is None


@pytestmark_db
def test_drivers_per_team_month_and_within_a_filter(tenant: Any, invoices: dict[str, Any]) -> None:
    org = tenant.organisation.pk
    teams = {g.key: g for g in theme_drivers(org, by="team")}
    assert teams[invoices["team"].pk].comments == 45 and teams[None].comments == 70
    assert teams[None].label == "No team"
    # Within the segment Retail only: the Business comments are left out.
    [retail] = theme_drivers(org, scope=DriverScope(segment_id=invoices["retail"].pk))
    assert retail.comments == 100
    [only_team] = theme_drivers(org, scope=DriverScope(team_id=invoices["team"].pk))
    assert only_team.comments == 45 and only_team.theme("App") is None
    # Per month: an older month counts apart, oldest first.
    old = timezone.now() - timedelta(days=80)
    _add(tenant, 3, nps=None, themes={"App": 0.7}, when=old)
    months = theme_drivers(org, by="month")
    assert [g.comments for g in months] == [3, 115]
    assert months[0].theme("App").volume == 3  # type: ignore[union-attr]
    assert months[0].nps.n == 0  # no scores: a volume, no NPS
    # A period: only what was received in it.
    since = DriverScope(start=timezone.now() - timedelta(days=30))
    assert sum(g.comments for g in theme_drivers(org, by="month", scope=since)) == 115


@pytestmark_db
def test_csat_drivers_from_the_database(tenant: Any) -> None:
    Theme.objects.create(organisation=tenant.organisation, name="Wachttijd")
    _add(tenant, 40, nps=None, csat=2, themes={"Wachttijd": 0.7})
    _add(tenant, 60, nps=None, csat=5, themes={})
    [group] = theme_drivers(tenant.organisation.pk)
    wait = group.theme("Wachttijd")
    assert wait is not None and wait.csat_difference.difference == -100.0
    assert wait.nps_difference.difference is None  # no NPS answers
    assert group.has_csat and group.csat.value == 60.0


@pytestmark_db
def test_many_themes_are_summed_in_chunks(tenant: Any) -> None:
    org = tenant.organisation
    names = [f"Thema {i:02d}" for i in range(45)]  # more than one query's worth
    Theme.objects.bulk_create(Theme(organisation=org, name=name) for name in names)
    _add(tenant, 2, nps=9, themes={"Thema 00": 0.7, "Thema 44": 0.9})
    _add(tenant, 1, nps=1, themes={"Thema 44": 0.9})
    [group] = theme_drivers(org.pk)
    assert group.comments == 3
    assert {item.name: item.volume for item in group.themes} == {"Thema 00": 2, "Thema 44": 3}


@pytestmark_db
def test_the_number_of_queries_does_not_grow_with_the_groups(tenant: Any) -> None:
    org = tenant.organisation
    Theme.objects.create(organisation=org, name="Factuur")

    def grow(k: int) -> None:
        for i in range(k):
            segment = SegmentFactory(organisation=org)
            team = TeamFactory(organisation=org)
            when = timezone.now() - timedelta(days=31 * (i % 3))
            _add(tenant, 2, nps=i % 11, themes={"Factuur": 0.7}, segment=segment, team=team)
            _add(tenant, 1, nps=9, themes={}, segment=segment, team=team, when=when)

    def count(call: Any) -> int:
        with CaptureQueriesContext(connection) as queries:
            call()
        return len(queries.captured_queries)

    grow(2)
    calls = [
        lambda by=by: theme_drivers(org.pk, by=by) for by in (None, "segment", "team", "month")
    ]
    small = [count(call) for call in calls]
    assert small == [2, 3, 3, 2]  # theme names, the sums (and the names of the groups)
    grow(6)
    assert [count(call) for call in calls] == small


@pytestmark_db
def test_theme_figures_keep_their_shape(tenant: Any, invoices: dict[str, Any]) -> None:
    figures = services.theme_figures(tenant.organisation.pk)
    assert figures["total"] == 115
    invoice = next(item for item in figures["themes"] if item["name"] == "Factuur")
    assert invoice["volume"] == 45 and invoice["nps_n"] == 45
    assert invoice["impact"] == pytest.approx(invoice["nps_difference"] * 45 / 115, abs=0.01)
    month = timezone.localtime(timezone.now() - timedelta(days=3)).strftime("%Y-%m")
    assert invoice["trend"] == [(month, 45)]


# ----------------------------------------------------------------------------- the pages


@pytestmark_db
def test_overview_breakdown_per_segment(tenant: Any, invoices: dict[str, Any]) -> None:
    client = tenant.client_for(tenant.employee)
    page = client.get(reverse("text-themes"), {"by": "segment"})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="drivers-group"') == 2
    assert "Retail" in html and "Business" in html
    assert "-200.0" in html  # the Retail difference
    assert "not enough responses" in html  # the 5 Business comments
    # Filtered to a segment, the main table and the breakdown count only its comments.
    page = client.get(
        reverse("text-themes"), {"by": "team", "segment": invoices["business"].pk, "days": 30}
    )
    assert page.context["total"] == 15
    assert sum(g.comments for g in page.context["drivers"]["groups"]) == 15
    # The example comments come from that segment too.
    for row in page.context["rows"]:
        for example in row["examples"]:
            assert example.feedback.segment_id == invoices["business"].pk
    assert any(row["examples"] for row in page.context["rows"])
    # An unknown choice is ignored, not an error.
    assert client.get(reverse("text-themes"), {"by": "planet", "team": "x"}).status_code == 200


@pytestmark_db
def test_overview_queries_do_not_grow_with_the_groups(
    tenant: Any, invoices: dict[str, Any]
) -> None:
    client = tenant.client_for(tenant.employee)
    url = reverse("text-themes")

    def queries(params: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured.captured_queries)

    before = {by: queries({"by": by}) for by in ("segment", "team", "month")}
    for i in range(4):
        segment = SegmentFactory(organisation=tenant.organisation)
        when = datetime(2026, 1 + i, 10, tzinfo=UTC)
        _add(tenant, 3, nps=5, themes={"Factuur": 0.7}, segment=segment, when=when)
        _add(
            tenant,
            3,
            nps=5,
            themes={"Factuur": 0.7},
            team=TeamFactory(organisation=tenant.organisation),
        )
    assert {by: queries({"by": by, "days": "365"}) for by in before} == before


@pytestmark_db
def test_theme_page_per_segment_team_and_month(tenant: Any, invoices: dict[str, Any]) -> None:
    theme = Theme.objects.get(name="Factuur")
    client = tenant.client_for(tenant.employee)
    url = reverse("text-theme", args=[theme.pk])
    with CaptureQueriesContext(connection) as small:
        page = client.get(url)
    html = page.content.decode()
    assert page.context["figures"].volume == 45
    for testid in ("per-segment", "per-team", "per-month", "theme-trend"):
        assert f'data-testid="{testid}"' in html
    segments = {row["group"].label: row["theme"] for row in page.context["breakdowns"][0][2]}
    assert segments["Retail"].nps_difference.difference == -200.0
    assert segments["Business"].nps_difference.difference is None
    assert "not enough responses" in html
    # More segments, teams and months: the same number of queries.
    for i in range(3):
        when = timezone.now() - timedelta(days=40 * (i + 1))
        _add(
            tenant,
            2,
            nps=4,
            themes={"Factuur": 0.7},
            segment=SegmentFactory(organisation=tenant.organisation),
            team=TeamFactory(organisation=tenant.organisation),
            when=when,
        )
    with CaptureQueriesContext(connection) as large:
        page = client.get(url)
    assert len(page.context["per_month"]) >= 3
    assert len(large.captured_queries) == len(small.captured_queries)
    # A period without the theme says so.
    empty = client.get(url, {"days": 30})
    assert empty.status_code == 200
    other = Theme.objects.get(name="App")
    html = client.get(reverse("text-theme", args=[other.pk]), {"days": 30}).content.decode()
    assert 'data-testid="per-segment"' in html


@pytestmark_db
def test_theme_page_without_comments(tenant: Any) -> None:
    theme = Theme.objects.create(organisation=tenant.organisation, name="Leeg")
    page = tenant.client_for(tenant.employee).get(reverse("text-theme", args=[theme.pk]))
    assert page.status_code == 200
    assert 'data-testid="theme-no-figures"' in page.content.decode()
