"""Rollups: aggregates of feedback kept incrementally, so dashboards never scan all feedback.

One row per day × survey × segment × team × channel × language × kind × stripe holds counts and
sums (the sufficient statistics of NPS, CSAT and CES). Dimension ids are plain integers with 0 for
"none", so the unique key works on every database (NULLs never collide in a unique index).

Stripes: every submission adds to today's row of its survey, so on PostgreSQL concurrent
submissions would queue for that one row's lock, held until each commit (at 8 connections an
upsert on one row cost twice the database CPU of upserts spread over rows, and ran at 40% of
their rate). A single submission therefore adds to the row of a stripe drawn at random (1-16);
bulk writes (imports, rebuilds, folds) use stripe 0. A key's figures are the sum of its stripes,
and every reader sums (``analytics.services``, ``rollups.snapshot``). The daily round folds
past days' stripes into one row (``rollups.compact``), so only today's keys have several."""

from __future__ import annotations

from django.db import models

from outsidein.core.models import Organisation

NPS_SCORE_COUNTERS = tuple(f"nps_{score}" for score in range(11))
# The statistics each rollup row keeps: counts and sums, never averages (they do not add up).
COUNTERS = (
    "items",
    "nps_n",
    "promoters",
    "passives",
    "detractors",
    "csat_n",
    "csat_top2",
    "csat_sum",
    "ces_n",
    "ces_sum",
    "ces_sumsq",
    *NPS_SCORE_COUNTERS,
)
DIMENSIONS = ("day", "survey_id", "segment_id", "team_id", "channel", "language", "kind")


class Rollup(models.Model):
    """The dimensions and counters both rollup grains share."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    survey_id = models.IntegerField(default=0)
    segment_id = models.IntegerField(default=0)
    team_id = models.IntegerField(default=0)
    channel = models.CharField(max_length=12)
    language = models.CharField(max_length=2)
    kind = models.CharField(max_length=10)
    # Not a dimension: which of a key's rows this is (see the module's docstring).
    stripe = models.SmallIntegerField(default=0)

    items = models.IntegerField(default=0)
    nps_n = models.IntegerField(default=0)
    promoters = models.IntegerField(default=0)
    passives = models.IntegerField(default=0)
    detractors = models.IntegerField(default=0)
    csat_n = models.IntegerField(default=0)
    csat_top2 = models.IntegerField(default=0)
    csat_sum = models.IntegerField(default=0)
    ces_n = models.IntegerField(default=0)
    ces_sum = models.IntegerField(default=0)
    ces_sumsq = models.IntegerField(default=0)
    # How many gave each NPS score, for the distribution chart.
    nps_0 = models.IntegerField(default=0)
    nps_1 = models.IntegerField(default=0)
    nps_2 = models.IntegerField(default=0)
    nps_3 = models.IntegerField(default=0)
    nps_4 = models.IntegerField(default=0)
    nps_5 = models.IntegerField(default=0)
    nps_6 = models.IntegerField(default=0)
    nps_7 = models.IntegerField(default=0)
    nps_8 = models.IntegerField(default=0)
    nps_9 = models.IntegerField(default=0)
    nps_10 = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DailyRollup(Rollup):
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", *DIMENSIONS, "stripe"], name="daily_rollup_unique_key"
            )
        ]
        indexes = [models.Index(fields=["organisation", "day"], name="rollup_org_day")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.day} {self.kind} ({self.items})"


class MonthlyRollup(Rollup):
    """The same counters per calendar month (``month`` is its first day): dashboards over whole
    months read 30 times fewer rows. Kept in the same upsert as the daily rows."""

    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "month", *DIMENSIONS[1:], "stripe"],
                name="monthly_rollup_unique_key",
            )
        ]
        indexes = [models.Index(fields=["organisation", "month"], name="rollup_org_month")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month} {self.kind} ({self.items})"
