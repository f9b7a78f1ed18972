from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outsidein.core import dates
from outsidein.core.models import Language
from outsidein.voice.models import Channel, FeedbackKind, QuestionKind, Survey


class InboxFilterForm(forms.Form):
    label_suffix = ""
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Words in the feedback or customer")}
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *FeedbackKind.choices]
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All channels")), *Channel.choices]
    )
    band = forms.ChoiceField(
        label=_("Score"),
        required=False,
        choices=[
            ("", _("Any score")),
            ("detractor", _("Detractors (0–6)")),
            ("passive", _("Passives (7–8)")),
            ("promoter", _("Promoters (9–10)")),
            ("unhappy", _("Unhappy (CSAT ≤ 2 or CES ≥ 6)")),
        ],
    )
    survey = forms.TypedChoiceField(label=_("Survey"), required=False, coerce=int, empty_value=None)
    segment = forms.TypedChoiceField(
        label=_("Segment"), required=False, coerce=int, empty_value=None
    )
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("All languages")), *Language.choices]
    )
    tag = forms.CharField(label=_("Tag"), required=False)
    since = dates.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = dates.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from outsidein.core.models import Segment, Team

        def options(model: Any, empty: Any) -> list[tuple[Any, str]]:
            return [
                ("", empty),
                *model.objects.filter(organisation_id=organisation_id).values_list("id", "name"),
            ]

        self.fields["survey"].choices = options(Survey, _("All surveys"))  # type: ignore[attr-defined]
        self.fields["segment"].choices = options(Segment, _("All segments"))  # type: ignore[attr-defined]
        self.fields["team"].choices = options(Team, _("All teams"))  # type: ignore[attr-defined]
        from outsidein.voice.panels import inbox_filters

        for extra in inbox_filters():
            self.fields[extra.name] = extra.field(organisation_id)


class FeedbackForm(forms.Form):
    """Feedback an employee logs by hand: a complaint at the counter, a question by phone."""

    label_suffix = ""
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[c for c in FeedbackKind.choices if c[0] != FeedbackKind.RESPONSE],
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    customer = forms.IntegerField(
        label=_("Customer number or id"), required=False, widget=forms.HiddenInput
    )
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    comment = forms.CharField(
        label=_("What the customer said"), widget=forms.Textarea(attrs={"rows": 5})
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)


class SurveyForm(forms.Form):
    label_suffix = ""
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("For your colleagues; customers see the title."),
    )
    template = forms.ChoiceField(
        label=_("Start from"),
        choices=[
            ("nps", _("NPS with “main reason” follow-up")),
            ("csat", _("CSAT with follow-up for the unhappy")),
            ("ces", _("Customer effort (CES) with follow-up")),
            ("blank", _("An empty survey")),
        ],
    )
    team = forms.TypedChoiceField(
        label=_("Owned by team"), required=False, coerce=int, empty_value=None
    )
    title_nl = forms.CharField(label=_("Title (Dutch)"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from outsidein.core.models import Team

        self.fields["team"].choices = [  # type: ignore[attr-defined]
            ("", "–"),
            *Team.objects.filter(organisation_id=organisation_id).values_list("id", "name"),
        ]


class SurveySettingsForm(forms.ModelForm):
    label_suffix = ""

    class Meta:
        model = Survey
        fields = [
            "name",
            "title_nl",
            "title_en",
            "intro_nl",
            "intro_en",
            "thanks_nl",
            "thanks_en",
            "opens_at",
            "closes_at",
            "allow_anonymous",
            "allowed_origins",
        ]
        widgets = {
            "intro_nl": forms.Textarea(attrs={"rows": 2}),
            "intro_en": forms.Textarea(attrs={"rows": 2}),
            "thanks_nl": forms.Textarea(attrs={"rows": 2}),
            "thanks_en": forms.Textarea(attrs={"rows": 2}),
            "allowed_origins": forms.Textarea(attrs={"rows": 2}),
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }
        field_classes = {"opens_at": dates.DateTimeField, "closes_at": dates.DateTimeField}


class QuestionForm(forms.Form):
    label_suffix = ""
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    key = forms.SlugField(
        label=_("Key"),
        max_length=40,
        help_text=_("A short name, e.g. “reason”; used in exports and the API."),
    )
    text_nl = forms.CharField(label=_("Question (Dutch)"), max_length=500)
    text_en = forms.CharField(label=_("Question (English)"), max_length=500, required=False)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Choice questions: one per line as “Dutch | English”."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    show_if_key = forms.CharField(
        label=_("Only show after score question (key)"), required=False, max_length=40
    )
    show_if_max = forms.IntegerField(label=_("…when its score is at most"), required=False)

    def question_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        choices = []
        for index, line in enumerate(line for line in data["choices"].splitlines() if line.strip()):
            dutch, _sep, english = line.partition("|")
            choices.append(
                {
                    "value": f"c{index + 1}",
                    "nl": dutch.strip(),
                    "en": english.strip() or dutch.strip(),
                }
            )
        show_if: dict[str, Any] = {}
        if data.get("show_if_key"):
            show_if = {"key": data["show_if_key"]}
            if data.get("show_if_max") is not None:
                show_if["max"] = data["show_if_max"]
        return {
            "kind": data["kind"],
            "key": data["key"],
            "text_nl": data["text_nl"],
            "text_en": data.get("text_en") or "",
            "choices": choices,
            "required": data["required"],
            "show_if": show_if,
        }


class InviteForm(forms.Form):
    label_suffix = ""
    segment = forms.TypedChoiceField(
        label=_("Customers in segment"), required=False, coerce=int, empty_value=None
    )
    limit = forms.IntegerField(label=_("At most"), min_value=1, max_value=5000, initial=200)

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from outsidein.core.models import Segment

        self.fields["segment"].choices = [  # type: ignore[attr-defined]
            ("", _("All customers")),
            *Segment.objects.filter(organisation_id=organisation_id).values_list("id", "name"),
        ]
