"""API endpoints of the practice app: the customer queue (cases), customer contacts, the
decision register with its evidence, and the norms. Thin: parse, check permission, call a
service, answer."""

from datetime import date, datetime
from typing import Any, ClassVar, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from outsidein.api.access import (
    caller,
    delete_scoped,
    get_scoped_or_404,
    related_or_422,
    require,
    scoped,
)
from outsidein.api.schemas import Flag, Id, InputSchema, IsoDate, Pagination, PatchSchema, TeamRef
from outsidein.core.models import Customer, Person, Team
from outsidein.core.periods import parse_window
from outsidein.core.permissions import Action
from outsidein.practice import registry, services
from outsidein.practice.models import (
    Case,
    CaseKind,
    CaseStatus,
    Contact,
    ContactKind,
    Decision,
    DecisionStatus,
    Evidence,
    Loop,
    Priority,
    RootCause,
    Scope,
)
from outsidein.practice.permissions import may_assign_case, may_work_case

router = Router()

CaseKindCode = Literal[tuple(CaseKind.values)]  # type: ignore[valid-type]
CaseStatusCode = Literal[tuple(CaseStatus.values)]  # type: ignore[valid-type]
PriorityCode = Literal[tuple(Priority.values)]  # type: ignore[valid-type]
ContactKindCode = Literal[tuple(ContactKind.values)]  # type: ignore[valid-type]
DecisionStatusCode = Literal[tuple(DecisionStatus.values)]  # type: ignore[valid-type]
ScopeCode = Literal[tuple(Scope.values)]  # type: ignore[valid-type]
LoopCode = Literal[tuple(Loop.values)]  # type: ignore[valid-type]


# --- cases ---------------------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    kind: str
    status: str
    priority: str
    subject: str
    channel: str
    feedback_id: int | None
    customer_id: int | None
    team_id: int | None
    owner_id: int | None
    routing_reason: str
    opened_at: datetime
    first_response_due: datetime | None
    resolution_due: datetime | None
    first_response_at: datetime | None
    closed_at: datetime | None
    waiting_since: datetime | None
    breached: bool
    learned: str
    root_cause: str | None
    loop: str
    decision_id: int | None
    customer_says_solved: bool | None

    @staticmethod
    def resolve_breached(obj: Case) -> bool:
        return obj.is_breached()

    @staticmethod
    def resolve_root_cause(obj: Case) -> str | None:
        return obj.root_cause.name if obj.root_cause else None


class CaseIn(InputSchema):
    kind: CaseKindCode  # type: ignore[valid-type]
    subject: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=20000)
    customer_id: Id | None = None
    team_id: Id | None = Field(None, description="Leave empty to route by the rules")
    priority: PriorityCode = "normal"  # type: ignore[valid-type]


class CasePatch(PatchSchema):
    CLEARABLE: ClassVar[frozenset[str]] = frozenset()

    priority: PriorityCode | None = None  # type: ignore[valid-type]
    team_id: Id | None = None
    owner_id: Id | None = None
    subject: str | None = Field(None, min_length=1, max_length=200)


class CaseFilter(Schema):
    status: CaseStatusCode | None = None  # type: ignore[valid-type]
    kind: CaseKindCode | None = None  # type: ignore[valid-type]
    team: TeamRef | None = Field(None, description="Team id")
    mine: bool = Field(False, description="Only items the caller owns")
    breached: bool = Field(False, description="Only open items past their deadline")


class TextIn(InputSchema):
    text: str = Field(..., min_length=1, max_length=20000)


class RespondIn(TextIn):
    waiting: Flag = False


class CloseIn(InputSchema):
    learned: str = Field("", max_length=20000)
    root_cause: str | None = Field(None, max_length=120, description="A root cause's name")
    loop: LoopCode | None = None  # type: ignore[valid-type]
    ask_customer: Flag | None = None


class NoteOut(Schema):
    id: int
    kind: str
    text: str
    author_id: int | None
    created_at: datetime


def _case_for_work(person: Person, case_id: int) -> Case:
    case = get_scoped_or_404(person, Case, case_id)
    if not may_work_case(person, case):
        raise PermissionDenied(gettext("Pick the item up first, or ask its team."))
    return case


@router.get("/cases", response=list[CaseOut], tags=["queue"])
@paginate(Pagination)
def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> Any:
    person = caller(request)
    cases = scoped(person, Case).select_related("root_cause")
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.kind:
        cases = cases.filter(kind=filters.kind)
    if filters.team:
        cases = cases.filter(team_id=filters.team)
    if filters.mine:
        cases = cases.filter(owner=person)
    if filters.breached:
        cases = cases.exclude(status=CaseStatus.CLOSED).filter(services.breached_q(timezone.now()))
    return cases


@router.get("/cases/{case_id}", response=CaseOut, tags=["queue"])
def get_case(request: HttpRequest, case_id: int) -> Any:
    return get_scoped_or_404(caller(request), Case, case_id)


@router.post("/cases", response={201: CaseOut}, tags=["queue"])
def create_case(request: HttpRequest, payload: CaseIn) -> Any:
    person = caller(request)
    require(person, Action.CREATE, Case)
    data = payload.model_dump()
    case = services.open_case(
        person.organisation,
        kind=data["kind"],
        subject=data["subject"],
        description=data["description"],
        customer=related_or_422(person, Customer, data["customer_id"], "customer_id"),
        team=related_or_422(person, Team, data["team_id"], "team_id"),
        priority=data["priority"],
        opened_by=person,
    )
    return Status(201, case)


@router.patch("/cases/{case_id}", response=CaseOut, tags=["queue"])
def update_case(request: HttpRequest, case_id: int, payload: CasePatch) -> Any:
    person = caller(request)
    case = _case_for_work(person, case_id)
    changes = payload.changes()
    if "team_id" in changes or "owner_id" in changes:
        if not may_assign_case(person, case):
            raise PermissionDenied(
                gettext("Only managers and administrators assign items to others.")
            )
        services.assign(
            case,
            related_or_422(person, Person, changes.pop("owner_id", None), "owner_id"),
            by=person,
            team=related_or_422(person, Team, changes.pop("team_id", None), "team_id"),
        )
    if changes:
        services.change_case(case, by=person, **changes)
    return case


@router.delete("/cases/{case_id}", response={204: None}, tags=["queue"])
def delete_case(request: HttpRequest, case_id: int) -> Any:
    return delete_scoped(request, Case, case_id, services.delete_case)


@router.post("/cases/{case_id}/pick-up", response=CaseOut, tags=["queue"])
def pick_up_case(request: HttpRequest, case_id: int) -> Any:
    person = caller(request)
    return services.pick_up(get_scoped_or_404(person, Case, case_id), person)


@router.post("/cases/{case_id}/responses", response={201: NoteOut}, tags=["queue"])
def respond_to_case(request: HttpRequest, case_id: int, payload: RespondIn) -> Any:
    person = caller(request)
    case = _case_for_work(person, case_id)
    return Status(201, services.respond(case, person, payload.text, waiting=payload.waiting))


@router.post("/cases/{case_id}/notes", response={201: NoteOut}, tags=["queue"])
def add_case_note(request: HttpRequest, case_id: int, payload: TextIn) -> Any:
    person = caller(request)
    return Status(201, services.add_note(_case_for_work(person, case_id), person, payload.text))


@router.get("/cases/{case_id}/notes", response=list[NoteOut], tags=["queue"])
def list_case_notes(request: HttpRequest, case_id: int) -> Any:
    return list(get_scoped_or_404(caller(request), Case, case_id).notes.all())


@router.post("/cases/{case_id}/close", response=CaseOut, tags=["queue"])
def close_case(request: HttpRequest, case_id: int, payload: CloseIn) -> Any:
    person = caller(request)
    case = _case_for_work(person, case_id)
    cause = None
    if payload.root_cause:
        cause = scoped(person, RootCause).filter(name__iexact=payload.root_cause.strip()).first()
        if cause is None:
            raise ValidationError(
                {"root_cause": f"There is no root cause named {payload.root_cause!r}."}
            )
    return services.close_case(
        case,
        person,
        learned=payload.learned,
        root_cause=cause,
        loop=payload.loop or "",
        ask_customer=payload.ask_customer,
    )


@router.post("/cases/{case_id}/reopen", response=CaseOut, tags=["queue"])
def reopen_case(request: HttpRequest, case_id: int) -> Any:
    person = caller(request)
    return services.reopen(_case_for_work(person, case_id), person)


# --- contacts ------------------------------------------------------------------------------------


class ContactOut(Schema):
    id: int
    person_id: int
    team_id: int | None
    kind: str
    customer_id: int | None
    happened_on: date
    learned: str
    feedback_id: int | None


class ContactIn(InputSchema):
    kind: ContactKindCode  # type: ignore[valid-type]
    customer_id: Id | None = None
    happened_on: IsoDate | None = Field(None, description="Defaults to today")
    learned: str = Field("", max_length=20000)
    to_inbox: Flag = Field(False, description="Also put the learning in the feedback inbox")


