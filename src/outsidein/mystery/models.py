"""Mystery shopping of one's own service.

A ``Scenario`` says how to experience one touchpoint as a customer would: the channel, a script,
a checklist (yes / no / not applicable) and scoring items (1–5). Every employee gets an
``Assignment`` once per programme interval (``MysteryProgramme``, per organisation), does the
shop, and reports it from their phone; the report's overall score (0–100) is computed by
``scoring.overall_score`` and may open a follow-up case or a decision proposal.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from outsidein.core.models import Organisation, Person, Team, TenantModel
from outsidein.voice.models import Channel


class MysteryProgramme(models.Model):
    """Per organisation: how often everyone shops, how long a shop may take, when to remind."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="mystery"
    )
    interval_days = models.PositiveSmallIntegerField(
        _("days between shops per employee"),
        default=90,
        help_text=_(
            "Everyone experiences their own service once in this many days (90: a quarter)."
        ),
    )
    due_days = models.PositiveSmallIntegerField(
        _("days to do a shop"),
        default=21,
        help_text=_("The due date is this many days after the shop is assigned."),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("remind this many days before the due date"), default=5
    )
    is_active = models.BooleanField(
        _("plan shops automatically"),
        default=True,
        help_text=_("When off, the daily run assigns no new shops (reminders still go out)."),
    )

    class Meta:
        verbose_name = _("mystery shopping programme")
        verbose_name_plural = _("mystery shopping programmes")

    def __str__(self) -> str:
        return str(self.organisation)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.interval_days is not None and not 7 <= self.interval_days <= 730:
            errors["interval_days"] = _("Choose between 7 and 730 days.")
        if self.due_days is not None and self.due_days < 1:
            errors["due_days"] = _("Allow at least one day.")
        elif (
            self.due_days is not None
            and self.interval_days is not None
            and self.due_days > self.interval_days
        ):
            errors["due_days"] = _("A shop cannot take longer than the interval between shops.")
        if (
            self.reminder_days is not None
            and self.due_days is not None
            and self.reminder_days >= self.due_days
        ):
            errors["reminder_days"] = _("Remind before the due date: fewer days than allowed.")
        if errors:
            raise ValidationError(errors)


class Scenario(TenantModel):
    """How to experience one touchpoint as a customer. ``checklist`` and ``scoring`` are lists
    of ``{"key": "c1", "label": "…"}``; keys stay the same when a label is edited elsewhere in
    the list, so reports keep pointing at the right item."""

    name = models.CharField(_("name"), max_length=120)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    touchpoint = models.CharField(
        _("touchpoint"),
        max_length=120,
        help_text=_("The moment in the customer journey, e.g. “Asking about the annual bill”."),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mystery_scenarios",
        verbose_name=_("owned by"),
        help_text=_("The team that serves this touchpoint and acts on what shoppers find."),
    )
    instructions = models.TextField(
        _("script"),
        help_text=_("What the shopper does and says, step by step, as a customer would."),
    )
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    scoring = models.JSONField(_("scoring items"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("mystery shopping scenario")
        verbose_name_plural = _("mystery shopping scenarios")
        ordering = ["touchpoint", "name"]
        constraints = [
            models.UniqueConstraint(
                "organisation", Lower("name"), name="mystery_scenario_unique_name_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.check_same_organisation(team=self.team)
        self.check_unique_in_organisation(
            "name", _("There is already a scenario with this name."), name__iexact=self.name
        )

    def checklist_labels(self) -> list[str]:
        return [item["label"] for item in self.checklist]

    def scoring_labels(self) -> list[str]:
        return [item["label"] for item in self.scoring]


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("To do")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    EXPIRED = "expired", _("Not done in time")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NOT_APPLICABLE = "na", _("Not applicable")


class Assignment(TenantModel):
    """One employee's mystery shop of one scenario. The team is copied when assigned, so a later
    move does not rewrite last year's coverage."""

    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("scenario")
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="mystery_assignments",
        verbose_name=_("shopper"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shopper's team"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.ASSIGNED,
    )
    assigned_on = models.DateField(_("assigned on"))
    due_on = models.DateField(_("due"))
    reminder_stage = models.PositiveSmallIntegerField(default=0, editable=False)
    reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)
    shopped_on = models.DateField(_("date of the shop"), null=True, blank=True)
    completed_at = models.DateTimeField(_("reported"), null=True, blank=True)
    checklist_answers = models.JSONField(_("checklist answers"), default=dict, blank=True)
    item_scores = models.JSONField(_("scores"), default=dict, blank=True)
    score = models.PositiveSmallIntegerField(_("overall score"), null=True, blank=True)
    observations = models.TextField(_("observations"), blank=True)
    skip_reason = models.CharField(_("why skipped"), max_length=300, blank=True)
    case = models.ForeignKey(
        "practice.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("follow-up"),
    )
    decision = models.ForeignKey(
        "practice.Decision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposal"),
    )

    class Meta:
        verbose_name = _("mystery shop")
        verbose_name_plural = _("mystery shops")
        ordering = ["-assigned_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="assigned"),
                name="mystery_one_open_shop_per_person",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "due_on"], name="mystery_org_status"),
            models.Index(fields=["organisation", "shopped_on"], name="mystery_org_shopped"),
            models.Index(fields=["person", "assigned_on"], name="mystery_person_assigned"),
        ]

    def __str__(self) -> str:
        return f"{self.scenario} · {self.person}"

    def clean(self) -> None:
        self.check_same_organisation(scenario=self.scenario, person=self.person, team=self.team)
        if self.due_on and self.assigned_on and self.due_on < self.assigned_on:
            raise ValidationError({"due_on": _("The due date cannot be before the assignment.")})

    @property
    def is_open(self) -> bool:
        return self.status == AssignmentStatus.ASSIGNED

    def is_overdue(self, today: Any) -> bool:
        return self.is_open and self.due_on < today
