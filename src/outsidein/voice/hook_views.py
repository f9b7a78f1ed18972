"""Incoming webhooks (feedback from other systems) and the page to manage webhooks."""

from __future__ import annotations

import json
import time
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from pydantic import ValidationError as SchemaError

from outsidein import audit
from outsidein.core import outgoing, ratelimit
from outsidein.core.models import Customer
from outsidein.core.tenancy import get_scoped_or_404
from outsidein.core.views import employee_required
from outsidein.voice import hook_events, services, webhooks
from outsidein.voice.models import Delivery, InboundHook, OutboundHook

HOOK_RATE_LIMIT = 600  # requests per minute per hook


@csrf_exempt
@require_POST
def receive(request: HttpRequest, key: str) -> HttpResponse:
    """POST /hooks/<key>/ with a Standard Webhooks signature and a feedback JSON body."""
    from outsidein.voice.api import FeedbackIn

    hook = (
        InboundHook.objects.select_related("organisation").filter(key=key, is_active=True).first()
    )
    if hook is None:
        return JsonResponse({"detail": "Unknown webhook."}, status=404)
    if ratelimit.hit("inbound-hook", hook.key, window=60) > HOOK_RATE_LIMIT:
        return JsonResponse({"detail": "Too many requests; slow down."}, status=429)
    headers = {name.lower(): value for name, value in request.headers.items()}
    try:
        message_id = webhooks.verify(hook.secret, headers, request.body, now=int(time.time()))
    except webhooks.SignatureError as exc:
        return JsonResponse({"detail": str(exc)}, status=401)
    if webhooks.seen_before(hook.key, message_id):
        return JsonResponse({"detail": "This webhook-id was received before."}, status=409)
    try:
        body = json.loads(request.body)
        if isinstance(body, dict):
            body.setdefault("kind", hook.default_kind)
            body.setdefault("channel", "webhook")
        payload = FeedbackIn.model_validate(body)
    except json.JSONDecodeError:
        return JsonResponse({"detail": [{"loc": ["body"], "msg": "Not valid JSON."}]}, status=422)
    except SchemaError as exc:
        detail = [{"loc": ["body", *map(str, e["loc"])], "msg": e["msg"]} for e in exc.errors()]
        return JsonResponse({"detail": detail}, status=422)
    data = payload.model_dump()
    tags = data.pop("tags")
    data.pop("team_id", None)
    customer = None
    customer_id = data.pop("customer_id")
    number = data.pop("customer_external_id")
    if customer_id or number:
        lookup: dict[str, Any] = {"pk": customer_id} if customer_id else {"external_id": number}
        customer = Customer.objects.filter(organisation=hook.organisation, **lookup).first()
        if customer is None:
            field = "customer_id" if customer_id else "customer_external_id"
            return JsonResponse(
                {"detail": [{"loc": ["body", field], "msg": "No such customer."}]}, status=422
            )
    if data["language"] is None:
        data.pop("language")
    if not data["external_id"]:
        data["external_id"] = f"hook:{message_id}"[:120]
    try:
        feedback, created = services.record_feedback(
            hook.organisation, customer=customer, tags=tags, defer_listeners=True, **data
        )
    except ValidationError as exc:
        detail = [{"loc": ["body", k], "msg": " ".join(v)} for k, v in exc.message_dict.items()]
        return JsonResponse({"detail": detail}, status=422)
    InboundHook.objects.filter(pk=hook.pk).update(last_received_at=timezone.now())
    return JsonResponse({"id": feedback.pk, "created": created}, status=201 if created else 200)


def _event_choices() -> list[tuple[str, Any]]:
    return list(hook_events.EVENTS.items())


class OutboundHookForm(forms.Form):
    label_suffix = ""
    url = forms.URLField(label=gettext_lazy("URL"), max_length=500, assume_scheme="https")
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=_event_choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(hook_events.EVENTS),
        help_text=gettext_lazy("With every event ticked, event types added later are sent too."),
        error_messages={"required": gettext_lazy("Choose at least one event.")},
    )

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        try:
            outgoing.check_url(url)
        except outgoing.RefusedURL as exc:
            raise forms.ValidationError(exc.public) from None
        return url


class HookEventsForm(forms.Form):
    """The event filter and the switch of one existing endpoint."""

    label_suffix = ""
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=_event_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one event.")},
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)


class InboundHookForm(forms.Form):
    label_suffix = ""
    name = forms.CharField(label=gettext_lazy("Name of the other system"), max_length=100)


def _admin(request: HttpRequest) -> None:
    from django.core.exceptions import PermissionDenied

    if not request.person.is_admin:  # type: ignore[attr-defined]
        raise PermissionDenied(_("Only administrators manage webhooks."))


def _hook_forms(outbound: list[OutboundHook], posted: HookEventsForm | None, posted_id: int) -> Any:
    for hook in outbound:
        if posted is not None and hook.pk == posted_id:
            hook.form = posted  # type: ignore[attr-defined]
        else:
            hook.form = HookEventsForm(  # type: ignore[attr-defined]
                prefix=f"hook{hook.pk}",
                initial={
                    "events": hook.events or list(hook_events.EVENTS),
                    "is_active": hook.is_active,
                },
            )
    return outbound


