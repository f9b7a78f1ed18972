"""Customer email in and out: the mailboxes an organisation connects, every message read from
them (kept by its Message-ID, so reading one twice adds nothing), the attachments kept, and the
answers sent back by email with the headers that thread them in the customer's mail client."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from outsidein.core.models import Team, TenantModel
from outsidein.voice.models import FeedbackKind


class MailboxKind(models.TextChoices):
    COMPLAINT = FeedbackKind.COMPLAINT.value, FeedbackKind.COMPLAINT.label
    QUESTION = FeedbackKind.QUESTION.value, FeedbackKind.QUESTION.label


class Mailbox(TenantModel):
    """An IMAP mailbox read over TLS. The password is stored encrypted (see ``crypto``)."""

    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. the service address"))
    host = models.CharField(_("IMAP server"), max_length=255, help_text=_("e.g. imap.example.com"))
    port = models.PositiveIntegerField(_("port"), default=993)
    username = models.CharField(_("user name"), max_length=255)
    password_encrypted = models.TextField(editable=False)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    kind = models.CharField(
        _("new mails become"),
        max_length=10,
        choices=MailboxKind.choices,
        default=MailboxKind.COMPLAINT,
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default team"),
        help_text=_("Where new items go when no routing rule chooses a team."),
    )
    address = models.EmailField(
        _("reply address"),
        help_text=_("Answers written on an item are sent from this address (its own mailbox)."),
    )
    ca_certificate = models.TextField(
        _("CA certificate (PEM)"),
        blank=True,
        help_text=_(
            "Only for a server whose certificate your own authority signed: paste that "
            "authority's certificate. Empty: the certificate must be trusted by this system. "
            "Certificates are always checked."
        ),
    )
    poll_minutes = models.PositiveSmallIntegerField(_("read every (minutes)"), default=5)
    is_active = models.BooleanField(_("active"), default=True)
    # The worker's schedule and lease (one worker reads a mailbox at a time).
    next_poll_at = models.DateTimeField(null=True, blank=True)
    lease_holder = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Where reading stopped: messages with a higher UID are new (reset when UIDVALIDITY changes).
    uid_validity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(_("last read"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.check_same_organisation(team=self.team)


class MailStatus(models.TextChoices):
    ITEM = "item", _("New item")
    REPLY = "reply", _("Reply on an item")
    IGNORED = "ignored", _("Ignored (auto-reply or bounce)")
    FAILED = "failed", _("Could not be read")


class InboundMail(TenantModel):
    """One message read from a mailbox. ``key`` is its Message-ID (or, without one, a hash of
    the raw message): unique per organisation, so a message read twice is stored once."""

    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    key = models.CharField(max_length=255)
    message_id = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=MailStatus.choices)
    sender = models.CharField(_("from"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    references = models.TextField(blank=True)
    feedback = models.ForeignKey(
        "voice.Feedback", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "practice.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept for messages that could not be read, so nothing is lost and they can be read again.
    raw = models.FileField(upload_to="mailin/raw/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("email received")
        verbose_name_plural = _("emails received")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key"], name="inboundmail_unique_key_per_org"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "-created_at"], name="inmail_status"),
        ]

    def __str__(self) -> str:
        return self.subject or self.key


class MailAttachment(TenantModel):
    mail = models.ForeignKey(InboundMail, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    file = models.FileField(upload_to="mailin/attachments/%Y/%m/")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.filename


class OutboundStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")


class OutboundMail(TenantModel):
    """An answer written on an item, sent to the customer by email."""

    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey("practice.Case", on_delete=models.CASCADE, related_name="+")
    note = models.OneToOneField(
        "practice.CaseNote", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message_id = models.CharField(max_length=255, unique=True)
    in_reply_to = models.TextField(blank=True)
    references = models.TextField(blank=True)
    to = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=OutboundStatus.choices, default=OutboundStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("email answer")
        verbose_name_plural = _("email answers")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject
