"""The theme rollup always equals a recomputation from the analyses, after any sequence of
analyses, re-analyses, corrections, theme renames, merges and drops, and feedback edits and
deletions; and the figures read from it equal those summed from the analyses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outsidein.text import rollups, services
from outsidein.text.drivers import DriverScope, theme_drivers
from outsidein.text.models import DailyThemeRollup, FeedbackAnalysis, MonthlyThemeRollup, Theme
from outsidein.voice import services as voice
from outsidein.voice.models import Feedback
from tests.conftest import Tenant
from tests.factories import CustomerFactory, SegmentFactory, TeamFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 1, 30, 12, tzinfo=UTC)  # a few days later is another month
COMMENTS = (
    "De factuur klopte niet, heel vervelend.",
    "Snelle bezorging, prima geregeld.",
    "The app keeps crashing and the invoice was wrong.",
    "Vriendelijke medewerker, de levering was op tijd.",
    "Niets bijzonders.",
)
THEMES = {"Factuur": "factuur\ninvoice", "Levering": "bezorging\nlevering", "App": "app"}

score = st.one_of(st.none(), st.integers(0, 10))
target = st.integers(0, 50)
operations = st.lists(
    st.one_of(
        st.fixed_dictionaries(
            {
                "op": st.just("add"),
                "comment": st.integers(0, len(COMMENTS) - 1),
                "nps": score,
                "csat": st.one_of(st.none(), st.integers(1, 5)),
                "days": st.integers(0, 3),
                "customer": st.integers(0, 2),
                "team": st.integers(0, 1),
            }
        ),
        st.fixed_dictionaries({"op": st.just("analyse"), "all": st.booleans(), "target": target}),
        st.fixed_dictionaries(
            {
                "op": st.just("correct"),
                "target": target,
                "sentiment": st.sampled_from([None, "negative", "neutral", "positive"]),
                "themes": st.one_of(
                    st.none(), st.lists(st.sampled_from(sorted(THEMES)), max_size=2)
                ),
            }
        ),
        st.fixed_dictionaries(
            {
                "op": st.just("edit"),
                "target": target,
                "nps": score,
                "days": st.integers(0, 3),
                "customer": st.integers(0, 2),
            }
        ),
        st.fixed_dictionaries({"op": st.just("delete"), "target": target}),
        st.fixed_dictionaries(
            {"op": st.sampled_from(["rename", "drop", "merge"]), "theme": st.integers(0, 5)}
        ),
    ),
    min_size=1,
    max_size=12,
)


def recomputed(organisation_id: int) -> dict[Any, Any]:
    raw = rollups.deltas(rollups.sources(organisation_id), +1)
    return {key: counts for key, counts in raw.items() if any(counts.values())}


def by_month(daily: dict[Any, Any]) -> dict[Any, Any]:
    months: dict[Any, Any] = {}
    for key, counts in daily.items():
        into = months.setdefault((key[0].replace(day=1), *key[1:]), dict.fromkeys(counts, 0))
        for name, value in counts.items():
            into[name] += value
    return {key: counts for key, counts in months.items() if any(counts.values())}


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
def test_the_theme_rollup_equals_recomputation_after_any_writes(
    tenant: Tenant, ops: list[dict[str, Any]]
) -> None:
    organisation = tenant.organisation
    Feedback.objects.filter(organisation=organisation).delete()
    Theme.objects.filter(organisation=organisation).delete()
    DailyThemeRollup.objects.filter(organisation=organisation).delete()
    MonthlyThemeRollup.objects.filter(organisation=organisation).delete()
    for name, keywords in THEMES.items():
        Theme.objects.create(organisation=organisation, name=name, keywords=keywords)
    segments = [SegmentFactory(organisation=organisation) for _ in range(2)]
    customers = [
        None,
        CustomerFactory(organisation=organisation, segment=segments[0]),
        CustomerFactory(organisation=organisation, segment=segments[1], language="en"),
    ]
    teams = [None, TeamFactory(organisation=organisation)]
    renamed = 0
    for op in ops:
        items = list(Feedback.objects.filter(organisation=organisation).order_by("pk"))
        analyses = list(FeedbackAnalysis.objects.filter(organisation=organisation).order_by("pk"))
        themes = list(Theme.objects.filter(organisation=organisation).order_by("pk"))
        if op["op"] == "add":
            voice.record_feedback(
                organisation,
                kind="review",
                channel="email",
                comment=COMMENTS[op["comment"]],
                customer=customers[op["customer"]],
                team=teams[op["team"]],
                nps=op["nps"],
                csat=op["csat"],
                submitted_at=START + timedelta(days=op["days"]),
            )
        elif op["op"] == "analyse" and items:
            chosen = None if op["all"] else [items[op["target"] % len(items)].pk]
            services.analyse_feedback(organisation.pk, chosen)
        elif op["op"] == "correct" and analyses:
            names = [t.name for t in themes]
            wanted = None if op["themes"] is None else [n for n in op["themes"] if n in names]
            services.correct_analysis(
                analyses[op["target"] % len(analyses)],
                sentiment=op["sentiment"],
                themes=wanted,
            )
        elif op["op"] == "edit" and items:
            voice.update_feedback(
                items[op["target"] % len(items)],
                nps=op["nps"],
                customer=customers[op["customer"]],
                submitted_at=START + timedelta(days=op["days"]),
            )
        elif op["op"] == "delete" and items:
            voice.delete_feedback(items[op["target"] % len(items)])
        elif op["op"] == "rename" and themes:
            theme = themes[op["theme"] % len(themes)]
            renamed += 1
            services.save_theme(
                organisation, theme=theme, name=f"{theme.name}-{renamed}", keywords=theme.keywords
            )
        elif op["op"] == "drop" and themes:
            services.delete_theme(themes[op["theme"] % len(themes)])
        elif op["op"] == "merge" and len(themes) > 1:
            first = themes[op["theme"] % len(themes)]
            other = themes[(op["theme"] + 1) % len(themes)]
            services.merge_themes(first, [other])
    expected = recomputed(organisation.pk)
    assert rollups.snapshot(organisation.pk) == expected
    assert rollups.snapshot(organisation.pk, monthly=True) == by_month(expected)


def test_deleting_a_survey_takes_its_comments_out(tenant: Tenant) -> None:
    organisation = tenant.organisation
    Theme.objects.create(organisation=organisation, name="Factuur", keywords="factuur")
    survey = voice.create_survey(organisation, name="NPS", allow_anonymous=True)
    survey = voice.open_survey(survey)
    feedback = voice.submit_response(
        survey, data={"nps": 3, "reason": "De factuur klopte niet."}, channel="link", language="nl"
    )
    services.analyse_feedback(organisation.pk, [feedback.pk])
    assert rollups.snapshot(organisation.pk)
    voice.delete_survey(survey)
    assert rollups.snapshot(organisation.pk) == {}
    assert rollups.snapshot(organisation.pk, monthly=True) == {}


def test_rebuild_reproduces_the_incremental_rollup(tenant: Tenant) -> None:
    organisation = tenant.organisation
    Theme.objects.create(organisation=organisation, name="Factuur", keywords="factuur")
    for days, comment in enumerate(COMMENTS):
        voice.record_feedback(
            organisation,
            kind="review",
            channel="email",
            comment=comment,
            nps=days * 2,
            submitted_at=START + timedelta(days=days * 3),
        )
    services.analyse_feedback(organisation.pk)
    before = rollups.snapshot(organisation.pk), rollups.snapshot(organisation.pk, monthly=True)
    rollups.rebuild(organisation.pk)
    assert (
        rollups.snapshot(organisation.pk),
        rollups.snapshot(organisation.pk, monthly=True),
    ) == before


def _figures(groups: list[Any]) -> list[Any]:
    return [
        (
            group.key,
            group.comments,
            group.nps.value,
            group.csat.value,
            [
                (
                    item.name,
                    item.volume,
                    item.negative.value,
                    item.nps_difference.difference,
                    item.csat_difference.difference,
                )
                for item in group.themes
            ],
        )
        for group in groups
    ]


def test_figures_from_the_rollup_equal_those_from_the_analyses(tenant: Tenant) -> None:
    """Whole months and partial months at either end, per segment, team and month."""
    organisation = tenant.organisation
    for name, keywords in THEMES.items():
        Theme.objects.create(organisation=organisation, name=name, keywords=keywords)
    segments = [SegmentFactory(organisation=organisation) for _ in range(2)]
    customers = [CustomerFactory(organisation=organisation, segment=s) for s in segments]
    team = TeamFactory(organisation=organisation)
    now = timezone.now()
    for i in range(240):
        voice.record_feedback(
            organisation,
            kind="review",
            channel="email",
            comment=COMMENTS[i % len(COMMENTS)],
            customer=customers[i % 2] if i % 3 else None,
            team=team if i % 4 else None,
            nps=(i * 7) % 11,
            csat=(i % 5) + 1 if i % 2 else None,
            submitted_at=now - timedelta(days=(i * 13) % 200, hours=i % 24),
        )
    services.analyse_feedback(organisation.pk)
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    scopes = [
        DriverScope(),
        DriverScope(start=midnight - timedelta(days=90)),
        DriverScope(start=midnight - timedelta(days=150), end=midnight - timedelta(days=20)),
        DriverScope(start=midnight - timedelta(days=10), end=midnight - timedelta(days=3)),
        DriverScope(start=midnight - timedelta(days=365), segment_id=segments[0].pk),
        DriverScope(team_id=team.pk),
    ]
    for scope in scopes:
        for by in (None, "segment", "team", "month"):
            from_rollup = theme_drivers(organisation.pk, by=by, scope=scope, minimum_n=5)
            from_analyses = theme_drivers(
                organisation.pk, by=by, scope=scope, minimum_n=5, source="analyses"
            )
            assert _figures(from_rollup) == _figures(from_analyses), (scope, by)
            # Scores are summed in millionths in the rollup.
            assert [
                item.sentiment.value for group in from_rollup for item in group.themes
            ] == pytest.approx(
                [item.sentiment.value for group in from_analyses for item in group.themes],
                abs=1e-5,
            )
