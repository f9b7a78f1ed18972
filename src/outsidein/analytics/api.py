"""The metrics API: the same figures as the dashboard, with n and 95% intervals."""

from dataclasses import replace
from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from outsidein.analytics import periods
from outsidein.analytics import services as metrics
from outsidein.api.access import caller
from outsidein.api.schemas import EstimateOut, IsoDate, SegmentRef, SurveyRef, TeamRef

router = Router(tags=["metrics"])


class MetricsQuery(Schema):
    since: IsoDate | None = None
    until: IsoDate | None = Field(None, description="Inclusive")
    survey_id: SurveyRef | None = None
    segment_id: SegmentRef | None = None
    team_id: TeamRef | None = None
    channel: str | None = None
    language: Literal["nl", "en"] | None = None
    kind: Literal["response", "complaint", "question", "review", "note"] | None = None
    by: Literal["segment", "team", "survey", "channel", "language", "kind"] | None = Field(
        None, description="Also break the figures down by this dimension"
    )
    period: Literal["week", "month"] | None = Field(None, description="Also give a trend")


class SummaryOut(Schema):
    items: int
    nps: EstimateOut
    csat: EstimateOut
    ces: EstimateOut
    promoters: int
    passives: int
    detractors: int


class GroupOut(SummaryOut):
    key: Any
    label: str


class PointOut(SummaryOut):
    start: date


class MetricsOut(Schema):
    summary: SummaryOut
    breakdown: list[GroupOut] | None = None
    trend: list[PointOut] | None = None


class CompareQuery(Schema):
    since: IsoDate | None = None
    until: IsoDate | None = Field(None, description="Inclusive")
    survey_id: SurveyRef | None = None
    segment_id: SegmentRef | None = None
    team_id: TeamRef | None = None
    channel: str | None = None
    language: Literal["nl", "en"] | None = None
    kind: Literal["response", "complaint", "question", "review", "note"] | None = None
    by: Literal["segment", "team", "survey", "channel", "language", "kind"] | None = Field(
        None,
        description="Compare every two groups of this breakdown; without it, compare the "
        "period since–until with the one before it",
    )
    a: str | None = Field(None, description="Only this group (a key of the breakdown) …")
    b: str | None = Field(None, description="… against this one; give both or neither")


class MetricDifferenceOut(Schema):
    """``b - a`` with an interval that holds for all comparisons together (Bonferroni) and a
    p-value corrected for their number (Holm); all None where a group has too few responses."""

    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None
    p_adjusted: float | None
    significant: bool
    comparisons: int


class ComparedGroupOut(SummaryOut):
    key: Any = None
    label: str | None = None
    since: date | None = None
    until: date | None = None


class PairOut(Schema):
    a: ComparedGroupOut
    b: ComparedGroupOut
    nps: MetricDifferenceOut
    csat: MetricDifferenceOut
    ces: MetricDifferenceOut


class PeriodOut(Schema):
    previous: ComparedGroupOut
    current: ComparedGroupOut
    nps: MetricDifferenceOut
    csat: MetricDifferenceOut
    ces: MetricDifferenceOut


class CompareOut(Schema):
    by: str | None
    minimum_n: int
    pairs: list[PairOut] | None = None
    period: PeriodOut | None = None


def _filters(query: Any) -> metrics.Filters:
    from django.core.exceptions import ValidationError

    if query.since and query.until and query.since > query.until:
        raise ValidationError({"until": "The end date lies before the start date."})
    return metrics.Filters(
        since=query.since,
        until=query.until,
        survey_id=query.survey_id,
        segment_id=query.segment_id,
        team_id=query.team_id,
        channel=query.channel,
        language=query.language,
        kind=query.kind,
    )


@router.get(
    "/compare",
    response=CompareOut,
    summary="Differences between groups or periods, with intervals and Holm-corrected p-values",
)
def compare_metrics(request: HttpRequest, query: Query[CompareQuery]) -> Any:
    from django.core.exceptions import ValidationError

    organisation_id = caller(request).organisation_id
    filters = _filters(query)
    result: dict[str, Any] = {"by": query.by, "minimum_n": metrics.stats.MINIMUM_N}
    if (query.a is None) != (query.b is None):
        raise ValidationError({"b": "Give both a and b to compare two groups, or neither."})
    if query.by:
        labels = metrics.dimension_labels(organisation_id, query.by)
        keys = None
        if query.a is not None and query.b is not None:
            keys = (query.a, query.b)
        try:
            pairs = metrics.compare_groups(
                organisation_id, query.by, filters, labels=labels, keys=keys
            )
        except ValueError as error:
            raise ValidationError({"a": str(error)}) from None
        result["pairs"] = [pair.to_dict() for pair in pairs]
        return result
    if query.a is not None:
        raise ValidationError({"by": "a and b name groups of a breakdown: give by as well."})
    if bool(query.since) != bool(query.until):
        raise ValidationError(
            {"until": "Comparing periods needs both since and until (or neither: last month)."}
        )
    if not query.since:
        # Honest default: the last complete month against the month before it.
        since, until = periods.last_complete_months(timezone.localdate(), 1)
        filters = replace(filters, since=since, until=until)
    result["period"] = metrics.compare_periods(organisation_id, filters).to_dict()
    return result


@router.get("", response=MetricsOut, summary="NPS, CSAT and CES with intervals")
def get_metrics(request: HttpRequest, query: Query[MetricsQuery]) -> Any:
    organisation_id = caller(request).organisation_id
    filters = _filters(query)
    result: dict[str, Any] = {"summary": metrics.summary(organisation_id, filters).to_dict()}
    if query.by:
        labels = metrics.dimension_labels(organisation_id, query.by)
        result["breakdown"] = metrics.iter_counts(
            metrics.breakdown(organisation_id, query.by, filters, labels=labels)
        )
    if query.period:
        result["trend"] = [
            {"start": point.start, **point.summary.to_dict()}
            for point in metrics.trend(organisation_id, query.period, filters)
        ]
    return result
