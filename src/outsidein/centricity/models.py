"""The mirror survey: the same statements answered by employees (anonymously) and by customers
(through a voice survey), in rounds called waves.

Anonymity is built into the tables: an ``EmployeeResponse`` has no person, no timestamp of its
own (it carries the wave's opening time) and a random id; that someone answered is kept apart in
``Participation`` as a keyed hash of person and wave, with no answers and no time. Neither table
lets anyone trace answers back to a person.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outsidein.centricity.bank import DIMENSIONS, SUPERIOR
from outsidein.core.models import Organisation, Segment, Team, TenantModel
from outsidein.voice.models import Survey

DIMENSION_CHOICES = [(d.key, d.label) for d in DIMENSIONS] + [("", _("Headline question"))]


class MirrorItem(TenantModel):
    """One statement, written for employees and for customers. Built-in items come from
    ``bank.py`` (``custom`` False: they can be reworded and hidden, not deleted); an
    organisation's own items are ``custom``. In customer texts ``{org}`` is the name."""

    key = models.SlugField(_("key"), max_length=40)
    dimension = models.CharField(
        _("dimension"), max_length=20, choices=DIMENSION_CHOICES, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    employee_nl = models.CharField(_("employee statement (Dutch)"), max_length=300)
    employee_en = models.CharField(_("employee statement (English)"), max_length=300)
    customer_nl = models.CharField(_("customer statement (Dutch)"), max_length=300)
    customer_en = models.CharField(_("customer statement (English)"), max_length=300)
    hidden = models.BooleanField(_("hidden"), default=False)
    custom = models.BooleanField(_("added by the organisation"), default=False, editable=False)

    class Meta:
        verbose_name = _("mirror statement")
        verbose_name_plural = _("mirror statements")
        ordering = ["dimension", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key"], name="mirroritem_unique_key_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.employee_en or self.employee_nl

    @property
    def is_headline(self) -> bool:
        return self.key == SUPERIOR

    def employee_text(self, language: str) -> str:
        return (self.employee_en if language == "en" else self.employee_nl) or self.employee_nl

    def customer_text(self, language: str, organisation_name: str) -> str:
        text = (self.customer_en if language == "en" else self.customer_nl) or self.customer_nl
        return text.replace("{org}", organisation_name)

    def clean(self) -> None:
        if self.is_headline and self.dimension:
            raise ValidationError({"dimension": _("The headline question has no dimension.")})
        if not self.is_headline and not self.dimension:
            raise ValidationError({"dimension": _("Choose a dimension.")})
        self.check_unique_in_organisation("key", _("There is already a statement with this key."))


class WaveStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Wave(TenantModel):
    """A round of the mirror survey. Opening it freezes the statements (``items``), gives
    employees their page and creates the customers' voice survey with the same statements."""

    name = models.CharField(_("name"), max_length=120)
    status = models.CharField(
        _("status"), max_length=10, choices=WaveStatus.choices, default=WaveStatus.DRAFT
    )
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    # The statements as asked: [{"key", "dimension", "employee_nl", ..., "customer_en"}].
    items = models.JSONField(default=list, blank=True, editable=False)
    survey = models.OneToOneField(
        Survey,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mirror_wave",
        verbose_name=_("customer survey"),
    )

    class Meta:
        verbose_name = _("mirror survey wave")
        verbose_name_plural = _("mirror survey waves")
        ordering = ["-opens_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("A wave closes after it opens.")})

    def is_accepting(self, now: Any = None) -> bool:
        now = now or timezone.now()
        if self.status != WaveStatus.OPEN:
            return False
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)

    @property
    def started_at(self) -> Any:
        return self.opens_at or self.created_at


class EmployeeResponse(models.Model):
    """One employee's answers to one wave, without anything that names them: a random id, the
    team they were in (for team results of five or more), the answers by item key (1–7)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="employee_responses")
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answers = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("anonymous employee response")
        verbose_name_plural = _("anonymous employee responses")

    def __str__(self) -> str:
        return str(self.pk)


class Participation(models.Model):
    """That someone answered a wave (to prevent answering twice): only a keyed hash of person and
    wave, no answers, no time, no link to the response."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="participations")
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "digest"], name="participation_once_per_wave")
        ]

    def __str__(self) -> str:
        return str(self.pk)


class ServedSegment(TenantModel):
    """A team serves the customers of a segment: its employees' answers are compared with the
    answers of customers in the segments it serves."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("segment served by a team")
        verbose_name_plural = _("segments served by teams")
        constraints = [
            models.UniqueConstraint(fields=["team", "segment"], name="servedsegment_unique")
        ]


# --- the monthly leadership report --------------------------------------------------------------


class ReportSubscription(TenantModel):
    """A leader who gets the monthly report by email: on ``day`` of each month, the report of
    the month before, in ``language`` (empty: the person's own language)."""

    person = models.ForeignKey(
        "core.Person",
        on_delete=models.CASCADE,
        related_name="report_subscriptions",
        verbose_name=_("leader"),
    )
    day = models.PositiveSmallIntegerField(
        _("day of the month"),
        default=1,
        help_text=_("The report of the month before is sent on this day (1–28)."),
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        blank=True,
        choices=[("nl", _("Dutch")), ("en", _("English"))],
        help_text=_("Empty: the leader's own language."),
    )

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        ordering = ["day", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["person"], name="reportsubscription_one_per_person"),
            models.CheckConstraint(
                condition=models.Q(day__gte=1, day__lte=28), name="reportsubscription_day_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.day})"

    def clean(self) -> None:
        self.check_same_organisation(person=self.person)
        if self.day is not None and not 1 <= self.day <= 28:
            raise ValidationError({"day": _("Choose a day from 1 to 28 (every month has it).")})


class ReportDelivery(TenantModel):
    """That a month's report went to a person (so the daily round sends it once)."""

    person = models.ForeignKey("core.Person", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))  # the first day of the month reported on
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("report sent")
        verbose_name_plural = _("reports sent")
        constraints = [
            models.UniqueConstraint(fields=["person", "month"], name="reportdelivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.month:%Y-%m}"


# --- the customer-centricity index ---------------------------------------------------------------


class IndexSettings(TenantModel):
    """An organisation's weights of the index's three pillars (see ``centricity.index``). The
    weights are relative: (1, 1, 1) gives each pillar a third; a weight of 0 leaves it out."""

    perception_weight = models.FloatField(_("weight of perception"), default=1.0)
    behaviour_weight = models.FloatField(_("weight of behaviour"), default=1.0)
    outcomes_weight = models.FloatField(_("weight of outcomes"), default=1.0)

    class Meta:
        verbose_name = _("index settings")
        verbose_name_plural = _("index settings")
        constraints = [
            models.UniqueConstraint(fields=["organisation"], name="indexsettings_one_per_org")
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class IndicatorSetting(TenantModel):
    """An organisation's own target, floor (the worst value, 0% attainment) and weight of one
    indicator of the index, and whether it counts for the teams' rewards (with its own reward
    target, else the index target). Indicators without a row use the defaults."""

    key = models.CharField(_("indicator"), max_length=40)
    target = models.FloatField(_("target"))
    floor = models.FloatField(_("floor"))
    weight = models.FloatField(_("weight"), default=1.0)
    reward = models.BooleanField(_("counts for rewards"), default=False)
    reward_target = models.FloatField(_("reward target"), null=True, blank=True)

    class Meta:
        verbose_name = _("index indicator setting")
        verbose_name_plural = _("index indicator settings")
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key"], name="indicatorsetting_unique_key_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.key
