"""API endpoints of mystery shopping: scenarios (CRUD), shops (list, get, report, skip) and
planning a round. Thin: parse, check permission, call a service, answer."""

from datetime import date, datetime
from typing import Any, ClassVar, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import model_validator

from outsidein.api.access import (
    caller,
    delete_scoped,
    get_scoped_or_404,
    related_or_422,
    require,
    scoped,
)
from outsidein.api.schemas import (
    Flag,
    Id,
    InputSchema,
    IsoDate,
    Pagination,
    PatchSchema,
    PersonRef,
    ScenarioRef,
    TeamRef,
    WholeNumber,
)
from outsidein.core.models import Team
from outsidein.core.permissions import Action
from outsidein.mystery import services
from outsidein.mystery.forms import SHOP_CHANNELS
from outsidein.mystery.models import Assignment, AssignmentStatus, Scenario

router = Router(tags=["mystery shopping"])

ShopChannel = Literal[tuple(channel.value for channel in SHOP_CHANNELS)]  # type: ignore[valid-type]
Labels = list[str]


class ScenarioIn(InputSchema):
    name: str = Field(min_length=1, max_length=120)
    channel: ShopChannel  # type: ignore[valid-type]
    touchpoint: str = Field(min_length=1, max_length=120)
    team_id: Id | None = None
    instructions: str = Field(min_length=1, max_length=20000)
    checklist: Labels = Field(
        default_factory=list, max_length=30, description="Items answered yes, no or na"
    )
    scoring: Labels = Field(default_factory=list, max_length=30, description="Items scored 1–5")
    is_active: Flag = True


class ScenarioPatch(PatchSchema):
    CLEARABLE: ClassVar[frozenset[str]] = frozenset({"team_id"})

    name: str | None = Field(None, min_length=1, max_length=120)
    channel: ShopChannel | None = None  # type: ignore[valid-type]
    touchpoint: str | None = Field(None, min_length=1, max_length=120)
    team_id: Id | None = None
    instructions: str | None = Field(None, min_length=1, max_length=20000)
    checklist: Labels | None = Field(
        None, max_length=30, description="The whole list; an unchanged label keeps its key"
    )
    scoring: Labels | None = Field(None, max_length=30)
    is_active: Flag | None = None


class ScenarioItemOut(Schema):
    key: str
    label: str


class ScenarioOut(Schema):
    id: int
    name: str
    channel: str
    touchpoint: str
    team_id: int | None
    instructions: str
    checklist: list[ScenarioItemOut]
    scoring: list[ScenarioItemOut]
    is_active: bool


@router.get("/mystery/scenarios", response=list[ScenarioOut])
@paginate(Pagination)
def list_scenarios(request: HttpRequest) -> Any:
    return scoped(caller(request), Scenario).order_by("pk")


@router.get("/mystery/scenarios/{scenario_id}", response=ScenarioOut)
def get_scenario(request: HttpRequest, scenario_id: int) -> Any:
    return get_scoped_or_404(caller(request), Scenario, scenario_id)


@router.post("/mystery/scenarios", response={201: ScenarioOut})
def create_scenario(request: HttpRequest, payload: ScenarioIn) -> Any:
    person = caller(request)
    require(person, Action.CREATE, Scenario)
    data = payload.model_dump()
    data["team"] = related_or_422(person, Team, data.pop("team_id"), "team_id")
    return Status(201, services.create_scenario(person.organisation, **data))


@router.patch("/mystery/scenarios/{scenario_id}", response=ScenarioOut)
def update_scenario(request: HttpRequest, scenario_id: int, payload: ScenarioPatch) -> Any:
    person = caller(request)
    scenario = get_scoped_or_404(person, Scenario, scenario_id)
    require(person, Action.CHANGE, scenario)
    changes = payload.changes()
    if "team_id" in changes:
        changes["team"] = related_or_422(person, Team, changes.pop("team_id"), "team_id")
    return services.update_scenario(scenario, **changes)


@router.delete("/mystery/scenarios/{scenario_id}", response={204: None})
def delete_scenario(request: HttpRequest, scenario_id: int) -> Any:
    return delete_scoped(request, Scenario, scenario_id, services.delete_scenario)


# --- shops ------------------------------------------------------------------------------------


