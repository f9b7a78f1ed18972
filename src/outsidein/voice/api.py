"""API endpoints of the voice app: feedback intake and the inbox, surveys, server-to-server
responses. Thin: parse, check permission, call a service, answer."""

from datetime import datetime
from typing import Any, ClassVar, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
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
from outsidein.api.schemas import (
    CesScore,
    CsatScore,
    Flag,
    Id,
    InputSchema,
    IsoDate,
    IsoDateTime,
    NpsScore,
    Pagination,
    PatchSchema,
    SegmentRef,
    SurveyRef,
    TeamRef,
)
from outsidein.core.models import Customer, Person, Team
from outsidein.core.permissions import Action, can
from outsidein.voice import services
from outsidein.voice.models import Channel, Feedback, Survey
from outsidein.voice.permissions import may_amend_feedback, may_route_feedback

router = Router()

KindCode = Literal["response", "complaint", "question", "review", "note"]
ChannelCode = Literal[tuple(value for value, _label in Channel.choices)]  # type: ignore[valid-type]
LanguageCode = Literal["nl", "en"]


class FeedbackIn(InputSchema):
    kind: Literal["complaint", "question", "review", "note"]
    channel: ChannelCode = "api"  # type: ignore[valid-type]
    customer_id: Id | None = None
    customer_external_id: str | None = Field(
        None, description="Alternative to customer_id: the customer's number in your systems"
    )
    team_id: Id | None = None
    language: LanguageCode | None = None
    submitted_at: IsoDateTime | None = None
    nps: NpsScore | None = None
    csat: CsatScore | None = None
    ces: CesScore | None = None
    rating: CsatScore | None = None
    subject: str = Field("", max_length=200)
    comment: str = Field("", max_length=20000)
    external_id: str = Field(
        "", max_length=120, description="Your id for this item; sending it again adds nothing"
    )
    tags: list[str] = Field(default_factory=list, max_length=20)


class FeedbackPatch(PatchSchema):
    CLEARABLE: ClassVar[frozenset[str]] = frozenset({"team_id", "nps", "csat", "ces", "rating"})

    team_id: Id | None = None
    language: LanguageCode | None = None
    nps: NpsScore | None = None
    csat: CsatScore | None = None
    ces: CesScore | None = None
    rating: CsatScore | None = None
    subject: str | None = Field(None, max_length=200)
    comment: str | None = Field(None, max_length=20000)
    tags: list[str] | None = None


class FeedbackOut(Schema):
    id: int
    kind: str
    channel: str
    survey_id: int | None
    customer_id: int | None
    segment_id: int | None
    team_id: int | None
    language: str
    submitted_at: datetime
    nps: int | None
    csat: int | None
    ces: int | None
    rating: int | None
    subject: str
    comment: str
    answers: dict[str, Any]
    is_complete: bool
    external_id: str
    tags: list[str]

    @staticmethod
    def resolve_tags(obj: Feedback) -> list[str]:
        return [tag.name for tag in obj.tags.all()]


class FeedbackFilter(Schema):
    q: str | None = Field(None, description="Words in the comment, subject or customer name")
    kind: KindCode | None = None
    channel: ChannelCode | None = None  # type: ignore[valid-type]
    band: Literal["detractor", "passive", "promoter", "unhappy"] | None = None
    survey: SurveyRef | None = Field(None, description="Survey id")
    segment: SegmentRef | None = Field(None, description="Segment id")
    team: TeamRef | None = Field(None, description="Team id")
    language: LanguageCode | None = None
    tag: str | None = None
    since: IsoDate | None = None
    until: IsoDate | None = None


def _customer(person: Person, payload: dict[str, Any]) -> Customer | None:
    customer_id = payload.pop("customer_id", None)
    external = payload.pop("customer_external_id", None)
    if customer_id is not None:
        return related_or_422(person, Customer, customer_id, "customer_id")
    if external:
        found = scoped(person, Customer).filter(external_id=external).first()
        if found is None:
            raise ValidationError(
                {"customer_external_id": f"There is no customer with number {external!r}."}
            )
        return found
    return None


@router.get("/feedback", response=list[FeedbackOut], tags=["feedback"])
@paginate(Pagination)
def list_feedback(request: HttpRequest, filters: Query[FeedbackFilter]) -> Any:
    items = scoped(caller(request), Feedback).prefetch_related("tags")
    data = filters.model_dump()
    return services.filter_feedback(items, **data)


