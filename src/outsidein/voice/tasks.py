from __future__ import annotations

from django_tasks import task

from outsidein.voice.models import DeliveryStatus
from outsidein.voice.webhooks import attempt, is_due


@task()
def feedback_arrived(feedback_id: int) -> bool:
    """A customer's feedback arrived: run the listeners (follow-up, text analysis) and the
    outgoing webhooks. Enqueued by the submission; idempotent (see ``process_arrival``)."""
    from outsidein.voice.services import process_arrival

    return process_arrival(feedback_id)


@task()
def deliver_webhook(delivery_id: int) -> str:
    """Deliver one webhook message; on failure re-enqueue itself for the backoff time."""
    if not is_due(delivery_id):
        return "not due"
    delivery = attempt(delivery_id)
    retry = delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at is not None
    if retry and deliver_webhook.get_backend().supports_defer:
        deliver_webhook.using(run_after=delivery.next_attempt_at).enqueue(delivery_id=delivery_id)
    return delivery.status
