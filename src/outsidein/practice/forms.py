"""Forms of the practice pages: they parse and present; the rules live in ``services``."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outsidein.core import dates
from outsidein.core.models import Customer, Person, Team
from outsidein.practice import registry
from outsidein.practice.models import (
    CaseKind,
    CaseStatus,
    ContactKind,
    Decision,
    DecisionStatus,
    Loop,
    PracticeSettings,
    Priority,
    RootCause,
    RoutingRule,
    ServiceTarget,
)
from outsidein.voice.models import Survey, Tag


class _OrgForm(forms.Form):
    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id = organisation_id


class QueueFilterForm(_OrgForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("Not closed")), ("", _("All")), *CaseStatus.choices],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *CaseKind.choices]
    )
    team = forms.ModelChoiceField(label=_("Team"), required=False, queryset=Team.objects.none())
    view = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("Everything")),
            ("mine", _("Mine")),
            ("unowned", _("Not picked up")),
            ("breached", _("Past deadline")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(  # type: ignore[attr-defined]
            organisation_id=self.organisation_id
        )


class RespondForm(forms.Form):
    text = forms.CharField(
        label=_("What you told or asked the customer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    waiting = forms.BooleanField(label=_("Now waiting for the customer"), required=False)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class AssignForm(_OrgForm):
    owner = forms.ModelChoiceField(label=_("Owner"), required=False, queryset=Person.objects.none())
    team = forms.ModelChoiceField(label=_("Team"), required=False, queryset=Team.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            organisation_id=self.organisation_id, is_active=True
        )
        self.fields["team"].queryset = Team.objects.filter(  # type: ignore[attr-defined]
            organisation_id=self.organisation_id
        )


class CloseForm(_OrgForm):
    learned = forms.CharField(
        label=_("What we learned"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    root_cause = forms.ModelChoiceField(
        label=_("Root cause"), required=False, queryset=RootCause.objects.none()
    )
    loop = forms.ChoiceField(
        label=_("What does the cause need?"),
        required=False,
        choices=[("", "—"), *Loop.choices],
        help_text=_("A structural fix becomes a proposal in the decision register."),
    )
    ask_customer = forms.BooleanField(
        label=_("Ask the customer whether it is solved"), required=False, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["root_cause"].queryset = RootCause.objects.filter(  # type: ignore[attr-defined]
            organisation_id=self.organisation_id
        )


def find_customer(organisation_id: int, text: str) -> Customer | None:
    """A customer by number, exact name, or a name part that only one customer has."""
    text = text.strip()
    if not text:
        return None
    customers = Customer.objects.filter(organisation_id=organisation_id)
    for lookup in ({"external_id__iexact": text}, {"name__iexact": text}):
        found = list(customers.filter(**lookup)[:2])
        if len(found) == 1:
            return found[0]
    found = list(customers.filter(name__icontains=text)[:6])
    if len(found) == 1:
        return found[0]
    if not found:
        raise forms.ValidationError(_("No customer with this name or number."))
    names = ", ".join(customer.name for customer in found[:5])
    raise forms.ValidationError(
        _("More than one customer matches; choose one: %(names)s.") % {"names": names}
    )


class ContactForm(_OrgForm):
    kind = forms.ChoiceField(
        label=_("What kind of contact"), choices=ContactKind.choices, widget=forms.RadioSelect
    )
    customer = forms.CharField(
        label=_("Customer"),
        required=False,
        max_length=200,
        help_text=_("Name or customer number. Optional, e.g. for an event."),
        widget=forms.TextInput(attrs={"list": "customer-suggestions", "autocomplete": "off"}),
    )
    happened_on = dates.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    learned = forms.CharField(
        label=_("What did you learn?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    to_inbox = forms.BooleanField(
        label=_("Also put this learning in the feedback inbox"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def clean_customer(self) -> Customer | None:
        return find_customer(self.organisation_id, self.cleaned_data.get("customer") or "")


class DecisionForm(_OrgForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    owner = forms.ModelChoiceField(label=_("Owner"), required=False, queryset=Person.objects.none())
    team = forms.ModelChoiceField(label=_("Team"), required=False, queryset=Team.objects.none())
    status = forms.ChoiceField(label=_("Status"), choices=DecisionStatus.choices)
    decided_on = dates.DateField(
        label=_("Decided on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=Decision._meta.get_field("scope").choices)  # type: ignore[arg-type]
    without_customer_input = forms.BooleanField(
        label=_("Taken without customer input"), required=False
    )
    no_input_reason = forms.CharField(
        label=_("Why without customer input"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown to everyone next to the decision."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            organisation_id=self.organisation_id, is_active=True
        )
        self.fields["team"].queryset = Team.objects.filter(  # type: ignore[attr-defined]
            organisation_id=self.organisation_id
        )


class EvidenceForm(_OrgForm):
    kind = forms.ChoiceField(label=_("Kind of evidence"), choices=())
    reference = forms.CharField(
        label=_("Which one"),
        max_length=300,
        help_text=_(
            "The number or the link of the item (e.g. …/inbox/123/), a theme's tag name, or a "
            "survey's name."
        ),
    )
    note = forms.CharField(
        label=_("Why it matters"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            (key, kind.label) for key, kind in registry.evidence_kinds().items()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, reference = data.get("kind"), (data.get("reference") or "").strip()
        if not kind or not reference:
            return data
        ref_id = None
        if kind == "tag" and not reference.isdigit():
            tag = Tag.objects.filter(
                organisation_id=self.organisation_id, name__iexact=reference
            ).first()
            ref_id = tag.pk if tag else None
        elif kind == "survey" and not reference.isdigit():
            survey = Survey.objects.filter(
                organisation_id=self.organisation_id, name__iexact=reference
            ).first()
            ref_id = survey.pk if survey else None
        else:
            numbers = re.findall(r"\d+", reference.rstrip("/").rsplit("/", 1)[-1] or reference)
            ref_id = int(numbers[-1]) if numbers else None
        if ref_id is None:
            self.add_error("reference", _("No item found for “%(ref)s”.") % {"ref": reference})
        data["ref_id"] = ref_id
        return data


class SettingsForm(forms.ModelForm):
    class Meta:
        model = PracticeSettings
        fields = [
            "follow_up_nps_max",
            "follow_up_csat_max",
            "follow_up_ces_min",
            "follow_up_hours",
            "ask_customer_if_solved",
            "default_team",
            "contacts_per_month",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_team"].queryset = Team.objects.filter(  # type: ignore[attr-defined]
            organisation_id=self.instance.organisation_id
        )


class TargetForm(forms.ModelForm):
    class Meta:
        model = ServiceTarget
        fields = ["channel", "priority", "first_response_hours", "resolution_hours"]


class RuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = [
            "position",
            "name",
            "kind",
            "channel",
            "survey",
            "tag",
            "keywords",
            "team",
            "priority",
        ]

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, model in (("survey", Survey), ("tag", Tag), ("team", Team)):
            self.fields[name].queryset = model.objects.filter(  # type: ignore[attr-defined]
                organisation_id=organisation_id
            )


class RootCauseForm(forms.Form):
    name = forms.CharField(label=_("New root cause"), max_length=120)


PRIORITY_CHOICES = Priority.choices
