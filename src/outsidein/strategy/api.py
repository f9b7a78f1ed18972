"""API endpoints of the strategy app: segment strategies and rules, needs and the "no"
register, journeys with stages and touchpoints (and what measures them), processes, the journey
map and the "disconnected" flags. Thin: parse, check permission, call a service, answer."""

from datetime import date
from typing import Any, ClassVar, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator

from outsidein.api.access import (
    caller,
    delete_scoped,
    get_scoped_or_404,
    related_or_422,
    require,
    scoped,
)
from outsidein.api.schemas import (
    EstimateOut,
    Flag,
    Id,
    InputSchema,
    IsoDate,
    Pagination,
    PatchSchema,
    Position,
)
from outsidein.core.models import Customer, Person, Segment, Team
from outsidein.core.permissions import Action, can
from outsidein.strategy import reports, services
from outsidein.strategy.models import (
    DeclinedRequest,
    ItemKind,
    Journey,
    LinkKind,
    Measure,
    Need,
    Priority,
    Process,
    RequestSource,
    SegmentRule,
    SegmentStrategy,
    Stage,
    StageKind,
    Stance,
    Touchpoint,
    TouchpointLink,
    ValueDiscipline,
)
from outsidein.voice.models import Channel

router = Router(tags=["strategy"])

PriorityCode = Literal[tuple(Priority.values)]  # type: ignore[valid-type]
DisciplineCode = Literal[("", *ValueDiscipline.values)]  # type: ignore[valid-type]
StanceCode = Literal[tuple(Stance.values)]  # type: ignore[valid-type]
SourceCode = Literal[tuple(RequestSource.values)]  # type: ignore[valid-type]
StageKindCode = Literal[tuple(StageKind.values)]  # type: ignore[valid-type]
ChannelCode = Literal[("", *Channel.values)]  # type: ignore[valid-type]
MeasureCode = Literal[("", *Measure.values)]  # type: ignore[valid-type]
LinkKindCode = Literal[tuple(LinkKind.values)]  # type: ignore[valid-type]
ItemKindCode = Literal[tuple(ItemKind.values)]  # type: ignore[valid-type]


def _resolve(person: Person, changes: dict[str, Any], **models: Any) -> dict[str, Any]:
    """Replace ``<name>_id`` keys with the caller's records (a foreign id is a 422)."""
    for name, model in models.items():
        key = f"{name}_id"
        if key in changes:
            changes[name] = related_or_422(person, model, changes.pop(key), key)
    return changes


# --- segment strategies ------------------------------------------------------------------------


class StrategyOut(Schema):
    segment_id: int
    segment: str
    priority: str
    value_discipline: str
    proposition: str
    desired_experience: str


class StrategyPatch(PatchSchema):
    priority: PriorityCode | None = None  # type: ignore[valid-type]
    value_discipline: DisciplineCode | None = None  # type: ignore[valid-type]
    proposition: str | None = Field(None, max_length=3000)
    desired_experience: str | None = Field(None, max_length=3000)


def _strategy_out(segment: Segment, strategy: SegmentStrategy | None) -> dict[str, Any]:
    return {
        "segment_id": segment.pk,
        "segment": segment.name,
        "priority": strategy.priority if strategy else Priority.MAINTAIN,
        "value_discipline": strategy.value_discipline if strategy else "",
        "proposition": strategy.proposition if strategy else "",
        "desired_experience": strategy.desired_experience if strategy else "",
    }


@router.get("/strategy/segments", response=list[StrategyOut])
def list_strategies(request: HttpRequest) -> Any:
    person = caller(request)
    strategies = {s.segment_id: s for s in scoped(person, SegmentStrategy)}
    return [_strategy_out(seg, strategies.get(seg.pk)) for seg in scoped(person, Segment)]


@router.get("/strategy/segments/{segment_id}", response=StrategyOut)
def get_strategy(request: HttpRequest, segment_id: int) -> Any:
    segment = get_scoped_or_404(caller(request), Segment, segment_id)
    return _strategy_out(segment, SegmentStrategy.objects.filter(segment=segment).first())


