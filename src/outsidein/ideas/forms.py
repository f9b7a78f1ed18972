from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outsidein.core.models import Language
from outsidein.ideas.models import IdeaStatus
from outsidein.ideas.services import COMMENT_MAX, DESCRIPTION_MAX, TITLE_MAX

# --- the portal (customers) --------------------------------------------------------------------


class JoinForm(forms.Form):
    label_suffix = ""
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("We email you a link to confirm it's yours. No password needed."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=120,
        required=False,
        help_text=_("Others see your first name only; never your email address."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    notify = forms.BooleanField(
        label=_("Tell me what you decide about ideas I submit or vote for"),
        required=False,
        initial=True,
    )


class IdeaForm(forms.Form):
    label_suffix = ""
    title = forms.CharField(
        label=_("Your idea in one sentence"),
        max_length=TITLE_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Tell us more (optional)"),
        max_length=DESCRIPTION_MAX,
        required=False,
        help_text=_("What would it solve for you? When would you use it?"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class CommentForm(forms.Form):
    label_suffix = ""
    text = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- staff --------------------------------------------------------------------------------------


class IdeaFilterForm(forms.Form):
    label_suffix = ""
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Words in the idea")}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), ("open", _("Open (not done or declined)")),
                 *IdeaStatus.choices],
    )  # fmt: skip
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    segment = forms.TypedChoiceField(
        label=_("Segment"), required=False, coerce=int, empty_value=None
    )
    unanswered = forms.BooleanField(label=_("Not answered yet"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("votes", _("Most votes")),
            ("newest", _("Newest")),
            ("oldest", _("Oldest")),
            ("waiting", _("Waiting longest for an answer")),
        ],
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from outsidein.core.models import Segment, Team

        self.fields["team"].choices = [  # type: ignore[attr-defined]
            ("", _("All teams")),
            (-1, _("No team yet")),
            *Team.objects.filter(organisation_id=organisation_id).values_list("id", "name"),
        ]
        self.fields["segment"].choices = [  # type: ignore[attr-defined]
            ("", _("All segments")),
            *Segment.objects.filter(organisation_id=organisation_id).values_list("id", "name"),
        ]


class StatusForm(forms.Form):
    label_suffix = ""
    status = forms.ChoiceField(label=_("Status"), choices=IdeaStatus.choices)
    reason = forms.CharField(
        label=_("Note for customers"),
        required=False,
        max_length=DESCRIPTION_MAX,
        help_text=_(
            "Required when declining: customers see why, and the idea is added to the "
            "“no” register. Optional otherwise."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TeamForm(forms.Form):
    label_suffix = ""
    team = forms.TypedChoiceField(
        label=_("Owning team"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [  # type: ignore[attr-defined]
            ("", _("No team yet")),
            *[(team.pk, team.name) for team in teams],
        ]


class MergeForm(forms.Form):
    label_suffix = ""
    into = forms.TypedChoiceField(label=_("Duplicate of"), coerce=int)

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].choices = [  # type: ignore[attr-defined]
            ("", "–"),
            *[(idea.pk, f"#{idea.pk} {idea.title}") for idea in candidates],
        ]


class StaffCommentForm(forms.Form):
    label_suffix = ""
    text = forms.CharField(
        label=_("Answer the customer"),
        max_length=COMMENT_MAX,
        help_text=_("Shown on the portal with your name. Counts as a staff response."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StaffIdeaForm(forms.Form):
    """An idea a customer told an employee (phone, visit), entered on their behalf."""

    label_suffix = ""
    title = forms.CharField(label=_("The idea in one sentence"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    email = forms.EmailField(
        label=_("Customer's email address"),
        required=False,
        help_text=_("Links the idea to the customer and lets them hear what is decided."),
    )
    language = forms.ChoiceField(label=_("Customer's language"), choices=Language.choices)
    notify = forms.BooleanField(
        label=_("Email the customer when the status changes"), required=False, initial=True
    )
    is_public = forms.BooleanField(
        label=_("Show on the portal so other customers can vote"), required=False, initial=True
    )


class LinkDecisionForm(forms.Form):
    label_suffix = ""
    decision = forms.TypedChoiceField(label=_("Decision"), coerce=int)
    note = forms.CharField(label=_("Why it matters"), required=False, max_length=COMMENT_MAX)

    def __init__(self, *args: Any, decisions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [  # type: ignore[attr-defined]
            ("", "–"),
            *[(decision.pk, decision.title) for decision in decisions],
        ]
