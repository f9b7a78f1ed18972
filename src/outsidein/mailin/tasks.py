from __future__ import annotations

from django_tasks import task


@task()
def poll_mailbox(mailbox_id: int) -> str:
    """Read one mailbox (enqueued by the workers' schedule); skipped while another reads it."""
    from outsidein.mailin.models import Mailbox
    from outsidein.mailin.services import poll_with_lease

    result = poll_with_lease(mailbox_id)
    if result is None:
        return "held by another worker"
    mailbox = Mailbox.objects.filter(pk=mailbox_id).first()
    return result.line(mailbox) if mailbox else "mailbox removed"


@task()
def send_answer(outbound_id: int) -> str:
    """Send one answer by email (enqueued when an item's answer is written)."""
    from outsidein.mailin.outgoing import send

    return send(outbound_id)