@router.patch("/strategy/segments/{segment_id}", response=StrategyOut)
def update_strategy(request: HttpRequest, segment_id: int, payload: StrategyPatch) -> Any:
    person = caller(request)
    segment = get_scoped_or_404(person, Segment, segment_id)
    require(person, Action.CHANGE, SegmentStrategy)
    return _strategy_out(segment, services.update_strategy(segment, **payload.changes()))


# --- segment rules -----------------------------------------------------------------------


class Condition(InputSchema):
    field: str = Field(..., max_length=45, description="kind, city, language or attr:<key>")
    op: str = Field(..., max_length=10, description="is, is_not, in, contains")
    value: str | list[str] = Field(..., description="A text, or a list for “in”")


class RuleOut(Schema):
    id: int
    name: str
    segment_id: int
    position: int
    conditions: list[dict[str, Any]]
    is_active: bool


class RuleIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=120)
    segment_id: Id
    position: Position | None = None
    conditions: list[dict[str, Any]] = Field(..., max_length=50)
    is_active: Flag = True


class RulePatch(PatchSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    segment_id: Id | None = None
    position: Position | None = None
    conditions: list[dict[str, Any]] | None = Field(None, max_length=50)
    is_active: Flag | None = None


class OverlapOut(Schema):
    first_rule_id: int
    second_rule_id: int
    customers: int
    example_customer_ids: list[int]


class RuleCheckOut(Schema):
    matched: int
    would_change: int
    unmatched: int
    pinned: int
    matched_per_rule: dict[int, int]
    overlaps: list[OverlapOut]


class JobStarted(Schema):
    job_id: int


@router.post("/strategy/segment-rules/check", response=RuleCheckOut)
def check_rules(request: HttpRequest) -> Any:
    """What re-evaluation would do now, without changing anything: overlaps with examples."""
    person = caller(request)
    evaluation = services.dry_run(person.organisation_id)
    return {
        "matched": len(evaluation.assigned),
        "would_change": len(evaluation.changes),
        "unmatched": evaluation.unmatched,
        "pinned": evaluation.pinned_skipped,
        "matched_per_rule": evaluation.matched_per_rule,
        "overlaps": [
            {
                "first_rule_id": o.first.rule_id,
                "second_rule_id": o.second.rule_id,
                "customers": o.count,
                "example_customer_ids": [f.customer_id for f in o.examples],
            }
            for o in evaluation.overlaps
        ],
    }


@router.post("/strategy/segment-rules/run", response={202: JobStarted})
def run_rules(request: HttpRequest) -> Any:
    """Re-evaluate every customer in the background; follow the job at /api/v1/jobs/{id}."""
    from outsidein.jobs.services import start_job
    from outsidein.strategy.jobs import KIND

    person = caller(request)
    require(person, Action.CREATE, SegmentRule)
    job = start_job(
        person.organisation, kind=KIND, title="Re-evaluate segment rules", created_by=person
    )
    return Status(202, {"job_id": job.pk})


@router.get("/strategy/segment-rules", response=list[RuleOut])
@paginate(Pagination)
def list_rules(request: HttpRequest) -> Any:
    return scoped(caller(request), SegmentRule)


@router.get("/strategy/segment-rules/{rule_id}", response=RuleOut)
def get_rule(request: HttpRequest, rule_id: int) -> Any:
    return get_scoped_or_404(caller(request), SegmentRule, rule_id)


@router.post("/strategy/segment-rules", response={201: RuleOut})
def create_rule(request: HttpRequest, payload: RuleIn) -> Any:
    person = caller(request)
    require(person, Action.CREATE, SegmentRule)
    data = _resolve(person, payload.model_dump(), segment=Segment)
    return Status(201, services.create_rule(person.organisation, **data))


@router.patch("/strategy/segment-rules/{rule_id}", response=RuleOut)
def update_rule(request: HttpRequest, rule_id: int, payload: RulePatch) -> Any:
    person = caller(request)
    rule = get_scoped_or_404(person, SegmentRule, rule_id)
    require(person, Action.CHANGE, rule)
    return services.update_rule(rule, **_resolve(person, payload.changes(), segment=Segment))


@router.delete("/strategy/segment-rules/{rule_id}", response={204: None})
def delete_rule(request: HttpRequest, rule_id: int) -> Any:
    return delete_scoped(request, SegmentRule, rule_id, services.delete_rule)


class OverrideIn(InputSchema):
    segment_id: Id | None = Field(None, description="Leave empty for no segment")
    reason: str = Field(..., min_length=1, max_length=1000)


class OverrideOut(Schema):
    id: int
    customer_id: int
    from_segment_id: int | None
    to_segment_id: int | None
    source: str
    reason: str


@router.post("/strategy/customers/{customer_id}/segment", response={201: OverrideOut})
def override_segment(request: HttpRequest, customer_id: int, payload: OverrideIn) -> Any:
    """Place a customer in a segment by hand; the rules leave them there (logged)."""
    person = caller(request)
    customer = get_scoped_or_404(person, Customer, customer_id)
    require(person, Action.CREATE, SegmentRule)
    segment = related_or_422(person, Segment, payload.segment_id, "segment_id")
    return Status(
        201, services.override_segment(customer, segment, by=person, reason=payload.reason)
    )


# --- needs and the "no" register ------------------------------------------------------------


class NeedOut(Schema):
    id: int
    segment_id: int
    name: str
    description: str
    stance: str
    reason: str


class NeedIn(InputSchema):
    segment_id: Id
    name: str = Field(..., min_length=1, max_length=160)
    description: str = Field("", max_length=3000)
    stance: StanceCode  # type: ignore[valid-type]
    reason: str = Field(..., min_length=1, max_length=3000)


class NeedPatch(PatchSchema):
    segment_id: Id | None = None
    name: str | None = Field(None, min_length=1, max_length=160)
    description: str | None = Field(None, max_length=3000)
    stance: StanceCode | None = None  # type: ignore[valid-type]
    reason: str | None = Field(None, min_length=1, max_length=3000)


class TagIn(InputSchema):
    kind: ItemKindCode  # type: ignore[valid-type]
    ref_id: Id


class TagOut(Schema):
    id: int
    need_id: int
    kind: str
    ref_id: int
    label: str


@router.get("/strategy/needs", response=list[NeedOut])
@paginate(Pagination)
def list_needs(request: HttpRequest) -> Any:
    return scoped(caller(request), Need)


@router.get("/strategy/needs/{need_id}", response=NeedOut)
def get_need(request: HttpRequest, need_id: int) -> Any:
    return get_scoped_or_404(caller(request), Need, need_id)


@router.post("/strategy/needs", response={201: NeedOut})
def create_need(request: HttpRequest, payload: NeedIn) -> Any:
    person = caller(request)
    require(person, Action.CREATE, Need)
    data = _resolve(person, payload.model_dump(), segment=Segment)
    return Status(201, services.create_need(person.organisation, **data))


@router.patch("/strategy/needs/{need_id}", response=NeedOut)
def update_need(request: HttpRequest, need_id: int, payload: NeedPatch) -> Any:
    person = caller(request)
    need = get_scoped_or_404(person, Need, need_id)
    require(person, Action.CHANGE, need)
    return services.update_need(need, **_resolve(person, payload.changes(), segment=Segment))


@router.delete("/strategy/needs/{need_id}", response={204: None})
def delete_need(request: HttpRequest, need_id: int) -> Any:
    return delete_scoped(request, Need, need_id, services.delete_need)


@router.post("/strategy/needs/{need_id}/tags", response={201: TagOut})
def tag_need(request: HttpRequest, need_id: int, payload: TagIn) -> Any:
    """Tag a feedback item (question, complaint, response) or an idea with the need."""
    person = caller(request)
    need = get_scoped_or_404(person, Need, need_id)
    require(person, Action.CHANGE, need)
    return Status(201, services.tag_need(need, kind=payload.kind, ref_id=payload.ref_id, by=person))


class DeclinedOut(Schema):
    id: int
    request: str
    source: str
    ref_id: int | None
    need_id: int | None
    segment_id: int | None
    customer_id: int | None
    reason: str
    customer_told: bool
    decided_on: date
    decided_by_id: int | None


class DeclinedIn(InputSchema):
    request: str = Field(..., min_length=1, max_length=300)
    source: SourceCode  # type: ignore[valid-type]
    ref_id: Id | None = Field(None, description="The idea's or question's id")
    need_id: Id | None = None
    segment_id: Id | None = None
    customer_id: Id | None = None
    reason: str = Field(..., min_length=1, max_length=3000)
    customer_told: Flag = False
    decided_on: IsoDate | None = None


class DeclinedPatch(PatchSchema):
    CLEARABLE: ClassVar[frozenset[str]] = frozenset(
        {"need_id", "segment_id", "customer_id", "ref_id"}
    )

    request: str | None = Field(None, min_length=1, max_length=300)
    source: SourceCode | None = None  # type: ignore[valid-type]
    ref_id: Id | None = None
    need_id: Id | None = None
    segment_id: Id | None = None
    customer_id: Id | None = None
    reason: str | None = Field(None, min_length=1, max_length=3000)
    customer_told: Flag | None = None
    decided_on: IsoDate | None = None


class DeclinedFilter(Schema):
    segment: int | None = Field(None, ge=1, description="Segment id")
    need: int | None = Field(None, ge=1, description="Need id")
    told: bool | None = Field(None, description="Whether the customer was told")


_DECLINED_RELATED = {"need": Need, "segment": Segment, "customer": Customer}


@router.get("/strategy/declined-requests", response=list[DeclinedOut])
@paginate(Pagination)
def list_declined(request: HttpRequest, filters: Query[DeclinedFilter]) -> Any:
    items = scoped(caller(request), DeclinedRequest)
    if filters.segment:
        items = items.filter(segment_id=filters.segment)
    if filters.need:
        items = items.filter(need_id=filters.need)
    if filters.told is not None:
        items = items.filter(customer_told=filters.told)
    return items


@router.get("/strategy/declined-requests/{item_id}", response=DeclinedOut)
def get_declined(request: HttpRequest, item_id: int) -> Any:
    return get_scoped_or_404(caller(request), DeclinedRequest, item_id)


@router.post("/strategy/declined-requests", response={201: DeclinedOut})
def create_declined(request: HttpRequest, payload: DeclinedIn) -> Any:
    person = caller(request)
    require(person, Action.CREATE, DeclinedRequest)
    data = _resolve(person, payload.model_dump(), **_DECLINED_RELATED)
    if data.get("decided_on") is None:
        data.pop("decided_on", None)
    return Status(201, services.create_declined(person.organisation, decided_by=person, **data))


@router.patch("/strategy/declined-requests/{item_id}", response=DeclinedOut)
def update_declined(request: HttpRequest, item_id: int, payload: DeclinedPatch) -> Any:
    person = caller(request)
    item = get_scoped_or_404(person, DeclinedRequest, item_id)
    require(person, Action.CHANGE, item)
    return services.update_declined(
        item, **_resolve(person, payload.changes(), **_DECLINED_RELATED)
    )


@router.delete("/strategy/declined-requests/{item_id}", response={204: None})
def delete_declined(request: HttpRequest, item_id: int) -> Any:
    return delete_scoped(request, DeclinedRequest, item_id, services.delete_declined)


# --- journeys and stages -----------------------------------------------------------------------


class StageOut(Schema):
    id: int
    journey_id: int
    position: int
    name: str
    kind: str
    suggested_measure: str

    @staticmethod
    def resolve_suggested_measure(obj: Stage) -> str:
        from outsidein.strategy.flags import suggested_measure

        return suggested_measure(obj.kind)


class JourneyOut(Schema):
    id: int
    segment_id: int
    name: str
    description: str
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj: Journey) -> list[Stage]:
        return list(obj.stages.all())


