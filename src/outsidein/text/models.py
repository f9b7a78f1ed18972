"""Text analytics records: the analysis of each piece of feedback, the organisation's themes,
the labelled examples the models learn from, and the trained models themselves."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outsidein.core.models import Team, TenantModel


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    POSITIVE = "positive", _("Positive")


class TextLanguage(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")
    OTHER = "other", _("Other language")


class ThemeStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    ACCEPTED = "accepted", _("Accepted")


class Theme(TenantModel):
    """One theme of the organisation's taxonomy: keywords and phrases (one per line, Dutch and
    English; matched on lemmas) and the team that owns it (told when it grows)."""

    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    keywords = models.TextField(
        _("keywords"), blank=True, help_text=_("One word or phrase per line, Dutch or English.")
    )
    owner_team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner team"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ThemeStatus.choices, default=ThemeStatus.ACCEPTED
    )
    # When the owner team was last told the theme is growing (one alert per month at most).
    growth_alerted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="text_theme_unique_name_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [
            line.strip() for line in self.keywords.replace(",", "\n").splitlines() if line.strip()
        ]

    def clean(self) -> None:
        self.name = (self.name or "").strip()
        if not self.name:
            raise ValidationError({"name": _("A theme needs a name.")})
        self.check_unique_in_organisation(
            "name", _("There is already a theme with this name."), name=self.name
        )


class FeedbackAnalysis(TenantModel):
    """What the text of one piece of feedback says: its language, sentiment (−1..1) and themes
    (name → confidence), per sentence too. Corrected parts are kept on re-analysis."""

    feedback = models.OneToOneField(
        "voice.Feedback", on_delete=models.CASCADE, related_name="analysis"
    )
    # Both "" for a comment without words: it has no language and no sentiment.
    language = models.CharField(
        _("language"), max_length=5, choices=TextLanguage.choices, blank=True
    )
    language_confidence = models.FloatField(default=0.0)
    sentiment = models.CharField(
        _("sentiment"), max_length=8, choices=Sentiment.choices, blank=True
    )
    score = models.FloatField(_("sentiment score"), default=0.0)
    confidence = models.FloatField(default=0.0)
    themes = models.JSONField(_("themes"), default=dict, blank=True)
    sentences = models.JSONField(default=list, blank=True)
    model_version = models.CharField(max_length=40, blank=True)
    sentiment_corrected = models.BooleanField(default=False)
    themes_corrected = models.BooleanField(default=False)
    analysed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("text analysis")
        verbose_name_plural = _("text analyses")
        indexes = [
            models.Index(fields=["organisation", "sentiment"], name="text_analysis_sentiment"),
            models.Index(fields=["organisation", "language"], name="text_analysis_language"),
        ]

    def __str__(self) -> str:
        return f"{self.feedback_id}: {self.sentiment}"


class FeedbackEmbedding(TenantModel):
    """The sentence embedding of one piece of feedback's text (512 float16 numbers, 1 KB),
    computed once when it is analysed and read by what compares comments (similar feedback,
    likely duplicates, theme discovery). Kept apart from the analysis so that the lists that
    read analyses never carry it."""

    feedback = models.OneToOneField(
        "voice.Feedback", on_delete=models.CASCADE, related_name="embedding"
    )
    vector = models.BinaryField()
    engine = models.CharField(max_length=20)

    class Meta:
        verbose_name = _("text embedding")
        verbose_name_plural = _("text embeddings")

    def __str__(self) -> str:
        return f"{self.feedback_id}: {self.engine}"


class ExampleSource(models.TextChoices):
    CORRECTION = "correction", _("Correction in the inbox")
    UPLOAD = "upload", _("Uploaded file")


class TrainingExample(TenantModel):
    """A strong label: a person corrected or tagged a text (in the inbox or in a file)."""

    feedback = models.ForeignKey(
        "voice.Feedback", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text = models.TextField()
    language = models.CharField(max_length=5, choices=TextLanguage.choices, blank=True)
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices, blank=True)
    themes = models.JSONField(default=list, blank=True)
    has_themes = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=ExampleSource.choices)

    class Meta:
        verbose_name = _("training example")
        verbose_name_plural = _("training examples")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "feedback"],
                condition=models.Q(feedback__isnull=False),
                name="text_example_one_per_feedback",
            )
        ]


class ModelKind(models.TextChoices):
    SENTIMENT = "sentiment", _("Sentiment")
    THEMES = "themes", _("Themes")


class TextModel(TenantModel):
    """A trained model of the organisation: weights as numpy arrays (no pickle) and the
    accuracy measured on examples it did not learn from."""

    kind = models.CharField(max_length=10, choices=ModelKind.choices)
    language = models.CharField(max_length=5, blank=True)
    weights = models.BinaryField()
    thresholds = models.JSONField(default=dict, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    examples = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("text model")
        verbose_name_plural = _("text models")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "language"], name="text_model_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.language} v{self.version}"


class DiscoveredTheme(TenantModel):
    """What theme discovery proposed: the candidate theme it made (null once dropped, so that a
    dropped proposal is not made again), its label and key phrases as found, its size and the
    feedback it stands for (the first ones are the examples shown, nearest the cluster centre)."""

    theme = models.OneToOneField(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="discovery",
        verbose_name=_("theme"),
    )
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    label = models.CharField(_("label"), max_length=80)
    phrases = models.JSONField(_("key phrases"), default=dict, blank=True)
    keywords = models.TextField(blank=True)
    size = models.PositiveIntegerField(_("comments"), default=0)
    days = models.PositiveIntegerField(default=90)
    examples = models.JSONField(default=list, blank=True)
    members = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("discovered theme")
        verbose_name_plural = _("discovered themes")
        ordering = ["-size"]

    def __str__(self) -> str:
        return self.label


# The theme rollup: per day (and per month) × theme × segment × team × sentiment, the number of
# analysed comments and the sums the drivers need, kept in step with every analysis, correction
# and feedback edit (``text.rollups``), so that the themes pages never scan the analyses.
# ``theme`` "" counts every analysed comment (the whole a theme's share is taken of); dimension
# ids are 0 for "none" (NULLs never collide in a unique index) and -1 (``rollups.ANY``) in the
# marginal rows that count every segment and/or every team: each comment is counted at four
# grains, so a page without a segment or team filter reads a few rows per day or month, not one
# per segment × team (the index on organisation, segment, team and period finds them).
# Sentiment scores are summed in millionths (``score_sum``) and their squares in millionths
# squared (``score_sq``): integers, so adding and taking away never drifts from a recomputation.
THEME_ROLLUP_COUNTERS = (
    "n",
    "score_sum",
    "score_sq",
    "promoters",
    "passives",
    "detractors",
    "csat_top2",
    "csat_n",
)
THEME_ROLLUP_DIMENSIONS = ("theme", "segment_id", "team_id", "sentiment")


class ThemeRollup(models.Model):
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    theme = models.CharField(max_length=80, blank=True)
    segment_id = models.IntegerField(default=0)
    team_id = models.IntegerField(default=0)
    sentiment = models.CharField(max_length=8)

    n = models.IntegerField(default=0)
    score_sum = models.BigIntegerField(default=0)
    score_sq = models.BigIntegerField(default=0)
    promoters = models.IntegerField(default=0)
    passives = models.IntegerField(default=0)
    detractors = models.IntegerField(default=0)
    csat_top2 = models.IntegerField(default=0)
    csat_n = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DailyThemeRollup(ThemeRollup):
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day", *THEME_ROLLUP_DIMENSIONS],
                name="text_daily_theme_rollup_key",
            )
        ]
        indexes = [
            models.Index(
                fields=["organisation", "segment_id", "team_id", "day"],
                name="text_daily_theme_grain",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.theme or '*'} ({self.n})"


class MonthlyThemeRollup(ThemeRollup):
    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "month", *THEME_ROLLUP_DIMENSIONS],
                name="text_monthly_theme_rollup_key",
            )
        ]
        indexes = [
            models.Index(
                fields=["organisation", "segment_id", "team_id", "month"],
                name="text_monthly_theme_grain",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.theme or '*'} ({self.n})"
