"""The voice of the customer: surveys, their questions and invitations, and every piece of
feedback from every channel in one table (``Feedback``), which the inbox lists and the rollups
summarise."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from outsidein.core.crypto import EncryptedCharField
from outsidein.core.models import (
    Customer,
    Language,
    Organisation,
    Person,
    Segment,
    Team,
    TenantModel,
)


def _public_key() -> str:
    return secrets.token_urlsafe(12)


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Survey(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("owned by"),
        help_text=_("The team that owns this survey and follows up on what customers say."),
    )
    title_nl = models.CharField(_("title (Dutch)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro_nl = models.TextField(_("introduction (Dutch)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    thanks_nl = models.TextField(_("thank-you text (Dutch)"), blank=True)
    thanks_en = models.TextField(_("thank-you text (English)"), blank=True)
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    public_key = models.CharField(max_length=32, unique=True, default=_public_key, editable=False)
    allow_anonymous = models.BooleanField(
        _("anonymous public link"),
        default=False,
        help_text=_("Anyone with the link or QR code may answer, without an invitation."),
    )
    allowed_origins = models.TextField(
        _("websites that may embed it"),
        blank=True,
        help_text=_("One origin per line, e.g. https://www.example.com (for the website widget)."),
    )
    created_for_import = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.check_same_organisation(team=self.team)
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("A survey closes after it opens.")})

    def title(self, language: str) -> str:
        return (self.title_en if language == "en" else self.title_nl) or self.title_nl or self.name

    def intro(self, language: str) -> str:
        return (self.intro_en if language == "en" else self.intro_nl) or ""

    def thanks(self, language: str) -> str:
        return (self.thanks_en if language == "en" else self.thanks_nl) or ""

    def is_accepting(self, now: Any = None) -> bool:
        now = now or timezone.now()
        if self.status != SurveyStatus.OPEN:
            return False
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)

    def origin_list(self) -> list[str]:
        return [
            line.strip().rstrip("/") for line in self.allowed_origins.splitlines() if line.strip()
        ]


class QuestionKind(models.TextChoices):
    NPS = "nps", _("Net Promoter Score (0–10)")
    CSAT = "csat", _("Satisfaction (CSAT, 1–5)")
    CES = "ces", _("Customer effort (CES, 1–7)")
    RATING = "rating", _("Rating (1–5 stars)")
    AGREE = "agree", _("Agreement (1–7, strongly disagree to strongly agree)")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TEXT = "text", _("Open text")


SCALES: dict[str, tuple[int, int]] = {
    QuestionKind.NPS: (0, 10),
    QuestionKind.CSAT: (1, 5),
    QuestionKind.CES: (1, 7),
    QuestionKind.RATING: (1, 5),
    QuestionKind.AGREE: (1, 7),
}


class Question(TenantModel):
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    key = models.SlugField(_("key"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text_nl = models.CharField(_("question (Dutch)"), max_length=500)
    text_en = models.CharField(_("question (English)"), max_length=500)
    # [{"value": "price", "nl": "Prijs", "en": "Price"}, ...] for single and multiple choice.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    # Shown only when another (score) question's answer lies in a range, e.g. the follow-up
    # "What is the main reason for your score?" for detractors: {"key": "nps", "max": 6}.
    show_if = models.JSONField(_("show only if"), default=dict, blank=True)
    # Where to go after this question, first matching rule wins (see voice.flow): e.g.
    # [{"choice": "c2", "goto": "why"}, {"min": 0, "max": 6, "goto": "end"}]. No match, or no
    # answer: the next question in order.
    branches = models.JSONField(_("jumps"), default=list, blank=True)
    # The words at the ends of a score scale, replacing the standard ones:
    # {"low_nl": ..., "low_en": ..., "high_nl": ..., "high_en": ...}.
    scale_labels = models.JSONField(_("scale labels"), default=dict, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="question_unique_key_per_survey")
        ]

    def __str__(self) -> str:
        return self.text_nl or self.text_en

    def text(self, language: str) -> str:
        return (self.text_en if language == "en" else self.text_nl) or self.text_nl or self.text_en

    def choice_labels(self, language: str) -> list[tuple[str, str]]:
        return [(c["value"], c.get(language) or c.get("nl") or c["value"]) for c in self.choices]

    @property
    def scale(self) -> tuple[int, int] | None:
        return SCALES.get(self.kind)

    def scale_label(self, end: str, language: str) -> str:
        """The custom word at the ``low`` or ``high`` end of the scale ("" for the standard)."""
        labels = self.scale_labels or {}
        return labels.get(f"{end}_{language}") or labels.get(f"{end}_nl") or ""

    def clean(self) -> None:
        self.check_same_organisation(survey=self.survey)
        if self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and not self.choices:
            raise ValidationError({"choices": _("A choice question needs at least one choice.")})
        if self.kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and self.choices:
            raise ValidationError({"choices": _("Only choice questions have choices.")})


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Not sent yet")
    SENT = "sent", _("Sent")
    REMINDED = "reminded", _("Reminded")
    RESPONDED = "responded", _("Answered")
    FAILED = "failed", _("Could not be sent")


class Invitation(TenantModel):
    """A personal invitation: one customer, one survey, one response, a signed expiring link."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="invitations")
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    expires_at = models.DateTimeField(_("expires"))
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [
            models.Index(fields=["organisation", "customer", "sent_at"], name="invitation_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.customer}"


class FeedbackKind(models.TextChoices):
    RESPONSE = "response", _("Survey response")
    COMPLAINT = "complaint", _("Complaint")
    QUESTION = "question", _("Question")
    REVIEW = "review", _("Review")
    NOTE = "note", _("Contact note")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    LINK = "link", _("Public link / QR code")
    WIDGET = "widget", _("Website widget")
    API = "api", _("API")
    IMPORT = "import", pgettext_lazy("channel", "Import")
    WEBHOOK = "webhook", _("Other system (webhook)")
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Visit")
    REVIEW_SITE = "review_site", _("Review site")
    SOCIAL = "social", _("Social media")
    OTHER = "other", _("Other")


class Tag(TenantModel):
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="tag_unique_name_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class Feedback(TenantModel):
    """One thing a customer told us, from any channel: a survey response, a complaint, a
    question, a review or a note of a conversation. Scores are stored in their own columns so
    rollups and filters never parse ``answers``."""

    # The composite indexes below all start with the organisation.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=10, choices=FeedbackKind.choices)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    # Indexes: the composite ones in Meta serve the dashboards and the inbox; single-column
    # foreign key indexes that they cover, or that only a rare deletion would use, are left
    # out because every index slows the million-row import.
    survey = models.ForeignKey(
        Survey,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="feedback",
        db_index=False,
    )
    # One response per invitation, and the customer's feedback found quickly: both indexes are
    # partial (Meta), so an anonymous answer, and any feedback without an invitation (imports),
    # writes no index entry for a link it does not have.
    invitation = models.ForeignKey(
        Invitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
        db_index=False,
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
        verbose_name=_("customer"),
        db_index=False,
    )
    # Copied from the customer and survey when the feedback arrives, so a later move of the
    # customer to another segment does not rewrite history (and rollups stay correct).
    segment = models.ForeignKey(
        Segment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
        verbose_name=_("team"),
    )
    author = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    submitted_at = models.DateTimeField(_("received"), default=timezone.now)
    nps = models.PositiveSmallIntegerField("NPS", null=True, blank=True)
    csat = models.PositiveSmallIntegerField("CSAT", null=True, blank=True)
    ces = models.PositiveSmallIntegerField("CES", null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    is_complete = models.BooleanField(_("complete"), default=True)
    # The sender's own id (submission id, ticket number): importing or posting twice adds nothing.
    external_id = models.CharField(_("external id"), max_length=120, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="feedback", verbose_name=_("tags"))

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~models.Q(external_id=""),
                name="feedback_unique_external_id_per_org",
            ),
            models.UniqueConstraint(
                fields=["invitation"],
                condition=models.Q(invitation__isnull=False),
                name="feedback_one_per_invitation",
            ),
            models.CheckConstraint(condition=models.Q(nps__lte=10), name="feedback_nps_range"),
            models.CheckConstraint(
                condition=models.Q(csat__gte=1, csat__lte=5) | models.Q(csat__isnull=True),
                name="feedback_csat_range",
            ),
            models.CheckConstraint(
                condition=models.Q(ces__gte=1, ces__lte=7) | models.Q(ces__isnull=True),
                name="feedback_ces_range",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-submitted_at"], name="feedback_org_recent"),
            models.Index(
                fields=["organisation", "kind", "-submitted_at"], name="feedback_org_kind"
            ),
            models.Index(fields=["survey", "-submitted_at"], name="feedback_survey_recent"),
            models.Index(
                fields=["customer"],
                condition=models.Q(customer__isnull=False),
                name="feedback_customer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.submitted_at:%Y-%m-%d}"

    @property
    def nps_band(self) -> str | None:
        if self.nps is None:
            return None
        return "promoter" if self.nps >= 9 else "passive" if self.nps >= 7 else "detractor"


# Webhook signing secrets are stored encrypted (the product signs and checks with them, so it
# must read them back; a database dump alone does not give them away).
HOOK_SECRET_PURPOSE = "outsidein.voice.webhook-secret"  # noqa: S105 (a key label)


def _hook_secret() -> str:
    import base64

    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _hook_key() -> str:
    return secrets.token_urlsafe(9)


class InboundHook(TenantModel):
    """Where another system (helpdesk, review site, CRM) posts feedback, signed with the secret
    by the Standard Webhooks scheme."""

    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. the helpdesk system"))
    key = models.CharField(max_length=20, unique=True, default=_hook_key, editable=False)
    secret = EncryptedCharField(purpose=HOOK_SECRET_PURPOSE, default=_hook_secret, editable=False)
    default_kind = models.CharField(
        _("kind of feedback"),
        max_length=10,
        choices=FeedbackKind.choices,
        default=FeedbackKind.COMPLAINT,
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("incoming webhook")
        verbose_name_plural = _("incoming webhooks")

    def __str__(self) -> str:
        return self.name


class OutboundHook(TenantModel):
    """A URL that is told about new feedback, signed with the Standard Webhooks scheme."""

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = EncryptedCharField(purpose=HOOK_SECRET_PURPOSE, default=_hook_secret, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    # The event types this endpoint takes (see voice.hook_events.EVENTS); empty: every event,
    # including ones added later. Endpoints made before the filter existed keep
    # ["feedback.created"], the one event they were sent.
    events = models.JSONField(_("events"), default=list, blank=True)

    class Meta:
        verbose_name = _("outgoing webhook")
        verbose_name_plural = _("outgoing webhooks")

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Gave up")


class Delivery(TenantModel):
    hook = models.ForeignKey(OutboundHook, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=40, unique=True)
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    redeliveries = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event} → {self.hook}"
