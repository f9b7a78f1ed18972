from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticeConfig(AppConfig):
    name = "outsidein.practice"
    label = "practice"
    verbose_name = _("Customer-centric practice")

    def ready(self) -> None:
        from outsidein.practice.permissions import register_practice_policies
        from outsidein.practice.wiring import register_practice_parts

        register_practice_policies()
        register_practice_parts()
        from outsidein.core.panels import register_customer_panel
        from outsidein.practice.views import customer_practice_panel

        register_customer_panel(customer_practice_panel)