class JourneyIn(InputSchema):
    segment_id: Id
    name: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=3000)


class JourneyPatch(PatchSchema):
    segment_id: Id | None = None
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = Field(None, max_length=3000)


class StageIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=120)
    kind: StageKindCode = "other"  # type: ignore[valid-type]
    position: Position | None = None


@router.get("/strategy/journeys", response=list[JourneyOut])
@paginate(Pagination)
def list_journeys(request: HttpRequest) -> Any:
    return scoped(caller(request), Journey).prefetch_related("stages")


@router.get("/strategy/journeys/{journey_id}", response=JourneyOut)
def get_journey(request: HttpRequest, journey_id: int) -> Any:
    return get_scoped_or_404(caller(request), Journey, journey_id)


@router.post("/strategy/journeys", response={201: JourneyOut})
def create_journey(request: HttpRequest, payload: JourneyIn) -> Any:
    person = caller(request)
    require(person, Action.CREATE, Journey)
    data = _resolve(person, payload.model_dump(), segment=Segment)
    return Status(201, services.create_journey(person.organisation, **data))


@router.patch("/strategy/journeys/{journey_id}", response=JourneyOut)
def update_journey(request: HttpRequest, journey_id: int, payload: JourneyPatch) -> Any:
    person = caller(request)
    journey = get_scoped_or_404(person, Journey, journey_id)
    require(person, Action.CHANGE, journey)
    return services.update_journey(journey, **_resolve(person, payload.changes(), segment=Segment))


