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


class QuestionEditForm(forms.Form):
    """Edit one question: wording in both languages, the required flag, kind-specific settings
    (choices, words at the scale's ends), the follow-up condition and the jumps."""

    label_suffix = ""
    NEW_CHOICES = 3
    EXTRA_JUMPS = 2

    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text_nl = forms.CharField(label=_("Question (Dutch)"), max_length=500)
    text_en = forms.CharField(label=_("Question (English)"), max_length=500, required=False)
    required = forms.BooleanField(label=_("Required"), required=False)
    low_nl = forms.CharField(label=_("Low end (Dutch)"), max_length=60, required=False)
    low_en = forms.CharField(label=_("Low end (English)"), max_length=60, required=False)
    high_nl = forms.CharField(label=_("High end (Dutch)"), max_length=60, required=False)
    high_en = forms.CharField(label=_("High end (English)"), max_length=60, required=False)
    show_if_key = forms.ChoiceField(label=_("Only show after"), required=False)
    show_if_min = forms.IntegerField(label=_("…when its score is at least"), required=False)
    show_if_max = forms.IntegerField(label=_("…and at most"), required=False)

    def __init__(
        self, *args: Any, question: Any, questions: list[Any], answered: int, **kwargs: Any
    ) -> None:
        labels = question.scale_labels or {}
        initial = {
            "kind": question.kind,
            "text_nl": question.text_nl,
            "text_en": question.text_en,
            "required": question.required,
            **{k: labels.get(k, "") for k in ("low_nl", "low_en", "high_nl", "high_en")},
            "show_if_key": (question.show_if or {}).get("key", ""),
            "show_if_min": (question.show_if or {}).get("min"),
            "show_if_max": (question.show_if or {}).get("max"),
        }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.question = question
        self.answered = answered
        if answered:
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = _("Fixed: this question has answers.")
        self.fields["show_if_key"].choices = [  # type: ignore[attr-defined]
            ("", _("– always show –")),
            *(
                (q.key, f"{q.position + 1}. {q.text_nl}")
                for q in questions
                if q.scale and q.pk != question.pk
            ),
        ]
        self.choice_rows = []
        for choice in question.choices or []:
            value = choice["value"]
            self.fields[f"choice_{value}_nl"] = forms.CharField(
                label=_("Dutch"), max_length=200, initial=choice.get("nl", ""), required=False
            )
            self.fields[f"choice_{value}_en"] = forms.CharField(
                label=_("English"), max_length=200, initial=choice.get("en", ""), required=False
            )
            self.fields[f"choice_{value}_remove"] = forms.BooleanField(
                label=_("Remove"), required=False, disabled=bool(answered)
            )
            self.choice_rows.append(
                [self[f"choice_{value}_{part}"] for part in ("nl", "en", "remove")]
            )
        self.fields["new_choices"] = forms.CharField(
            label=_("New choices"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("One per line as “Dutch | English”."),
        )
        targets = [
            ("", _("– no jump –")),
            *((q.key, f"{q.position + 1}. {q.text_nl}") for q in questions if q.pk != question.pk),
            ("end", _("End of the survey")),
        ]
        options = [("", "–"), *question.choice_labels("nl")]
        self.jump_rows = []
        branches = list(question.branches or [])
        for i in range(len(branches) + self.EXTRA_JUMPS):
            rule = branches[i] if i < len(branches) else {}
            self.fields[f"jump_{i}_choice"] = forms.ChoiceField(
                label=_("If the answer is"),
                choices=options,
                required=False,
                initial=rule.get("choice", ""),
            )
            self.fields[f"jump_{i}_min"] = forms.IntegerField(
                label=_("If the score is from"), required=False, initial=rule.get("min")
            )
            self.fields[f"jump_{i}_max"] = forms.IntegerField(
                label=_("to"), required=False, initial=rule.get("max")
            )
            self.fields[f"jump_{i}_goto"] = forms.ChoiceField(
                label=_("go to"), choices=targets, required=False, initial=rule.get("goto", "")
            )
            self.jump_rows.append(
                {part: self[f"jump_{i}_{part}"] for part in ("choice", "min", "max", "goto")}
            )

    def question_changes(self) -> dict[str, Any]:
        """The changes for ``services.update_question``."""
        data = self.cleaned_data
        kind = data.get("kind") or self.question.kind
        choices = []
        for choice in self.question.choices or []:
            value = choice["value"]
            if data.get(f"choice_{value}_remove"):
                continue
            dutch = data.get(f"choice_{value}_nl", "").strip()
            english = data.get(f"choice_{value}_en", "").strip()
            choices.append({"value": value, "nl": dutch or english, "en": english or dutch})
        taken = {c["value"] for c in self.question.choices or []}
        number = len(taken)
        for line in data.get("new_choices", "").splitlines():
            if not line.strip():
                continue
            dutch, _sep, english = line.partition("|")
            number += 1
            while f"c{number}" in taken:
                number += 1
            taken.add(f"c{number}")
            choices.append(
                {"value": f"c{number}", "nl": dutch.strip(), "en": english.strip() or dutch.strip()}
            )
        branches = []
        for i in range(len(self.jump_rows)):
            goto = data.get(f"jump_{i}_goto")
            if not goto:
                continue
            if kind in ("single", "multiple"):
                branches.append({"choice": data.get(f"jump_{i}_choice") or "", "goto": goto})
            else:
                rule: dict[str, Any] = {"goto": goto}
                for bound in ("min", "max"):
                    if data.get(f"jump_{i}_{bound}") is not None:
                        rule[bound] = data[f"jump_{i}_{bound}"]
                branches.append(rule)
        show_if: dict[str, Any] = {}
        if data.get("show_if_key"):
            show_if = {"key": data["show_if_key"]}
            for bound in ("min", "max"):
                if data.get(f"show_if_{bound}") is not None:
                    show_if[bound] = data[f"show_if_{bound}"]
        labels = {
            k: data[k].strip() for k in ("low_nl", "low_en", "high_nl", "high_en") if data.get(k)
        }
        changes = {
            "text_nl": data["text_nl"],
            "text_en": data.get("text_en") or "",
            "required": data["required"],
            "choices": choices if kind in ("single", "multiple") else [],
            "scale_labels": labels,
            "show_if": show_if,
            "branches": branches,
        }
        if not self.answered:
            changes["kind"] = kind
        return changes
