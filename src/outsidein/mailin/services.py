"""Mailboxes: connecting one, testing the connection, and reading it under a lease."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from outsidein import audit
from outsidein.core.models import Organisation
from outsidein.core.services import apply_changes
from outsidein.jobs.leases import Heartbeat, heartbeat_interval, lease_duration, worker_id
from outsidein.mailin import crypto, imap
from outsidein.mailin.ingest import ingest
from outsidein.mailin.models import InboundMail, Mailbox, MailStatus

logger = logging.getLogger(__name__)

MAILBOX_FIELDS = (
    "name",
    "host",
    "port",
    "username",
    "folder",
    "kind",
    "team",
    "address",
    "ca_certificate",
    "poll_minutes",
    "is_active",
)
AUDITED = (*MAILBOX_FIELDS[:-1], "password_encrypted")
MAX_PER_POLL = 200  # messages read in one pass; the rest wait for the next


def _check(mailbox: Mailbox) -> None:
    if mailbox.ca_certificate.strip():
        try:
            imap.tls_context(mailbox.ca_certificate)
        except imap.MailboxError as exc:
            raise ValidationError({"ca_certificate": str(exc)}) from None
    if not 1 <= mailbox.port <= 65535:
        raise ValidationError({"port": _("A port lies between 1 and 65535.")})
    if mailbox.poll_minutes < 1:
        raise ValidationError({"poll_minutes": _("Read the mailbox at most once a minute.")})
    mailbox.full_clean(exclude=["password_encrypted"])


@transaction.atomic
def create_mailbox(organisation: Organisation, *, password: str, **fields: Any) -> Mailbox:
    if not password:
        raise ValidationError({"password": _("Give the mailbox's password.")})
    mailbox = Mailbox(organisation=organisation)
    apply_changes(mailbox, fields, MAILBOX_FIELDS)
    mailbox.password_encrypted = crypto.encrypt(password)
    _check(mailbox)
    mailbox.save()
    audit.created(mailbox, AUDITED)
    return mailbox


@transaction.atomic
def update_mailbox(mailbox: Mailbox, *, password: str = "", **changes: Any) -> Mailbox:
    """An empty password keeps the stored one."""
    before = audit.snapshot(mailbox, AUDITED)
    apply_changes(mailbox, changes, MAILBOX_FIELDS)
    if password:
        mailbox.password_encrypted = crypto.encrypt(password)
    _check(mailbox)
    mailbox.next_poll_at = None  # read with the new settings at the next pass
    mailbox.save()
    audit.changed(mailbox, before, AUDITED)
    return mailbox


@transaction.atomic
def delete_mailbox(mailbox: Mailbox) -> None:
    audit.deleted(mailbox, ("name", "host", "username"))
    mailbox.delete()


def account(mailbox: Mailbox, *, password: str = "") -> imap.Account:
    if not password:
        try:
            password = crypto.decrypt(mailbox.password_encrypted)
        except crypto.UnreadableSecret:
            raise imap.MailboxError(
                "credentials",
                _("The stored password cannot be read (the secret key changed); enter it again."),
            ) from None
    return imap.Account(
        host=mailbox.host,
        port=mailbox.port,
        username=mailbox.username,
        password=password,
        folder=mailbox.folder,
        ca_certificate=mailbox.ca_certificate,
    )


def check_connection(mailbox: Mailbox) -> str:
    """Connect, log in and open the folder; the outcome in words. Raises ``MailboxError``."""
    with imap.connect(account(mailbox)) as client:
        count = imap.message_count(client)
    return _("Connected: %(n)s messages in %(folder)s.") % {"n": count, "folder": mailbox.folder}


@dataclass
class PollResult:
    read: int = 0
    items: int = 0
    replies: int = 0
    ignored: int = 0
    failed: int = 0
    error: str = ""

    def line(self, mailbox: Mailbox) -> str:
        if self.error:
            return f"{mailbox.name}: {self.error}"
        return (
            f"{mailbox.name}: {self.read} read, {self.items} new items, {self.replies} replies, "
            f"{self.ignored} ignored, {self.failed} failed."
        )


def poll(mailbox: Mailbox, *, still_mine: Any = None) -> PollResult:
    """Read the messages that arrived since the last pass. Each message is stored on its own:
    a bad one is kept as a failure and the others go on. ``still_mine()`` is asked between
    messages; False (the lease was lost) stops the pass."""
    result = PollResult()
    try:
        with imap.connect(account(mailbox)) as client:
            validity = imap.uid_validity(client)
            if validity != mailbox.uid_validity:
                mailbox.uid_validity, mailbox.last_uid = validity, 0
            for uid in imap.new_uids(client, mailbox.last_uid)[:MAX_PER_POLL]:
                if still_mine is not None and not still_mine():
                    break
                raw = imap.fetch(client, uid)
                if raw is not None:
                    mail = ingest(mailbox, raw)
                    result.read += 1
                    if mail is not None:
                        field = {
                            MailStatus.ITEM: "items",
                            MailStatus.REPLY: "replies",
                            MailStatus.IGNORED: "ignored",
                            MailStatus.FAILED: "failed",
                        }[MailStatus(mail.status)]
                        setattr(result, field, getattr(result, field) + 1)
                mailbox.last_uid = uid
                Mailbox.objects.filter(pk=mailbox.pk).update(
                    uid_validity=mailbox.uid_validity, last_uid=uid
                )
    except imap.MailboxError as exc:
        result.error = str(exc)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        uid_validity=mailbox.uid_validity,
        last_uid=mailbox.last_uid,
        last_polled_at=timezone.now(),
        last_error=result.error[:500],
    )
    return result


# --- the schedule: each mailbox every poll_minutes, one worker at a time ---------------------


def _free(now: datetime) -> Q:
    return Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now)


def claim(mailbox_id: int, holder: str, now: datetime | None = None) -> bool:
    """Take the mailbox's lease; False when another worker holds it."""
    now = now or timezone.now()
    return bool(
        Mailbox.objects.filter(_free(now), pk=mailbox_id).update(
            lease_holder=holder, lease_expires_at=now + lease_duration()
        )
    )