class ContactPatch(PatchSchema):
    CLEARABLE: ClassVar[frozenset[str]] = frozenset({"customer_id"})

    kind: ContactKindCode | None = None  # type: ignore[valid-type]
    customer_id: Id | None = None
    happened_on: IsoDate | None = None
    learned: str | None = Field(None, max_length=20000)


@router.get("/contacts", response=list[ContactOut], tags=["contacts"])
@paginate(Pagination)
def list_contacts(request: HttpRequest) -> Any:
    return scoped(caller(request), Contact)


@router.get("/contacts/{contact_id}", response=ContactOut, tags=["contacts"])
def get_contact(request: HttpRequest, contact_id: int) -> Any:
    return get_scoped_or_404(caller(request), Contact, contact_id)


@router.post("/contacts", response={201: ContactOut}, tags=["contacts"])
def create_contact(request: HttpRequest, payload: ContactIn) -> Any:
    person = caller(request)
    require(person, Action.CREATE, Contact)
    contact = services.log_contact(
        person,
        kind=payload.kind,
        customer=related_or_422(person, Customer, payload.customer_id, "customer_id"),
        happened_on=payload.happened_on,
        learned=payload.learned,
        to_inbox=payload.to_inbox,
    )
    return Status(201, contact)


@router.patch("/contacts/{contact_id}", response=ContactOut, tags=["contacts"])
def update_contact(request: HttpRequest, contact_id: int, payload: ContactPatch) -> Any:
    person = caller(request)
    contact = get_scoped_or_404(person, Contact, contact_id)
    require(person, Action.CHANGE, contact)
    changes = payload.changes()
    if "customer_id" in changes:
        changes["customer"] = related_or_422(
            person, Customer, changes.pop("customer_id"), "customer_id"
        )
    return services.update_contact(contact, **changes)


@router.delete("/contacts/{contact_id}", response={204: None}, tags=["contacts"])
def delete_contact(request: HttpRequest, contact_id: int) -> Any:
    return delete_scoped(request, Contact, contact_id, services.delete_contact)


# --- decisions -----------------------------------------------------------------------------------


class EvidenceOut(Schema):
    id: int
    kind: str
    ref_id: int
    label: str
    note: str


class EvidenceRef(InputSchema):
    kind: str = Field(..., max_length=20, description="feedback, tag, survey, contact, idea, …")
    ref_id: Id


class EvidenceIn(EvidenceRef):
    note: str = Field("", max_length=5000)


class DecisionOut(Schema):
    id: int
    title: str
    description: str
    owner_id: int | None
    team_id: int | None
    decided_on: date | None
    status: str
    scope: str
    without_customer_input: bool
    no_input_reason: str
    customers_told_at: datetime | None
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_evidence(obj: Decision) -> list[Evidence]:
        return list(obj.evidence.all())


class DecisionIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=20000)
    owner_id: Id | None = None
    team_id: Id | None = None
    decided_on: IsoDate | None = None
    status: DecisionStatusCode = "proposed"  # type: ignore[valid-type]
    scope: ScopeCode = "team"  # type: ignore[valid-type]
    without_customer_input: Flag = False
    no_input_reason: str = Field("", max_length=5000)
    evidence: list[EvidenceRef] = Field(default_factory=list, max_length=100)


class DecisionPatch(PatchSchema):
    CLEARABLE: ClassVar[frozenset[str]] = frozenset({"owner_id", "team_id", "decided_on"})

    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=20000)
    owner_id: Id | None = None
    team_id: Id | None = None
    decided_on: IsoDate | None = None
    status: DecisionStatusCode | None = None  # type: ignore[valid-type]
    scope: ScopeCode | None = None  # type: ignore[valid-type]
    without_customer_input: Flag | None = None
    no_input_reason: str | None = Field(None, max_length=5000)


def _decision_refs(person: Person, data: dict[str, Any]) -> dict[str, Any]:
    if "owner_id" in data:
        data["owner"] = related_or_422(person, Person, data.pop("owner_id"), "owner_id")
    if "team_id" in data:
        data["team"] = related_or_422(person, Team, data.pop("team_id"), "team_id")
    return data


@router.get("/decisions", response=list[DecisionOut], tags=["decisions"])
@paginate(Pagination)
def list_decisions(request: HttpRequest) -> Any:
    return scoped(caller(request), Decision).prefetch_related("evidence")


@router.get("/decisions/{decision_id}", response=DecisionOut, tags=["decisions"])
def get_decision(request: HttpRequest, decision_id: int) -> Any:
    return get_scoped_or_404(caller(request), Decision, decision_id)


