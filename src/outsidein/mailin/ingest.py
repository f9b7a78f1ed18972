"""One raw message in: an item in the queue, a reply on an item, ignored, or a failure kept
with its raw bytes. Feedback is recorded through voice's ``record_feedback`` (the same rules
as every channel); the queue item is opened by its listeners."""

from __future__ import annotations

import email
import email.policy
import hashlib
import html
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outsidein.core.models import Customer, CustomerContactPerson, Organisation
from outsidein.mailin.models import InboundMail, MailAttachment, Mailbox, MailStatus, OutboundMail

logger = logging.getLogger(__name__)

_MSGID = re.compile(r"<[^<>\s]+>")


class Malformed(Exception):
    """The message cannot become an item; the text says why."""


def message_ids(value: str | None) -> list[str]:
    return _MSGID.findall(value or "")


def key_for(message_id: str, raw: bytes) -> str:
    if message_id and len(message_id) <= 255:
        return message_id
    return "sha256:" + hashlib.sha256(message_id.encode() if message_id else raw).hexdigest()


def is_automatic(message: EmailMessage, sender: str) -> bool:
    """Auto-replies, out-of-office answers, bounces and bulk mail: never an item."""
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return True
    if message.get("X-Autoreply") or message.get("X-Autorespond"):
        return True
    if str(message.get("Precedence", "")).strip().lower() in {"bulk", "auto_reply", "junk"}:
        return True
    if message.get_content_type() == "multipart/report":
        return True
    local = sender.split("@", 1)[0].lower()
    return local in {"mailer-daemon", "postmaster"}


_QUOTE_INTRO = re.compile(
    r"^(on .+ wrote:|op .+ schreef .+:|-----\s*original message\s*-----)\s*$", re.I
)


def _strip_quoted(text: str) -> str:
    """The new text of a reply: quoted lines (``>``) and what follows the quote intro removed."""
    lines = []
    for line in text.splitlines():
        if _QUOTE_INTRO.match(line.strip()):
            break
        if line.startswith(">"):
            continue
        lines.append(line)
    return "\n".join(lines).strip() or text.strip()


def _html_to_text(value: str) -> str:
    value = re.sub(r"(?is)<(script|style).*?</\1>", "", value)
    value = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", value)
    return html.unescape(re.sub(r"<[^>]+>", "", value)).strip()


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = part.get_content()
    if part.get_content_type() == "text/html":
        text = _html_to_text(text)
    return str(text).replace("\r\n", "\n").strip()


@dataclass
class Parsed:
    message_id: str
    sender: str
    name: str
    subject: str
    text: str
    sent_at: datetime | None
    thread_ids: list[str]
    automatic: bool
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)


def parse(raw: bytes) -> Parsed:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    if not message.keys():
        raise Malformed(_("The message has no headers; it is not an email."))
    name, sender = parseaddr(str(message.get("From", "")))
    if not sender or "@" not in sender:
        raise Malformed(_("The message has no valid sender address (From)."))
    ids = message_ids(str(message.get("Message-ID", "")))
    sent_at = None
    if message.get("Date"):
        try:
            sent_at = parsedate_to_datetime(str(message["Date"]))
            if timezone.is_naive(sent_at):
                sent_at = timezone.make_aware(sent_at, timezone.get_default_timezone())
        except (TypeError, ValueError):
            sent_at = None
    thread = message_ids(str(message.get("In-Reply-To", ""))) + message_ids(
        str(message.get("References", ""))
    )
    attachments = []
    for part in message.iter_attachments():
        if part.is_multipart():
            continue
        content = part.get_payload(decode=True) or b""
        filename = part.get_filename() or _("attachment")
        attachments.append((filename[:255], part.get_content_type()[:120], bytes(content)))
    return Parsed(
        message_id=ids[0] if ids else "",
        sender=sender.strip().lower()[:255],
        name=name.strip(),
        subject=str(message.get("Subject", "")).strip(),
        text=body_text(message),
        sent_at=sent_at,
        thread_ids=thread,
        automatic=is_automatic(message, sender),
        attachments=attachments,
    )


