"""Strategy: which segments and needs the organisation serves (and deliberately declines), the
value discipline it competes on, the customer journey and the processes and teams behind each
touchpoint.

Nothing here adds a field to another app's model: links to customers, feedback, surveys, cases
and scenarios live on this side, so the other apps stay as they are.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from outsidein.core.models import Customer, Person, Segment, Team, TenantModel
from outsidein.voice.models import Channel


class Priority(models.TextChoices):
    CORE = "core", _("Core")
    GROW = "grow", _("Grow")
    MAINTAIN = "maintain", _("Maintain")
    NOT_TARGETED = "not_targeted", _("Not targeted")


class ValueDiscipline(models.TextChoices):
    OPERATIONAL_EXCELLENCE = "operational_excellence", _("Operational excellence")
    PRODUCT_LEADERSHIP = "product_leadership", _("Product leadership")
    CUSTOMER_INTIMACY = "customer_intimacy", _("Customer intimacy")


class SegmentStrategy(TenantModel):
    """How the organisation chooses to serve one segment (Treacy & Wiersema's disciplines)."""

    segment = models.OneToOneField(
        Segment, on_delete=models.CASCADE, related_name="strategy", verbose_name=_("segment")
    )
    priority = models.CharField(
        _("strategic priority"), max_length=14, choices=Priority.choices, default=Priority.MAINTAIN
    )
    value_discipline = models.CharField(
        _("value discipline"), max_length=24, choices=ValueDiscipline.choices, blank=True
    )
    proposition = models.TextField(
        _("value proposition"), blank=True, help_text=_("One paragraph: what we promise them.")
    )
    desired_experience = models.TextField(_("the experience that makes them happy"), blank=True)

    class Meta:
        verbose_name = _("segment strategy")
        verbose_name_plural = _("segment strategies")
        ordering = ["segment__name"]

    def __str__(self) -> str:
        return str(self.segment)

    def clean(self) -> None:
        self.check_same_organisation(segment=self.segment)


class CustomerAttribute(TenantModel):
    """A custom attribute of a customer that segment rules can use (size, product, revenue
    band...). Kept here because the customer record itself has no custom fields."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    key = models.SlugField(_("attribute"), max_length=40)
    value = models.CharField(_("value"), max_length=200)

    class Meta:
        verbose_name = _("customer attribute")
        verbose_name_plural = _("customer attributes")
        ordering = ["customer_id", "key"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "key"], name="strategy_attr_unique_key")
        ]
        indexes = [models.Index(fields=["organisation", "key"], name="strategy_attr_org_key")]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class SegmentRule(TenantModel):
    """Customers whose attributes meet every condition belong to the segment. Rules are
    evaluated in order; the first matching rule wins, and overlaps are reported."""

    name = models.CharField(_("name"), max_length=120)
    segment = models.ForeignKey(
        Segment, on_delete=models.CASCADE, related_name="+", verbose_name=_("segment")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    conditions = models.JSONField(_("conditions"), default=list)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("segment rule")
        verbose_name_plural = _("segment rules")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.check_same_organisation(segment=self.segment)


class AssignmentSource(models.TextChoices):
    RULE = "rule", _("By a rule")
    MANUAL = "manual", _("Manual override")
    RELEASED = "released", _("Override lifted")


class SegmentAssignmentLog(TenantModel):
    """Every change of a customer's segment made here: by the rules or by hand. A manual
    override pins the customer: rules leave them alone until the override is lifted."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    from_segment = models.ForeignKey(
        Segment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_segment = models.ForeignKey(
        Segment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("how"), max_length=10, choices=AssignmentSource.choices)
    rule = models.ForeignKey(
        SegmentRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("why"), blank=True)

    class Meta:
        verbose_name = _("segment change")
        verbose_name_plural = _("segment changes")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "customer"], name="strategy_seglog_customer")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.from_segment_id} → {self.to_segment_id}"


class Stance(models.TextChoices):
    SERVED = "served", _("Served")
    DECLINED = "declined", _("Deliberately not served")


