"""Enqueueing mailin's tasks by name, so services need not import the task module."""

from __future__ import annotations

from django.db import transaction


def enqueue_poll(mailbox_id: int) -> None:
    from outsidein.mailin.tasks import poll_mailbox

    poll_mailbox.enqueue(mailbox_id=mailbox_id)


def enqueue_send(outbound_id: int) -> None:
    from outsidein.mailin.tasks import send_answer

    transaction.on_commit(lambda: send_answer.enqueue(outbound_id=outbound_id), robust=True)
