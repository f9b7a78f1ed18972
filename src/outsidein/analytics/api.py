"""The metrics API: the same figures as the dashboard, with n and 95% intervals."""

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

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


@router.get("", response=MetricsOut, summary="NPS, CSAT and CES with intervals")
def get_metrics(request: HttpRequest, query: Query[MetricsQuery]) -> Any:
    from django.core.exceptions import ValidationError

    organisation_id = caller(request).organisation_id
    if query.since and query.until and query.since > query.until:
        raise ValidationError({"until": "The end date lies before the start date."})
    filters = metrics.Filters(
        since=query.since,
        until=query.until,
        survey_id=query.survey_id,
        segment_id=query.segment_id,
        team_id=query.team_id,
        channel=query.channel,
        language=query.language,
        kind=query.kind,
    )
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
