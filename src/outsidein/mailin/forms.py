from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outsidein.core.models import Team
from outsidein.mailin.models import Mailbox


class MailboxForm(forms.ModelForm):
    label_suffix = ""
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the stored one."),
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "host",
            "port",
            "username",
            "password",
            "folder",
            "kind",
            "team",
            "address",
            "poll_minutes",
            "ca_certificate",
            "is_active",
        ]
        widgets = {"ca_certificate": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = self.fields["team"]
        assert isinstance(team, forms.ModelChoiceField)
        team.queryset = Team.objects.filter(organisation_id=organisation_id)
        if self.instance.pk is None:
            self.fields["password"].required = True
            self.fields["password"].help_text = _("Stored encrypted and never shown again.")