@router.delete("/strategy/journeys/{journey_id}", response={204: None})
def delete_journey(request: HttpRequest, journey_id: int) -> Any:
    return delete_scoped(request, Journey, journey_id, services.delete_journey)


@router.post("/strategy/journeys/{journey_id}/stages", response={201: StageOut})
def create_stage(request: HttpRequest, journey_id: int, payload: StageIn) -> Any:
    person = caller(request)
    journey = get_scoped_or_404(person, Journey, journey_id)
    require(person, Action.CREATE, Stage)
    return Status(201, services.create_stage(journey, **payload.model_dump()))


@router.delete("/strategy/stages/{stage_id}", response={204: None})
def delete_stage(request: HttpRequest, stage_id: int) -> Any:
    return delete_scoped(request, Stage, stage_id, services.delete_stage)


class MapCellOut(Schema):
    touchpoint_id: int
    name: str
    stage: str
    measure: str
    heat: str
    nps: EstimateOut
    csat: EstimateOut
    ces: EstimateOut
    items: int
    complaints: int
    open_follow_ups: int


class MapFilter(Schema):
    # An int with a validator, not Literal[90, 365]: a query string "365" never equals the int.
    days: int = Field(365, description="90 or 365", json_schema_extra={"enum": [90, 365]})

    @field_validator("days")
    @classmethod
    def _two_periods(cls, value: int) -> int:
        if value not in (90, 365):
            raise ValueError(gettext("Use 90 or 365."))
        return value