def find_customer(organisation: Organisation, address: str, name: str) -> Customer:
    """The customer with this email address (or whose contact person has it), or a new one."""
    customer = (
        Customer.objects.filter(organisation=organisation, email__iexact=address)
        .order_by("pk")
        .first()
    )
    if customer is not None:
        return customer
    contact = (
        CustomerContactPerson.objects.filter(organisation=organisation, email__iexact=address)
        .select_related("customer")
        .order_by("pk")
        .first()
    )
    if contact is not None:
        return contact.customer
    from outsidein.core.services import create_customer

    return create_customer(
        organisation, name=(name or address)[:200], email=address, language=organisation.language
    )


def _thread_case(organisation_id: int, ids: list[str]) -> Any:
    """The item a reply belongs to, by the Message-IDs it answers (ours or the customer's)."""
    if not ids:
        return None
    keys = [key_for(i, b"") for i in ids]
    mail = (
        InboundMail.objects.filter(
            organisation_id=organisation_id, key__in=keys, case__isnull=False
        )
        .select_related("case")
        .order_by("-pk")
        .first()
    )
    if mail is not None:
        return mail.case
    out = (
        OutboundMail.objects.filter(organisation_id=organisation_id, message_id__in=ids)
        .select_related("case")
        .order_by("-pk")
        .first()
    )
    return out.case if out is not None else None


def _keep_attachments(mail: InboundMail, parsed: Parsed) -> tuple[list[str], list[str]]:
    limit = settings.MAILIN_ATTACHMENT_MAX_BYTES
    kept, dropped = [], []
    for filename, content_type, content in parsed.attachments:
        if len(content) > limit:
            dropped.append(
                _("%(name)s (%(size)s, over the limit of %(limit)s) was not kept")
                % {
                    "name": filename,
                    "size": filesizeformat(len(content)),
                    "limit": filesizeformat(limit),
                }
            )
            continue
        attachment = MailAttachment(
            organisation_id=mail.organisation_id,
            mail=mail,
            filename=filename,
            content_type=content_type,
            size=len(content),
        )
        attachment.file.save(_safe_name(filename), ContentFile(content), save=False)
        attachment.save()
        kept.append(f"{filename} ({filesizeformat(len(content))})")
    return kept, dropped


def _safe_name(filename: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", filename)[-80:] or "attachment"


def _timeline(case: Any, text: str) -> None:
    from outsidein.practice.models import CaseNote, CaseNoteKind

    CaseNote.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        kind=CaseNoteKind.EVENT,
        text=text,
    )


def _attachment_lines(kept: list[str], dropped: list[str]) -> str:
    lines = []
    if kept:
        lines.append(_("Attachments kept: %(list)s.") % {"list": ", ".join(kept)})
    lines.extend(f"{line}." for line in dropped)
    return "\n".join(lines)


def _record_item(mailbox: Mailbox, mail: InboundMail, parsed: Parsed) -> None:
    from outsidein.practice.models import Case
    from outsidein.voice.services import record_feedback

    organisation = mailbox.organisation
    customer = find_customer(organisation, parsed.sender, parsed.name)
    feedback, _created = record_feedback(
        organisation,
        kind=mailbox.kind,
        channel="email",
        customer=customer,
        team=mailbox.team,
        subject=parsed.subject[:200],
        comment=parsed.text or parsed.subject,
        submitted_at=parsed.sent_at,
        external_id=f"mail:{mail.pk}",
    )
    mail.feedback = feedback
    mail.case = Case.objects.filter(feedback=feedback).first()
    kept, dropped = _keep_attachments(mail, parsed)
    mail.note = _attachment_lines(kept, dropped)
    mail.status = MailStatus.ITEM
    mail.save()
    if mail.case is not None:
        with translation.override(organisation.language):
            _timeline(
                mail.case,
                "\n".join(
                    line
                    for line in (
                        _("Received by email from %(sender)s in %(box)s.")
                        % {"sender": parsed.sender, "box": mailbox.name},
                        mail.note,
                    )
                    if line
                ),
            )


