"""Forms of the mystery pages. They parse input; the services validate it and name the field of
every error (shown next to that field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from outsidein.core import dates
from outsidein.mystery.models import Answer, AssignmentStatus, MysteryProgramme, Scenario
from outsidein.mystery.scoring import SCORE_MAX, SCORE_MIN
from outsidein.voice.models import Channel

# The channels a mystery shopper can use as a customer would (not imports or webhooks).
SHOP_CHANNELS = [
    Channel.PHONE,
    Channel.EMAIL,
    Channel.WIDGET,
    Channel.VISIT,
    Channel.SOCIAL,
    Channel.REVIEW_SITE,
    Channel.LINK,
    Channel.OTHER,
]


class ProgrammeForm(forms.ModelForm):
    label_suffix = ""

    class Meta:
        model = MysteryProgramme
        fields = ["interval_days", "due_days", "reminder_days", "is_active"]


class ScenarioForm(forms.Form):
    label_suffix = ""
    name = forms.CharField(label=_("Name"), max_length=120)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[(c.value, c.label) for c in SHOP_CHANNELS]
    )
    touchpoint = forms.CharField(
        label=_("Touchpoint"),
        max_length=120,
        help_text=_("The moment in the customer journey, e.g. “Asking about the annual bill”."),
    )
    team: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Owned by"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label=_("No team"),
        help_text=_("The team that serves this touchpoint and acts on what shoppers find."),
    )
    instructions = forms.CharField(
        label=_("Script"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the shopper does and says, step by step, as a customer would."),
    )
    checklist = forms.CharField(
        label=_("Checklist"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One item per line, answered yes, no or not applicable."),
    )
    scoring = forms.CharField(
        label=_("Scoring items"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One item per line, scored from 1 (poor) to 5 (excellent)."),
    )
    is_active = forms.BooleanField(
        label=_("Active: assign this scenario in the next rounds"), required=False, initial=True
    )

    def __init__(self, *args: Any, teams: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(scenario: Scenario) -> dict[str, Any]:
        return {
            "name": scenario.name,
            "channel": scenario.channel,
            "touchpoint": scenario.touchpoint,
            "team": scenario.team_id,
            "instructions": scenario.instructions,
            "checklist": "\n".join(scenario.checklist_labels()),
            "scoring": "\n".join(scenario.scoring_labels()),
            "is_active": scenario.is_active,
        }


ANSWER_CHOICES = [
    (Answer.YES.value, Answer.YES.label),
    (Answer.NO.value, Answer.NO.label),
    (Answer.NOT_APPLICABLE.value, _("n/a")),
]
SCORE_CHOICES = [(str(n), str(n)) for n in range(SCORE_MIN, SCORE_MAX + 1)]


class ReportForm(forms.Form):
    """One radio group per checklist item (``checklist.<key>``) and per scoring item
    (``scores.<key>``). Nothing is required here: the service says what is missing, naming
    the item, so the messages are the same on the page and in the API."""

    label_suffix = ""
    shopped_on = dates.DateField(
        label=_("Date of the shop"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Today, if you leave it empty."),
    )
    observations = forms.CharField(
        label=_("What did you experience?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What went well, what did not, and what a customer would have felt."),
    )
    follow_up = forms.CharField(
        label=_("Open a follow-up for the team (subject)"),
        required=False,
        max_length=200,
        help_text=_("For something that must be put right; the owning team picks it up."),
    )
    proposal = forms.CharField(
        label=_("Propose a change (title)"),
        required=False,
        max_length=200,
        help_text=_(
            "For something structural; it goes to the decision register with this shop as evidence."
        ),
    )

    def __init__(self, *args: Any, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scenario = scenario
        self.checklist_names: list[str] = []
        self.score_names: list[str] = []
        for item in scenario.checklist:
            name = f"checklist.{item['key']}"
            self.fields[name] = forms.CharField(
                label=item["label"],
                required=False,
                widget=forms.RadioSelect(choices=ANSWER_CHOICES),
            )
            self.checklist_names.append(name)
        for item in scenario.scoring:
            name = f"scores.{item['key']}"
            self.fields[name] = forms.CharField(
                label=item["label"], required=False, widget=forms.RadioSelect(choices=SCORE_CHOICES)
            )
            self.score_names.append(name)

    def checklist_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.checklist_names]

    def score_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.score_names]

    def answers(self) -> tuple[dict[str, str], dict[str, str]]:
        """The answers as given (the service checks them), also when another field is wrong,
        so that every error shows at once."""

        def given(names: list[str]) -> dict[str, str]:
            found = {name.split(".", 1)[1]: self.data.get(name, "") for name in names}
            return {key: str(value).strip() for key, value in found.items() if value}

        return given(self.checklist_names), given(self.score_names)


class SkipForm(forms.Form):
    label_suffix = ""
    reason = forms.CharField(label=_("Why skip this shop?"), max_length=300, required=False)


class AssignmentFilterForm(forms.Form):
    label_suffix = ""
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("overdue", _("Overdue")), *AssignmentStatus.choices],
    )
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    scenario = forms.TypedChoiceField(
        label=_("Scenario"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, teams: QuerySet[Any], scenarios: QuerySet[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("All teams"))] + [  # type: ignore[attr-defined]
            (team.pk, team.name) for team in teams
        ]
        self.fields["scenario"].choices = [("", _("All scenarios"))] + [  # type: ignore[attr-defined]
            (scenario.pk, scenario.name) for scenario in scenarios
        ]


PERIODS = [(3, _("3 months")), (6, _("6 months")), (12, _("12 months")), (24, _("24 months"))]


class ResultsForm(forms.Form):
    label_suffix = ""
    months = forms.TypedChoiceField(
        label=_("Period"), required=False, coerce=int, empty_value=None, choices=PERIODS
    )
