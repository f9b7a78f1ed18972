"""The voice demo: a believable year of feedback whose story the dashboard shows.

The demo is seeded once for the whole module (inside a transaction that is rolled back at the
end), because seeding 25,000 items takes seconds; every test reads it through its own savepoint.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from outsidein.analytics import rollups
from outsidein.analytics import services as metrics
from outsidein.analytics.models import DailyRollup
from outsidein.core.demo import DEMO_SLUG, seed_demo
from outsidein.core.models import Organisation, Segment, Team
from outsidein.voice import demo
from outsidein.voice.models import Feedback, Question, Survey
from outsidein.voice.services import is_visible

NOW = datetime(2026, 11, 14, 10, tzinfo=UTC)  # mid-month: the current month is partial
SURVEY_TEAMS = {
    "Relatie-NPS": "klantbeleving",
    "Klantcontact-CSAT": "klantenservice",
    "Installatie-CES": "meters-installatie",
    "Jaarnota-CSAT": "facturatie",
}


@dataclass
class Seeded:
    organisation: Organisation
    counts: dict[str, int]
    surveys: dict[str, Survey]  # by name
    teams: dict[str, int]  # slug → pk
    segments: dict[str, int]  # name → pk

    @property
    def pk(self) -> int:
        return self.organisation.pk


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Seeded]:
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo(now=NOW)
        organisation = Organisation.objects.get(slug=DEMO_SLUG)
        counts = demo.seed_voice_demo(organisation, now=NOW)
        yield Seeded(
            organisation=organisation,
            counts=counts,
            surveys={s.name: s for s in Survey.objects.filter(organisation=organisation)},
            teams=dict(Team.objects.filter(organisation=organisation).values_list("slug", "pk")),
            segments=dict(
                Segment.objects.filter(organisation=organisation).values_list("name", "pk")
            ),
        )
        transaction.set_rollback(True)


@pytest.fixture
def voice(seeded: Seeded, db: Any) -> Seeded:
    return seeded


def _months(start: date, end: date) -> list[date]:
    """First days of the months from ``start``'s to ``end``'s, both included."""
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _trend(voice: Seeded, **filters: Any) -> dict[date, metrics.Summary]:
    points = metrics.trend(voice.pk, "month", metrics.Filters(**filters))
    return {point.start: point.summary for point in points}


# --- size and shape ------------------------------------------------------------------------------


def test_a_year_of_feedback_in_every_kind(voice: Seeded) -> None:
    stored = Feedback.objects.filter(organisation=voice.organisation)
    assert voice.counts == {
        "surveys": 4,
        "responses": stored.filter(kind="response").count(),
        "complaints": stored.filter(kind="complaint").count(),
        "questions": stored.filter(kind="question").count(),
        "reviews": stored.filter(kind="review").count(),
    }
    assert voice.counts["responses"] >= 20_000
    assert 1_300 <= voice.counts["complaints"] <= 1_700
    assert 650 <= voice.counts["questions"] <= 950
    assert 450 <= voice.counts["reviews"] <= 750
    moments = stored.order_by("submitted_at").values_list("submitted_at", flat=True)
    first, last = (timezone.localtime(moments.first()).date(), moments.last())
    assert first == demo.history_start(NOW) == date(2025, 11, 1)
    assert last is not None and last <= NOW
    ids = list(stored.values_list("external_id", flat=True))
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"demo-[rcqv]-\d{6}", external_id) for external_id in ids)
    assert stored.filter(external_id="demo-r-000001").get().submitted_at == min(
        stored.filter(kind="response").values_list("submitted_at", flat=True)
    )


def test_surveys_are_open_bilingual_and_owned_by_the_teams_that_act_on_them(
    voice: Seeded,
) -> None:
    assert set(voice.surveys) == set(SURVEY_TEAMS)
    for name, survey in voice.surveys.items():
        assert survey.status == "open"
        assert survey.is_accepting(NOW)
        assert survey.team_id == voice.teams[SURVEY_TEAMS[name]]
        assert survey.title_nl and survey.title_en and survey.title_nl != survey.title_en
        assert survey.created_at < min(survey.feedback.values_list("submitted_at", flat=True))
    anonymous = [s for s in voice.surveys.values() if s.allow_anonymous]
    assert [s.name for s in anonymous] == ["Relatie-NPS"]
    public = Feedback.objects.filter(
        organisation=voice.organisation, channel__in=["link", "widget"]
    )
    assert public.exists()
    assert set(public.values_list("survey__allow_anonymous", flat=True)) == {True}
    assert not public.exclude(customer=None).exists()
    channels = Counter(
        Feedback.objects.filter(organisation=voice.organisation, kind="response").values_list(
            "channel", flat=True
        )
    )
    assert channels["email"] > 0.85 * sum(channels.values())
    assert channels["link"] and channels["widget"]


def test_answers_agree_with_the_score_columns_and_the_questions(voice: Seeded) -> None:
    questions: dict[int, dict[str, Question]] = {}
    for question in Question.objects.filter(organisation=voice.organisation):
        questions.setdefault(question.survey_id, {})[question.key] = question
    rows = Feedback.objects.filter(organisation=voice.organisation, kind="response").values(
        "survey_id", "customer_id", "customer__segment_id", "customer__language", "segment_id",
        "team_id", "survey__team_id", "channel", "language", "nps", "csat", "ces", "rating",
        "comment", "answers", "is_complete",
    )  # fmt: skip
    partial = 0
    for row in rows:
        by_key, answers = questions[row["survey_id"]], row["answers"]
        assert set(answers) <= set(by_key)
        for column in ("nps", "csat", "ces"):
            keyed = [key for key, q in by_key.items() if q.kind == column]
            assert row[column] == (answers.get(keyed[0]) if keyed else None)
        assert row["rating"] is None
        texts = [answers[key] for key, q in by_key.items() if q.kind == "text" and key in answers]
        assert row["comment"] == "\n\n".join(texts)
        for key, value in answers.items():
            question = by_key[key]
            assert is_visible(question, answers)
            if question.kind == "single":
                assert value in {choice["value"] for choice in question.choices}
            elif question.scale:
                low, high = question.scale
                assert low <= value <= high
        if not row["is_complete"]:
            partial += 1
            assert len(answers) == 1 and not row["comment"]
        assert row["team_id"] == row["survey__team_id"]
        if row["channel"] == "email":
            assert row["customer_id"] is not None
            assert row["segment_id"] == row["customer__segment_id"]
            assert row["language"] == row["customer__language"]
    assert 0.01 * len(rows) < partial < 0.06 * len(rows)


def test_complaints_questions_and_reviews_go_to_the_owning_team(voice: Seeded) -> None:
    stored = Feedback.objects.filter(organisation=voice.organisation)
    complaints = stored.filter(kind="complaint")
    assert not complaints.filter(subject="").exists()
    assert not complaints.filter(team=None).exists()
    assert set(complaints.values_list("channel", flat=True)) == {"phone", "email", "social"}
    new_system = complaints.filter(tags__name="Nieuw factuursysteem")
    assert new_system.count() > 150
    assert set(new_system.values_list("team_id", flat=True)) == {voice.teams["facturatie"]}
    installation = complaints.filter(tags__name="Installatie")
    assert set(installation.values_list("team_id", flat=True)) == {
        voice.teams["meters-installatie"]
    }
    assert not stored.filter(kind="question", team=None).exists()
    reviews = stored.filter(kind="review")
    assert set(reviews.values_list("rating", flat=True)) == {1, 2, 3, 4, 5}
    assert set(reviews.values_list("channel", flat=True)) == {"review_site", "social"}
    assert 0.15 * reviews.count() < reviews.exclude(nps=None).count() < 0.5 * reviews.count()
    happy = reviews.filter(rating=5).exclude(nps=None).values_list("nps", flat=True)
    assert min(happy) >= 9


# --- idempotent, deterministic, rollups in step --------------------------------------------------


def test_seeding_again_adds_nothing(voice: Seeded) -> None:
    items = DailyRollup.objects.filter(organisation=voice.organisation).aggregate(n=Sum("items"))
    feedback = Feedback.objects.count()
    again = demo.seed_voice_demo(voice.organisation, now=NOW + timedelta(days=3), seed=7)
    assert again == voice.counts
    assert Feedback.objects.count() == feedback
    assert Survey.objects.filter(organisation=voice.organisation).count() == 4
    assert (
        DailyRollup.objects.filter(organisation=voice.organisation).aggregate(n=Sum("items"))
        == items
    )


def test_rollups_equal_a_rebuild_from_the_raw_feedback(voice: Seeded) -> None:
    stored = rollups.snapshot(voice.pk)
    assert sum(counts["items"] for counts in stored.values()) == sum(
        v for k, v in voice.counts.items() if k != "surveys"
    )
    rollups.rebuild(voice.pk)
    assert rollups.snapshot(voice.pk) == stored


def test_the_same_seed_plans_exactly_what_is_stored(voice: Seeded) -> None:
    surveys = {spec["key"]: voice.surveys[spec["name"]] for spec in demo.SURVEYS}
    planned = demo.plan(voice.organisation, surveys, seed=2026, now=NOW)
    fields = ("external_id", "submitted_at", "customer_id", "nps", "csat", "ces", "comment")
    stored = set(Feedback.objects.filter(organisation=voice.organisation).values_list(*fields))
    assert {tuple(p.row.get(name, "" if name == "comment" else None) for name in fields)
            for p in planned} == stored  # fmt: skip


# --- what the dashboard shows ---------------------------------------------------------------------


def test_both_languages_and_comments_that_rarely_repeat(voice: Seeded) -> None:
    languages = {
        group.key: group.summary.items for group in metrics.breakdown(voice.pk, "language")
    }
    assert set(languages) == {"nl", "en"}
    assert 0.08 < languages["en"] / sum(languages.values()) < 0.20
    comments = Counter(
        Feedback.objects.filter(organisation=voice.organisation)
        .exclude(comment="")
        .values_list("comment", flat=True)
    )
    total = sum(comments.values())
    assert total > 10_000
    assert len(comments) > 0.4 * total
    assert comments.most_common(1)[0][1] < 0.006 * total
    english = Feedback.objects.filter(organisation=voice.organisation, language="en")
    assert (
        english.filter(comment__icontains="the ").count()
        > 0.5 * english.exclude(comment="").count()
    )


def test_comments_match_the_score(voice: Seeded) -> None:
    nps = Feedback.objects.filter(
        organisation=voice.organisation, survey=voice.surveys["Relatie-NPS"], language="nl"
    ).exclude(comment="")
    praise = re.compile(r"\b(top|fijn|tevreden|aanrader|complimenten|prima)\b", re.IGNORECASE)
    gripes = re.compile(r"\b(helaas|klopt niet|te duur|niet opgelost|wachttijd)\b", re.IGNORECASE)

    def share(pattern: re.Pattern[str], **scores: Any) -> float:
        texts = list(nps.filter(**scores).values_list("comment", flat=True))
        return sum(bool(pattern.search(text)) for text in texts) / len(texts)

    assert share(praise, nps__gte=9) > 3 * share(praise, nps__lte=6)
    assert share(gripes, nps__lte=6) > 3 * share(gripes, nps__gte=9)


def test_more_feedback_in_winter_than_in_the_summer_holidays(voice: Seeded) -> None:
    volume = {start: summary.items for start, summary in _trend(voice, kind="response").items()}
    assert volume[date(2026, 1, 1)] > 1.5 * volume[date(2026, 7, 1)]
    assert volume[date(2026, 2, 1)] > volume[date(2026, 5, 1)] > volume[date(2026, 7, 1)]


def test_mkb_scores_clearly_below_households(voice: Seeded) -> None:
    def nps(segment: str) -> Any:
        filters = metrics.Filters(segment_id=voice.segments[segment])
        return metrics.summary(voice.pk, filters).nps

    households, mkb = nps("Huishoudens"), nps("MKB")
    assert households.enough and mkb.enough
    assert mkb.high < households.low
    assert households.value - mkb.value > 15


def test_the_new_billing_system_shows_as_a_problem(voice: Seeded) -> None:
    go_live = demo.billing_go_live(NOW)
    assert go_live == date(2026, 8, 1)
    problem = [go_live, date(2026, 9, 1)]
    before = _months(demo.history_start(NOW), go_live - timedelta(days=1))
    assert len(before) == 9

    complaints = _trend(voice, kind="complaint", team_id=voice.teams["facturatie"])
    usual = sum(complaints[month].items for month in before) / len(before)
    for month in problem:
        assert complaints[month].items >= 2 * usual
    after = complaints[date(2026, 10, 1)].items
    assert usual < after < min(complaints[month].items for month in problem)

    relationship = metrics.Filters(survey_id=voice.surveys["Relatie-NPS"].pk)
    baseline = metrics.summary(
        voice.pk,
        metrics.Filters(**{**relationship.__dict__, "since": before[0], "until": before[-1]}),
    ).nps
    assert 5 <= baseline.value <= 20  # a believable NPS for a Dutch energy supplier
    by_month = _trend(voice, survey_id=voice.surveys["Relatie-NPS"].pk)
    for month in problem:
        assert by_month[month].nps.high < baseline.low
        assert by_month[month].nps.value < baseline.value - 12

    statement = _trend(voice, survey_id=voice.surveys["Jaarnota-CSAT"].pk)
    usual_csat = min(statement[month].csat.value for month in before)
    for month in problem:
        assert statement[month].csat.value < usual_csat - 15


def test_installation_effort_improves_over_the_year(voice: Seeded) -> None:
    survey = voice.surveys["Installatie-CES"].pk
    first = metrics.summary(
        voice.pk, metrics.Filters(survey_id=survey, until=date(2026, 1, 31))
    ).ces
    last = metrics.summary(voice.pk, metrics.Filters(survey_id=survey, since=date(2026, 8, 1))).ces
    assert last.high < first.low  # lower effort is better
    assert first.value - last.value > 0.6
