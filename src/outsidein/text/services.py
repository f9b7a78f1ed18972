"""The text analytics operations: analysing feedback, corrections, the taxonomy, training the
organisation's models and the figures the pages show. Plain functions with explicit arguments."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from outsidein import audit
from outsidein.analytics import stats
from outsidein.chat import notify as chat_notify
from outsidein.core.models import Organisation, Team
from outsidein.text import rollups
from outsidein.text.engine import training
from outsidein.text.engine.analyser import ENGINE_VERSION, Analyser
from outsidein.text.engine.linear import LinearModel
from outsidein.text.engine.sentiment import SentimentModel
from outsidein.text.engine.themes import ThemeModel, ThemeSpec
from outsidein.text.models import (
    ExampleSource,
    FeedbackAnalysis,
    ModelKind,
    Sentiment,
    TextModel,
    Theme,
    ThemeStatus,
    TrainingExample,
)

logger = logging.getLogger(__name__)

BATCH = 1000
MIN_TRAINING = 20  # examples per language (sentiment) or in all (themes)
MAX_WEAK = 4000  # the most recent scored comments per language are enough to learn from
Reporter = Callable[[int, str], None]

# ----------------------------------------------------------------------------- the analyser

_ANALYSERS: dict[int, tuple[tuple[Any, ...], Analyser]] = {}


def _signature(organisation_id: int) -> tuple[Any, ...]:
    models = tuple(
        TextModel.objects.filter(organisation_id=organisation_id)
        .order_by("kind", "language")
        .values_list("kind", "language", "version")
    )
    themes = Theme.objects.filter(organisation_id=organisation_id).aggregate(last=Max("updated_at"))
    count = Theme.objects.filter(organisation_id=organisation_id).count()
    return models, themes["last"], count


def analyser_for(organisation_id: int) -> Analyser:
    """The organisation's analyser: its taxonomy keywords and trained models (cached until a
    model or theme changes)."""
    signature = _signature(organisation_id)
    cached = _ANALYSERS.get(organisation_id)
    if cached and cached[0] == signature:
        return cached[1]
    specs = [
        ThemeSpec(theme.name, tuple(theme.keyword_list))
        for theme in Theme.objects.filter(
            organisation_id=organisation_id, status=ThemeStatus.ACCEPTED
        )
    ]
    analyser = Analyser.builtin(specs)
    versions = [ENGINE_VERSION]
    for stored in TextModel.objects.filter(organisation_id=organisation_id):
        model = LinearModel.from_bytes(bytes(stored.weights))
        if stored.kind == ModelKind.SENTIMENT:
            analyser.sentiment_models[stored.language] = SentimentModel(model)
        else:
            accepted = {spec.name for spec in specs}
            thresholds = {k: v for k, v in stored.thresholds.items() if k in accepted}
            thresholds.update({name: 2.0 for name in model.classes if name not in accepted})
            analyser.theme_model = ThemeModel(model, thresholds)
        versions.append(f"{stored.kind[0]}{stored.language}{stored.version}")
    analyser.version = "-".join(versions)
    _ANALYSERS[organisation_id] = (signature, analyser)
    return analyser


# ----------------------------------------------------------------------------- analysing


def analyse_feedback(
    organisation_id: int,
    feedback_ids: Sequence[int] | None = None,
    *,
    report: Reporter | None = None,
) -> int:
    """Analyse the comments of the given feedback (all of the organisation's when None) and
    store the results; corrected sentiment or themes are kept. Returns how many were stored."""
    from outsidein.voice.models import Feedback

    analyser = analyser_for(organisation_id)
    rows = Feedback.objects.filter(organisation_id=organisation_id).exclude(comment="", subject="")
    if feedback_ids is not None:
        rows = rows.filter(pk__in=list(feedback_ids))
    ids = list(rows.order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        items = list(Feedback.objects.filter(pk__in=chunk).values_list("pk", "subject", "comment"))
        results = analyser.analyse(
            [f"{subject}. {comment}" if subject else comment for _pk, subject, comment in items]
        )
        # The theme rollup follows in the same transaction.
        with rollups.tracking(organisation_id, chunk):
            existing = {
                a.feedback_id: a for a in FeedbackAnalysis.objects.filter(feedback_id__in=chunk)
            }
            create: list[FeedbackAnalysis] = []
            update: list[FeedbackAnalysis] = []
            now = timezone.now()
            for (pk, _subject, _comment), result in zip(items, results, strict=True):
                analysis = existing.get(pk) or FeedbackAnalysis(
                    organisation_id=organisation_id, feedback_id=pk
                )
                analysis.language = result.language
                analysis.language_confidence = result.language_confidence
                if not analysis.sentiment_corrected:
                    analysis.sentiment = result.sentiment
                    analysis.score = result.score
                    analysis.confidence = result.confidence
                if not analysis.themes_corrected:
                    analysis.themes = result.themes
                analysis.sentences = result.sentences
                analysis.model_version = analyser.version[:40]
                analysis.analysed_at = now
                (update if analysis.pk else create).append(analysis)
            FeedbackAnalysis.objects.bulk_create(create, batch_size=BATCH)
            FeedbackAnalysis.objects.bulk_update(
                update,
                [
                    "language",
                    "language_confidence",
                    "sentiment",
                    "score",
                    "confidence",
                    "themes",
                    "sentences",
                    "model_version",
                    "analysed_at",
                    "updated_at",
                ],
                batch_size=BATCH,
            )
            _store_embeddings(organisation_id, analyser, items, results)
        done += len(items)
        if report:
            report(int(100 * done / max(1, len(ids))), _("%(n)s comments analysed") % {"n": done})
    if feedback_ids is not None:  # new feedback, not a re-analysis of everything
        from outsidein.voice.hook_events import responses_analysed

        responses_analysed(organisation_id, ids)
    return done


def _store_embeddings(
    organisation_id: int, analyser: Analyser, items: Sequence[Any], results: Sequence[Any]
) -> None:
    """Each comment's sentence embedding, computed in the analysis, stored once (1 KB)."""
    model = analyser.encoder()
    if model is not None:
        from outsidein.text.similarity import store_embeddings

        store_embeddings(
            organisation_id,
            [(item[0], result.embedding) for item, result in zip(items, results, strict=True)],
            model.name,
        )


def enqueue_analysis(feedback: Any) -> None:
    """The feedback listener: analyse new feedback in the background, after commit."""
    if not (feedback.comment or feedback.subject):
        return
    from outsidein.text.tasks import analyse_feedback_task

    organisation_id, pk = feedback.organisation_id, feedback.pk
    if _tasks_in_database():
        # The task row commits with the feedback (one commit per submission, and no analysis
        # lost if the process stops between the two). In its own savepoint: the listener is
        # registered as one that does not write, and a failure here must not abort the
        # customer's transaction.
        with transaction.atomic():
            analyse_feedback_task.enqueue(organisation_id=organisation_id, feedback_ids=[pk])
        return

    def enqueue() -> None:
        try:
            analyse_feedback_task.enqueue(organisation_id=organisation_id, feedback_ids=[pk])
        except Exception:
            # The queue is down (Redis): analyse here rather than lose it.
            logger.warning("Could not enqueue the analysis of feedback %s", pk, exc_info=True)
            try:
                analyse_feedback(organisation_id, [pk])
            except Exception:
                logger.exception("The analysis of feedback %s failed", pk)

    transaction.on_commit(enqueue)


def _tasks_in_database() -> bool:
    return settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"


def start_reanalysis(organisation: Organisation, person: Any) -> Any:
    from outsidein.jobs.services import start_job

    return start_job(
        organisation,
        kind="text.reanalyse",
        title=_("Analyse all comments again"),
        created_by=person,
    )


def aspects_of(sentences: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per theme the sentiment of the sentences that speak of it ("delivery: negative, price:
    positive"): the mean sentence score and its label."""
    from outsidein.text.engine.sentiment import label_of

    scores: dict[str, list[float]] = {}
    for sentence in sentences:
        for name in sentence.get("themes") or {}:
            scores.setdefault(name, []).append(float(sentence.get("score") or 0.0))
    return [
        {
            "theme": name,
            "sentiment": label_of(sum(values) / len(values)),
            "score": round(sum(values) / len(values), 4),
            "sentences": len(values),
        }
        for name, values in sorted(scores.items())
    ]


def analyse_texts(organisation_id: int, texts: Sequence[str]) -> list[dict[str, Any]]:
    """Analyse texts with the organisation's analyser without storing anything: language,
    sentiment, themes with their confidence, the sentences and the aspects."""
    return [
        {**analysis.as_dict(), "aspects": aspects_of(analysis.sentences)}
        for analysis in analyser_for(organisation_id).analyse(list(texts))
    ]


# ----------------------------------------------------------------------------- corrections


@transaction.atomic
def correct_analysis(
    analysis: FeedbackAnalysis,
    *,
    sentiment: str | None = None,
    themes: Iterable[str] | None = None,
) -> FeedbackAnalysis:
    """A person's correction: kept on re-analysis and learnt from as a strong label."""
    before = audit.snapshot(analysis, ("sentiment", "themes"))
    names: list[str] | None = None
    if sentiment is not None and sentiment not in Sentiment.values:
        raise ValidationError({"sentiment": _("Choose negative, neutral or positive.")})
    if themes is not None:
        known = set(
            Theme.objects.filter(organisation_id=analysis.organisation_id).values_list(
                "name", flat=True
            )
        )
        names = sorted({name for name in themes if name})
        unknown = [name for name in names if name not in known]
        if unknown:
            raise ValidationError(
                {"themes": _("Unknown theme: %(name)s.") % {"name": ", ".join(unknown)}}
            )
    if sentiment is not None:
        analysis.sentiment = sentiment
        analysis.score = {"negative": -0.6, "neutral": 0.0, "positive": 0.6}[sentiment]
        analysis.confidence = 1.0
        analysis.sentiment_corrected = True
    if names is not None:
        analysis.themes = dict.fromkeys(names, 1.0)
        analysis.themes_corrected = True
    with rollups.tracking(analysis.organisation_id, [analysis.feedback_id]):
        analysis.save()
    feedback = analysis.feedback
    example, _created = TrainingExample.objects.get_or_create(
        organisation_id=analysis.organisation_id,
        feedback=feedback,
        defaults={"text": "", "source": ExampleSource.CORRECTION},
    )
    example.text = (
        f"{feedback.subject}. {feedback.comment}" if feedback.subject else feedback.comment
    )
    example.language = analysis.language
    if analysis.sentiment_corrected:
        example.sentiment = analysis.sentiment
    if analysis.themes_corrected:
        example.themes = sorted(analysis.themes)
        example.has_themes = True
    example.save()
    audit.changed(
        analysis,
        before,
        ("sentiment", "themes"),
        action="correct",
        details={"feedback_id": feedback.pk, "customer_id": feedback.customer_id},
    )
    return analysis


# ----------------------------------------------------------------------------- the taxonomy


@transaction.atomic
def save_theme(
    organisation: Organisation,
    *,
    theme: Theme | None = None,
    name: str,
    description: str = "",
    keywords: str = "",
    owner_team: Team | None = None,
    status: str = ThemeStatus.ACCEPTED,
) -> Theme:
    theme = theme or Theme(organisation=organisation)
    old_name = theme.name if theme.pk else None
    if owner_team is not None and owner_team.organisation_id != organisation.pk:
        raise ValidationError({"owner_team": _("Choose a team of your organisation.")})
    theme.name = name
    theme.description = description
    theme.keywords = keywords
    theme.owner_team = owner_team
    theme.status = status
    theme.full_clean(exclude=["organisation"])
    theme.save()
    if old_name and old_name != theme.name:
        _rename_in_analyses(organisation.pk, old_name, theme.name)
    return theme


def _with_theme(organisation_id: int, name: str) -> list[int]:
    return list(
        FeedbackAnalysis.objects.filter(
            organisation_id=organisation_id, themes__has_key=name
        ).values_list("feedback_id", flat=True)
    )


def _rename_in_analyses(organisation_id: int, old: str, new: str) -> None:
    changed = []
    with rollups.tracking(organisation_id, _with_theme(organisation_id, old)):
        for analysis in FeedbackAnalysis.objects.filter(
            organisation_id=organisation_id, themes__has_key=old
        ):
            value = analysis.themes.pop(old)
            analysis.themes[new] = max(value, analysis.themes.get(new, 0.0))
            changed.append(analysis)
        FeedbackAnalysis.objects.bulk_update(changed, ["themes"], batch_size=BATCH)
    examples = []
    for example in TrainingExample.objects.filter(organisation_id=organisation_id, has_themes=True):
        if old in example.themes:
            example.themes = sorted({new if name == old else name for name in example.themes})
            examples.append(example)
    TrainingExample.objects.bulk_update(examples, ["themes"], batch_size=BATCH)


@transaction.atomic
def merge_themes(target: Theme, sources: Iterable[Theme]) -> Theme:
    """Fold themes into ``target``: their keywords, analyses and examples; then drop them.
    The target must be an accepted theme: the analyser ignores candidates, so merging into
    one would make the sources' keywords silently stop counting."""
    if target.status != ThemeStatus.ACCEPTED:
        raise ValidationError({"theme": _("Merge into an accepted theme, not a candidate.")})
    for source in sources:
        if source.pk == target.pk or source.organisation_id != target.organisation_id:
            continue
        target.keywords = "\n".join(dict.fromkeys(target.keyword_list + source.keyword_list))
        _rename_in_analyses(target.organisation_id, source.name, target.name)
        source.delete()
    target.save()
    return target


@transaction.atomic
def delete_theme(theme: Theme) -> None:
    changed = []
    organisation_id = theme.organisation_id
    with rollups.tracking(organisation_id, _with_theme(organisation_id, theme.name)):
        for analysis in FeedbackAnalysis.objects.filter(
            organisation_id=organisation_id, themes__has_key=theme.name
        ):
            analysis.themes.pop(theme.name, None)
            changed.append(analysis)
        FeedbackAnalysis.objects.bulk_update(changed, ["themes"], batch_size=BATCH)
    theme.delete()


# ----------------------------------------------------------------------------- training


def _weak_label(nps: int | None, csat: int | None, rating: int | None) -> str | None:
    if nps is not None:
        return "negative" if nps <= 6 else "positive" if nps >= 9 else None
    if csat is not None:
        return "negative" if csat <= 2 else "positive" if csat >= 4 else None
    if rating is not None:
        return "negative" if rating <= 2 else "positive" if rating >= 4 else None
    return None


def _measured(
    trainer: Callable[[list[Any]], Any],
    scorer: Callable[[Any, list[Any]], dict[str, float]],
    items: list[Any],
) -> dict[str, float]:
    """Accuracy on a held-out fifth that the measured model never saw."""
    held = [item for i, item in enumerate(items) if i % 5 == 0]
    rest = [item for i, item in enumerate(items) if i % 5 != 0]
    try:
        return scorer(trainer(rest), held)
    except ValueError:
        return {}


def sentiment_training_data(organisation_id: int) -> dict[str, list[tuple[str, str]]]:
    """Per language, (text, label): weak labels from scores, then corrections (strong)."""
    from outsidein.voice.models import Feedback

    by_language: dict[str, list[tuple[str, str]]] = {"nl": [], "en": []}
    corrected = set(
        TrainingExample.objects.filter(organisation_id=organisation_id)
        .exclude(sentiment="")
        .values_list("feedback_id", flat=True)
    )
    weak = (
        Feedback.objects.filter(organisation_id=organisation_id)
        .exclude(comment="")
        .filter(Q(nps__isnull=False) | Q(csat__isnull=False) | Q(rating__isnull=False))
        .order_by("-submitted_at")
        .values_list("pk", "comment", "nps", "csat", "rating", "language", "analysis__language")
    )
    for pk, comment, nps, csat, rating, language, detected in weak.iterator():
        label = _weak_label(nps, csat, rating)
        language = detected or language
        wanted = label is not None and pk not in corrected and language in by_language
        if label is not None and wanted and len(by_language[language]) < MAX_WEAK:
            by_language[language].append((comment, label))
    for text, language, label in (
        TrainingExample.objects.filter(organisation_id=organisation_id)
        .exclude(sentiment="")
        .values_list("text", "language", "sentiment")
    ):
        if language in by_language:
            # A person's word counts three times a score's.
            by_language[language].extend([(text, label)] * 3)
    return by_language


def train_sentiment_models(organisation: Organisation) -> dict[str, dict[str, Any]]:
    """Train a model per language where there are enough labels; store it with its measured
    accuracy. Returns the metrics per language (or why it was not trained)."""
    from sklearn.metrics import accuracy_score, f1_score

    outcome: dict[str, dict[str, Any]] = {}
    for language, items in sentiment_training_data(organisation.pk).items():
        labels = {label for _text, label in items}
        if len(items) < MIN_TRAINING or len(labels) < 2:
            outcome[language] = {"trained": False, "examples": len(items)}
            continue

        def trainer(part: list[tuple[str, str]], language: str = language) -> Any:
            return training.train_sentiment(
                [t for t, _l in part], [lb for _t, lb in part], language
            )

        def scorer(model: Any, held: list[tuple[str, str]], language: str = language) -> Any:
            analyser = Analyser(sentiment_models={language: model})
            guess = [a.sentiment for a in analyser.analyse([t for t, _l in held])]
            truth = [label for _t, label in held]
            return {
                "accuracy": round(float(accuracy_score(truth, guess)), 3),
                "macro_f1": round(float(f1_score(truth, guess, average="macro")), 3),
                "tested_on": len(held),
            }

        metrics = _measured(trainer, scorer, items)
        model = trainer(items)
        _store(organisation, ModelKind.SENTIMENT, language, model.model, {}, metrics, len(items))
        outcome[language] = {"trained": True, "examples": len(items), **metrics}
    return outcome


def _store(
    organisation: Organisation,
    kind: str,
    language: str,
    model: LinearModel,
    thresholds: dict[str, float],
    metrics: dict[str, Any],
    examples: int,
) -> TextModel:
    stored, created = TextModel.objects.get_or_create(
        organisation=organisation,
        kind=kind,
        language=language,
        defaults={"weights": b""},
    )
    stored.weights = model.to_bytes()
    stored.thresholds = thresholds
    stored.metrics = {**metrics, "trained_at": timezone.now().isoformat()}
    stored.examples = examples
    if not created:
        stored.version += 1
    stored.save()
    return stored


def train_theme_model(organisation: Organisation) -> dict[str, Any]:
    """Learn the themes from every tagged example of the organisation."""
    from sklearn.metrics import f1_score
    from sklearn.preprocessing import MultiLabelBinarizer

    items = list(
        TrainingExample.objects.filter(organisation=organisation, has_themes=True)
        .order_by("pk")
        .values_list("text", "themes")
    )
    names = sorted({name for _text, themes in items for name in themes})
    if len(items) < MIN_TRAINING or len(names) < 1:
        return {"trained": False, "examples": len(items)}
    specs = [
        ThemeSpec(theme.name, tuple(theme.keyword_list))
        for theme in Theme.objects.filter(organisation=organisation)
    ]

    def trainer(part: list[tuple[str, list[str]]]) -> ThemeModel:
        return training.train_themes([t for t, _n in part], [n for _t, n in part], specs)

    def scorer(model: ThemeModel, held: list[tuple[str, list[str]]]) -> dict[str, float]:
        analyser = Analyser.builtin(specs)
        analyser.theme_model = model
        guess = [list(a.themes) for a in analyser.analyse([t for t, _n in held])]
        binarizer = MultiLabelBinarizer(classes=names)
        truth_m = binarizer.fit_transform([n for _t, n in held])
        guess_m = binarizer.transform([[g for g in row if g in names] for row in guess])
        return {
            "micro_f1": round(
                float(f1_score(truth_m, guess_m, average="micro", zero_division=0)), 3
            ),
            "tested_on": len(held),
        }

    metrics = _measured(trainer, scorer, items)
    model = trainer(items)
    _store(organisation, ModelKind.THEMES, "", model.model, model.thresholds, metrics, len(items))
    return {"trained": True, "examples": len(items), **metrics}


@transaction.atomic
def add_theme_examples(
    organisation: Organisation, rows: Iterable[tuple[str, Sequence[str]]]
) -> dict[str, int]:
    """Store (text, themes) rows as examples; unknown theme names join the taxonomy."""
    known = set(Theme.objects.filter(organisation=organisation).values_list("name", flat=True))
    added_themes, examples = 0, []
    for text, names in rows:
        clean_names = sorted({name.strip()[:80] for name in names if name.strip()})
        for name in clean_names:
            if name not in known:
                Theme.objects.create(organisation=organisation, name=name)
                known.add(name)
                added_themes += 1
        if text.strip():
            examples.append(
                TrainingExample(
                    organisation=organisation,
                    text=text,
                    themes=clean_names,
                    has_themes=True,
                    source=ExampleSource.UPLOAD,
                )
            )
    TrainingExample.objects.bulk_create(examples, batch_size=BATCH)
    return {"examples": len(examples), "new_themes": added_themes}


def suggest_to_tag(organisation_id: int, limit: int = 10) -> list[int]:
    """Feedback whose tagging would teach the theme model most: the least certain analyses
    (a theme confidence nearest its threshold, or no theme at all), not yet corrected."""
    candidates = (
        FeedbackAnalysis.objects.filter(organisation_id=organisation_id, themes_corrected=False)
        .exclude(language="other")
        .values_list("feedback_id", "themes")[:5000]
    )
    ranked = []
    for feedback_id, found in candidates:
        margin = min((abs(value - 0.5) for value in found.values()), default=0.3)
        ranked.append((margin, feedback_id))
    ranked.sort()
    return [feedback_id for _margin, feedback_id in ranked[:limit]]


# ----------------------------------------------------------------------------- figures


def theme_figures(
    organisation_id: int,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    team_id: int | None = None,
    segment_id: int | None = None,
    trend: bool = True,
) -> dict[str, Any]:
    """Per theme: volume, share, mean sentiment, % negative, the NPS difference between
    comments with and without the theme with its 95% interval, and the impact (difference ×
    share), most harmful first; with ``trend`` the volume per month too. Summed in the
    database by ``text.drivers`` (two queries and the theme names, however many comments)."""
    from outsidein.text.drivers import DriverScope, theme_drivers, theme_drivers_and_volumes

    scope = DriverScope(start=start, end=end, segment_id=segment_id, team_id=team_id)
    months: dict[str, list[tuple[str, int]]] = {}
    if trend:
        # The volumes per month only, and the whole summed from them: one read of the rollup.
        groups, volumes_per_month = theme_drivers_and_volumes(organisation_id, scope=scope)
        for month, volumes in volumes_per_month:
            for name, volume in volumes.items():
                months.setdefault(name, []).append((month.strftime("%Y-%m"), volume))
    else:
        groups = theme_drivers(organisation_id, scope=scope)
    total = groups[0].comments if groups else 0
    themes = []
    for item in groups[0].themes if groups else []:
        change, impact = item.nps_difference, item.nps_impact
        themes.append(
            {
                "name": item.name,
                "volume": item.volume,
                "share": round(item.share, 4),
                "sentiment": round(item.sentiment.value or 0.0, 3),
                "negative_share": round(item.negative.value / 100, 3)
                if item.negative.value is not None
                else 0.0,
                "nps_n": item.nps.n,
                "nps_difference": change.difference,
                "nps_low": change.low,
                "nps_high": change.high,
                "significant": change.significant,
                "impact": round(impact.difference, 2) if impact.difference is not None else None,
                "trend": months.get(item.name, []),
            }
        )
    return {"total": total, "themes": themes}


def emerging_themes(
    organisation_id: int, *, now: datetime | None = None, days: int = 30
) -> list[dict[str, Any]]:
    """Themes whose share grew significantly against the period before (two proportions)."""
    now = now or timezone.now()
    current = theme_figures(organisation_id, start=now - timedelta(days=days), end=now, trend=False)
    previous = theme_figures(
        organisation_id,
        start=now - timedelta(days=2 * days),
        end=now - timedelta(days=days),
        trend=False,
    )
    before = {item["name"]: item["volume"] for item in previous["themes"]}
    grown = []
    for item in current["themes"]:
        change = (
            stats.compare_proportions(
                (before.get(item["name"], 0), previous["total"]),
                (item["volume"], current["total"]),
            )
            if previous["total"] and current["total"]
            else None
        )
        if change is not None and change.significant and (change.difference or 0) > 0:
            grown.append(
                {**item, "growth": change.difference, "before": before.get(item["name"], 0)}
            )
    return grown


ALERT_QUIET_DAYS = 30


def send_emerging_theme_alerts(organisation: Organisation, now: datetime | None = None) -> int:
    """Tell each growing theme's owner team (its managers) by email, at most once a month per
    theme. Run from the daily round. Returns the number of emails sent."""
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives, get_connection
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    from outsidein.core.services import team_managers

    now = now or timezone.now()
    quiet_since = now - timedelta(days=ALERT_QUIET_DAYS)
    themes = {theme.name: theme for theme in Theme.objects.filter(organisation=organisation)}
    by_person: dict[int, tuple[Any, list[dict[str, Any]]]] = {}
    alerted: list[int] = []
    for item in emerging_themes(organisation.pk, now=now):
        theme = themes.get(item["name"])
        if theme is None or (theme.growth_alerted_at and theme.growth_alerted_at > quiet_since):
            continue
        alerted.append(theme.pk)
        chat_notify.theme_growing(theme, item)
        row = {**item, "url": settings.BASE_URL + reverse("text-theme", args=[theme.pk])}
        for person in team_managers(organisation.pk, theme.owner_team_id):
            by_person.setdefault(person.pk, (person, []))[1].append(row)
    messages = []
    for person, rows in by_person.values():
        if not person.email:
            continue
        with translation.override(person.language):
            subject = _("Customers write more about: %(themes)s") % {
                "themes": ", ".join(row["name"] for row in rows)
            }
            body = render_to_string(
                "text/email/emerging.txt",
                {"person": person, "organisation": organisation, "themes": rows},
            )
        messages.append(EmailMultiAlternatives(subject, body, to=[person.email]))
    if messages:
        get_connection().send_messages(messages)
    Theme.objects.filter(pk__in=alerted).update(growth_alerted_at=now)
    return len(messages)