@router.get("/feedback/{feedback_id}", response=FeedbackOut, tags=["feedback"])
def get_feedback(request: HttpRequest, feedback_id: int) -> Any:
    return get_scoped_or_404(caller(request), Feedback, feedback_id)


@router.post(
    "/feedback",
    response={201: FeedbackOut, 200: FeedbackOut},
    tags=["feedback"],
    summary="Send feedback from another system (idempotent on external_id)",
)
def create_feedback(request: HttpRequest, payload: FeedbackIn) -> Any:
    person = caller(request)
    require(person, Action.CREATE, Feedback)
    data = payload.model_dump()
    tags = data.pop("tags")
    customer = _customer(person, data)
    data["team"] = related_or_422(person, Team, data.pop("team_id"), "team_id")
    if data["language"] is None:
        data.pop("language")
    feedback, created = services.record_feedback(
        person.organisation, customer=customer, tags=tags, defer_listeners=True, **data
    )
    return Status(201 if created else 200, feedback)


@router.patch(
    "/feedback/{feedback_id}",
    response=FeedbackOut,
    tags=["feedback"],
    summary="Tag feedback, move it to a team, or correct feedback you logged yourself",
    description=(
        "What a customer said (scores, words, language, date) cannot be changed: add tags, a "
        "note or a correction of the analysis beside it. Only feedback you logged yourself "
        "(author) can be corrected; an administrator fixes an import error with "
        "`POST /feedback/{id}/amend` and a reason."
    ),
)
def update_feedback(request: HttpRequest, feedback_id: int, payload: FeedbackPatch) -> Any:
    person = caller(request)
    feedback = get_scoped_or_404(person, Feedback, feedback_id)
    changes = payload.changes()
    tags = changes.pop("tags", None)
    if "team_id" in changes:
        if not may_route_feedback(person, feedback):
            raise PermissionDenied(_("Only administrators and managers move feedback to a team."))
        changes["team"] = related_or_422(person, Team, changes.pop("team_id"), "team_id")
    if set(changes) & set(services.CUSTOMER_WORDS) and not can(person, Action.CHANGE, feedback):
        raise PermissionDenied(
            _(
                "What a customer said is kept as they said it: add a tag, a note or a correction "
                "of the analysis instead. An administrator can amend an import error with a "
                "reason (POST /api/v1/feedback/%(id)s/amend)."
            )
            % {"id": feedback.pk}
        )
    if changes:
        services.edit_feedback(feedback, by=person, **changes)
    if tags is not None:
        services.set_tags(feedback, tags)
    return feedback


class FeedbackAmendIn(InputSchema):
    reason: str = Field(
        min_length=5, max_length=2000, description="Why: e.g. the import put CSAT in the NPS column"
    )
    language: LanguageCode | None = None
    submitted_at: IsoDateTime | None = None
    nps: NpsScore | None = None
    csat: CsatScore | None = None
    ces: CesScore | None = None
    rating: CsatScore | None = None
    subject: str | None = Field(None, max_length=200)
    comment: str | None = Field(None, max_length=20000)


@router.post(
    "/feedback/{feedback_id}/amend",
    response=FeedbackOut,
    tags=["feedback"],
    summary="Amend what a customer's feedback says (administrators, with a reason)",
    description=(
        "For an import error only. Give the fields to change and a reason; a score sent as "
        "null is cleared. The change, with the values before and after and the reason, is "
        "recorded in the audit trail; the dashboards follow at once."
    ),
)
def amend_feedback(request: HttpRequest, feedback_id: int, payload: FeedbackAmendIn) -> Any:
    person = caller(request)
    feedback = get_scoped_or_404(person, Feedback, feedback_id)
    if not may_amend_feedback(person, feedback):
        raise PermissionDenied(_("Only an administrator can amend what a customer said."))
    sent = payload.model_dump(exclude_unset=True)
    reason = sent.pop("reason")
    changes = {
        name: value
        for name, value in sent.items()
        if value is not None or name in ("nps", "csat", "ces", "rating")
    }
    return services.amend_feedback(feedback, by=person, reason=reason, **changes)


@router.delete("/feedback/{feedback_id}", response={204: None}, tags=["feedback"])
def delete_feedback(request: HttpRequest, feedback_id: int) -> Any:
    return delete_scoped(request, Feedback, feedback_id, services.delete_feedback)


# --- surveys ----------------------------------------------------------------------------------


class QuestionOut(Schema):
    id: int
    key: str
    kind: str
    position: int
    text_nl: str
    text_en: str
    choices: list[dict[str, str]]
    required: bool
    show_if: dict[str, Any]
    branches: list[dict[str, Any]] = Field(
        description="Jumps after this question, first match wins: {choice or min/max, goto: "
        "a later question's key or 'end'}"
    )
    scale_labels: dict[str, str]


class SurveyIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    template: Literal["nps", "csat", "ces", "blank"] = "nps"
    team_id: Id | None = None
    title_nl: str = Field("", max_length=200)
    title_en: str = Field("", max_length=200)
    allow_anonymous: Flag = False


class SurveyPatch(PatchSchema):
    CLEARABLE: ClassVar[frozenset[str]] = frozenset({"team_id", "opens_at", "closes_at"})

    name: str | None = Field(None, min_length=1, max_length=200)
    team_id: Id | None = None
    title_nl: str | None = Field(None, max_length=200)
    title_en: str | None = Field(None, max_length=200)
    allow_anonymous: Flag | None = None
    status: Literal["draft", "open", "closed"] | None = None
    opens_at: IsoDateTime | None = None
    closes_at: IsoDateTime | None = None


class SurveyOut(Schema):
    id: int
    name: str
    status: str
    team_id: int | None
    title_nl: str
    title_en: str
    allow_anonymous: bool
    public_key: str
    opens_at: datetime | None
    closes_at: datetime | None
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(obj: Survey) -> list[Any]:
        return list(obj.questions.all())


@router.get("/surveys", response=list[SurveyOut], tags=["surveys"])
@paginate(Pagination)
def list_surveys(request: HttpRequest) -> Any:
    return scoped(caller(request), Survey).prefetch_related("questions")


@router.get("/surveys/{survey_id}", response=SurveyOut, tags=["surveys"])
def get_survey(request: HttpRequest, survey_id: int) -> Any:
    return get_scoped_or_404(caller(request), Survey, survey_id)


@router.post("/surveys", response={201: SurveyOut}, tags=["surveys"])
def create_survey(request: HttpRequest, payload: SurveyIn) -> Any:
    person = caller(request)
    require(person, Action.CREATE, Survey)
    data = payload.model_dump()
    data["team"] = related_or_422(person, Team, data.pop("team_id"), "team_id")
    return Status(201, services.create_survey(person.organisation, **data))


@router.patch("/surveys/{survey_id}", response=SurveyOut, tags=["surveys"])
def update_survey(request: HttpRequest, survey_id: int, payload: SurveyPatch) -> Any:
    person = caller(request)
    survey = get_scoped_or_404(person, Survey, survey_id)
    require(person, Action.CHANGE, survey)
    changes = payload.changes()
    if "team_id" in changes:
        changes["team"] = related_or_422(person, Team, changes.pop("team_id"), "team_id")
    if changes.get("status") == "open":
        changes.pop("status")
        services.update_survey(survey, **changes)
        return services.open_survey(survey)
    return services.update_survey(survey, **changes)


@router.delete("/surveys/{survey_id}", response={204: None}, tags=["surveys"])
def delete_survey(request: HttpRequest, survey_id: int) -> Any:
    return delete_scoped(request, Survey, survey_id, services.delete_survey)


class ResponseIn(InputSchema):
    answers: dict[str, Any] = Field(
        description="Question key → answer (number, text or list). The survey's jumps and "
        "follow-ups apply: answers to questions the route skips are ignored (not stored), and "
        "a skipped required question need not be answered."
    )
    customer_id: Id | None = None
    customer_external_id: str | None = None
    language: LanguageCode = "nl"
    submitted_at: IsoDateTime | None = None
    external_id: str = Field("", max_length=120)


@router.post(
    "/surveys/{survey_id}/responses",
    response={201: FeedbackOut, 200: FeedbackOut},
    tags=["surveys"],
    summary="Submit a response from your own system (server to server)",
)
def submit_response(request: HttpRequest, survey_id: int, payload: ResponseIn) -> Any:
    person = caller(request)
    survey = get_scoped_or_404(person, Survey, survey_id)
    require(person, Action.CREATE, Feedback)
    data = payload.model_dump()
    customer = _customer(person, data)
    if data["external_id"]:
        existing = scoped(person, Feedback).filter(external_id=data["external_id"]).first()
        if existing is not None:
            return Status(200, existing)
    try:
        feedback = services.submit_response(
            survey,
            data=data["answers"],
            channel=Channel.API,
            language=data["language"],
            customer=customer,
            external_id=data["external_id"],
            submitted_at=data["submitted_at"],
        )
    except services.SurveyNotOpen:
        raise ValidationError({"survey": _("This survey does not accept responses now.")}) from None
    return Status(201, feedback)