@router.get("/strategy/journeys/{journey_id}/map", response=list[MapCellOut])
def journey_map(request: HttpRequest, journey_id: int, filters: Query[MapFilter]) -> Any:
    """Each touchpoint's NPS/CSAT/CES with a 95% interval over the last 90 or 365 days."""
    journey = get_scoped_or_404(caller(request), Journey, journey_id)
    today = timezone.localdate()
    from datetime import timedelta

    rows = reports.journey_map(journey, today - timedelta(days=filters.days - 1), today)
    return [
        {
            "touchpoint_id": cell.touchpoint.pk,
            "name": cell.touchpoint.name,
            "stage": row.stage.name,
            "measure": cell.measure,
            "heat": cell.heat,
            "nps": cell.nps.__dict__,
            "csat": cell.csat.__dict__,
            "ces": cell.ces.__dict__,
            "items": cell.items,
            "complaints": cell.complaints,
            "open_follow_ups": cell.open_follow_ups,
        }
        for row in rows
        for cell in row.cells
    ]


# --- touchpoints and their links -----------------------------------------------------------


class LinkOut(Schema):
    id: int
    touchpoint_id: int | None
    kind: str
    ref_id: int
    label: str


class TouchpointOut(Schema):
    id: int
    stage_id: int
    journey_id: int
    position: int
    name: str
    channel: str
    team_id: int | None
    moment_that_matters: bool
    expected_experience: str
    measure: str
    suggested_measure: str

    @staticmethod
    def resolve_journey_id(obj: Touchpoint) -> int:
        return obj.stage.journey_id

    @staticmethod
    def resolve_suggested_measure(obj: Touchpoint) -> str:
        from outsidein.strategy.flags import suggested_measure

        return suggested_measure(obj.stage.kind)