def _record_reply(mailbox: Mailbox, mail: InboundMail, parsed: Parsed, case: Any) -> None:
    from outsidein.practice import services as practice
    from outsidein.practice.models import CaseNote, CaseNoteKind, CaseStatus

    mail.case = case
    kept, dropped = _keep_attachments(mail, parsed)
    mail.note = _attachment_lines(kept, dropped)
    mail.status = MailStatus.REPLY
    mail.save()
    now = timezone.now()
    with translation.override(mailbox.organisation.language):
        if case.status == CaseStatus.CLOSED:
            practice._reopen(case)
            _timeline(case, _("Reopened: the customer replied by email."))
        elif case.status == CaseStatus.WAITING:
            practice._stop_waiting(case, now)
            case.save()
        head = _("Email from the customer (%(sender)s):") % {"sender": parsed.sender}
        text = "\n".join(part for part in (head, _strip_quoted(parsed.text), mail.note) if part)
    CaseNote.objects.create(
        organisation_id=mail.organisation_id,
        case=case,
        kind=CaseNoteKind.RESPONSE,
        text=text,
    )


def store_failure(
    mailbox: Mailbox, raw: bytes, error: str, *, key: str = "", message_id: str = ""
) -> InboundMail | None:
    """Keep a message that could not be read, with its raw bytes and the reason."""
    key = key or key_for(message_id, raw)
    mail = InboundMail(
        organisation_id=mailbox.organisation_id,
        mailbox=mailbox,
        key=key,
        message_id=message_id,
        status=MailStatus.FAILED,
        error=error[:2000],
    )
    try:
        with transaction.atomic():
            mail.raw.save(
                f"{hashlib.sha256(raw).hexdigest()[:24]}.eml", ContentFile(raw), save=False
            )
            mail.save()
    except IntegrityError:
        return None
    return mail


def ingest(mailbox: Mailbox, raw: bytes) -> InboundMail | None:
    """Read one raw message. Returns what was stored, or None when it was read before.
    Never raises for a bad message: it is kept as a failure with its raw bytes."""
    try:
        parsed = parse(raw)
    except Exception as exc:
        message = exc if isinstance(exc, Malformed) else f"{type(exc).__name__}: {exc}"
        return store_failure(mailbox, raw, str(message))
    key = key_for(parsed.message_id, raw)
    if InboundMail.objects.filter(organisation_id=mailbox.organisation_id, key=key).exists():
        return None
    mail = InboundMail(
        organisation_id=mailbox.organisation_id,
        mailbox=mailbox,
        key=key,
        message_id=parsed.message_id,
        sender=parsed.sender,
        subject=parsed.subject[:255],
        references=" ".join(parsed.thread_ids),
        status=MailStatus.IGNORED,
    )
    try:
        with transaction.atomic():
            mail.save()
            if parsed.automatic:
                return mail
            case = _thread_case(mailbox.organisation_id, parsed.thread_ids)
            # Notes in the timeline are written in the organisation's language.
            with translation.override(mailbox.organisation.language):
                if case is not None:
                    _record_reply(mailbox, mail, parsed, case)
                else:
                    _record_item(mailbox, mail, parsed)
    except IntegrityError:
        if InboundMail.objects.filter(organisation_id=mailbox.organisation_id, key=key).exists():
            return None  # another worker stored it meanwhile
        raise
    except Exception as exc:
        logger.warning("Mail %s of mailbox %s failed", key, mailbox.pk, exc_info=True)
        return store_failure(
            mailbox, raw, f"{type(exc).__name__}: {exc}", key=key, message_id=parsed.message_id
        )
    return mail


def retry(mail: InboundMail) -> InboundMail | None:
    """Read a failed message again from its kept raw bytes (after a fix)."""
    if mail.status != MailStatus.FAILED or not mail.raw or mail.mailbox is None:
        return None
    with mail.raw.open("rb") as handle:
        raw = handle.read()
    mailbox = mail.mailbox
    with transaction.atomic():
        mail.raw.delete(save=False)
        mail.delete()
        result = ingest(mailbox, raw)
    return result