class Need(TenantModel):
    """A customer job of a segment: one the organisation serves, or deliberately does not."""

    segment = models.ForeignKey(
        Segment, on_delete=models.CASCADE, related_name="+", verbose_name=_("segment")
    )
    name = models.CharField(_("need"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    stance = models.CharField(_("stance"), max_length=10, choices=Stance.choices)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["segment__name", "stance", "name"]
        constraints = [
            models.UniqueConstraint(
                "segment", Lower("name"), name="strategy_need_unique_name_per_segment"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.check_same_organisation(segment=self.segment)
        if self.segment_id and self.name:
            duplicates = Need.objects.filter(
                segment_id=self.segment_id, name__iexact=self.name
            ).exclude(pk=self.pk)
            if duplicates.exists():
                from django.core.exceptions import ValidationError

                raise ValidationError({"name": _("This segment already has this need.")})


class ItemKind(models.TextChoices):
    FEEDBACK = "feedback", _("Feedback")
    IDEA = "idea", _("Idea")


class NeedTag(TenantModel):
    """Evidence of demand: a feedback item (a question, complaint, response) or an idea about a
    need. Stored as (kind, id, label) so a deleted item still counts as it was."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="tags")
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    ref_id = models.PositiveBigIntegerField(_("id"))
    label = models.CharField(_("label"), max_length=200, blank=True)
    tagged_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("need tag")
        verbose_name_plural = _("need tags")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "kind", "ref_id"], name="strategy_needtag_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label or f"{self.kind} {self.ref_id}"


class RequestSource(models.TextChoices):
    IDEA = "idea", _("Idea")
    QUESTION = "question", _("Question")
    SALES = "sales", _("Sales")
    OTHER = "other", _("Other")


class DeclinedRequest(TenantModel):
    """The "no" register: something a customer asked for that we declined on purpose."""

    request = models.CharField(_("what was asked"), max_length=300)
    source = models.CharField(_("source"), max_length=10, choices=RequestSource.choices)
    ref_id = models.PositiveBigIntegerField(_("item id"), null=True, blank=True)
    need = models.ForeignKey(
        Need,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="declined_requests",
        verbose_name=_("need"),
    )
    segment = models.ForeignKey(
        Segment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("segment"),
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    reason = models.TextField(_("reason"))
    customer_told = models.BooleanField(_("customer was told"), default=False)
    decided_on = models.DateField(_("declined on"))
    decided_by = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declined by"),
    )

    class Meta:
        verbose_name = _("declined request")
        verbose_name_plural = _("declined requests")
        ordering = ["-decided_on", "-pk"]

    def __str__(self) -> str:
        return self.request

    def clean(self) -> None:
        self.check_same_organisation(need=self.need, segment=self.segment, customer=self.customer)


class Journey(TenantModel):
    segment = models.ForeignKey(
        Segment, on_delete=models.CASCADE, related_name="+", verbose_name=_("segment")
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("customer journey")
        verbose_name_plural = _("customer journeys")
        ordering = ["segment__name", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.check_same_organisation(segment=self.segment)


class StageKind(models.TextChoices):
    ORIENTATION = "orientation", _("Orientation")
    PURCHASE = "purchase", _("Purchase")
    ONBOARDING = "onboarding", _("Onboarding")
    USE = "use", _("Use")
    SUPPORT = "support", _("Support")
    RENEWAL = "renewal", _("Renewal")
    LEAVING = "leaving", _("Leaving")
    OTHER = "other", _("Other")


class Stage(TenantModel):
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("kind of stage"), max_length=12, choices=StageKind.choices, default=StageKind.OTHER
    )

    class Meta:
        verbose_name = _("journey stage")
        verbose_name_plural = _("journey stages")
        ordering = ["journey_id", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class Measure(models.TextChoices):
    NPS = "nps", "NPS"
    CSAT = "csat", "CSAT"
    CES = "ces", "CES"


class Touchpoint(TenantModel):
    stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, related_name="touchpoints", verbose_name=_("stage")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=160)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, blank=True)
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owning team"),
    )
    moment_that_matters = models.BooleanField(_("a moment that matters"), default=False)
    expected_experience = models.TextField(_("expected experience"), blank=True)
    measure = models.CharField(
        _("measure"),
        max_length=4,
        choices=Measure.choices,
        blank=True,
        help_text=_("Leave empty to use the measure suggested for the stage."),
    )

    class Meta:
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
        ordering = ["stage__journey_id", "stage__position", "position", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.check_same_organisation(stage=self.stage, team=self.team)


class LinkKind(models.TextChoices):
    SURVEY = "survey", _("Survey")
    FEEDBACK = "feedback", _("Feedback item")
    CASE = "case", _("Follow-up")
    SCENARIO = "scenario", _("Mystery shop scenario")


class TouchpointLink(TenantModel):
    """A survey, feedback item, follow-up or mystery-shop scenario measured at a touchpoint.
    Deleting the touchpoint keeps the link with the name the touchpoint had, unlinked, so the
    items stay visible and can be linked again."""

    touchpoint = models.ForeignKey(
        Touchpoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="links"
    )
    former_touchpoint = models.CharField(max_length=160, blank=True)
    journey = models.ForeignKey(
        Journey, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=LinkKind.choices)
    ref_id = models.PositiveBigIntegerField(_("id"))
    label = models.CharField(_("label"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("touchpoint link")
        verbose_name_plural = _("touchpoint links")
        ordering = ["kind", "pk"]
        indexes = [models.Index(fields=["organisation", "kind", "ref_id"], name="strategy_tpl_ref")]

    def __str__(self) -> str:
        return self.label or f"{self.kind} {self.ref_id}"


class Process(TenantModel):
    """An internal process and the touchpoints it serves. A process that serves no touchpoint
    is disconnected from the customer."""

    name = models.CharField(_("name"), max_length=160)
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner team"),
    )
    description = models.TextField(_("description"), blank=True)
    touchpoints = models.ManyToManyField(
        Touchpoint, blank=True, related_name="processes", verbose_name=_("touchpoints served")
    )
    decisions = models.ManyToManyField(
        "practice.Decision",
        blank=True,
        related_name="+",
        verbose_name=_("decisions that changed it"),
    )

    class Meta:
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organisation", Lower("name"), name="strategy_process_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.check_same_organisation(team=self.team)
        self.check_unique_in_organisation(
            "name", _("There is already a process with this name."), name__iexact=self.name
        )