class TouchpointIn(InputSchema):
    stage_id: Id
    name: str = Field(..., min_length=1, max_length=160)
    channel: ChannelCode = ""  # type: ignore[valid-type]
    team_id: Id | None = None
    moment_that_matters: Flag = False
    expected_experience: str = Field("", max_length=3000)
    measure: MeasureCode = Field("", description="Empty: the one suggested for the stage")  # type: ignore[valid-type]
    position: Position | None = None


class TouchpointPatch(PatchSchema):
    CLEARABLE: ClassVar[frozenset[str]] = frozenset({"team_id"})

    stage_id: Id | None = None
    name: str | None = Field(None, min_length=1, max_length=160)
    channel: ChannelCode | None = None  # type: ignore[valid-type]
    team_id: Id | None = None
    moment_that_matters: Flag | None = None
    expected_experience: str | None = Field(None, max_length=3000)
    measure: MeasureCode | None = None  # type: ignore[valid-type]
    position: Position | None = None


class LinkIn(InputSchema):
    kind: LinkKindCode  # type: ignore[valid-type]
    ref_id: Id


def _may_own(person: Person, action: str, model: type[Any], team: Team | None) -> None:
    if not can(person, action, model(team=team)):
        raise PermissionDenied(
            gettext("Managers keep the touchpoints and processes of their own teams.")
        )


@router.get("/strategy/touchpoints", response=list[TouchpointOut])
@paginate(Pagination)
def list_touchpoints(request: HttpRequest) -> Any:
    return scoped(caller(request), Touchpoint).select_related("stage")


@router.get("/strategy/touchpoints/{touchpoint_id}", response=TouchpointOut)
def get_touchpoint(request: HttpRequest, touchpoint_id: int) -> Any:
    return get_scoped_or_404(caller(request), Touchpoint, touchpoint_id)


@router.post("/strategy/touchpoints", response={201: TouchpointOut})
def create_touchpoint(request: HttpRequest, payload: TouchpointIn) -> Any:
    person = caller(request)
    require(person, Action.CREATE, Touchpoint)
    data = _resolve(person, payload.model_dump(), stage=Stage, team=Team)
    _may_own(person, Action.CREATE, Touchpoint, data["team"])
    return Status(201, services.create_touchpoint(person.organisation, **data))


@router.patch("/strategy/touchpoints/{touchpoint_id}", response=TouchpointOut)
def update_touchpoint(request: HttpRequest, touchpoint_id: int, payload: TouchpointPatch) -> Any:
    person = caller(request)
    touchpoint = get_scoped_or_404(person, Touchpoint, touchpoint_id)
    require(person, Action.CHANGE, touchpoint)
    changes = _resolve(person, payload.changes(), stage=Stage, team=Team)
    if "team" in changes:
        _may_own(person, Action.CHANGE, Touchpoint, changes["team"])
    return services.update_touchpoint(touchpoint, **changes)


@router.delete("/strategy/touchpoints/{touchpoint_id}", response={204: None})
def delete_touchpoint(request: HttpRequest, touchpoint_id: int) -> Any:
    """The touchpoint goes; the items linked to it stay, listed as unlinked."""
    return delete_scoped(request, Touchpoint, touchpoint_id, services.delete_touchpoint)


@router.get("/strategy/touchpoints/{touchpoint_id}/links", response=list[LinkOut])
def list_links(request: HttpRequest, touchpoint_id: int) -> Any:
    return list(get_scoped_or_404(caller(request), Touchpoint, touchpoint_id).links.all())


@router.post("/strategy/touchpoints/{touchpoint_id}/links", response={201: LinkOut})
def add_link(request: HttpRequest, touchpoint_id: int, payload: LinkIn) -> Any:
    person = caller(request)
    touchpoint = get_scoped_or_404(person, Touchpoint, touchpoint_id)
    require(person, Action.CHANGE, touchpoint)
    return Status(201, services.link(touchpoint, kind=payload.kind, ref_id=payload.ref_id))


@router.get("/strategy/unlinked", response=list[LinkOut])
def list_unlinked(request: HttpRequest) -> Any:
    """Items whose touchpoint was deleted: kept, waiting to be linked again."""
    return reports.unlinked_items(caller(request).organisation_id)


