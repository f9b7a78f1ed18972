"""Forms of the mirror survey pages. They parse input; the services validate it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outsidein.centricity.bank import DIMENSIONS
from outsidein.core import dates


class WaveForm(forms.Form):
    label_suffix = ""
    name = forms.CharField(label=_("Name"), max_length=120, help_text=_("e.g. “Spring 2026”"))
    opens_at = dates.DateTimeField(
        label=_("Opens"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: when you open it."),
    )
    closes_at = dates.DateTimeField(
        label=_("Closes"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class ItemForm(forms.Form):
    label_suffix = ""
    dimension = forms.ChoiceField(
        label=_("Dimension"), choices=[(d.key, d.label) for d in DIMENSIONS]
    )
    employee_nl = forms.CharField(label=_("Employees (Dutch)"), max_length=300)
    employee_en = forms.CharField(label=_("Employees (English)"), max_length=300, required=False)
    customer_nl = forms.CharField(
        label=_("Customers (Dutch)"),
        max_length=300,
        help_text=_("Write {org} where the organisation's name goes."),
    )
    customer_en = forms.CharField(label=_("Customers (English)"), max_length=300, required=False)
    hidden = forms.BooleanField(label=_("Hidden (not asked in new waves)"), required=False)

    def __init__(self, *args: Any, fixed_dimension: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_dimension:
            del self.fields["dimension"]


class ResultsForm(forms.Form):
    wave = forms.TypedChoiceField(label=_("Wave"), required=False, coerce=int, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, waves: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wave"].choices = [(w.pk, w.name) for w in waves]  # type: ignore[attr-defined]
        self.fields["team"].choices = [("", _("Whole organisation"))] + [  # type: ignore[attr-defined]
            (t.pk, t.name) for t in teams
        ]


class SideForm(ResultsForm):
    side = forms.ChoiceField(
        label=_("Answered by"),
        required=False,
        choices=[("employee", _("Employees")), ("customer", _("Customers"))],
    )
