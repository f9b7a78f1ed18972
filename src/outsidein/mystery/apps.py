from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MysteryConfig(AppConfig):
    name = "outsidein.mystery"
    label = "mystery"
    verbose_name = _("Mystery shopping")

    def ready(self) -> None:
        from outsidein.mystery.wiring import register_mystery_parts

        register_mystery_parts()
