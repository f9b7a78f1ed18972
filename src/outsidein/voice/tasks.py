from __future__ import annotations

from django_tasks import task

from outsidein.voice.models import DeliveryStatus
from outsidein.voice.webhooks import attempt


@task()
def deliver_webhook(delivery_id: int) -> str:
    """Deliver one webhook message; on failure re-enqueue itself for the backoff time."""
    delivery = attempt(delivery_id)
    retry = delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at is not None
    if retry and deliver_webhook.get_backend().supports_defer:
        deliver_webhook.using(run_after=delivery.next_attempt_at).enqueue(delivery_id=delivery_id)
    return delivery.status