class AssignmentOut(Schema):
    id: int
    scenario_id: int
    person_id: int
    team_id: int | None
    status: str
    assigned_on: date
    due_on: date
    overdue: bool
    shopped_on: date | None
    completed_at: datetime | None
    checklist_answers: dict[str, str]
    item_scores: dict[str, int]
    score: int | None = Field(description="0–100; None when nothing was scored")
    observations: str
    skip_reason: str
    case_id: int | None
    decision_id: int | None

    @staticmethod
    def resolve_overdue(obj: Assignment) -> bool:
        return obj.is_overdue(timezone.localdate())


class AssignmentFilter(Schema):
    status: Literal["assigned", "done", "skipped", "expired", "overdue"] | None = None
    person: PersonRef | None = Field(None, description="Person id of the shopper")
    team: TeamRef | None = Field(None, description="Team id (the shopper's team when assigned)")
    scenario: ScenarioRef | None = Field(None, description="Scenario id")
    since: IsoDate | None = Field(None, description="Assigned on or after")
    until: IsoDate | None = Field(None, description="Assigned on or before")


@router.get("/mystery/assignments", response=list[AssignmentOut])
@paginate(Pagination)
def list_assignments(request: HttpRequest, filters: Query[AssignmentFilter]) -> Any:
    """Your own shops; a manager's also those of their teams; an administrator's all."""
    shops = scoped(caller(request), Assignment).order_by("-assigned_on", "-pk")
    if filters.status == "overdue":
        shops = shops.filter(status=AssignmentStatus.ASSIGNED, due_on__lt=timezone.localdate())
    elif filters.status:
        shops = shops.filter(status=filters.status)
    if filters.person:
        shops = shops.filter(person_id=filters.person)
    if filters.team:
        shops = shops.filter(team_id=filters.team)
    if filters.scenario:
        shops = shops.filter(scenario_id=filters.scenario)
    if filters.since:
        shops = shops.filter(assigned_on__gte=filters.since)
    if filters.until:
        shops = shops.filter(assigned_on__lte=filters.until)
    return shops


@router.get("/mystery/assignments/{assignment_id}", response=AssignmentOut)
def get_assignment(request: HttpRequest, assignment_id: int) -> Any:
    return get_scoped_or_404(caller(request), Assignment, assignment_id)


class ReportIn(InputSchema):
    @model_validator(mode="before")
    @classmethod
    def _object_only(cls, value: Any) -> Any:
        # Every field has a default, so refuse a body that is not a JSON object outright.
        if not isinstance(getattr(value, "_obj", value), dict):
            raise ValueError(gettext("The body must be a JSON object with the report's fields."))
        return value

    checklist: dict[str, str] = Field(
        default_factory=dict, description="Checklist item key → yes, no or na"
    )
    scores: dict[str, WholeNumber] = Field(
        default_factory=dict, description="Scoring item key → 1 to 5"
    )
    observations: str = Field("", max_length=10000)
    shopped_on: IsoDate | None = Field(None, description="Today when left out")
    follow_up: str = Field(
        "", max_length=200, description="A subject opens a follow-up for the owning team"
    )
    proposal: str = Field(
        "", max_length=200, description="A title proposes a decision citing this shop"
    )


@router.post(
    "/mystery/assignments/{assignment_id}/report",
    response=AssignmentOut,
    summary="Report your mystery shop (only the shopper)",
)
def report(request: HttpRequest, assignment_id: int, payload: ReportIn) -> Any:
    person = caller(request)
    assignment = get_scoped_or_404(person, Assignment, assignment_id)
    return services.submit_report(assignment, by=person, **payload.model_dump())


class SkipIn(InputSchema):
    reason: str = Field(min_length=1, max_length=300)


@router.post("/mystery/assignments/{assignment_id}/skip", response=AssignmentOut)
def skip(request: HttpRequest, assignment_id: int, payload: SkipIn) -> Any:
    person = caller(request)
    assignment = get_scoped_or_404(person, Assignment, assignment_id)
    require(person, Action.CHANGE, assignment)
    return services.skip_assignment(assignment, reason=payload.reason)


class PlanOut(Schema):
    created: int
    expired: int
    reason: str = Field(description="Why nothing was planned: inactive, no_scenarios or empty")


@router.post("/mystery/plan", response=PlanOut, summary="Assign the shops that are due now")
def plan(request: HttpRequest) -> Any:
    person = caller(request)
    require(person, Action.CREATE, Assignment)
    result = services.plan_assignments(person.organisation)
    return {"created": len(result.created), "expired": result.expired, "reason": result.reason}
