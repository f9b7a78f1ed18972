"""Chat notifications: which channels take an event, the message in each channel's language,
delivery with retries through the safe outgoing client, and managing channels.

Events reach here after the transaction that caused them commits (``chat.notify``); each one
costs one query when the organisation has no chat channel.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from outsidein import audit
from outsidein.chat import cards, crypto, events
from outsidein.chat.cards import Link, Notice
from outsidein.chat.models import ChatChannel, ChatMessage, LastResult, MessageStatus, Service
from outsidein.core import outgoing
from outsidein.core.models import Organisation, Person, Team

# The webhooks' schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
from outsidein.voice.webhooks import RETRY_DELAYS

logger = logging.getLogger(__name__)

DELIVERY_TIMEOUT = 10
BREACH_LIST_LIMIT = 10
SLACK_HOSTS = ("hooks.slack.com",)
CHANNEL_FIELDS = ("service", "name", "team", "events", "language", "is_active", "url_hint")

Build = Callable[[ChatChannel], tuple[str, Notice] | None]


def link(path: str) -> str:
    """An absolute link for a message (chat tools need the whole address)."""
    return settings.BASE_URL.rstrip("/") + path


def _when(moment: Any) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") if moment else "–"


# --- which channels, and sending -------------------------------------------------------------


def _team_chain(organisation_id: int, team_id: int | None) -> set[int]:
    """The team and the departments above it: a department's channel hears its teams."""
    if team_id is None:
        return set()
    parents = dict(
        Team.objects.filter(organisation_id=organisation_id).values_list("pk", "parent_id")
    )
    chain: set[int] = set()
    current: int | None = team_id
    while current is not None and current in parents and current not in chain:
        chain.add(current)
        current = parents[current]
    return chain


def channels_for(organisation_id: int, event: str, team_id: int | None) -> list[ChatChannel]:
    """The organisation's active channels that take ``event`` for this team: the team's own,
    its departments' and the organisation-wide ones (no team). One query when there are none."""
    channels = [
        channel
        for channel in ChatChannel.objects.filter(
            organisation_id=organisation_id, is_active=True
        ).select_related("organisation")
        if channel.wants(event)
    ]
    if not channels:
        return []
    chain = _team_chain(organisation_id, team_id) if any(c.team_id for c in channels) else set()
    return [c for c in channels if c.team_id is None or c.team_id in chain]


def language_of(channel: ChatChannel) -> str:
    return channel.language or channel.organisation.language


def dispatch(organisation_id: int, event: str, team_id: int | None, build: Build) -> list[int]:
    """Write one message per channel that takes the event (rendered in its language) and hand
    each to the worker. Returns the new message ids."""
    channels = channels_for(organisation_id, event, team_id)
    return _queue(event, channels, build)


def _queue(event: str, channels: Iterable[ChatChannel], build: Build) -> list[int]:
    created: list[int] = []
    now = timezone.now()
    for channel in channels:
        language = language_of(channel)
        with translation.override(language):
            built = build(channel)
        if built is None:
            continue
        key, notice = built
        notice = dataclasses.replace(notice, language=language)
        try:
            with transaction.atomic():
                message = ChatMessage.objects.create(
                    organisation_id=channel.organisation_id,
                    channel=channel,
                    event=event,
                    key=key[:120],
                    payload=cards.render(channel.service, notice),
                    next_attempt_at=now,
                )
        except IntegrityError:  # this channel was told before (the step ran twice)
            continue
        created.append(message.pk)
        transaction.on_commit(partial(enqueue_message, message.pk), robust=True)
    return created


def enqueue_message(message_id: int) -> None:
    """Hand one message to the worker (by name: tasks import this module, not the reverse)."""
    from outsidein.chat.tasks import deliver_chat_message

    try:
        deliver_chat_message.enqueue(message_id=message_id)
    except Exception:
        logger.warning("Could not enqueue chat message %s", message_id, exc_info=True)


