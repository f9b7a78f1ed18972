"""Webhooks in and out, signed by the Standard Webhooks scheme (standardwebhooks.com):
``webhook-id``, ``webhook-timestamp`` (Unix seconds) and ``webhook-signature`` holding
``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` with the base64-decoded ``whsec_`` key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from datetime import timedelta
from functools import partial
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from outsidein.core import outgoing
from outsidein.voice import hook_events
from outsidein.voice.models import Delivery, DeliveryStatus, Feedback, OutboundHook

logger = logging.getLogger(__name__)

TOLERANCE_SECONDS = 5 * 60
# Standard Webhooks' suggested schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
RETRY_DELAYS = (5, 300, 1800, 7200, 18000, 36000, 36000)
DELIVERY_TIMEOUT = 10


class SignatureError(Exception):
    """Why a signed request is refused."""


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix("whsec_"))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(secret: str, headers: Mapping[str, str], body: bytes, *, now: int) -> str:
    """Check a signed request; return its message id or raise ``SignatureError``."""
    message_id = headers.get("webhook-id", "")
    raw_timestamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    if not (message_id and raw_timestamp and signatures):
        raise SignatureError("Missing webhook-id, webhook-timestamp or webhook-signature header.")
    try:
        timestamp = int(raw_timestamp)
    except ValueError:
        raise SignatureError("webhook-timestamp is not a Unix timestamp.") from None
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise SignatureError("webhook-timestamp is too old or in the future (more than 5 minutes).")
    if not _key(secret):
        # An empty key would let anyone sign: a secret that could not be read back refuses all.
        raise SignatureError("This endpoint has no usable secret; make a new endpoint.")
    expected = sign(secret, message_id, timestamp, body).split(",", 1)[1]
    for candidate in signatures.split():
        version, _sep, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return message_id
    raise SignatureError("The signature does not match.")


def seen_before(scope: str, message_id: str) -> bool:
    """Replay protection: a message id is accepted once within the tolerance window."""
    return not cache.add(f"webhook-seen:{scope}:{message_id}", 1, timeout=TOLERANCE_SECONDS * 2)


# --- outgoing ----------------------------------------------------------------------------------


def feedback_payload(feedback: Feedback) -> dict[str, Any]:
    return {
        "type": "feedback.created",
        "timestamp": timezone.now().isoformat(),
        "data": {
            "id": feedback.pk,
            "kind": feedback.kind,
            "channel": feedback.channel,
            "survey_id": feedback.survey_id,
            "customer_id": feedback.customer_id,
            "customer_external_id": feedback.customer.external_id if feedback.customer else None,
            "team_id": feedback.team_id,
            "language": feedback.language,
            "submitted_at": feedback.submitted_at.isoformat(),
            "nps": feedback.nps,
            "csat": feedback.csat,
            "ces": feedback.ces,
            "rating": feedback.rating,
            "subject": feedback.subject,
            "comment": feedback.comment,
            "is_complete": feedback.is_complete,
        },
    }


def announce(feedback: Feedback) -> None:
    """Queue a delivery to every active outgoing hook, sent once the transaction commits."""
    # Most organisations have no hooks: a bare existence query answers that for every
    # submission far cheaper than building the ORM query below.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {OutboundHook._meta.db_table} "  # noqa: S608  (model identifier)
            "WHERE organisation_id = %s AND is_active LIMIT 1",
            [feedback.organisation_id],
        )
        if cursor.fetchone() is None:
            return
    hooks = hook_events.hooks_for(feedback.organisation_id, hook_events.FEEDBACK_CREATED)
    if not hooks:
        return
    payload = feedback_payload(feedback)
    # One message per feedback and hook, its id made from both: announcing again (the arrival
    # task run twice) sends nothing new, and a receiver can deduplicate on it.
    ids = {hook.pk: f"msg_fb{feedback.pk}_h{hook.pk}" for hook in hooks}
    sent = set(
        Delivery.objects.filter(message_id__in=list(ids.values())).values_list(
            "message_id", flat=True
        )
    )
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                organisation_id=feedback.organisation_id,
                hook=hook,
                message_id=ids[hook.pk],
                event=payload["type"],
                payload=payload,
                next_attempt_at=timezone.now(),
            )
            for hook in hooks
            if ids[hook.pk] not in sent
        ]
    )
    for delivery in deliveries:
        transaction.on_commit(partial(hook_events.enqueue_delivery, delivery.pk), robust=True)


def redeliver(delivery: Delivery) -> Delivery:
    """Send a delivery again (the same message and webhook-id, so a receiver that did get it
    can tell), with a fresh retry schedule; the worker sends it once this commits."""
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.redeliveries += 1
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "redeliveries"])
    transaction.on_commit(partial(hook_events.enqueue_delivery, delivery.pk), robust=True)
    return delivery


def is_due(delivery_id: int) -> bool:
    """Whether a (scheduled) delivery task should attempt now: a retry scheduled before a
    manual redelivery finds the delivery rescheduled or done, and does nothing."""
    due = (
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if due is None:
        return False
    return due <= timezone.now() + timedelta(seconds=2)


def attempt(delivery_id: int) -> Delivery:
    """One delivery attempt; on failure schedule the next one with backoff, or give up."""
    delivery = Delivery.objects.select_related("hook").get(pk=delivery_id)
    if delivery.status != DeliveryStatus.PENDING:
        return delivery
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = int(timezone.now().timestamp())
    headers = {
        "content-type": "application/json",
        "user-agent": "outsidein-webhooks",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(delivery.hook.secret, delivery.message_id, timestamp, body),
    }
    delivery.attempts += 1
    try:
        response = outgoing.post(delivery.hook.url, body, headers=headers, timeout=DELIVERY_TIMEOUT)
    except outgoing.OutgoingError as exc:
        # The tenant sees a coarse reason (never which port answered what); the log has it all.
        delivery.last_status_code = exc.status
        delivery.last_error = exc.public[:300]
        logger.info("Webhook delivery %s failed: %s", delivery.message_id, exc.detail)
    else:
        delivery.last_status_code = response.status
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.last_error = ""
    if delivery.status == DeliveryStatus.PENDING:
        if delivery.attempts > len(RETRY_DELAYS):
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delay = RETRY_DELAYS[delivery.attempts - 1]
            delivery.next_attempt_at = timezone.now() + timedelta(seconds=delay)
    delivery.save()
    return delivery


# --- managing outgoing endpoints ---------------------------------------------------------------

HOOK_FIELDS = ("url", "description", "is_active", "events")


def clean_events(events: Any) -> list[str]:
    """An endpoint's event filter: known event types, no repeats; every event type listed (or
    none) means "every event", stored as ``[]`` so events added later are sent too."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if events is None:
        return []
    if not isinstance(events, list | tuple) or not all(isinstance(e, str) for e in events):
        raise ValidationError({"events": _("Give a list of event types.")})
    unknown = sorted(set(events) - set(hook_events.EVENTS))
    if unknown:
        raise ValidationError(
            {"events": _("Unknown event type: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    chosen = [e for e in hook_events.EVENTS if e in set(events)]
    return [] if len(chosen) == len(hook_events.EVENTS) else chosen


def _check_hook_url(url: str) -> None:
    from django.core.exceptions import ValidationError

    try:
        outgoing.check_url(url)
    except outgoing.RefusedURL as exc:
        raise ValidationError({"url": exc.public}) from None


@transaction.atomic
def create_outbound_hook(
    organisation: Any,
    *,
    url: str,
    description: str = "",
    events: Any = None,
    is_active: bool = True,
) -> OutboundHook:
    from outsidein import audit

    _check_hook_url(url)
    hook = OutboundHook(
        organisation=organisation,
        url=url,
        description=description,
        events=clean_events(events),
        is_active=is_active,
    )
    hook.full_clean(exclude=["organisation"])
    hook.save()
    audit.created(hook, (*HOOK_FIELDS, "secret"))
    return hook


@transaction.atomic
def update_outbound_hook(hook: OutboundHook, **changes: Any) -> OutboundHook:
    from django.core.exceptions import ValidationError

    from outsidein import audit

    before = audit.snapshot(hook, HOOK_FIELDS)
    for name, value in changes.items():
        if name not in HOOK_FIELDS:
            raise ValidationError({name: "Unknown field."})
        if name == "url":
            _check_hook_url(value)
        if name == "events":
            value = clean_events(value)
        setattr(hook, name, value)
    try:
        hook.full_clean(exclude=["organisation"])
    except ValidationError:
        hook.refresh_from_db()
        raise
    hook.save()
    audit.changed(hook, before, HOOK_FIELDS)
    return hook


@transaction.atomic
def send_test_event(hook: OutboundHook) -> Delivery:
    """A ``webhook.test`` message to this endpoint (whatever its filter), sent by the worker."""
    return hook_events.test_event(hook)
