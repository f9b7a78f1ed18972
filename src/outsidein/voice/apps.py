from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoiceConfig(AppConfig):
    name = "outsidein.voice"
    label = "voice"
    verbose_name = _("Voice of the customer")

    def ready(self) -> None:
        from outsidein.voice import imports  # noqa: F401  (registers the import job)
        from outsidein.voice.permissions import register_voice_policies

        register_voice_policies()
        from outsidein.core.panels import register_customer_panel
        from outsidein.voice.views import customer_feedback_panel

        register_customer_panel(customer_feedback_panel)
