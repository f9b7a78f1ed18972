"""API endpoints of the mirror survey: statements (CRUD; a built-in one is hidden, not
deleted), waves (read) and the results (the delivery gap, the headline, reliability). Thin:
parse, check permission, call a service, answer."""

from typing import Any, ClassVar, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from outsidein.api.access import caller, delete_scoped, get_scoped_or_404, require, scoped
from outsidein.api.schemas import (
    EstimateOut,
    Flag,
    InputSchema,
    Pagination,
    PatchSchema,
    TeamRef,
    WaveRef,
)
from outsidein.centricity import services
from outsidein.centricity.models import MirrorItem, Wave
from outsidein.core.models import Team
from outsidein.core.permissions import Action

router = Router(tags=["mirror survey"])

DimensionKey = Literal[
    "knowing", "responsiveness", "promises", "involving", "everyone", "leadership"
]


class ItemIn(InputSchema):
    dimension: DimensionKey
    employee_nl: str = Field(min_length=1, max_length=300)
    employee_en: str = Field("", max_length=300)
    customer_nl: str = Field(min_length=1, max_length=300)
    customer_en: str = Field("", max_length=300)
    hidden: Flag = False


class ItemPatch(PatchSchema):
    CLEARABLE: ClassVar[frozenset[str]] = frozenset()

    dimension: DimensionKey | None = None
    employee_nl: str | None = Field(None, min_length=1, max_length=300)
    employee_en: str | None = Field(None, max_length=300)
    customer_nl: str | None = Field(None, min_length=1, max_length=300)
    customer_en: str | None = Field(None, max_length=300)
    hidden: Flag | None = None


class MirrorItemOut(Schema):
    id: int
    key: str
    dimension: str
    position: int
    employee_nl: str
    employee_en: str
    customer_nl: str
    customer_en: str
    hidden: bool
    custom: bool


class WaveOut(Schema):
    id: int
    name: str
    status: str
    opens_at: Any = None
    closes_at: Any = None
    survey_id: int | None
    items: list[dict[str, str]]


class SideOut(Schema):
    value: float | None
    low: float | None
    high: float | None
    n: int
    enough: bool
    hidden: bool
    alpha: float | None


class DifferenceOut(Schema):
    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None
    df: float | None
    significant: bool
    confidence: float


class DimensionGapOut(Schema):
    key: str
    label: str
    employee: SideOut
    customer: SideOut
    gap: DifferenceOut
    items: int
    statement: str
    significant: bool


class SuperiorOut(Schema):
    employee: EstimateOut
    customer: EstimateOut
    gap: DifferenceOut
    employee_hidden: bool
    statement: str


class GapOut(Schema):
    wave_id: int | None
    team_id: int | None
    dimensions: list[DimensionGapOut]
    superior: SuperiorOut | None


class ResultsQuery(Schema):
    wave_id: WaveRef | None = None
    team_id: TeamRef | None = None


@router.get("/mirror/items", response=list[MirrorItemOut])
@paginate(Pagination)
def list_items(request: HttpRequest) -> Any:
    person = caller(request)
    services.ensure_items(person.organisation)
    return scoped(person, MirrorItem).order_by("dimension", "position", "pk")


@router.get("/mirror/items/{item_id}", response=MirrorItemOut)
def get_item(request: HttpRequest, item_id: int) -> Any:
    return get_scoped_or_404(caller(request), MirrorItem, item_id)


@router.post("/mirror/items", response={201: MirrorItemOut})
def create_item(request: HttpRequest, payload: ItemIn) -> Any:
    person = caller(request)
    require(person, Action.CREATE, MirrorItem)
    return Status(201, services.add_item(person.organisation, **payload.model_dump()))


@router.patch("/mirror/items/{item_id}", response=MirrorItemOut)
def update_item(request: HttpRequest, item_id: int, payload: ItemPatch) -> Any:
    person = caller(request)
    item = get_scoped_or_404(person, MirrorItem, item_id)
    require(person, Action.CHANGE, item)
    return services.update_item(item, **payload.changes())


@router.delete("/mirror/items/{item_id}", response={204: None})
def delete_item(request: HttpRequest, item_id: int) -> Any:
    return delete_scoped(request, MirrorItem, item_id, services.delete_item)


