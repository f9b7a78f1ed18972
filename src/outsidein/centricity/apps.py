from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentricityConfig(AppConfig):
    name = "outsidein.centricity"
    label = "centricity"
    verbose_name = _("Customer-centricity")

    def ready(self) -> None:
        from outsidein.centricity.wiring import register_centricity_parts

        register_centricity_parts()
