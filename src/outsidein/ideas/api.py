"""API endpoints of the ideas app: customers' ideas, their triage (status, team, merge) and
staff comments. Thin: parse, check permission, call a service, answer."""

from dataclasses import asdict
from datetime import datetime
from typing import Any, ClassVar, Literal

from django.core.exceptions import PermissionDenied, ValidationError
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
    Email,
    Flag,
    Id,
    InputSchema,
    IsoDate,
    Pagination,
    PatchSchema,
    SegmentRef,
)
from outsidein.core.models import Customer, Team
from outsidein.core.periods import parse_window
from outsidein.core.permissions import Action
from outsidein.ideas import duplicates, services
from outsidein.ideas.models import Comment, Idea
from outsidein.ideas.permissions import may_assign_to
from outsidein.practice import registry

router = Router(tags=["ideas"])

StatusCode = Literal["new", "under_review", "planned", "in_progress", "done", "declined"]
LanguageCode = Literal["nl", "en"]


class IdeaOut(Schema):
    id: int
    title: str
    description: str
    status: str
    decline_reason: str
    vote_count: int
    language: str
    is_public: bool
    team_id: int | None
    segment_id: int | None
    customer_id: int | None
    author_email: str | None = Field(None, description="The customer who submitted the idea")
    entered_by_id: int | None
    merged_into_id: int | None
    created_at: datetime
    status_changed_at: datetime | None
    first_staff_response_at: datetime | None

    @staticmethod
    def resolve_author_email(obj: Idea) -> str | None:
        return obj.author.email if obj.author else None


class ObjectInput(InputSchema):
    """A body that must be a JSON object. (Without this check a bare JSON string would be read
    attribute by attribute: ``"abc"`` has a ``title`` method, and ninja calls it.)"""

    @model_validator(mode="before")
    @classmethod
    def _object_only(cls, value: Any) -> Any:
        if not isinstance(getattr(value, "_obj", value), dict):
            raise ValueError(gettext("The body must be a JSON object."))
        return value


class IdeaIn(ObjectInput):
    title: str = Field(min_length=1, max_length=services.TITLE_MAX)
    description: str = Field("", max_length=services.DESCRIPTION_MAX)
    customer_id: Id | None = Field(None, description="The customer who told you the idea")
    email: Email | None = Field(
        None, description="The customer's email address (default: the customer's own)"
    )
    language: LanguageCode | None = None
    team_id: Id | None = None
    is_public: Flag = True
    notify: Flag = Field(True, description="Email the customer when the status changes")


class IdeaPatch(PatchSchema):
    CLEARABLE: ClassVar[frozenset[str]] = frozenset({"team_id"})

    title: str | None = Field(None, min_length=1, max_length=services.TITLE_MAX)
    description: str | None = Field(None, max_length=services.DESCRIPTION_MAX)
    status: StatusCode | None = None
    decline_reason: str | None = Field(None, max_length=services.DESCRIPTION_MAX)
    team_id: Id | None = None
    is_public: Flag | None = None


class StatusIn(ObjectInput):
    status: StatusCode
    reason: str = Field(
        "",
        max_length=services.DESCRIPTION_MAX,
        description="Shown to customers; required when declining",
    )


class MergeIn(ObjectInput):
    into_id: Id = Field(description="The idea this one duplicates; votes move there")


class CommentIn(ObjectInput):
    text: str = Field(min_length=1, max_length=services.COMMENT_MAX)


class CommentOut(Schema):
    id: int
    idea_id: int
    text: str
    is_staff: bool
    person_id: int | None
    created_at: datetime


class IdeaFilter(Schema):
    q: str | None = Field(None, max_length=200, description="Words in the title or description")
    status: StatusCode | Literal["open"] | None = None
    team: int | None = Field(None, ge=-1, description="Team id; -1 for ideas without a team")
    segment: SegmentRef | None = Field(None, description="Segment id")
    unanswered: bool | None = Field(None, description="Only ideas without a staff response")
    include_merged: bool = False
    sort: Literal["votes", "newest", "oldest", "waiting"] = "votes"


class NormFigureOut(Schema):
    """The "ideas answered" norm exactly as Practices, the index and the report show it."""

    key: str
    value: float | None
    n: int
    enough: bool
    min_n: int
    unit: str
    window: dict[str, Any]


class DuplicateOut(Schema):
    similarity: float = Field(description="Cosine of the ideas' texts (0-1); 1 is the same")
    idea: IdeaOut


class StatsOut(Schema):
    norm: NormFigureOut
    ideas: int
    answered: int
    share_answered: float | None
    median_hours_to_response: float | None
    waiting_long: int
    declined: int
    done: int


@router.get("/ideas", response=list[IdeaOut])
@paginate(Pagination)
def list_ideas(request: HttpRequest, filters: Query[IdeaFilter]) -> Any:
    ideas = scoped(caller(request), Idea).select_related("author")
    return services.filter_ideas(ideas, **filters.model_dump())


