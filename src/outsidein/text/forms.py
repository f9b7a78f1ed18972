from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outsidein.core.models import Segment, Team
from outsidein.text.models import Sentiment, Theme, ThemeStatus


class ThemeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    keywords = forms.CharField(
        label=_("Keywords and phrases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, Dutch or English; every inflection matches."),
    )
    owner_team = forms.ModelChoiceField(
        label=_("Owner team"), queryset=Team.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=ThemeStatus.choices, initial=ThemeStatus.ACCEPTED
    )

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_team"].queryset = Team.objects.filter(organisation=organisation)  # type: ignore[attr-defined]


class CorrectionForm(forms.Form):
    sentiment = forms.ChoiceField(label=_("Sentiment"), choices=Sentiment.choices)
    themes = forms.MultipleChoiceField(
        label=_("Themes"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = Theme.objects.filter(organisation=organisation).values_list("name", flat=True)
        self.fields["themes"].choices = [(name, name) for name in names]  # type: ignore[attr-defined]


class DriversForm(forms.Form):
    """The breakdown of the themes overview: by segment, team or month, within a segment and
    team, over the last 30, 90 or 365 days."""

    by = forms.ChoiceField(
        label=_("Break down by"),
        required=False,
        choices=[
            ("", _("All comments")),
            ("segment", _("Segment")),
            ("team", _("Team")),
            ("month", _("Month")),
        ],
    )
    segment = forms.ModelChoiceField(
        label=_("Segment"),
        queryset=Segment.objects.none(),
        required=False,
        empty_label=_("All segments"),
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )
    days = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[("30", _("Last 30 days")), ("90", _("Last 90 days")), ("365", _("Last 365 days"))],
    )

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = Segment.objects.filter(organisation=organisation)  # type: ignore[attr-defined]
        self.fields["team"].queryset = Team.objects.filter(organisation=organisation)  # type: ignore[attr-defined]
