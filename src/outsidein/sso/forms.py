from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outsidein.core.models import Organisation, Person, Role, Team


class SSOStartForm(forms.Form):
    email = forms.EmailField(label=_("Work email address"), max_length=254)


class SSOConfigurationForm(forms.Form):
    enabled = forms.BooleanField(label=_("Company sign-in on"), required=False)
    issuer = forms.URLField(
        label=_("Issuer URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "e.g. https://login.microsoftonline.com/<tenant-id>/v2.0, https://accounts.google.com "
            "or https://keycloak.example.com/realms/<realm>"
        ),
    )
    client_id = forms.CharField(label=_("Client ID"), max_length=255)
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        max_length=1000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    allowed_domains = forms.CharField(
        label=_("Allowed email domains"),
        max_length=2000,
        help_text=_("Separated by commas, e.g. example.com, example.nl"),
    )
    auto_create = forms.BooleanField(
        label=_("Create unknown colleagues at their first sign-in"),
        required=False,
        help_text=_("Off: only invited or existing colleagues may sign in."),
    )
    default_team = forms.ModelChoiceField(
        label=_("Default team for new colleagues"), queryset=Team.objects.none(), required=False
    )
    password_login = forms.BooleanField(
        label=_("Password login allowed"),
        required=False,
        help_text=_(
            "Off: everyone signs in with the company account, except the break-glass "
            "administrator below."
        ),
    )
    break_glass_admin = forms.ModelChoiceField(
        label=_("Break-glass administrator (keeps a password)"),
        queryset=Person.objects.none(),
        required=False,
    )

    def __init__(
        self, *args: Any, organisation: Organisation, secret_hint: str = "", **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["default_team"].queryset = Team.objects.filter(organisation=organisation)  # type: ignore[attr-defined]
        self.fields["break_glass_admin"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation, role=Role.ADMIN, is_active=True
        )
        if secret_hint:
            self.fields["client_secret"].help_text = _(
                "Stored encrypted (%(hint)s). Leave empty to keep it."
            ) % {"hint": secret_hint}