@router.post("/decisions", response={201: DecisionOut}, tags=["decisions"])
def create_decision(request: HttpRequest, payload: DecisionIn) -> Any:
    person = caller(request)
    require(person, Action.CREATE, Decision)
    data = _decision_refs(person, payload.model_dump())
    refs = [(ref["kind"], ref["ref_id"]) for ref in data.pop("evidence")]
    decision = services.create_decision(person.organisation, evidence=refs, added_by=person, **data)
    return Status(201, decision)


@router.patch("/decisions/{decision_id}", response=DecisionOut, tags=["decisions"])
def update_decision(request: HttpRequest, decision_id: int, payload: DecisionPatch) -> Any:
    person = caller(request)
    decision = get_scoped_or_404(person, Decision, decision_id)
    require(person, Action.CHANGE, decision)
    return services.update_decision(decision, **_decision_refs(person, payload.changes()))


@router.delete("/decisions/{decision_id}", response={204: None}, tags=["decisions"])
def delete_decision(request: HttpRequest, decision_id: int) -> Any:
    return delete_scoped(request, Decision, decision_id, services.delete_decision)


@router.post("/decisions/{decision_id}/evidence", response={201: EvidenceOut}, tags=["decisions"])
def add_evidence(request: HttpRequest, decision_id: int, payload: EvidenceIn) -> Any:
    person = caller(request)
    decision = get_scoped_or_404(person, Decision, decision_id)
    require(person, Action.CHANGE, decision)
    evidence = services.add_evidence(
        decision, kind=payload.kind, ref_id=payload.ref_id, note=payload.note, added_by=person
    )
    return Status(201, evidence)


@router.delete(
    "/decisions/{decision_id}/evidence/{evidence_id}", response={204: None}, tags=["decisions"]
)
def remove_evidence(request: HttpRequest, decision_id: int, evidence_id: int) -> Any:
    person = caller(request)
    decision = get_scoped_or_404(person, Decision, decision_id)
    require(person, Action.CHANGE, decision)
    services.remove_evidence(get_scoped_or_404(person, Evidence, evidence_id, decision=decision))
    return Status(204, None)


class ToldOut(Schema):
    told: int


@router.post("/decisions/{decision_id}/tell-customers", response=ToldOut, tags=["decisions"])
def tell_customers(request: HttpRequest, decision_id: int) -> Any:
    person = caller(request)
    decision = get_scoped_or_404(person, Decision, decision_id)
    require(person, Action.CHANGE, decision)
    return {"told": services.tell_customers(decision, person)}


# --- norms ---------------------------------------------------------------------------------------


class TeamValue(Schema):
    team_id: int
    value: float | None
    n: int
    enough: bool


class WindowOut(Schema):
    key: str
    label: str
    first_day: str
    last_day: str
    complete: bool
    days_elapsed: int
    days_total: int


class NormOut(Schema):
    key: str
    label: str
    question: str
    value: float | None
    n: int
    enough: bool
    min_n: int
    unit: str
    target: float | None
    on_target: bool | None
    note: str
    window: WindowOut
    by_team: list[TeamValue]


class NormsOut(Schema):
    month: str
    window: WindowOut
    norms: list[NormOut]


@router.get(
    "/practices",
    response=NormsOut,
    tags=["practices"],
    summary="The six norms for a month or quarter",
)
def practice_norms(
    request: HttpRequest,
    month: str | None = Query(
        None,
        pattern=r"^20\d\d-(0[1-9]|1[0-2])$",
        description="YYYY-MM; default: the last complete month",
    ),  # type: ignore[type-arg]
    period: str | None = Query(
        None,
        description="YYYY-MM, YYYY-Qn or Nd (the last N days); default: the last complete "
        "month. A running period counts up to today and says so (window.complete false).",
    ),  # type: ignore[type-arg]
) -> Any:
    person = caller(request)
    try:
        window = parse_window(period or month, timezone.localdate())
    except ValueError as exc:
        raise ValidationError({"period" if period else "month": str(exc)}) from None
    rows = []
    for norm in registry.norms():
        measure = registry.figure(norm, person.organisation_id, window)
        rows.append(
            {
                "key": norm.key,
                "label": str(norm.label),
                "question": str(norm.question),
                "value": measure.value,
                "n": measure.n,
                "enough": measure.enough,
                "min_n": measure.min_n,
                "unit": measure.unit,
                "target": norm.target,
                "on_target": norm.verdict(measure),
                "note": measure.note,
                "window": window.to_dict(),
                "by_team": [
                    {
                        "team_id": team_id,
                        "value": value,
                        "n": n,
                        "enough": measure.team_enough(team_id),
                    }
                    for team_id, (value, n) in sorted(measure.by_team.items())
                ],
            }
        )
    return {"month": window.key, "window": window.to_dict(), "norms": rows}
