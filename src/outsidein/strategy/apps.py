from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "outsidein.strategy"
    label = "strategy"
    verbose_name = _("Strategy")

    def ready(self) -> None:
        from outsidein.core.panels import register_customer_panel
        from outsidein.ideas.services import register_status_listener
        from outsidein.strategy import jobs  # noqa: F401  (registers the re-evaluation job)
        from outsidein.strategy.permissions import register_strategy_policies
        from outsidein.strategy.services import sync_declined_idea
        from outsidein.strategy.views import customer_segment_panel

        register_strategy_policies()
        register_status_listener(sync_declined_idea)
        register_customer_panel(customer_segment_panel)
        from outsidein.strategy.views import feedback_strategy_panel
        from outsidein.voice.panels import register_feedback_panel

        register_feedback_panel(feedback_strategy_panel)
