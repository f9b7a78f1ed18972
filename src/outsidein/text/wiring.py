"""What the text app plugs into elsewhere, registered once from ``TextConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def register_text_parts() -> None:
    from outsidein.jobs.services import job_handler
    from outsidein.text import services
    from outsidein.voice.services import register_feedback_listener

    register_feedback_listener(services.enqueue_analysis)
    from outsidein.text.views import feedback_text_panel
    from outsidein.voice.panels import register_feedback_panel

    register_feedback_panel(feedback_text_panel)

    @job_handler("text.reanalyse")
    def reanalyse(job: Any, report: Any) -> dict[str, Any]:
        report(1, _("Training the models from the latest labels"))
        trained = services.train_sentiment_models(job.organisation)
        themes = services.train_theme_model(job.organisation)
        count = services.analyse_feedback(job.organisation_id, report=report)
        return {"analysed": count, "sentiment": trained, "themes": themes}
