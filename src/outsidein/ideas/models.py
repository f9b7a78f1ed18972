"""The customers' ideas portal: customers (participants, identified by a verified email address,
never a password) submit ideas, vote and comment; staff triage them, merge duplicates and answer.

Every rule lives in ``ideas.services``; these models hold the data and its invariants.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from outsidein.core.models import (
    Customer,
    CustomerContactPerson,
    Language,
    Person,
    Segment,
    Team,
    TenantModel,
)


class IdeaStatus(models.TextChoices):
    NEW = "new", _("New")
    UNDER_REVIEW = "under_review", _("Under review")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")


# Statuses in which customers may still vote: a done or declined idea is closed.
OPEN_STATUSES = (
    IdeaStatus.NEW,
    IdeaStatus.UNDER_REVIEW,
    IdeaStatus.PLANNED,
    IdeaStatus.IN_PROGRESS,
)


class Participant(TenantModel):
    """A customer on the ideas portal, known by an email address they proved is theirs (a signed
    link sent to it). Linked to the customer record when the address belongs to a customer or one
    of its contact people, so ideas and votes carry the customer's segment."""

    email = models.EmailField(_("email address"))
    name = models.CharField(_("name"), max_length=120, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="idea_participants",
        verbose_name=_("customer"),
    )
    contact_person = models.ForeignKey(
        CustomerContactPerson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact person"),
    )
    notify = models.BooleanField(
        _("tell me what you decide"),
        default=True,
        help_text=_("Emails when an idea they submitted or voted for changes status."),
    )
    verified_at = models.DateTimeField(_("email verified"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                "organisation", Lower("email"), name="participant_unique_email_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def public_name(self) -> str:
        """What other customers see: the first name only, never the email address."""
        return self.name.split()[0] if self.name.strip() else ""

    def clean(self) -> None:
        self.check_same_organisation(customer=self.customer, contact_person=self.contact_person)
        self.check_unique_in_organisation(
            "email",
            _("There is already a participant with this email address."),
            email__iexact=self.email,
        )


class Idea(TenantModel):
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=IdeaStatus.choices, default=IdeaStatus.NEW
    )
    decline_reason = models.TextField(
        _("why not"),
        blank=True,
        help_text=_("Customers see this when the idea is declined: the deliberate “no”."),
    )
    author = models.ForeignKey(
        Participant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("submitted by"),
    )
    entered_by = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
        help_text=_("The employee who entered the idea on behalf of a customer."),
    )
    # Snapshots of who the author was when the idea came in.
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("customer"),
    )
    segment = models.ForeignKey(
        Segment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("segment"),
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("team"),
    )
    is_public = models.BooleanField(
        _("shown on the portal"),
        default=True,
        help_text=_("Hidden ideas are seen only by their author and by staff."),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("merged into"),
    )
    vote_count = models.PositiveIntegerField(_("votes"), default=0, editable=False)
    first_staff_response_at = models.DateTimeField(_("first staff response"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "status", "created_at"], name="idea_org_status"),
            models.Index(fields=["organisation", "-vote_count"], name="idea_org_votes"),
            models.Index(fields=["organisation", "team", "created_at"], name="idea_org_team"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        self.check_same_organisation(
            author=self.author,
            customer=self.customer,
            segment=self.segment,
            team=self.team,
            merged_into=self.merged_into,
        )
        if self.status == IdeaStatus.DECLINED and not self.decline_reason.strip():
            raise ValidationError(
                {"decline_reason": _("Tell the customer why: a declined idea needs a reason.")}
            )
        if self.merged_into_id is not None and self.merged_into_id == self.pk:
            raise ValidationError({"merged_into": _("An idea cannot be merged into itself.")})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES and self.merged_into_id is None

    @property
    def is_answered(self) -> bool:
        return self.first_staff_response_at is not None


class Vote(TenantModel):
    """One participant supports one idea (once). The segment is copied at the time."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    segment = models.ForeignKey(
        Segment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["idea", "participant"], name="vote_once_per_idea")
        ]
        indexes = [models.Index(fields=["organisation", "segment"], name="vote_org_segment")]

    def __str__(self) -> str:
        return f"{self.participant} → {self.idea}"


class Comment(TenantModel):
    """A comment by a customer (participant) or by staff (person). Staff comments count as a
    staff response to the idea."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    participant = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_staff = models.BooleanField(default=False)
    text = models.TextField(_("comment"), max_length=3000)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class StatusChange(TenantModel):
    """The idea's public history: each status change with its reason, and merges."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=IdeaStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=IdeaStatus.choices)
    reason = models.TextField(_("note for customers"), blank=True)
    merged_into = models.ForeignKey(
        Idea, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class IdeaEmbedding(TenantModel):
    """The sentence embedding of an idea's title and description (512 float16 numbers, 1 KB),
    computed the first time a duplicate search needs it and kept until the text changes
    (``text_hash``) or the encoder does (``engine``). See ``ideas.duplicates``."""

    idea = models.OneToOneField(Idea, on_delete=models.CASCADE, related_name="embedding")
    vector = models.BinaryField()
    text_hash = models.CharField(max_length=40)
    engine = models.CharField(max_length=20)

    class Meta:
        verbose_name = _("idea embedding")
        verbose_name_plural = _("idea embeddings")

    def __str__(self) -> str:
        return f"{self.idea_id}: {self.engine}"
