"""What the text app plugs into elsewhere, registered once from ``TextConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def register_text_parts() -> None:
    from outsidein.jobs.services import job_handler
    from outsidein.text import services
    from outsidein.voice.services import register_feedback_listener

    # It schedules the analysis; where it writes the task row it takes its own savepoint, so
    # the submission needs none around it.
    register_feedback_listener(services.enqueue_analysis, writes=False)
    from outsidein.text import rollups
    from outsidein.voice.services import register_feedback_tracker

    # Edits and deletions of feedback move its comment in the theme rollup.
    register_feedback_tracker(rollups.tracking)
    from outsidein.text.views import feedback_text_panel
    from outsidein.voice.panels import register_feedback_panel

    register_feedback_panel(feedback_text_panel)
    _register_inbox_filters()

    @job_handler("text.reanalyse")
    def reanalyse(job: Any, report: Any) -> dict[str, Any]:
        report(1, _("Training the models from the latest labels"))
        trained = services.train_sentiment_models(job.organisation)
        themes = services.train_theme_model(job.organisation)
        count = services.analyse_feedback(job.organisation_id, report=report)
        return {"analysed": count, "sentiment": trained, "themes": themes}


def _theme_field(organisation_id: int) -> Any:
    from django import forms

    from outsidein.text.models import Theme

    names = Theme.objects.filter(organisation_id=organisation_id).values_list("name", flat=True)
    return forms.ChoiceField(
        label=_("Theme"),
        required=False,
        choices=[("", _("All themes")), *((name, name) for name in names)],
    )


def _sentiment_field(organisation_id: int) -> Any:
    from django import forms

    from outsidein.text.models import Sentiment

    return forms.ChoiceField(
        label=_("Sentiment"),
        required=False,
        choices=[("", _("Any sentiment")), *Sentiment.choices],
    )


def _register_inbox_filters() -> None:
    from outsidein.voice.panels import InboxFilter, register_inbox_filter

    register_inbox_filter(
        InboxFilter(
            name="theme",
            field=_theme_field,
            apply=lambda queryset, name: queryset.filter(analysis__themes__has_key=name),
        )
    )
    register_inbox_filter(
        InboxFilter(
            name="sentiment",
            field=_sentiment_field,
            apply=lambda queryset, value: queryset.filter(analysis__sentiment=value),
        )
    )
