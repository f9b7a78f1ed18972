from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outsidein.core.models import Team
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
