"""The norms in daily work: the customer-first queue with its follow-ups (one ``Case`` per
customer question, complaint or unhappy response), customer contacts of every employee, and the
decision register with the customer evidence each decision cites."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outsidein.core.models import Customer, Organisation, Person, Team, TenantModel
from outsidein.voice.models import Channel, Feedback, Survey, Tag


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class PracticeSettings(models.Model):
    """Per organisation: when an unhappy customer gets a follow-up, and the monthly norms."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="practice"
    )
    follow_up_nps_max = models.PositiveSmallIntegerField(
        _("follow up NPS scores up to"),
        default=6,
        help_text=_("Detractors: 0–6 by default. Leave empty to not follow up on NPS."),
        null=True,
        blank=True,
    )
    follow_up_csat_max = models.PositiveSmallIntegerField(
        _("follow up CSAT scores up to"), default=2, null=True, blank=True
    )
    follow_up_ces_min = models.PositiveSmallIntegerField(
        _("follow up CES scores from"), default=6, null=True, blank=True
    )
    follow_up_hours = models.PositiveSmallIntegerField(
        _("hours to contact an unhappy customer"), default=48
    )
    ask_customer_if_solved = models.BooleanField(
        _("ask the customer afterwards whether it is solved"), default=True
    )
    default_team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team for items no rule routes"),
        help_text=_("Items that no routing rule and no survey owner claims land here."),
    )
    contacts_per_month = models.PositiveSmallIntegerField(
        _("customer contacts per employee per month"), default=1
    )
    # The month (its first day) for which the "no contact yet" reminder went out.
    contact_reminder_month = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("practice settings")
        verbose_name_plural = _("practice settings")

    def __str__(self) -> str:
        return str(self.organisation)


class ServiceTarget(TenantModel):
    """How fast a customer item is answered and resolved, per channel and priority. An empty
    channel is the target for every channel without its own."""

    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    first_response_hours = models.PositiveIntegerField(_("first response within (hours)"))
    resolution_hours = models.PositiveIntegerField(_("resolved within (hours)"))

    class Meta:
        verbose_name = _("service target")
        verbose_name_plural = _("service targets")
        ordering = ["channel", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "channel", "priority"], name="target_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display() or _('any channel')} · {self.get_priority_display()}"

    def clean(self) -> None:
        for name in ("first_response_hours", "resolution_hours"):
            if getattr(self, name) == 0:
                raise ValidationError({name: _("Give at least one hour.")})
        if (
            self.first_response_hours is not None
            and self.resolution_hours is not None
            and self.resolution_hours < self.first_response_hours
        ):
            raise ValidationError(
                {"resolution_hours": _("Resolution cannot come before the first response.")}
            )
        self.check_unique_in_organisation(
            "priority",
            _("There is already a target for this channel and priority."),
            channel=self.channel,
            priority=self.priority,
        )


class CaseKind(models.TextChoices):
    QUESTION = "question", _("Question")
    COMPLAINT = "complaint", _("Complaint")
    FOLLOW_UP = "follow_up", _("Follow-up")


class RoutingRule(TenantModel):
    """Sends a new customer item to the team that owns its cause. Rules are tried in order;
    the first that matches wins. Empty conditions match anything."""

    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=CaseKind.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, blank=True)
    survey = models.ForeignKey(
        Survey,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("survey"),
    )
    tag = models.ForeignKey(
        Tag,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tag (topic)"),
    )
    keywords = models.CharField(
        _("words in the text"),
        max_length=300,
        blank=True,
        help_text=_(
            "Comma-separated whole words; any one in the subject or comment matches. "
            "End a word with * to match what starts with it, e.g. factu*."
        ),
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="+", verbose_name=_("send to team")
    )
    priority = models.CharField(
        _("set priority"), max_length=10, choices=Priority.choices, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.check_same_organisation(survey=self.survey, tag=self.tag, team=self.team)

    def keyword_list(self) -> list[str]:
        return [word.strip().lower() for word in self.keywords.split(",") if word.strip()]


class RootCause(TenantModel):
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organisation", Lower("name"), name="rootcause_unique_name_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.check_unique_in_organisation(
            "name", _("There is already a root cause with this name."), name__iexact=self.name
        )


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting for the customer")
    CLOSED = "closed", _("Closed")


class Loop(models.TextChoices):
    INNER = "inner", _("Solved for this customer")
    OUTER = "outer", _("Needs a structural fix")


class Case(TenantModel):
    """A customer item in the queue: a question, a complaint, or a follow-up of an unhappy
    response. Routed to a team; anyone may pick it up. Complaints and follow-ups are the closed
    loop: the owner records the contact, the learning and the root cause."""

    kind = models.CharField(_("kind"), max_length=10, choices=CaseKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    subject = models.CharField(_("subject"), max_length=200)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, blank=True)
    feedback = models.OneToOneField(
        Feedback,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="case",
        verbose_name=_("feedback"),
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("customer"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("team"),
    )
    owner = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("owner"),
    )
    routing_rule = models.ForeignKey(
        RoutingRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    routing_reason = models.CharField(_("why this team"), max_length=200, blank=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # While the item waits for the customer its clock stops: on resuming, the resolution
    # deadline moves on by the time spent waiting (as pausable SLAs do in helpdesks).
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    # The closed loop.
    learned = models.TextField(_("what we learned"), blank=True)
    root_cause = models.ForeignKey(
        RootCause,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("root cause"),
    )
    loop = models.CharField(_("loop"), max_length=5, choices=Loop.choices, blank=True)
    decision = models.ForeignKey(
        "Decision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_cases",
        verbose_name=_("proposal for the structural fix"),
    )
    solved_asked_at = models.DateTimeField(null=True, blank=True)
    customer_says_solved = models.BooleanField(null=True, blank=True)
    customer_answered_at = models.DateTimeField(null=True, blank=True)
    breach_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("customer item")
        verbose_name_plural = _("customer items")
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "status", "opened_at"], name="case_org_status"),
            models.Index(fields=["organisation", "team", "status"], name="case_org_team"),
            models.Index(fields=["organisation", "-closed_at"], name="case_org_closed"),
        ]

    def __str__(self) -> str:
        return self.subject

    def clean(self) -> None:
        self.check_same_organisation(
            customer=self.customer, team=self.team, owner=self.owner, root_cause=self.root_cause
        )

    @property
    def is_closed_loop(self) -> bool:
        return self.kind in (CaseKind.COMPLAINT, CaseKind.FOLLOW_UP)

    def due_at(self) -> datetime | None:
        """The next deadline: the first response while none was given, then the resolution.
        None while closed or while waiting for the customer (the clock stops then)."""
        if self.status in (CaseStatus.CLOSED, CaseStatus.WAITING):
            return None
        return self.first_response_due if self.first_response_at is None else self.resolution_due

    def is_breached(self, now: datetime | None = None) -> bool:
        due = self.due_at()
        return due is not None and due < (now or timezone.now())


