from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from outsidein.privacy.models import PrivacySettings


class PrivacySettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PrivacySettings
        fields = ["free_text_months", "contact_details_months", "purge_expired_after_days"]


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason or request reference"),
        required=False,
        max_length=500,
        help_text=_("Kept in the audit trail with the erasure (never the erased data)."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone"),
        required=True,
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )
