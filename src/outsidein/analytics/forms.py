from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outsidein.analytics import periods
from outsidein.analytics.services import BREAKDOWNS, Filters
from outsidein.core import dates
from outsidein.core.models import Language


class MetricsFilterForm(forms.Form):
    """Filters shared by the dashboard, its data endpoint and its downloads."""

    label_suffix = ""
    since = dates.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = dates.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    survey = forms.TypedChoiceField(label=_("Survey"), required=False, coerce=int, empty_value=None)
    segment = forms.TypedChoiceField(
        label=_("Segment"), required=False, coerce=int, empty_value=None
    )
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("All languages")), *Language.choices]
    )
    by = forms.ChoiceField(
        label=_("Break down by"),
        required=False,
        choices=[
            ("segment", _("Segment")),
            ("team", _("Team")),
            ("survey", _("Survey")),
            ("channel", _("Channel")),
            ("language", _("Language")),
            ("kind", _("Kind of feedback")),
        ],
    )
    period = forms.ChoiceField(
        label=_("Trend per"), required=False, choices=[("month", _("Month")), ("week", _("Week"))]
    )
    running = forms.BooleanField(
        label=_("Include the month still running (so far)"),
        required=False,
        help_text=_("Without dates the dashboard shows the last 12 complete months."),
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from outsidein.core.models import Segment, Team
        from outsidein.voice.models import Channel, Survey

        def options(model: Any, empty: Any) -> list[tuple[Any, str]]:
            rows = model.objects.filter(organisation_id=organisation_id).values_list("id", "name")
            return [("", empty), *rows]

        self.fields["survey"].choices = options(Survey, _("All surveys"))  # type: ignore[attr-defined]
        self.fields["segment"].choices = options(Segment, _("All segments"))  # type: ignore[attr-defined]
        self.fields["team"].choices = options(Team, _("All teams"))  # type: ignore[attr-defined]
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date lies before the start date."))
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return Filters(
            since=data.get("since"),
            until=data.get("until"),
            survey_id=data.get("survey"),
            segment_id=data.get("segment"),
            team_id=data.get("team"),
            channel=data.get("channel") or None,
            language=data.get("language") or None,
        )

    def breakdown(self) -> str:
        value = self.cleaned_data.get("by") if self.is_bound and self.is_valid() else None
        return value if value in BREAKDOWNS else "segment"

    def include_running(self) -> bool:
        return (
            bool(self.cleaned_data.get("running")) if self.is_bound and self.is_valid() else False
        )

    def trend_period(self) -> str:
        value = self.cleaned_data.get("period") if self.is_bound and self.is_valid() else None
        return value or "month"


def default_since(today: date) -> date:
    """Dashboards open on the last twelve complete months."""
    return periods.last_complete_months(today)[0]
