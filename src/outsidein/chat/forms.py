from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outsidein.chat import events
from outsidein.chat.models import Service
from outsidein.core.models import Language, Team


def _event_choices() -> list[tuple[str, Any]]:
    return list(events.EVENTS.items())


def _language_choices() -> list[tuple[str, Any]]:
    return [("", _("The organisation's language")), *Language.choices]


class ChannelForm(forms.Form):
    """Add a channel: the service, whose it is, the webhook URL, events and language."""

    label_suffix = ""
    service = forms.ChoiceField(label=_("Service"), choices=Service.choices)
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("The whole organisation"),
        help_text=_("A team's channel also hears about the teams under it."),
    )
    name = forms.CharField(
        label=_("Channel name"),
        max_length=100,
        required=False,
        help_text=_("For your own overview, e.g. #helpdesk."),
    )
    url = forms.CharField(
        label=_("Webhook URL"),
        max_length=1000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted; afterwards only its host and last four characters show."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=_event_choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(events.EVENTS),
        error_messages={"required": _("Choose at least one event.")},
    )
    language = forms.ChoiceField(label=_("Language"), choices=_language_choices, required=False)

    def __init__(self, *args: Any, teams: Any, allow_whole: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        field.queryset = teams  # type: ignore[attr-defined]
        if not allow_whole:
            field.required = True
            field.empty_label = None  # type: ignore[attr-defined]
            field.help_text = _("You add channels for the teams you lead.")


class ChannelEditForm(forms.Form):
    """The events, language and switch of one channel, and optionally a new webhook URL."""

    label_suffix = ""
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=_event_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
    language = forms.ChoiceField(label=_("Language"), choices=_language_choices, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)
    url = forms.CharField(
        label=_("New webhook URL"),
        max_length=1000,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Leave empty to keep the current one."),
    )
