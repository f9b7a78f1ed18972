from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "outsidein.core"
    label = "core"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from outsidein.core import exports  # noqa: F401  (registers the export job handler)
        from outsidein.core.permissions import register_core_policies

        register_core_policies()
