from __future__ import annotations

from django_tasks import task

from outsidein.chat.models import MessageStatus
from outsidein.chat.services import attempt, is_due


@task()
def deliver_chat_message(message_id: int) -> str:
    """Send one chat message; on failure re-enqueue itself for the backoff time."""
    if not is_due(message_id):
        return "not due"
    message = attempt(message_id)
    retry = message.status == MessageStatus.PENDING and message.next_attempt_at is not None
    if retry and deliver_chat_message.get_backend().supports_defer:
        deliver_chat_message.using(run_after=message.next_attempt_at).enqueue(message_id=message_id)
    return message.status
