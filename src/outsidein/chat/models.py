"""A chat channel (a Slack or Teams incoming webhook) of a team, and the messages sent to it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from outsidein.core.models import Language, Person, Team, TenantModel


class Service(models.TextChoices):
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


class LastResult(models.TextChoices):
    NONE = "", _("Nothing sent yet")
    DELIVERED = "delivered", _("Delivered")
    RETRYING = "retrying", _("Failed, will retry")
    FAILED = "failed", _("Failed, gave up")


class ChatChannel(TenantModel):
    """Where a team's notifications go. The webhook URL is the credential: stored encrypted
    (``chat.crypto``), shown afterwards only as ``url_hint``."""

    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
        help_text=_("Empty: the whole organisation (every team's events)."),
    )
    service = models.CharField(_("service"), max_length=10, choices=Service.choices)
    name = models.CharField(_("channel name"), max_length=100, blank=True)
    url_encrypted = models.TextField(editable=False)
    url_hint = models.CharField(max_length=120, editable=False)
    events = models.JSONField(_("events"), default=list, blank=True)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Language.choices,
        blank=True,
        help_text=_("Empty: the organisation's language."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The last delivery, shown on the settings page.
    last_result = models.CharField(
        max_length=10, choices=LastResult.choices, blank=True, default=LastResult.NONE
    )
    last_error = models.CharField(max_length=300, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("chat channel")
        verbose_name_plural = _("chat channels")
        ordering = ["team__name", "pk"]

    def __str__(self) -> str:
        return f"{self.get_service_display()} {self.name or self.url_hint}"

    def wants(self, event: str) -> bool:
        return event in (self.events or [])


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Gave up")


class ChatMessage(TenantModel):
    """One message to one channel, rendered in the channel's language when the event happened;
    sent and retried by the worker like a webhook delivery."""

    channel = models.ForeignKey(ChatChannel, on_delete=models.CASCADE, related_name="messages")
    event = models.CharField(max_length=40)
    key = models.CharField(max_length=120)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["channel", "key"], name="chat_message_once")]

    def __str__(self) -> str:
        return f"{self.event} → {self.channel}"
