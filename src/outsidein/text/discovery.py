"""Theme discovery for an organisation: cluster the recent comments into candidate themes
(``text.engine.discovery``, pure) and keep them as Theme rows with status "candidate", which a
person accepts, renames, merges into an accepted theme or drops.

A run replaces the previous run's *untouched* candidates (status candidate, name and keywords
as discovery left them); accepted, renamed or edited ones stay. A dropped candidate is
remembered (its DiscoveredTheme keeps its label and phrases, without a theme), so the same
proposal is not made again; neither is one whose label phrases are keywords of a theme already.
Runs as a Job (``start_discovery``), so the page never waits for it.

The comments are clustered on their sentence embeddings when there are any: the stored ones
(FeedbackEmbedding, written when a comment is analysed) of the encoder that runs now, the
missing ones encoded here in batches (not stored: the analysis owns them). Without the encoder
the stored ones are used when nearly every comment has one; otherwise, and with no embeddings
at all, each language is clustered on its key words (lemma TF-IDF). The Job says which."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outsidein.core.models import Organisation
from outsidein.text import services
from outsidein.text.models import DiscoveredTheme, Theme, ThemeStatus

KIND = "text.discover"
DEFAULT_DAYS = 90
MAX_DAYS = 3650
MAX_COMMENTS = 200_000  # the most recent ones, when there are more
MAX_CANDIDATES = 20
MAX_MEMBERS = 5000  # feedback kept per candidate (analysed again when it is accepted)
ENCODE_BATCH = 1000  # comments encoded between two progress reports
TFIDF = "tf-idf"  # the space's name when the comments are clustered on their key words
STORED_ENOUGH = 0.9  # without the encoder: the share of comments that must have an embedding
Reporter = Callable[[int, str], None]


def check_days(days: Any) -> int:
    try:
        value = int(days)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= MAX_DAYS:
        raise ValidationError(
            {"days": _("Choose a number of days from 1 to %(max)s.") % {"max": MAX_DAYS}}
        )
    return value


def start_discovery(
    organisation: Organisation, person: Any, *, days: int | str = DEFAULT_DAYS
) -> Any:
    """Record a discovery Job; the worker runs it after commit."""
    from outsidein.jobs.services import start_job

    days = check_days(days)
    return start_job(
        organisation,
        kind=KIND,
        title=_("Discover themes in the comments of the last %(days)s days") % {"days": days},
        created_by=person,
        params={"days": days},
    )


def register_discovery() -> None:
    """The job handler, registered once from ``TextConfig.ready()``."""
    from outsidein.jobs.services import job_handler

    @job_handler(KIND)
    def discover(job: Any, report: Reporter) -> dict[str, Any]:
        days = int(job.params.get("days", DEFAULT_DAYS))
        summary: dict[str, Any] = {}
        found = discover_themes(
            job.organisation, days=days, report=report, job=job, summary=summary
        )
        return {
            "candidates": len(found),
            "labels": [item.label for item in found],
            "days": days,
            **summary,
        }


def space_text(space: str) -> str:
    """The clustering space in words: "sentence embeddings (use-m3)" or key words."""
    if space == TFIDF:
        return _("key words (no sentence embeddings)")
    return _("sentence embeddings (%(encoder)s)") % {"encoder": space}


def _vectors(
    organisation_id: int,
    since: datetime,
    ids: list[int],
    items: list[tuple[str, str | None]],
    covered: list[bool],
    tell: Reporter,
) -> tuple[np.ndarray | None, str, int]:
    """One embedding row per comment (zeros: none) and the space's name (the encoder's, or
    ``TFIDF`` and ``None`` when the comments are to be clustered on their key words), and how
    many were encoded here."""
    from outsidein.text.engine import embeddings
    from outsidein.text.engine.discovery import LANGUAGES
    from outsidein.text.models import FeedbackEmbedding

    wanted = [
        i
        for i, ((text, language), hidden) in enumerate(zip(items, covered, strict=True))
        if text and language in LANGUAGES and not hidden
    ]
    if not wanted:
        return None, TFIDF, 0
    model = embeddings.encoder()
    position = {pk: i for i, pk in enumerate(ids)}
    stored: dict[str, list[tuple[int, bytes]]] = {}
    rows = FeedbackEmbedding.objects.filter(
        organisation_id=organisation_id, feedback__submitted_at__gte=since
    )
    if model is not None:
        rows = rows.filter(engine=model.name)
    for pk, blob, engine in rows.values_list("feedback_id", "vector", "engine").iterator(
        chunk_size=5000
    ):
        if pk in position:
            stored.setdefault(engine, []).append((position[pk], bytes(blob)))
    if model is None:
        if not stored:
            return None, TFIDF, 0
        engine, pairs = max(stored.items(), key=lambda item: (len(item[1]), item[0]))
        if len(pairs) < STORED_ENOUGH * len(wanted):
            return None, TFIDF, 0
        dim = len(pairs[0][1]) // 2
    else:
        engine, dim = model.name, model.dim
        pairs = stored.get(engine, [])
    vectors = np.zeros((len(items), dim), dtype=np.float32)
    if pairs:
        vectors[np.array([i for i, _blob in pairs])] = embeddings.unpack_many(
            [blob for _i, blob in pairs], dim
        )
    have = np.abs(vectors).sum(axis=1) > 0
    missing = [i for i in wanted if not have[i]]
    if model is not None:
        for start in range(0, len(missing), ENCODE_BATCH):
            tell(
                3 + int(12 * start / len(missing)),
                _("Encoding %(done)s of %(n)s comments without an embedding")
                % {"done": start, "n": len(missing)},
            )
            part = missing[start : start + ENCODE_BATCH]
            encoded = embeddings.encode([items[i][0] for i in part], model)
            if encoded is not None:
                vectors[np.array(part)] = encoded
        return vectors, engine, len(missing)
    return vectors, engine, 0


def _comments(
    organisation_id: int, since: datetime, exclude_covered: bool
) -> tuple[list[int], list[tuple[str, str | None]], list[bool]]:
    from outsidein.voice.models import Feedback

    accepted = set(
        Theme.objects.filter(
            organisation_id=organisation_id, status=ThemeStatus.ACCEPTED
        ).values_list("name", flat=True)
    )
    rows = (
        Feedback.objects.filter(organisation_id=organisation_id, submitted_at__gte=since)
        .exclude(comment="", subject="")
        .order_by("-submitted_at", "-pk")
        .values_list(
            "pk", "subject", "comment", "language", "analysis__language", "analysis__themes"
        )
    )[:MAX_COMMENTS]
    ids: list[int] = []
    items: list[tuple[str, str | None]] = []
    covered: list[bool] = []
    for pk, subject, comment, language, detected, found in rows.iterator(chunk_size=5000):
        ids.append(pk)
        items.append((f"{subject}. {comment}" if subject else comment, detected or language))
        covered.append(exclude_covered and any(name in accepted for name in (found or {})))
    return ids, items, covered


def is_untouched(record: DiscoveredTheme) -> bool:
    """A candidate nobody has accepted, renamed or edited since discovery made it."""
    theme = record.theme
    return (
        theme is not None
        and theme.status == ThemeStatus.CANDIDATE
        and theme.name == record.label
        and theme.keywords == record.keywords
    )


def _unique_name(organisation_id: int, label: str, taken: set[str]) -> str:
    base = (label or _("Theme")).strip()[:72]
    name, number = base, 2
    while name.lower() in taken:
        name = f"{base} ({number})"
        number += 1
    taken.add(name.lower())
    return name


def discover_themes(
    organisation: Organisation,
    *,
    days: int = DEFAULT_DAYS,
    now: datetime | None = None,
    exclude_covered: bool = False,
    report: Reporter | None = None,
    job: Any = None,
    summary: dict[str, Any] | None = None,
) -> list[DiscoveredTheme]:
    """Cluster the comments of the last ``days`` into candidate themes and store them, replacing
    the previous run's untouched candidates. Returns the new proposals, largest first;
    ``summary`` (when given) receives the space clustered in (``space``: the encoder's name or
    "tf-idf") and how many comments were encoded here (``encoded``)."""
    from outsidein.text.engine.discovery import discover

    days = check_days(days)
    now = now or timezone.now()

    def tell(percent: int, message: str) -> None:
        if report:
            report(percent, message)

    tell(1, _("Reading the comments of the last %(days)s days") % {"days": days})
    since = now - timedelta(days=days)
    ids, items, covered = _comments(organisation.pk, since, exclude_covered)
    vectors, space, encoded = _vectors(organisation.pk, since, ids, items, covered, tell)
    if summary is not None:
        summary.update(space=space, encoded=encoded)
    replaced = [
        record
        for record in DiscoveredTheme.objects.filter(
            organisation=organisation, theme__isnull=False
        ).select_related("theme")
        if is_untouched(record)
    ]
    replaced_ids = [record.theme_id for record in replaced if record.theme_id is not None]
    known: list[str] = []
    for theme in Theme.objects.filter(organisation=organisation).exclude(pk__in=replaced_ids):
        known.extend(theme.keyword_list)
    for dropped in DiscoveredTheme.objects.filter(organisation=organisation, theme__isnull=True):
        known.extend(phrases[0] for phrases in dropped.phrases.values() if phrases)

    def engine_report(percent: int, message: str) -> None:
        tell(
            15 + int(percent * 0.75),
            _("Finding themes in %(n)s comments by %(space)s")
            % {"n": len(items), "space": space_text(space)},
        )

    clusters = discover(items, covered=covered, known=known, report=engine_report, vectors=vectors)
    clusters = clusters[:MAX_CANDIDATES]
    tell(92, _("%(n)s candidate themes found") % {"n": len(clusters)})
    total = sum(1 for (text, language), hidden in zip(items, covered, strict=True) if not hidden)
    created: list[DiscoveredTheme] = []
    with transaction.atomic():
        # Read them again, locked: someone may have accepted, renamed or merged a candidate
        # while the clustering ran; those are theirs now and stay.
        replaced = [
            record
            for record in DiscoveredTheme.objects.select_for_update()
            .filter(pk__in=[record.pk for record in replaced], theme__isnull=False)
            .select_related("theme")
            if is_untouched(record)
        ]
        for record in replaced:
            if record.theme is not None:
                services.delete_theme(record.theme)
        DiscoveredTheme.objects.filter(pk__in=[record.pk for record in replaced]).delete()
        taken = {
            name.lower()
            for name in Theme.objects.filter(organisation=organisation).values_list(
                "name", flat=True
            )
        }
        for cluster in clusters:
            name = _unique_name(organisation.pk, cluster.label, taken)
            keywords = "\n".join(cluster.keywords)
            theme = Theme.objects.create(
                organisation=organisation,
                name=name,
                status=ThemeStatus.CANDIDATE,
                keywords=keywords,
                description=_(
                    "Found by theme discovery in %(size)s of %(total)s comments of the last "
                    "%(days)s days."
                )
                % {"size": cluster.size, "total": total, "days": days},
            )
            created.append(
                DiscoveredTheme.objects.create(
                    organisation=organisation,
                    theme=theme,
                    job=job,
                    label=name,
                    phrases=cluster.phrases,
                    keywords=keywords,
                    size=cluster.size,
                    days=days,
                    examples=[ids[i] for i in cluster.examples],
                    members=[ids[i] for i in cluster.members[:MAX_MEMBERS]],
                )
            )
    tell(
        100,
        _("%(n)s candidate themes proposed, clustered on %(space)s")
        % {"n": len(created), "space": space_text(space)},
    )
    return created


# ----------------------------------------------------------------------------- acting on one


def _reanalyse(organisation_id: int, members: list[int]) -> None:
    """These comments are analysed again after commit, so that they carry the new theme."""
    if not members:
        return
    from outsidein.text.tasks import analyse_feedback_task

    transaction.on_commit(
        lambda: analyse_feedback_task.enqueue(organisation_id=organisation_id, feedback_ids=members)
    )


def _members(theme: Theme) -> list[int]:
    record = DiscoveredTheme.objects.filter(theme=theme).first()
    return list(record.members) if record else []


def _check_candidate(theme: Theme) -> None:
    if theme.status != ThemeStatus.CANDIDATE:
        raise ValidationError({"theme": _("This theme is not a candidate (any more).")})


@transaction.atomic
def accept_candidate(theme: Theme) -> Theme:
    """The candidate joins the taxonomy; its comments are analysed again in the background."""
    _check_candidate(theme)
    services.save_theme(
        theme.organisation,
        theme=theme,
        name=theme.name,
        description=theme.description,
        keywords=theme.keywords,
        owner_team=theme.owner_team,
        status=ThemeStatus.ACCEPTED,
    )
    _reanalyse(theme.organisation_id, _members(theme))
    return theme


@transaction.atomic
def rename_candidate(theme: Theme, name: str) -> Theme:
    """A better name; a renamed candidate is kept when discovery runs again."""
    _check_candidate(theme)
    return services.save_theme(
        theme.organisation,
        theme=theme,
        name=name,
        description=theme.description,
        keywords=theme.keywords,
        owner_team=theme.owner_team,
        status=ThemeStatus.CANDIDATE,
    )


@transaction.atomic
def merge_candidate(theme: Theme, target: Theme) -> Theme:
    """Fold the candidate into an accepted theme (its keywords join the target's)."""
    _check_candidate(theme)
    if target.organisation_id != theme.organisation_id or target.pk == theme.pk:
        raise ValidationError({"target": _("Choose another theme of your organisation.")})
    if target.status != ThemeStatus.ACCEPTED:
        raise ValidationError({"target": _("Choose an accepted theme to merge into.")})
    members = _members(theme)
    services.merge_themes(target, [theme])
    _reanalyse(target.organisation_id, members)
    return target


# ----------------------------------------------------------------------------- the page


@dataclass
class CandidateView:
    theme: Theme
    record: DiscoveredTheme | None
    examples: list[Any]

    @property
    def phrases(self) -> list[tuple[str, list[str]]]:
        if self.record is None:
            return [("", self.theme.keyword_list)]
        return list(self.record.phrases.items())


def candidates(person: Any) -> list[CandidateView]:
    """The candidate themes the person may see, largest discovery first, with examples."""
    from outsidein.core.tenancy import scoped
    from outsidein.voice.models import Feedback

    organisation_id = person.organisation_id
    themes = list(scoped(person, Theme).filter(status=ThemeStatus.CANDIDATE))
    records = {
        record.theme_id: record
        for record in DiscoveredTheme.objects.filter(
            organisation_id=organisation_id, theme__in=themes
        )
    }
    wanted = [pk for record in records.values() for pk in record.examples]
    feedback = {
        item.pk: item
        for item in Feedback.objects.filter(organisation_id=organisation_id, pk__in=wanted).only(
            "pk", "subject", "comment", "language", "submitted_at"
        )
    }
    views = [
        CandidateView(
            theme=theme,
            record=records.get(theme.pk),
            examples=[
                feedback[pk]
                for pk in (records[theme.pk].examples if theme.pk in records else [])
                if pk in feedback
            ],
        )
        for theme in themes
    ]
    views.sort(key=lambda view: (-(view.record.size if view.record else 0), view.theme.name))
    return views
