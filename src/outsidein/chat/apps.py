from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "outsidein.chat"
    label = "chat"
    verbose_name = _("Chat notifications")

    def ready(self) -> None:
        from outsidein.chat import notify
        from outsidein.chat.permissions import register_chat_policies
        from outsidein.voice import hook_events

        register_chat_policies()
        if notify.on_hook_event not in hook_events.listeners:
            hook_events.listeners.append(notify.on_hook_event)
