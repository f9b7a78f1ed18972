from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailinConfig(AppConfig):
    name = "outsidein.mailin"
    label = "mailin"
    verbose_name = _("Email from customers")

    def ready(self) -> None:
        from outsidein.mailin.permissions import register_mailin_policies

        register_mailin_policies()
        from outsidein.mailin.outgoing import on_event
        from outsidein.voice import hook_events

        if on_event not in hook_events.listeners:
            hook_events.listeners.append(on_event)