# A signing secret is shown in full once, on the page right after it was made; afterwards only
# its first and last characters. It stays readable in the database (signing needs it), but no
# page or API answer shows it again.
REVEAL = {"in": "webhook-reveal-in", "out": "webhook-reveal-out"}


def mask(secret: str) -> str:
    return f"{secret[:6]}…{secret[-4:]}" if len(secret) > 12 else "…"


def _secrets(request: HttpRequest, direction: str, hooks: list[Any]) -> None:
    reveal = request.session.pop(REVEAL[direction], None) if request.method == "GET" else None
    for hook in hooks:
        hook.shown_secret = hook.secret if hook.pk == reveal else None  # type: ignore[attr-defined]
        hook.masked_secret = mask(hook.secret)  # type: ignore[attr-defined]


@employee_required
def settings_page(
    request: HttpRequest, posted: HookEventsForm | None = None, posted_id: int = 0
) -> HttpResponse:
    _admin(request)
    organisation = request.organisation  # type: ignore[attr-defined]
    inbound_form = InboundHookForm(request.POST if "inbound" in request.POST else None)
    outbound_form = OutboundHookForm(request.POST if "outbound" in request.POST else None)
    if request.method == "POST" and posted is None:
        if "inbound" in request.POST and inbound_form.is_valid():
            hook = InboundHook.objects.create(
                organisation=organisation, **inbound_form.cleaned_data
            )
            audit.created(hook, ("name", "default_kind", "is_active", "secret"))
            request.session[REVEAL["in"]] = hook.pk
            messages.success(request, _("Incoming webhook created."))
            return redirect("webhook-settings")
        if "outbound" in request.POST and outbound_form.is_valid():
            try:
                created = webhooks.create_outbound_hook(organisation, **outbound_form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    outbound_form.add_error(
                        field if field in outbound_form.fields else None, errors
                    )
            else:
                request.session[REVEAL["out"]] = created.pk
                messages.success(request, _("Outgoing webhook added."))
                return redirect("webhook-settings")
    outbound = list(OutboundHook.objects.filter(organisation=organisation))
    inbound = list(InboundHook.objects.filter(organisation=organisation))
    _secrets(request, "in", inbound)
    _secrets(request, "out", outbound)
    status = 422 if posted is not None or (request.method == "POST") else 200
    context = {
        "inbound": inbound,
        "outbound": _hook_forms(outbound, posted, posted_id),
        "deliveries": Delivery.objects.filter(organisation=organisation).select_related("hook")[
            :DELIVERY_LOG_SIZE
        ],
        "inbound_form": inbound_form,
        "outbound_form": outbound_form,
        "event_names": hook_events.EVENTS,
        "base_url": request.build_absolute_uri("/").rstrip("/"),
    }
    return render(request, "voice/webhooks.html", context, status=status)


DELIVERY_LOG_SIZE = 50


@employee_required
@require_POST
def hook_events_view(request: HttpRequest, hook_id: int) -> HttpResponseBase:
    """Change which events one endpoint takes, and whether it is active."""
    _admin(request)
    hook = get_scoped_or_404(request.person, OutboundHook, hook_id)  # type: ignore[attr-defined]
    form = HookEventsForm(request.POST, prefix=f"hook{hook.pk}")
    if not form.is_valid():
        return settings_page(request, posted=form, posted_id=hook.pk)
    webhooks.update_outbound_hook(hook, **form.cleaned_data)
    messages.success(request, _("Webhook settings saved."))
    return redirect("webhook-settings")


@employee_required
@require_POST
def send_test(request: HttpRequest, hook_id: int) -> HttpResponse:
    _admin(request)
    hook = get_scoped_or_404(request.person, OutboundHook, hook_id)  # type: ignore[attr-defined]
    webhooks.send_test_event(hook)
    messages.success(request, _("Test event queued; its result appears in the delivery log."))
    return redirect("webhook-settings")


@employee_required
@require_POST
def redeliver(request: HttpRequest, delivery_id: int) -> HttpResponse:
    _admin(request)
    delivery = get_scoped_or_404(request.person, Delivery, delivery_id)  # type: ignore[attr-defined]
    with transaction.atomic():
        webhooks.redeliver(delivery)
    messages.success(request, _("Delivery queued to be sent again."))
    return redirect("webhook-settings")


@employee_required
@require_POST
def delete_hook(request: HttpRequest, direction: str, hook_id: int) -> HttpResponse:
    _admin(request)
    model = InboundHook if direction == "in" else OutboundHook
    hook = get_scoped_or_404(request.person, model, hook_id)  # type: ignore[attr-defined]
    audit.deleted(hook, ("url",) if direction == "out" else ("name",))
    hook.delete()
    messages.success(request, _("Webhook removed."))
    return redirect("webhook-settings")