@router.delete("/strategy/touchpoint-links/{link_id}", response={204: None})
def delete_link(request: HttpRequest, link_id: int) -> Any:
    person = caller(request)
    item = get_scoped_or_404(person, TouchpointLink, link_id)
    if item.touchpoint is not None:
        require(person, Action.CHANGE, item.touchpoint)
    else:
        require(person, Action.DELETE, item)
    services.unlink(item)
    return Status(204, None)


# --- processes ---------------------------------------------------------------------------


class ProcessOut(Schema):
    id: int
    name: str
    team_id: int | None
    description: str
    touchpoint_ids: list[int]
    decision_ids: list[int]

    @staticmethod
    def resolve_touchpoint_ids(obj: Process) -> list[int]:
        return [t.pk for t in obj.touchpoints.all()]

    @staticmethod
    def resolve_decision_ids(obj: Process) -> list[int]:
        return [d.pk for d in obj.decisions.all()]


class ProcessIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=160)
    team_id: Id | None = None
    description: str = Field("", max_length=5000)
    touchpoint_ids: list[Id] = Field(default_factory=list, max_length=500)
    decision_ids: list[Id] = Field(default_factory=list, max_length=500)


class ProcessPatch(PatchSchema):
    CLEARABLE: ClassVar[frozenset[str]] = frozenset({"team_id"})

    name: str | None = Field(None, min_length=1, max_length=160)
    team_id: Id | None = None
    description: str | None = Field(None, max_length=5000)
    touchpoint_ids: list[Id] | None = Field(None, max_length=500)
    decision_ids: list[Id] | None = Field(None, max_length=500)


def _many(person: Person, model: type[Any], ids: list[int] | None, field: str) -> list[Any] | None:
    if ids is None:
        return None
    return [related_or_422(person, model, pk, field) for pk in dict.fromkeys(ids)]


@router.get("/strategy/processes", response=list[ProcessOut])
@paginate(Pagination)
def list_processes(request: HttpRequest) -> Any:
    return scoped(caller(request), Process).prefetch_related("touchpoints", "decisions")


@router.get("/strategy/processes/{process_id}", response=ProcessOut)
def get_process(request: HttpRequest, process_id: int) -> Any:
    return get_scoped_or_404(caller(request), Process, process_id)


def _process_relations(person: Person, data: dict[str, Any]) -> dict[str, Any]:
    from outsidein.practice.models import Decision

    if "touchpoint_ids" in data:
        data["touchpoints"] = _many(
            person, Touchpoint, data.pop("touchpoint_ids"), "touchpoint_ids"
        )
    if "decision_ids" in data:
        data["decisions"] = _many(person, Decision, data.pop("decision_ids"), "decision_ids")
    return data


@router.post("/strategy/processes", response={201: ProcessOut})
def create_process(request: HttpRequest, payload: ProcessIn) -> Any:
    person = caller(request)
    require(person, Action.CREATE, Process)
    data = _process_relations(person, _resolve(person, payload.model_dump(), team=Team))
    _may_own(person, Action.CREATE, Process, data["team"])
    return Status(201, services.create_process(person.organisation, **data))


@router.patch("/strategy/processes/{process_id}", response=ProcessOut)
def update_process(request: HttpRequest, process_id: int, payload: ProcessPatch) -> Any:
    person = caller(request)
    process = get_scoped_or_404(person, Process, process_id)
    require(person, Action.CHANGE, process)
    changes = _process_relations(person, _resolve(person, payload.changes(), team=Team))
    if "team" in changes:
        _may_own(person, Action.CHANGE, Process, changes["team"])
    return services.update_process(process, **changes)


@router.delete("/strategy/processes/{process_id}", response={204: None})
def delete_process(request: HttpRequest, process_id: int) -> Any:
    return delete_scoped(request, Process, process_id, services.delete_process)


# --- flags ---------------------------------------------------------------------------------


class FlagOut(Schema):
    kind: str
    object_id: int
    name: str


@router.get("/strategy/flags", response=list[FlagOut])
def list_flags(request: HttpRequest) -> Any:
    """What is disconnected from the customer (processes, teams, touchpoints)."""
    found, _period = reports.flag_facts(caller(request).organisation_id, timezone.localdate())
    return [{"kind": f.kind, "object_id": f.object_id, "name": f.name} for f in found]