@router.get("/mirror/waves", response=list[WaveOut])
@paginate(Pagination)
def list_waves(request: HttpRequest) -> Any:
    return scoped(caller(request), Wave).order_by("-pk")


@router.get("/mirror/waves/{wave_id}", response=WaveOut)
def get_wave(request: HttpRequest, wave_id: int) -> Any:
    wave = get_scoped_or_404(caller(request), Wave, wave_id)
    wave.items = services.wave_items(wave)
    return wave


def _filters(request: HttpRequest, query: ResultsQuery) -> tuple[Any, Wave | None, Team | None]:
    person = caller(request)
    wave = get_scoped_or_404(person, Wave, query.wave_id) if query.wave_id else None
    team = get_scoped_or_404(person, Team, query.team_id) if query.team_id else None
    return person, wave, team


@router.get("/mirror/gap", response=GapOut)
def gap(request: HttpRequest, query: Query[ResultsQuery]) -> Any:
    """The delivery gap per dimension and the headline (employees with fewer than five
    answers are withheld). Without ``wave_id``: the latest wave that has opened."""
    person, wave, team = _filters(request, query)
    organisation = person.organisation
    wave = wave or services.latest_wave(organisation)
    superior = services.superior_experience(organisation, wave=wave, team=team)
    return {
        "wave_id": wave.pk if wave else None,
        "team_id": team.pk if team else None,
        "dimensions": [
            g.to_dict() for g in services.dimension_gaps(organisation, wave=wave, team=team)
        ],
        "superior": superior.to_dict() if superior else None,
    }


class ItemReliabilityOut(Schema):
    key: str
    text: str
    item_rest: float | None
    alpha_if_deleted: float | None
    weakens: bool


class ReliabilityOut(Schema):
    key: str
    label: str
    alpha: float | None
    n: int
    k: int
    reason: str | None
    hidden: bool
    statement: str
    items: list[ItemReliabilityOut]


class ReliabilityQuery(ResultsQuery):
    side: Literal["employee", "customer"] = "employee"


@router.get("/mirror/reliability", response=list[ReliabilityOut])
def reliability(request: HttpRequest, query: Query[ReliabilityQuery]) -> Any:
    person, wave, team = _filters(request, query)
    rows = services.reliability_for(
        person.organisation, wave=wave, side=query.side, team=team, language="en"
    )
    return [
        {
            "key": row.key,
            "label": row.label,
            "alpha": row.reliability.alpha,
            "n": row.reliability.n,
            "k": row.reliability.k,
            "reason": row.reliability.reason,
            "hidden": row.hidden,
            "statement": row.statement,
            "items": [
                {**item.to_dict(), "text": row.texts.get(item.key, "")}
                for item in row.reliability.items
            ],
        }
        for row in rows
    ]


# --- the customer-centricity index ----------------------------------------------------------


class IndexQuery(Schema):
    quarter: str | None = Field(None, pattern=r"^(19|2[0-9])[0-9]{2}-Q[1-4]$", examples=["2026-Q3"])
    team_id: TeamRef | None = None


@router.get("/index", response=dict[str, Any], tags=["customer-centricity index"])
def customer_centricity_index(request: HttpRequest, query: Query[IndexQuery]) -> Any:
    """The customer-centricity index of a quarter (default: the last complete one; a running
    quarter is named "so far (n of m days)" in ``window``) for the
    organisation or a team: the index (null with a statement when there is too little data),
    its pillars and indicators (value, n, target, floor, attainment or why it is missing, the
    link to the data), what would move it most, and per dimension of the mirror survey the
    employees' and customers' means, the gap with its interval, n and Cronbach's alpha."""
    from django.core.exceptions import ValidationError

    from outsidein.centricity.indicators import compute_index
    from outsidein.core.periods import Quarter

    person = caller(request)
    team = get_scoped_or_404(person, Team, query.team_id) if query.team_id else None
    try:
        quarter = Quarter.parse(query.quarter) if query.quarter else None
    except ValueError as exc:
        raise ValidationError({"quarter": str(exc)}) from None
    return compute_index(person.organisation, quarter=quarter, team=team).to_dict()


__all__ = ["Status", "router"]
