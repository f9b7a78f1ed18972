"""The events outgoing webhooks announce, their payloads, and how a domain service emits one.

A service calls one function here where the action happens (``case_opened(case)``, ...). The
function writes one ``Delivery`` per active endpoint whose filter takes the event, in the
caller's transaction, and enqueues the delivery task once that transaction commits (never
inside it: a worker must find the row). Nothing is written when the organisation has no
endpoint for the event, which costs one small query. The payload schema of every event is
documented in docs/webhooks.md; tests/voice/test_webhook_events.py holds them to it.

Message ids: where an event happens once per thing (a case opened, a status change, a response
note) the id is made from the thing and the endpoint, so running the same step twice sends
nothing new and a receiver can deduplicate on ``webhook-id``.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outsidein.voice.models import Delivery, OutboundHook

logger = logging.getLogger(__name__)

FEEDBACK_CREATED = "feedback.created"
CASE_OPENED = "case.opened"
CASE_RESPONDED = "case.responded"
CASE_CLOSED = "case.closed"
IDEA_STATUS_CHANGED = "idea.status_changed"
DECISION_TAKEN = "decision.taken"
RESPONSE_ANALYSED = "survey_response.analysed"
TEST = "webhook.test"

# The events an endpoint can subscribe to, in the order the settings page lists them.
EVENTS: dict[str, Any] = {
    FEEDBACK_CREATED: _("New feedback (feedback.created)"),
    CASE_OPENED: _("Customer item opened (case.opened)"),
    CASE_RESPONDED: _("Customer item answered (case.responded)"),
    CASE_CLOSED: _("Customer item closed (case.closed)"),
    IDEA_STATUS_CHANGED: _("Idea status changed (idea.status_changed)"),
    DECISION_TAKEN: _("Decision taken (decision.taken)"),
    RESPONSE_ANALYSED: _("Survey response analysed (survey_response.analysed)"),
}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def envelope(event: str, data: dict[str, Any]) -> dict[str, Any]:
    """The Standard Webhooks payload: ``type``, ``timestamp`` and the event's ``data``."""
    return {"type": event, "timestamp": timezone.now().isoformat(), "data": data}


def message_id(key: str | None, hook_id: int) -> str:
    """A ``webhook-id`` (at most 40 characters): fixed for a key and endpoint, else random."""
    if key is None:
        return "msg_" + uuid.uuid4().hex
    return "msg_" + hashlib.sha256(f"{key}|{hook_id}".encode()).hexdigest()[:32]


def hooks_for(organisation_id: int, event: str) -> list[OutboundHook]:
    """The organisation's active endpoints that take ``event`` (one query)."""
    hooks = OutboundHook.objects.filter(organisation_id=organisation_id, is_active=True)
    return [hook for hook in hooks if hook.wants(event)]


def emit_many(
    organisation_id: int,
    event: str,
    items: Iterable[tuple[str | None, dict[str, Any]]],
    *,
    hooks: Sequence[OutboundHook] | None = None,
) -> list[Delivery]:
    """Queue ``event`` with each (key, data) item for every endpoint that takes it."""
    if hooks is None:
        hooks = hooks_for(organisation_id, event)
    if not hooks:
        return []
    now = timezone.now()
    candidates = [
        Delivery(
            organisation_id=organisation_id,
            hook=hook,
            message_id=message_id(key, hook.pk),
            event=event,
            payload=envelope(event, data),
            next_attempt_at=now,
        )
        for key, data in items
        for hook in hooks
    ]
    if not candidates:
        return []
    sent = set(
        Delivery.objects.filter(message_id__in=[d.message_id for d in candidates]).values_list(
            "message_id", flat=True
        )
    )
    deliveries = Delivery.objects.bulk_create([d for d in candidates if d.message_id not in sent])
    for delivery in deliveries:
        transaction.on_commit(partial(enqueue_delivery, delivery.pk), robust=True)
    return deliveries


# Other apps listen too (chat notifications, registered in their AppConfig.ready): each gets
# (organisation_id, event, data) for every event emitted, whether or not an endpoint takes it.
listeners: list[Callable[[int, str, dict[str, Any]], None]] = []


def emit(
    organisation_id: int, event: str, data: dict[str, Any], *, key: str | None = None
) -> list[Delivery]:
    for listener in listeners:
        listener(organisation_id, event, data)
    return emit_many(organisation_id, event, [(key, data)])


def enqueue_delivery(delivery_id: int) -> None:
    """Hand one delivery to the worker (by name: tasks import this module, not the reverse).
    If the queue cannot take it, the row stays waiting and the page offers 'Send again'."""
    from outsidein.voice.tasks import deliver_webhook

    try:
        deliver_webhook.enqueue(delivery_id=delivery_id)
    except Exception:
        logger.warning("Could not enqueue webhook delivery %s", delivery_id, exc_info=True)


