"""API endpoints of the text app: analyse texts without storing them, the theme taxonomy, the
drivers (the same figures as the themes pages), the analysis of a piece of feedback and its
correction, re-analysis as a Job and the trained models. Thin: parse, check permission, call a
service, answer."""

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, ClassVar, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
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
    Id,
    InputSchema,
    IsoDate,
    Pagination,
    PatchSchema,
    SegmentRef,
    TeamRef,
)
from outsidein.core.models import Person, Segment, Team
from outsidein.core.permissions import Action
from outsidein.text import services
from outsidein.text.drivers import DriverScope, group_to_dict, theme_drivers
from outsidein.text.models import FeedbackAnalysis, TextModel, Theme
from outsidein.voice.models import Feedback

router = Router(tags=["text"])

MAX_TEXTS = 100
MAX_TEXT_LENGTH = 100_000
MAX_TOTAL_LENGTH = 500_000

SentimentCode = Literal["negative", "neutral", "positive"]
StatusCode = Literal["candidate", "accepted"]
ThemeName = Annotated[str, Field(min_length=1, max_length=80)]
Keyword = Annotated[str, Field(min_length=1, max_length=200)]


# --- shared shapes ------------------------------------------------------------------------------


class ThemeScoreOut(Schema):
    name: str
    confidence: float


class SentenceOut(Schema):
    text: str
    sentiment: str
    score: float
    themes: list[ThemeScoreOut]


class AspectOut(Schema):
    theme: str
    sentiment: str
    score: float = Field(..., description="Mean score of the sentences about the theme, −1..1")
    sentences: int


def _theme_scores(themes: dict[str, float]) -> list[dict[str, Any]]:
    return [{"name": name, "confidence": value} for name, value in themes.items()]


def _sentences(sentences: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "text": sentence.get("text", ""),
            "sentiment": sentence.get("sentiment", "neutral"),
            "score": sentence.get("score", 0.0),
            "themes": _theme_scores(sentence.get("themes") or {}),
        }
        for sentence in sentences
    ]


# --- analyse without storing --------------------------------------------------------------------


class AnalyseIn(InputSchema):
    texts: list[Annotated[str, Field(max_length=MAX_TEXT_LENGTH)]] = Field(
        ...,
        min_length=1,
        max_length=MAX_TEXTS,
        description=f"Up to {MAX_TEXTS} texts of at most {MAX_TEXT_LENGTH:,} characters each",
    )

    @field_validator("texts")
    @classmethod
    def _not_too_much(cls, texts: list[str]) -> list[str]:
        if sum(len(text) for text in texts) > MAX_TOTAL_LENGTH:
            raise ValueError(
                f"At most {MAX_TOTAL_LENGTH:,} characters in all per request; send fewer texts."
            )
        return texts


class AnalysisResultOut(Schema):
    language: str | None = Field(..., description="nl, en or other; null for an empty text")
    language_confidence: float
    sentiment: SentimentCode | None = Field(..., description="null for a text without words")
    score: float = Field(..., description="−1 (negative) .. 1 (positive)")
    confidence: float
    themes: list[ThemeScoreOut]
    sentences: list[SentenceOut]
    aspects: list[AspectOut]


class AnalyseOut(Schema):
    results: list[AnalysisResultOut]


@router.post(
    "/text/analyse",
    response=AnalyseOut,
    summary="Analyse texts with your organisation's models (nothing is stored)",
)
def analyse(request: HttpRequest, payload: AnalyseIn) -> Any:
    person = caller(request)
    results = services.analyse_texts(person.organisation_id, payload.texts)
    return {
        "results": [
            {
                **result,
                "themes": _theme_scores(result["themes"]),
                "sentences": _sentences(result["sentences"]),
            }
            for result in results
        ]
    }


# --- themes -------------------------------------------------------------------------------------


class ThemeOut(Schema):
    id: int
    name: str
    description: str
    keywords: list[str]
    owner_team_id: int | None
    status: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_keywords(obj: Theme) -> list[str]:
        return obj.keyword_list


class ThemeIn(InputSchema):
    name: ThemeName
    description: str = Field("", max_length=4000)
    keywords: list[Keyword] = Field(
        [], max_length=500, description="Words or phrases, Dutch or English; matched on lemmas"
    )
    owner_team_id: Id | None = Field(None, description="The team told when the theme grows")
    status: StatusCode = "accepted"


class ThemePatch(PatchSchema):
    CLEARABLE: ClassVar[frozenset[str]] = frozenset({"owner_team_id"})

    name: ThemeName | None = None
    description: str | None = Field(None, max_length=4000)
    keywords: list[Keyword] | None = Field(None, max_length=500)
    owner_team_id: Id | None = None
    status: StatusCode | None = None


class ThemeFilter(Schema):
    status: StatusCode | None = None
    owner_team: TeamRef | None = Field(None, description="Team id")
    q: str | None = Field(None, max_length=80, description="Part of the name")