class CaseNoteKind(models.TextChoices):
    RESPONSE = "response", _("Contact with the customer")
    NOTE = "note", _("Internal note")
    EVENT = "event", _("Event")


class CaseNote(TenantModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=CaseNoteKind.choices)
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class ContactKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    CALL = "call", _("Call")
    SUPPORT_SHIFT = "support_shift", _("Support shift")
    INTERVIEW = "interview", _("Interview")
    EVENT = "event", _("Event")
    CO_CREATION = "co_creation", _("Co-creation session")
    MYSTERY_SHOP = "mystery_shop", _("Mystery shop")


class Contact(TenantModel):
    """An employee spoke with a customer. The team and role are copied at the time, so a later
    move does not rewrite last year's coverage."""

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="customer_contacts",
        verbose_name=_("employee"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    customer_facing = models.BooleanField(default=False)
    kind = models.CharField(_("kind"), max_length=14, choices=ContactKind.choices)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("customer"),
    )
    happened_on = models.DateField(_("date"), default=timezone.localdate)
    learned = models.TextField(_("what you learned"), blank=True)
    feedback = models.OneToOneField(
        Feedback,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact",
        verbose_name=_("in the inbox as"),
    )

    class Meta:
        verbose_name = _("customer contact")
        verbose_name_plural = _("customer contacts")
        ordering = ["-happened_on", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "happened_on"], name="contact_org_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.happened_on}"

    def clean(self) -> None:
        self.check_same_organisation(person=self.person, customer=self.customer)
        if self.happened_on and self.happened_on > timezone.localdate():
            raise ValidationError({"happened_on": _("A contact cannot be in the future.")})


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    TAKEN = "taken", _("Taken")
    REVERSED = "reversed", _("Reversed")


class Scope(models.TextChoices):
    TEAM = "team", _("One team")
    DEPARTMENT = "department", _("A department")
    ORGANISATION = "organisation", _("The whole organisation")


class Decision(TenantModel):
    """A decision and the customer evidence it rests on, or the reason it has none."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("team"),
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PROPOSED
    )
    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices, default=Scope.TEAM)
    without_customer_input = models.BooleanField(_("taken without customer input"), default=False)
    no_input_reason = models.TextField(_("why without customer input"), blank=True)
    customers_told_at = models.DateTimeField(_("customers told"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_on", "-created_at"]
        indexes = [
            models.Index(fields=["organisation", "status", "decided_on"], name="decision_org"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        self.check_same_organisation(owner=self.owner, team=self.team)
        if self.without_customer_input and not self.no_input_reason.strip():
            raise ValidationError(
                {"no_input_reason": _("Say why this decision is taken without customer input.")}
            )
        if self.status != DecisionStatus.PROPOSED and self.decided_on is None:
            raise ValidationError({"decided_on": _("A decision that is taken has a date.")})


class Evidence(TenantModel):
    """A piece of customer evidence a decision cites. Stored as kind + id + label, so when the
    item is deleted the decision shows it as removed instead of losing it silently."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=20)
    ref_id = models.PositiveBigIntegerField()
    label = models.CharField(_("what"), max_length=300)
    note = models.TextField(_("why it matters"), blank=True)
    added_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("customer evidence")
        verbose_name_plural = _("customer evidence")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "kind", "ref_id"], name="evidence_unique_per_decision"
            )
        ]

    def __str__(self) -> str:
        return self.label
