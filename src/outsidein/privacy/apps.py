from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "outsidein.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from outsidein.core.panels import register_customer_panel
        from outsidein.privacy.permissions import register_privacy_policies
        from outsidein.privacy.views import customer_privacy_panel

        register_privacy_policies()
        register_customer_panel(customer_privacy_panel)
