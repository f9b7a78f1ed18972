from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    name = "outsidein.ideas"
    label = "ideas"
    verbose_name = _("Ideas portal")

    def ready(self) -> None:
        from outsidein.ideas.wiring import register_ideas_parts

        register_ideas_parts()