def release(mailbox_id: int, holder: str) -> None:
    Mailbox.objects.filter(pk=mailbox_id, lease_holder=holder).update(
        lease_holder="", lease_expires_at=None
    )


def due_mailboxes(now: datetime) -> list[int]:
    return list(
        Mailbox.objects.filter(_free(now), is_active=True)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .values_list("pk", flat=True)
    )


def schedule_due(now: datetime | None = None) -> list[int]:
    """Called by every worker's maintenance loop: moves each due mailbox's next time on (one
    UPDATE decides between workers) and enqueues its poll task. Returns the mailboxes
    enqueued here."""
    from outsidein.mailin.dispatch import enqueue_poll

    now = now or timezone.now()
    enqueued = []
    for box in Mailbox.objects.filter(pk__in=due_mailboxes(now)).only("pk", "poll_minutes"):
        moved = (
            Mailbox.objects.filter(_free(now), pk=box.pk, is_active=True)
            .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
            .update(next_poll_at=now + timedelta(minutes=box.poll_minutes))
        )
        if moved:
            enqueue_poll(box.pk)
            enqueued.append(box.pk)
    return enqueued


def poll_with_lease(mailbox_id: int) -> PollResult | None:
    """Poll one mailbox while holding its lease (renewed by a heartbeat); None when another
    worker is reading it."""
    holder = worker_id()
    if not claim(mailbox_id, holder):
        return None
    mine = Mailbox.objects.filter(pk=mailbox_id, lease_holder=holder)

    def renew() -> bool:
        return bool(mine.update(lease_expires_at=timezone.now() + lease_duration()))

    try:
        mailbox = Mailbox.objects.select_related("organisation", "team").get(pk=mailbox_id)
        with Heartbeat(renew, interval=heartbeat_interval(), name=f"mailbox-{mailbox_id}") as beat:
            return poll(mailbox, still_mine=lambda: not beat.lost)
    finally:
        release(mailbox_id, holder)


def poll_all(organisation: Organisation | None = None) -> tuple[list[str], int]:
    """``outsidein mail poll``: every active mailbox now (each under its lease). Returns one
    line per mailbox and how many could not be read."""
    boxes = Mailbox.objects.filter(is_active=True)
    if organisation is not None:
        boxes = boxes.filter(organisation=organisation)
    lines, failed = [], 0
    for mailbox in boxes.order_by("pk"):
        result = poll_with_lease(mailbox.pk)
        if result is None:
            lines.append(f"{mailbox.name}: being read by another worker; skipped.")
            continue
        lines.append(result.line(mailbox))
        failed += bool(result.error)
    return lines, failed


def failures(organisation: Organisation) -> Any:
    return InboundMail.objects.filter(
        organisation=organisation, status=MailStatus.FAILED
    ).select_related("mailbox")
