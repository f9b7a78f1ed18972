from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TextConfig(AppConfig):
    name = "outsidein.text"
    label = "text"
    verbose_name = _("Text analytics")

    def ready(self) -> None:
        from outsidein.text.permissions import register_text_policies
        from outsidein.text.wiring import register_text_parts

        register_text_policies()
        register_text_parts()
        from outsidein.text.discovery import register_discovery

        register_discovery()
