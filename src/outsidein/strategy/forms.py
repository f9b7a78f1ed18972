"""Forms of the strategy pages: they parse and present; the rules live in ``services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outsidein.core.models import Segment, Team
from outsidein.practice.models import Decision
from outsidein.strategy import rules as rule_logic
from outsidein.strategy.models import (
    ItemKind,
    LinkKind,
    Measure,
    Need,
    Priority,
    RequestSource,
    Stage,
    StageKind,
    Stance,
    Touchpoint,
    ValueDiscipline,
)
from outsidein.voice.models import Channel


class _OrgForm(forms.Form):
    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id = organisation_id
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset.model, "organisation_id"):
                field.queryset = queryset.model._default_manager.filter(  # type: ignore[attr-defined]
                    organisation_id=organisation_id
                )


class StrategyForm(forms.Form):
    priority = forms.ChoiceField(label=_("Strategic priority"), choices=Priority.choices)
    value_discipline = forms.ChoiceField(
        label=_("Value discipline"),
        choices=[("", _("Not chosen yet")), *ValueDiscipline.choices],
        required=False,
        help_text=_(
            "Treacy & Wiersema: compete on operational excellence, product leadership or "
            "customer intimacy, and be at least good enough at the other two."
        ),
    )
    proposition = forms.CharField(
        label=_("Value proposition"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=3000,
    )
    desired_experience = forms.CharField(
        label=_("The experience that makes these customers happy"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=3000,
    )


class RuleForm(_OrgForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    segment = forms.ModelChoiceField(label=_("Segment"), queryset=Segment.objects.all())
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=32000, required=False)
    conditions = forms.CharField(
        label=_("Conditions (one per line, all must hold)"),
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "kind is business\nattr:size in 10-49, 50-249"}
        ),
        help_text=_(
            "Fields: kind, city, language, or attr:<key> for a custom attribute (size, product, "
            "revenue band…). Operators: is, is_not, in (a list separated by commas), contains."
        ),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_conditions(self) -> list[dict[str, Any]]:
        try:
            return rule_logic.parse_text(self.cleaned_data["conditions"])
        except rule_logic.RuleError as exc:
            raise forms.ValidationError(exc.messages) from None


class OverrideForm(_OrgForm):
    segment = forms.ModelChoiceField(
        label=_("Segment"),
        queryset=Segment.objects.all(),
        required=False,
        empty_label=_("No segment"),
    )
    reason = forms.CharField(label=_("Why"), max_length=1000)


class AttributeForm(forms.Form):
    key = forms.SlugField(label=_("Attribute"), max_length=40, help_text=_("e.g. size, product"))
    value = forms.CharField(label=_("Value"), max_length=200, required=False)


class NeedForm(_OrgForm):
    segment = forms.ModelChoiceField(label=_("Segment"), queryset=Segment.objects.all())
    name = forms.CharField(label=_("Need (the customer's job)"), max_length=160)
    stance = forms.ChoiceField(label=_("Stance"), choices=Stance.choices)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=3000
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=3000,
    )


class TagForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    ref_id = forms.IntegerField(label=_("Id"), min_value=1, max_value=2**63 - 1)


class DeclinedForm(_OrgForm):
    request = forms.CharField(label=_("What was asked"), max_length=300)
    source = forms.ChoiceField(label=_("Source"), choices=RequestSource.choices)
    ref_id = forms.IntegerField(
        label=_("Idea or question id"), min_value=1, max_value=2**63 - 1, required=False
    )
    need = forms.ModelChoiceField(label=_("Need"), queryset=Need.objects.all(), required=False)
    segment = forms.ModelChoiceField(
        label=_("Segment"), queryset=Segment.objects.all(), required=False
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=3000
    )
    customer_told = forms.BooleanField(label=_("The customer was told"), required=False)


class JourneyForm(_OrgForm):
    segment = forms.ModelChoiceField(label=_("Segment"), queryset=Segment.objects.all())
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=3000,
    )


class StageForm(forms.Form):
    name = forms.CharField(label=_("Stage"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind of stage"), choices=StageKind.choices)
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=32000, required=False)


class TouchpointForm(_OrgForm):
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.all())
    name = forms.CharField(label=_("Touchpoint"), max_length=160)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", "—"), *Channel.choices], required=False
    )
    team = forms.ModelChoiceField(
        label=_("Owning team"), queryset=Team.objects.all(), required=False
    )
    moment_that_matters = forms.BooleanField(label=_("A moment that matters"), required=False)
    expected_experience = forms.CharField(
        label=_("Expected experience"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=3000,
    )
    measure = forms.ChoiceField(
        label=_("Measure"),
        choices=[("", _("The suggested one")), *Measure.choices],
        required=False,
    )
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=32000, required=False)

    def __init__(self, *args: Any, journey_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if journey_id is not None:
            self.fields["stage"].queryset = self.fields["stage"].queryset.filter(  # type: ignore[attr-defined]
                journey_id=journey_id
            )


class LinkForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=LinkKind.choices)
    ref_id = forms.IntegerField(label=_("Id"), min_value=1, max_value=2**63 - 1)


def _touchpoint_label(touchpoint: Touchpoint) -> str:
    return f"{touchpoint.stage.journey.name} · {touchpoint.stage.name} · {touchpoint.name}"


class ProcessForm(_OrgForm):
    name = forms.CharField(label=_("Name"), max_length=160)
    team = forms.ModelChoiceField(
        label=_("Owner team"), queryset=Team.objects.all(), required=False
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    touchpoints = forms.ModelMultipleChoiceField(
        label=_("Touchpoints it serves"),
        queryset=Touchpoint.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    decisions = forms.ModelMultipleChoiceField(
        label=_("Decisions that changed it"),
        queryset=Decision.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("From the decision register; hold Ctrl or ⌘ to choose more than one."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        decisions = self.fields["decisions"]
        decisions.queryset = decisions.queryset.order_by(  # type: ignore[attr-defined]
            "-decided_on", "-created_at"
        )
        field = self.fields["touchpoints"]
        field.queryset = field.queryset.select_related("stage__journey")  # type: ignore[attr-defined]
        field.label_from_instance = _touchpoint_label  # type: ignore[attr-defined]