class ThemeMergeIn(InputSchema):
    theme_ids: list[Id] = Field(
        ..., min_length=1, max_length=50, description="Themes to fold into this one"
    )


def _keywords(values: list[str]) -> str:
    lines = (" ".join(value.split()) for value in values)
    return "\n".join(dict.fromkeys(line for line in lines if line))


def _save(person: Person, theme: Theme | None, data: dict[str, Any]) -> Theme:
    return services.save_theme(
        person.organisation,
        theme=theme,
        name=data["name"],
        description=data["description"],
        keywords=_keywords(data["keywords"]),
        owner_team=related_or_422(person, Team, data["owner_team_id"], "owner_team_id"),
        status=data["status"],
    )


@router.get("/themes", response=list[ThemeOut])
@paginate(Pagination)
def list_themes(request: HttpRequest, filters: Query[ThemeFilter]) -> Any:
    themes = scoped(caller(request), Theme)
    if filters.status:
        themes = themes.filter(status=filters.status)
    if filters.owner_team:
        themes = themes.filter(owner_team_id=filters.owner_team)
    if filters.q:
        themes = themes.filter(name__icontains=filters.q)
    return themes.order_by("name", "pk")


@router.post("/themes", response={201: ThemeOut})
def create_theme(request: HttpRequest, payload: ThemeIn) -> Any:
    person = caller(request)
    require(person, Action.CREATE, Theme)
    return Status(201, _save(person, None, payload.model_dump()))


# --- drivers (before /themes/{id}) ----------------------------------------------------------


class DriversQuery(Schema):
    since: IsoDate | None = None
    until: IsoDate | None = Field(None, description="Inclusive")
    by: Literal["segment", "team", "month"] | None = Field(
        None, description="Break the figures down; without it, one group of all comments"
    )
    segment_id: SegmentRef | None = None
    team_id: TeamRef | None = None
    theme: str | None = Field(None, max_length=80, description="Only this theme (its name)")


class ChangeOut(Schema):
    difference: float | None = Field(..., description="None: not enough responses")
    low: float | None
    high: float | None
    p_value: float | None
    significant: bool


class ThemeDriverOut(Schema):
    name: str
    volume: int
    share: float = Field(..., description="Of the group's analysed comments, 0..1")
    sentiment: EstimateOut
    negative: EstimateOut
    nps: EstimateOut
    nps_difference: ChangeOut = Field(..., description="With minus without the theme")
    nps_impact: ChangeOut = Field(..., description="The difference times the share")
    csat: EstimateOut
    csat_difference: ChangeOut
    csat_impact: ChangeOut


class DriverGroupOut(Schema):
    key: int | str | None = Field(..., description="Segment or team id, or the month YYYY-MM")
    label: str
    comments: int
    nps: EstimateOut
    csat: EstimateOut
    themes: list[ThemeDriverOut]


class DriversOut(Schema):
    since: date | None
    until: date | None
    by: str | None
    minimum_n: int
    groups: list[DriverGroupOut]


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@router.get(
    "/themes/drivers",
    response=DriversOut,
    summary="Per theme: volume, sentiment and impact on NPS and CSAT, per segment, team or month",
)
def drivers(request: HttpRequest, query: Query[DriversQuery]) -> Any:
    from outsidein.analytics.stats import MINIMUM_N

    person = caller(request)
    if query.since and query.until and query.since > query.until:
        raise ValidationError({"until": _("The end date lies before the start date.")})
    segment = related_or_422(person, Segment, query.segment_id, "segment_id")
    team = related_or_422(person, Team, query.team_id, "team_id")
    scope = DriverScope(
        start=_start_of(query.since) if query.since else None,
        end=_start_of(query.until + timedelta(days=1)) if query.until else None,
        segment_id=segment.pk if segment else None,
        team_id=team.pk if team else None,
    )
    groups = theme_drivers(
        person.organisation_id,
        by=query.by,
        scope=scope,
        themes=[query.theme] if query.theme else None,
    )
    return {
        "since": query.since,
        "until": query.until,
        "by": query.by,
        "minimum_n": MINIMUM_N,
        "groups": [group_to_dict(group) for group in groups],
    }


@router.get("/themes/{theme_id}", response=ThemeOut)
def get_theme(request: HttpRequest, theme_id: int) -> Any:
    return get_scoped_or_404(caller(request), Theme, theme_id)


@router.patch("/themes/{theme_id}", response=ThemeOut)
def update_theme(request: HttpRequest, theme_id: int, payload: ThemePatch) -> Any:
    person = caller(request)
    theme = get_scoped_or_404(person, Theme, theme_id)
    require(person, Action.CHANGE, theme)
    changes = payload.changes()
    data = {
        "name": theme.name,
        "description": theme.description,
        "keywords": theme.keyword_list,
        "owner_team_id": theme.owner_team_id,
        "status": theme.status,
        **changes,
    }
    return _save(person, theme, data)


@router.delete("/themes/{theme_id}", response={204: None})
def delete_theme(request: HttpRequest, theme_id: int) -> Any:
    return delete_scoped(request, Theme, theme_id, services.delete_theme)