# --- the events ------------------------------------------------------------------------------


def case_data(case: Any) -> dict[str, Any]:
    customer = case.customer if case.customer_id else None
    return {
        "id": case.pk,
        "kind": case.kind,
        "status": case.status,
        "priority": case.priority,
        "subject": case.subject,
        "channel": case.channel,
        "team_id": case.team_id,
        "owner_id": case.owner_id,
        "customer_id": case.customer_id,
        "customer_external_id": (customer.external_id or None) if customer else None,
        "feedback_id": case.feedback_id,
        "opened_at": _iso(case.opened_at),
        "first_response_due": _iso(case.first_response_due),
        "resolution_due": _iso(case.resolution_due),
        "first_response_at": _iso(case.first_response_at),
        "closed_at": _iso(case.closed_at),
    }


def case_opened(case: Any) -> None:
    emit(case.organisation_id, CASE_OPENED, case_data(case), key=f"case.opened:{case.pk}")


def case_responded(case: Any, note: Any) -> None:
    data = case_data(case)
    data["response"] = {
        "id": note.pk,
        "author_id": note.author_id,
        "at": _iso(note.created_at),
        "text": note.text,
        "waiting_for_customer": case.waiting_since is not None,
    }
    emit(case.organisation_id, CASE_RESPONDED, data, key=f"case.responded:{note.pk}")


def case_closed(case: Any) -> None:
    data = case_data(case)
    data.update(
        {
            "learned": case.learned,
            "root_cause": case.root_cause.name if case.root_cause_id else None,
            "loop": case.loop or None,
            "decision_id": case.decision_id,
        }
    )
    key = f"case.closed:{case.pk}:{_iso(case.closed_at)}"
    emit(case.organisation_id, CASE_CLOSED, data, key=key)


def idea_status_changed(idea: Any, change: Any) -> None:
    data = {
        "id": idea.pk,
        "title": idea.title,
        "status": idea.status,
        "previous_status": change.from_status,
        "decline_reason": idea.decline_reason,
        "team_id": idea.team_id,
        "vote_count": idea.vote_count,
        "changed_at": _iso(change.created_at),
        "changed_by_id": change.person_id,
    }
    emit(idea.organisation_id, IDEA_STATUS_CHANGED, data, key=f"idea.status:{change.pk}")


def decision_taken(decision: Any) -> None:
    data = {
        "id": decision.pk,
        "title": decision.title,
        "description": decision.description,
        "status": decision.status,
        "decided_on": _iso(decision.decided_on),
        "scope": decision.scope,
        "team_id": decision.team_id,
        "owner_id": decision.owner_id,
        "without_customer_input": decision.without_customer_input,
        "no_input_reason": decision.no_input_reason,
        "evidence": [
            {"kind": e.kind, "ref_id": e.ref_id, "label": e.label}
            for e in decision.evidence.order_by("pk")
        ],
    }
    emit(decision.organisation_id, DECISION_TAKEN, data)


def responses_analysed(organisation_id: int, feedback_ids: Sequence[int]) -> None:
    """After analysis: one event per survey response among ``feedback_ids``."""
    hooks = hooks_for(organisation_id, RESPONSE_ANALYSED)
    if not hooks or not feedback_ids:
        return
    from outsidein.text.models import FeedbackAnalysis

    analyses = (
        FeedbackAnalysis.objects.filter(
            feedback_id__in=list(feedback_ids), feedback__survey_id__isnull=False
        )
        .select_related("feedback", "feedback__customer")
        .order_by("feedback_id")
    )
    items = []
    for analysis in analyses:
        feedback = analysis.feedback
        customer = feedback.customer
        data = {
            "feedback_id": feedback.pk,
            "survey_id": feedback.survey_id,
            "customer_id": feedback.customer_id,
            "customer_external_id": (customer.external_id or None) if customer else None,
            "language": analysis.language,
            "sentiment": analysis.sentiment,
            "score": round(analysis.score, 4),
            "themes": sorted(analysis.themes or {}),
            "analysed_at": _iso(analysis.analysed_at),
            "model_version": analysis.model_version,
        }
        key = f"analysed:{feedback.pk}:{_iso(analysis.analysed_at)}"
        items.append((key, data))
    emit_many(organisation_id, RESPONSE_ANALYSED, items, hooks=hooks)


def test_event(hook: OutboundHook) -> Delivery:
    """A ``webhook.test`` message to one endpoint, whatever its filter."""
    data = {
        "hook_id": hook.pk,
        "message": "A test event from outsidein: your endpoint is reachable.",
    }
    (delivery,) = emit_many(hook.organisation_id, TEST, [(None, data)], hooks=[hook])
    return delivery
