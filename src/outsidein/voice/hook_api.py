"""API endpoints for outgoing webhooks: endpoints with their event filter, the delivery log,
redelivery and a test event. Administrators only. Thin: parse, check, call webhooks, answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from outsidein.api.access import caller, delete_scoped, get_scoped_or_404, require, scoped
from outsidein.api.schemas import Flag, InputSchema, Pagination, PatchSchema
from outsidein.core.permissions import Action
from outsidein.voice import hook_events, webhooks
from outsidein.voice.models import Delivery, OutboundHook

router = Router(tags=["webhooks"])

EventName = Literal[tuple(hook_events.EVENTS)]  # type: ignore[valid-type]
EVENTS_HELP = (
    "The event types this endpoint takes; an empty list (the default) means every event, "
    "including event types added later. See docs/webhooks.md for each payload."
)


class HookIn(InputSchema):
    url: str = Field(max_length=500, description="An http(s) URL outsidein may reach")
    description: str = Field("", max_length=200)
    events: list[EventName] = Field(default_factory=list, description=EVENTS_HELP)  # type: ignore[valid-type]
    is_active: Flag = True


class HookPatch(PatchSchema):
    url: str | None = Field(None, max_length=500)
    description: str | None = Field(None, max_length=200)
    events: list[EventName] | None = Field(None, description=EVENTS_HELP)  # type: ignore[valid-type]
    is_active: Flag | None = None


class HookOut(Schema):
    id: int
    url: str
    description: str
    events: list[str]
    is_active: bool
    secret: str = Field(
        description="The whsec_ key that signs every delivery: in full only in the answer that "
        "creates the endpoint, afterwards masked (its first and last characters)"
    )
    created_at: datetime

    @staticmethod
    def resolve_secret(obj: OutboundHook) -> str:
        from outsidein.voice.hook_views import mask

        return mask(obj.secret)


class HookCreated(HookOut):
    @staticmethod
    def resolve_secret(obj: OutboundHook) -> str:
        return obj.secret


class DeliveryOut(Schema):
    id: int
    hook_id: int
    message_id: str = Field(description="The webhook-id header of this message")
    event: str
    status: str = Field(description="pending (waiting for an attempt), delivered or failed")
    attempts: int
    redeliveries: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    delivered_at: datetime | None
    created_at: datetime
    payload: dict[str, Any]


def _admin_hook(request: HttpRequest, hook_id: int, action: str = Action.CHANGE) -> OutboundHook:
    person = caller(request)
    require(person, action, OutboundHook)
    return get_scoped_or_404(person, OutboundHook, hook_id)


@router.get("/webhooks/outgoing", response=list[HookOut])
def list_hooks(request: HttpRequest) -> Any:
    person = caller(request)
    require(person, Action.VIEW, OutboundHook)
    return scoped(person, OutboundHook).order_by("pk")


@router.post("/webhooks/outgoing", response={201: HookCreated})
def create_hook(request: HttpRequest, payload: HookIn) -> Any:
    person = caller(request)
    require(person, Action.CREATE, OutboundHook)
    hook = webhooks.create_outbound_hook(person.organisation, **payload.model_dump())
    return Status(201, hook)


@router.get("/webhooks/outgoing/{hook_id}", response=HookOut)
def get_hook(request: HttpRequest, hook_id: int) -> Any:
    return _admin_hook(request, hook_id, Action.VIEW)


@router.patch("/webhooks/outgoing/{hook_id}", response=HookOut)
def update_hook(request: HttpRequest, hook_id: int, payload: HookPatch) -> Any:
    hook = _admin_hook(request, hook_id)
    return webhooks.update_outbound_hook(hook, **payload.changes())


@router.delete("/webhooks/outgoing/{hook_id}", response={204: None})
def delete_hook(request: HttpRequest, hook_id: int) -> Any:
    def delete(hook: OutboundHook) -> None:
        from outsidein import audit

        with transaction.atomic():
            audit.deleted(hook, ("url",))
            hook.delete()

    return delete_scoped(request, OutboundHook, hook_id, delete)


@router.post("/webhooks/outgoing/{hook_id}/test", response={202: DeliveryOut})
def send_test_event(request: HttpRequest, hook_id: int) -> Any:
    """Queue a ``webhook.test`` message to this endpoint, whatever its event filter."""
    hook = _admin_hook(request, hook_id)
    return Status(202, webhooks.send_test_event(hook))


@router.get("/webhooks/outgoing/{hook_id}/deliveries", response=list[DeliveryOut])
@paginate(Pagination)
def list_deliveries(request: HttpRequest, hook_id: int) -> Any:
    """The delivery log of one endpoint, newest first."""
    hook = _admin_hook(request, hook_id, Action.VIEW)
    return Delivery.objects.filter(organisation_id=hook.organisation_id, hook=hook).order_by(
        "-created_at", "-pk"
    )


@router.post("/webhooks/deliveries/{delivery_id}/redeliver", response={202: DeliveryOut})
def redeliver(request: HttpRequest, delivery_id: int) -> Any:
    """Send a delivery again: the same message and webhook-id, with a fresh retry schedule."""
    person = caller(request)
    require(person, Action.CHANGE, Delivery)
    delivery = get_scoped_or_404(person, Delivery, delivery_id)
    with transaction.atomic():
        webhooks.redeliver(delivery)
    return Status(202, delivery)