@router.get(
    "/ideas/stats",
    response=StatsOut,
    summary="Share answered and time to answer",
    description="`norm` is the 'ideas answered' norm for `period` (YYYY-MM, YYYY-Qn or Nd; "
    "default: the last complete month), the one figure Practices, the index and the report "
    "show. The other numbers count the ideas created between `since` and `until` (all time "
    "when both are left out).",
)
def idea_stats(
    request: HttpRequest,
    since: IsoDate | None = None,
    until: IsoDate | None = None,
    period: str | None = None,
) -> Any:
    person = caller(request)
    try:
        window = parse_window(period, timezone.localdate())
    except ValueError as exc:
        raise ValidationError({"period": str(exc)}) from None
    measure = registry.figure("ideas", person.organisation_id, window)
    ideas = scoped(person, Idea)
    if since:
        ideas = ideas.filter(created_at__date__gte=since)
    if until:
        ideas = ideas.filter(created_at__date__lte=until)
    norm = {
        "key": "ideas",
        "value": measure.value,
        "n": measure.n,
        "enough": measure.enough,
        "min_n": measure.min_n,
        "unit": measure.unit,
        "window": window.to_dict(),
    }
    return {"norm": norm, **asdict(services.idea_stats(ideas))}


@router.get("/ideas/{idea_id}", response=IdeaOut)
def get_idea(request: HttpRequest, idea_id: int) -> Any:
    return get_scoped_or_404(caller(request), Idea, idea_id)


@router.get(
    "/ideas/{idea_id}/duplicates",
    response=list[DuplicateOut],
    summary="Likely duplicates of an idea",
    description="The ideas you may see whose text is closest to this one's (cross-lingual with "
    "the sentence encoder, TF-IDF without it), closest first, above the threshold; merged ideas "
    "are left out.",
)
def idea_duplicates(request: HttpRequest, idea_id: int, limit: int = Query(5, ge=1, le=20)) -> Any:
    person = caller(request)
    idea = get_scoped_or_404(person, Idea, idea_id)
    found = duplicates.likely_duplicates(
        idea.organisation,
        idea.title,
        idea.description,
        among=scoped(person, Idea).select_related("author"),
        exclude=[idea.pk],
        limit=limit,
    )
    return [{"similarity": d.similarity, "idea": d.idea} for d in found]


@router.post("/ideas", response={201: IdeaOut}, summary="Enter an idea on a customer's behalf")
def create_idea(request: HttpRequest, payload: IdeaIn) -> Any:
    person = caller(request)
    require(person, Action.CREATE, Idea)
    data = payload.model_dump()
    customer = related_or_422(person, Customer, data.pop("customer_id"), "customer_id")
    team = related_or_422(person, Team, data.pop("team_id"), "team_id")
    if team is not None and not may_assign_to(person, team):
        raise PermissionDenied(gettext("Managers hand ideas to their own teams only."))
    author = services.participant_for_staff_entry(
        person.organisation,
        customer=customer,
        email=data["email"],
        language=data["language"],
        notify=data["notify"],
    )
    idea = services.submit_idea(
        person.organisation,
        title=data["title"],
        description=data["description"],
        author=author,
        entered_by=person,
        customer=customer,
        language=data["language"],
        team=team,
        is_public=data["is_public"],
    )
    return Status(201, idea)


@router.patch("/ideas/{idea_id}", response=IdeaOut, summary="Triage: text, status, team")
def update_idea(request: HttpRequest, idea_id: int, payload: IdeaPatch) -> Any:
    person = caller(request)
    idea = get_scoped_or_404(person, Idea, idea_id)
    require(person, Action.CHANGE, idea)
    changes = payload.changes()
    if "team_id" in changes:
        team = related_or_422(person, Team, changes.pop("team_id"), "team_id")
        if not may_assign_to(person, team):
            raise PermissionDenied(gettext("Managers hand ideas to their own teams only."))
        changes["team"] = team
    services.update_idea(idea, person=person, **changes)
    return idea


@router.delete("/ideas/{idea_id}", response={204: None})
def delete_idea(request: HttpRequest, idea_id: int) -> Any:
    return delete_scoped(request, Idea, idea_id, services.delete_idea)


@router.post("/ideas/{idea_id}/status", response=IdeaOut, summary="Change the status")
def change_status(request: HttpRequest, idea_id: int, payload: StatusIn) -> Any:
    person = caller(request)
    idea = get_scoped_or_404(person, Idea, idea_id)
    require(person, Action.CHANGE, idea)
    try:
        services.change_status(idea, status=payload.status, reason=payload.reason, person=person)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "decline_reason" in exc.error_dict:
            raise ValidationError({"reason": exc.error_dict["decline_reason"]}) from None
        raise
    return idea


@router.post(
    "/ideas/{idea_id}/merge",
    response=IdeaOut,
    summary="Merge a duplicate into another idea; answers the idea that remains",
)
def merge_idea(request: HttpRequest, idea_id: int, payload: MergeIn) -> Any:
    person = caller(request)
    idea = get_scoped_or_404(person, Idea, idea_id)
    require(person, Action.CHANGE, idea)
    into = related_or_422(person, Idea, payload.into_id, "into_id")
    assert into is not None
    require(person, Action.CHANGE, into)
    try:
        return services.merge(idea, into, person=person)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "into" in exc.error_dict:
            raise ValidationError({"into_id": exc.error_dict["into"]}) from None
        raise


@router.get("/ideas/{idea_id}/comments", response=list[CommentOut])
@paginate(Pagination)
def list_comments(request: HttpRequest, idea_id: int) -> Any:
    idea = get_scoped_or_404(caller(request), Idea, idea_id)
    return idea.comments.all()


@router.post("/ideas/{idea_id}/comments", response={201: CommentOut}, summary="Answer customers")
def add_comment(request: HttpRequest, idea_id: int, payload: CommentIn) -> Any:
    person = caller(request)
    idea = get_scoped_or_404(person, Idea, idea_id)
    require(person, Action.CREATE, Comment)
    return Status(201, services.add_comment(idea, text=payload.text, person=person))