def is_due(message_id: int) -> bool:
    due = (
        ChatMessage.objects.filter(pk=message_id, status=MessageStatus.PENDING)
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return due is not None and due <= timezone.now() + timedelta(seconds=2)


def _public_error(exc: outgoing.OutgoingError) -> str:
    """What the settings page says about a failed delivery."""
    if exc.status == 400:
        return _("HTTP 400: the service refused the message.")
    if exc.status in (401, 403, 404, 410):
        return _(
            "HTTP %(status)s: the service does not know this webhook URL (any more). Create a "
            "new one in Slack or Teams and replace it here."
        ) % {"status": exc.status}
    if exc.status == 429:
        return _("HTTP 429: the service asks to slow down; outsidein tries again later.")
    return exc.public


def attempt(message_id: int) -> ChatMessage:
    """One delivery attempt; on failure schedule the next with backoff, or give up. The
    channel keeps the last result for the settings page."""
    message = ChatMessage.objects.select_related("channel", "channel__organisation").get(
        pk=message_id
    )
    if message.status != MessageStatus.PENDING:
        return message
    channel = message.channel
    now = timezone.now()
    message.attempts += 1
    retry = True
    # The error is read by the organisation's administrators: in the organisation's language.
    with translation.override(channel.organisation.language):
        try:
            url = crypto.decrypt(channel.url_encrypted)
            body = json.dumps(message.payload, separators=(",", ":")).encode()
            response = outgoing.post(
                url,
                body,
                headers={"content-type": "application/json"},
                timeout=DELIVERY_TIMEOUT,
            )
        except crypto.Unreadable:
            message.last_error = _(
                "The stored webhook URL cannot be read (the server's secret key changed). "
                "Remove this channel and add it again."
            )
            retry = False
        except outgoing.OutgoingError as exc:
            message.last_status_code = exc.status
            message.last_error = _public_error(exc)[:300]
            retry = exc.status not in (400, 401, 403, 404, 410)
            logger.info("Chat message %s failed: %s", message.pk, exc.detail)
        else:
            message.last_status_code = response.status
            message.status = MessageStatus.DELIVERED
            message.delivered_at = now
            message.last_error = ""
    if message.status == MessageStatus.PENDING:
        if not retry or message.attempts > len(RETRY_DELAYS):
            message.status = MessageStatus.FAILED
            message.next_attempt_at = None
        else:
            message.next_attempt_at = now + timedelta(seconds=RETRY_DELAYS[message.attempts - 1])
    message.last_error = message.last_error[:300]
    message.save()
    result = {
        MessageStatus.DELIVERED: LastResult.DELIVERED,
        MessageStatus.FAILED: LastResult.FAILED,
    }.get(message.status, LastResult.RETRYING)  # type: ignore[call-overload]
    changes: dict[str, Any] = {
        "last_result": result,
        "last_error": message.last_error,
        "last_attempt_at": now,
    }
    if message.status == MessageStatus.DELIVERED:
        changes["last_delivered_at"] = now
    ChatChannel.objects.filter(pk=channel.pk).update(**changes)
    return message


# --- the events ------------------------------------------------------------------------------


def case_opened(case_id: int) -> list[int]:
    """A new customer item: an unhappy customer's follow-up, or a new item in the queue."""
    from outsidein.practice.models import Case, CaseKind, CaseStatus

    case = (
        Case.objects.select_related("customer", "team")
        .filter(pk=case_id)
        .exclude(status=CaseStatus.CLOSED)
        .first()
    )
    if case is None:
        return []
    follow_up = case.kind == CaseKind.FOLLOW_UP
    event = events.FOLLOW_UP if follow_up else events.QUEUE_NEW
    url = link(reverse("case-detail", args=[case.pk]))

    def build(channel: ChatChannel) -> tuple[str, Notice]:
        customer = case.customer.name if case.customer else _("a customer")
        facts = []
        if case.team:
            facts.append((_("Team"), case.team.name))
        if follow_up:
            title = _("Unhappy customer waiting for a follow-up: %(customer)s") % {
                "customer": customer
            }
            facts.append((_("Follow up before"), _when(case.first_response_due)))
        else:
            title = (
                _("New in the queue of %(team)s") % {"team": case.team.name}
                if case.team
                else _("New customer item in the queue")
            )
            facts += [
                (_("Kind"), str(case.get_kind_display())),
                (_("Customer"), customer),
                (_("Priority"), str(case.get_priority_display())),
                (_("Answer before"), _when(case.first_response_due)),
            ]
        notice = Notice(
            title=title, text=case.subject, facts=facts, button=Link(_("Open the item"), url)
        )
        return f"{event}:{case.pk}", notice

    return dispatch(case.organisation_id, event, case.team_id, build)


def targets_breached(organisation_id: int, case_ids: list[int]) -> list[int]:
    """Customer items past their response-time target: one message per channel listing the
    channel's own (each item is announced once: the practice round marks them)."""
    from outsidein.practice.models import Case

    cases = list(
        Case.objects.filter(organisation_id=organisation_id, pk__in=case_ids)
        .select_related("team")
        .order_by("opened_at", "pk")
    )
    if not cases:
        return []
    channels = [
        c
        for c in ChatChannel.objects.filter(
            organisation_id=organisation_id, is_active=True
        ).select_related("organisation")
        if c.wants(events.TARGET_BREACHED)
    ]
    if not channels:
        return []
    chains = {case.team_id: _team_chain(organisation_id, case.team_id) for case in cases}
    queue_url = link(reverse("queue") + "?view=breached")

    def build(channel: ChatChannel) -> tuple[str, Notice] | None:
        mine = [
            case
            for case in cases
            if channel.team_id is None or channel.team_id in chains[case.team_id]
        ]
        if not mine:
            return None
        shown = mine[:BREACH_LIST_LIMIT]
        lines = [
            Link(
                f"{case.subject} · {case.team.name if case.team else _('no team')} · "
                + _("due %(when)s") % {"when": _when(case.due_at())},
                link(reverse("case-detail", args=[case.pk])),
            )
            for case in shown
        ]
        more = (
            _("and %(count)s more") % {"count": len(mine) - len(shown)}
            if len(mine) > len(shown)
            else ""
        )
        title = ngettext(
            "%(count)s customer item is past its response-time target",
            "%(count)s customer items are past their response-time target",
            len(mine),
        ) % {"count": len(mine)}
        if len(mine) == 1:
            button = Link(_("Open the item"), lines[0].url)
        else:
            button = Link(_("Open the breached items"), queue_url)
        digest = hashlib.sha256(",".join(str(c.pk) for c in mine).encode()).hexdigest()[:24]
        notice = Notice(title=title, lines=lines, more=more, button=button)
        return f"{events.TARGET_BREACHED}:{digest}", notice

    return _queue(events.TARGET_BREACHED, channels, build)


def theme_growing(theme_id: int, figures: dict[str, Any]) -> list[int]:
    """Customers write more about a theme than the period before (significantly)."""
    from outsidein.text.models import Theme

    theme = Theme.objects.filter(pk=theme_id).first()
    if theme is None:
        return []
    url = link(reverse("text-theme", args=[theme.pk]))
    growth = float(figures.get("growth") or 0.0)

    def build(channel: ChatChannel) -> tuple[str, Notice]:
        facts = [
            (_("Mentions, last 30 days"), str(figures.get("volume", "–"))),
            (_("Mentions, 30 days before"), str(figures.get("before", "–"))),
            (
                _("Share of feedback"),
                _("+%(points)s percentage points") % {"points": f"{growth * 100:.1f}"},
            ),
        ]
        notice = Notice(
            title=_("Customers write more about “%(name)s”") % {"name": theme.name},
            text=theme.description,
            facts=facts,
            button=Link(_("Open the theme"), url),
        )
        return f"{events.THEME_GROWING}:{theme.pk}:{timezone.localdate().isoformat()}", notice

    return dispatch(theme.organisation_id, events.THEME_GROWING, theme.owner_team_id, build)


def decision_needs_input(decision_id: int) -> list[int]:
    """A decision was proposed without customer evidence: ask the team for it."""
    from outsidein.practice.models import Decision

    decision = Decision.objects.select_related("team", "owner").filter(pk=decision_id).first()
    if decision is None or decision.evidence.exists():
        return []
    url = link(reverse("decision-detail", args=[decision.pk]))

    def build(channel: ChatChannel) -> tuple[str, Notice]:
        facts = []
        if decision.team:
            facts.append((_("Team"), decision.team.name))
        if decision.owner:
            facts.append((_("Owner"), decision.owner.name))
        notice = Notice(
            title=_("A decision needs customer input: %(title)s") % {"title": decision.title},
            text=_(
                "It was proposed without customer evidence. Add what customers said or did "
                "before it is taken."
            ),
            facts=facts,
            button=Link(_("Open the decision"), url),
        )
        return f"{events.DECISION_INPUT}:{decision.pk}", notice

    return dispatch(decision.organisation_id, events.DECISION_INPUT, decision.team_id, build)


# --- managing channels -----------------------------------------------------------------------


def clean_events(chosen: Any) -> list[str]:
    if chosen is None:
        return []
    if not isinstance(chosen, list | tuple) or not all(isinstance(e, str) for e in chosen):
        raise ValidationError({"events": _("Give a list of events.")})
    unknown = sorted(set(chosen) - set(events.EVENTS))
    if unknown:
        raise ValidationError(
            {"events": _("Unknown event: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    return [e for e in events.EVENTS if e in set(chosen)]


def check_url(service: str, url: str) -> str:
    """A webhook URL a tenant gives: http(s), reachable by the safe client, and for Slack one
    of Slack's webhook hosts (unless the operator lets the host through)."""
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": _("Paste the webhook URL.")})
    try:
        outgoing.check_url(url)
    except outgoing.RefusedURL as exc:
        raise ValidationError({"url": exc.public}) from None
    host = (urlsplit(url).hostname or "").lower()
    allowed = {h.strip().lower() for h in getattr(settings, "OUTGOING_ALLOW_HOSTS", []) or []}
    if service == Service.SLACK and host not in SLACK_HOSTS and host not in allowed:
        raise ValidationError(
            {
                "url": _(
                    "A Slack incoming-webhook URL starts with https://hooks.slack.com/services/."
                )
            }
        )
    if urlsplit(url).scheme != "https" and host not in allowed:
        raise ValidationError({"url": _("Use the https:// address the service gave you.")})
    return url


def _check_team(organisation: Organisation, team: Team | None) -> None:
    if team is not None and team.organisation_id != organisation.pk:
        raise ValidationError({"team": _("This belongs to another organisation.")})


@transaction.atomic
def create_channel(
    organisation: Organisation,
    *,
    service: str,
    url: str,
    team: Team | None = None,
    name: str = "",
    events: Any = None,
    language: str = "",
    is_active: bool = True,
    created_by: Person | None = None,
) -> ChatChannel:
    if service not in Service.values:
        raise ValidationError({"service": _("Choose Slack or Microsoft Teams.")})
    _check_team(organisation, team)
    url = check_url(service, url)
    channel = ChatChannel(
        organisation=organisation,
        team=team,
        service=service,
        name=name.strip(),
        url_encrypted=crypto.encrypt(url),
        url_hint=crypto.hint(url),
        events=clean_events(events),
        language=language,
        is_active=is_active,
        created_by=created_by,
    )
    channel.full_clean(exclude=["organisation", "team", "created_by"])
    channel.save()
    audit.created(channel, CHANNEL_FIELDS)
    return channel


@transaction.atomic
def update_channel(channel: ChatChannel, **changes: Any) -> ChatChannel:
    """Change a channel: its events, language, name, switch, or a new webhook URL."""
    before = audit.snapshot(channel, CHANNEL_FIELDS)
    allowed = {"name", "events", "language", "is_active", "url"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    if "url" in changes:
        url = changes.pop("url")
        if url:
            url = check_url(channel.service, url)
            channel.url_encrypted = crypto.encrypt(url)
            channel.url_hint = crypto.hint(url)
            channel.last_result, channel.last_error = LastResult.NONE, ""
    if "events" in changes:
        changes["events"] = clean_events(changes["events"])
    for name, value in changes.items():
        setattr(channel, name, value)
    channel.full_clean(exclude=["organisation", "team", "created_by"])
    channel.save()
    audit.changed(channel, before, CHANNEL_FIELDS)
    return channel


@transaction.atomic
def delete_channel(channel: ChatChannel) -> None:
    audit.deleted(channel, ("service", "name", "team", "url_hint"))
    channel.delete()


@transaction.atomic
def send_test(channel: ChatChannel) -> ChatMessage:
    """A test message to this channel (whatever its events), sent by the worker."""
    chosen = [str(events.EVENTS[e]) for e in channel.events if e in events.EVENTS]

    def build(_channel: ChatChannel) -> tuple[str, Notice]:
        listed = ", ".join(str(events.EVENTS[e]) for e in channel.events if e in events.EVENTS)
        notice = Notice(
            title=_("Test message from outsidein"),
            text=(
                _("This channel is connected. It will receive: %(events)s.") % {"events": listed}
                if chosen
                else _("This channel is connected, but no events are chosen yet.")
            ),
            button=Link(_("Open the chat settings"), link(reverse("chat-settings"))),
        )
        return f"{events.TEST}:{uuid.uuid4().hex}", notice

    (message_id,) = _queue(events.TEST, [channel], build)
    return ChatMessage.objects.get(pk=message_id)
