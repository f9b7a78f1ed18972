from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outsidein.core.models import (
    Customer,
    CustomerKind,
    Language,
    Person,
    Role,
    Segment,
    Team,
    TeamKind,
)


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("Name, email, city or number"),
                "type": "search",
            }
        ),
    )
    segment = forms.ModelChoiceField(
        label=_("Segment"),
        queryset=Segment.objects.none(),
        required=False,
        empty_label=_("All segments"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *CustomerKind.choices],
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("All languages")), *Language.choices]
    )

    def __init__(self, *args: Any, segments: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = segments  # type: ignore[attr-defined]


class CustomerForm(forms.ModelForm):
    label_suffix = ""

    class Meta:
        model = Customer
        fields = [
            "name",
            "kind",
            "external_id",
            "email",
            "phone",
            "language",
            "city",
            "segment",
            "consent_surveys",
            "consent_marketing",
        ]

    def __init__(self, *args: Any, segments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = segments  # type: ignore[attr-defined]


def _team_label(team: Team) -> str:
    return f"{team.parent.name} → {team.name}" if team.parent_id and team.parent else team.name


class PersonForm(forms.Form):
    label_suffix = ""
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EMPLOYEE)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    customer_facing = forms.BooleanField(
        label=_("Customer-facing role"),
        required=False,
        help_text=_("Their daily job is to speak with customers (helpdesk, account management)."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["team"].label_from_instance = _team_label  # type: ignore[attr-defined]

    @classmethod
    def initial_from(cls, person: Person) -> dict[str, Any]:
        return {
            "name": person.name,
            "email": person.email,
            "role": person.role,
            "team": person.team,
            "job_title": person.job_title,
            "customer_facing": person.customer_facing,
            "language": person.language,
        }


_GRANT_CHOICES = [("", _("As the role allows")), ("yes", _("Allowed")), ("no", _("Not allowed"))]


def _grant(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class PersonEditForm(PersonForm):
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Someone who left: they can no longer log in; their history stays."),
    )
    may_import = forms.TypedChoiceField(
        label=_("May import data"),
        choices=_GRANT_CHOICES,
        coerce=_grant,
        empty_value=None,
        required=False,
        help_text=_("Administrators and managers may by default; employees may not."),
    )
    may_export = forms.TypedChoiceField(
        label=_("May export personal data"),
        choices=_GRANT_CHOICES,
        coerce=_grant,
        empty_value=None,
        required=False,
        help_text=_(
            "Customers with their contact details and feedback in bulk. Administrators and "
            "managers (their teams' feedback) may by default; employees may not."
        ),
    )

    def __init__(self, *args: Any, grants: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not grants:  # only administrators grant permissions
            del self.fields["may_import"]
            del self.fields["may_export"]

    @classmethod
    def initial_from(cls, person: Person) -> dict[str, Any]:
        def choice(value: bool | None) -> str:
            return "" if value is None else ("yes" if value else "no")

        return {
            **super().initial_from(person),
            "is_active": person.is_active,
            "may_import": choice(person.may_import),
            "may_export": choice(person.may_export),
        }


class TokenForm(forms.Form):
    label_suffix = ""
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What will use this token, e.g. “CRM sync” or “monthly export script”."),
    )


class AcceptInvitationForm(forms.Form):
    label_suffix = ""
    password1 = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        from django.contrib.auth.password_validation import validate_password

        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                validate_password(first, self.user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class SegmentForm(forms.Form):
    label_suffix = ""
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who these customers are and why they matter to the strategy."),
    )


class TeamForm(forms.Form):
    label_suffix = ""
    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=60,
        help_text=_("Lowercase letters, digits and dashes; used in links and the API."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices, initial=TeamKind.TEAM)
    parent = forms.ModelChoiceField(
        label=_("Part of"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("(top level)"),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = teams  # type: ignore[attr-defined]


class OrganisationForm(forms.Form):
    """The organisation's own settings, in sections (``SECTIONS``: title → field names)."""

    label_suffix = ""
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("Shown in the header, on reports and in emails to customers."),
    )
    language = forms.ChoiceField(
        label=_("Default language"),
        choices=Language.choices,
        help_text=_("For new colleagues and customers whose language is not known."),
    )
    survey_interval_days = forms.IntegerField(
        label=_("Days between survey invitations (contact frequency)"),
        min_value=1,
        max_value=365,
        required=False,  # left out (an older form, a script): unchanged
        help_text=_(
            "No customer is invited to a survey more often than once in this many days "
            "(1 to 365), whichever survey asks. Fewer days: more answers; more days: fewer "
            "customers tired of surveys."
        ),
        error_messages={
            "min_value": _("At least 1 day."),
            "max_value": _("At most 365 days (a year)."),
            "invalid": _("Enter a whole number of days."),
        },
    )

    SECTIONS = (
        (_("Organisation"), ("name", "language")),
        (_("Contact frequency"), ("survey_interval_days",)),
    )

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(title), [self[name] for name in names]) for title, names in self.SECTIONS]


class ContactPersonForm(forms.Form):
    label_suffix = ""
    name = forms.CharField(label=_("Name"), max_length=200)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    email = forms.EmailField(label=_("Email address"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)