@router.post("/themes/{theme_id}/merge", response=ThemeOut, summary="Fold other themes into this")
def merge_themes(request: HttpRequest, theme_id: int, payload: ThemeMergeIn) -> Any:
    person = caller(request)
    theme = get_scoped_or_404(person, Theme, theme_id)
    require(person, Action.CHANGE, theme)
    if theme.pk in payload.theme_ids:
        raise ValidationError({"theme_ids": _("A theme cannot be merged into itself.")})
    sources = [related_or_422(person, Theme, pk, "theme_ids") for pk in payload.theme_ids]
    for source in sources:
        require(person, Action.DELETE, source)
    return services.merge_themes(theme, [source for source in sources if source])


# --- the analysis of a piece of feedback --------------------------------------------------------


class FeedbackAnalysisOut(Schema):
    id: int
    feedback_id: int
    language: str
    language_confidence: float
    sentiment: str
    score: float
    confidence: float
    themes: list[ThemeScoreOut]
    sentences: list[SentenceOut]
    aspects: list[AspectOut]
    sentiment_corrected: bool
    themes_corrected: bool
    model_version: str
    analysed_at: datetime

    @staticmethod
    def resolve_themes(obj: FeedbackAnalysis) -> list[dict[str, Any]]:
        return _theme_scores(obj.themes or {})

    @staticmethod
    def resolve_sentences(obj: FeedbackAnalysis) -> list[dict[str, Any]]:
        return _sentences(obj.sentences or [])

    @staticmethod
    def resolve_aspects(obj: FeedbackAnalysis) -> list[dict[str, Any]]:
        return services.aspects_of(obj.sentences or [])


class AnalysisPatch(PatchSchema):
    sentiment: SentimentCode | None = None
    themes: list[ThemeName] | None = Field(
        None, max_length=100, description="The theme names that apply (replaces the themes)"
    )


def _analysis(person: Person, feedback_id: int) -> FeedbackAnalysis:
    feedback = get_scoped_or_404(person, Feedback, feedback_id)
    analysis = scoped(person, FeedbackAnalysis).filter(feedback=feedback).first()
    if analysis is None:
        raise Http404(_("This feedback has not been analysed (yet)."))
    return analysis


@router.get("/feedback/{feedback_id}/analysis", response=FeedbackAnalysisOut, tags=["feedback"])
def get_analysis(request: HttpRequest, feedback_id: int) -> Any:
    return _analysis(caller(request), feedback_id)


@router.patch(
    "/feedback/{feedback_id}/analysis",
    response=FeedbackAnalysisOut,
    tags=["feedback"],
    summary="Correct the sentiment and/or themes (kept, and learnt from)",
)
def correct_analysis(request: HttpRequest, feedback_id: int, payload: AnalysisPatch) -> Any:
    person = caller(request)
    analysis = _analysis(person, feedback_id)
    require(person, Action.CHANGE, analysis)
    changes = payload.changes()
    if not changes:
        return analysis
    return services.correct_analysis(
        analysis, sentiment=changes.get("sentiment"), themes=changes.get("themes")
    )


# --- re-analysis and the models -----------------------------------------------------------------


class JobStartedOut(Schema):
    job_id: int
    status: str


@router.post(
    "/text/reanalyse",
    response={202: JobStartedOut},
    summary="Learn from the latest labels and analyse every comment again, as a Job",
)
def reanalyse(request: HttpRequest) -> Any:
    person = caller(request)
    require(person, Action.CHANGE, TextModel)
    job = services.start_reanalysis(person.organisation, person)
    return Status(202, {"job_id": job.pk, "status": job.status})


class TextModelOut(Schema):
    id: int
    kind: str
    language: str
    version: int
    examples: int
    accuracy: float | None = Field(None, description="On held-out examples (sentiment)")
    macro_f1: float | None = Field(None, description="On held-out examples (sentiment)")
    micro_f1: float | None = Field(None, description="On held-out examples (themes)")
    tested_on: int | None = Field(None, description="How many held-out examples")
    trained_at: datetime | None

    @staticmethod
    def resolve_accuracy(obj: TextModel) -> Any:
        return obj.metrics.get("accuracy")

    @staticmethod
    def resolve_macro_f1(obj: TextModel) -> Any:
        return obj.metrics.get("macro_f1")

    @staticmethod
    def resolve_micro_f1(obj: TextModel) -> Any:
        return obj.metrics.get("micro_f1")

    @staticmethod
    def resolve_tested_on(obj: TextModel) -> Any:
        return obj.metrics.get("tested_on")

    @staticmethod
    def resolve_trained_at(obj: TextModel) -> datetime | None:
        value = obj.metrics.get("trained_at")
        return parse_datetime(value) if isinstance(value, str) else obj.updated_at


@router.get("/text/models", response=list[TextModelOut], summary="Trained models and accuracy")
def list_models(request: HttpRequest) -> Any:
    return scoped(caller(request), TextModel).order_by("kind", "language")
