"""Answers written on an item that came in by email go back to the customer by email, with
Message-ID, In-Reply-To and References set so their mail client threads them; the sending is
recorded in the item's timeline."""

from __future__ import annotations

import logging
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outsidein.mailin.models import InboundMail, MailStatus, OutboundMail, OutboundStatus

logger = logging.getLogger(__name__)


def _subject(subject: str) -> str:
    subject = subject.strip() or _("Your message")
    return subject if subject.lower().startswith(("re:", "antw:")) else f"Re: {subject}"


def on_event(organisation_id: int, event: str, data: dict[str, Any]) -> None:
    """A listener of ``voice.hook_events`` (registered in ``MailinConfig.ready``): an answer
    recorded on an item (``practice.services.respond`` emits ``case.responded`` inside its
    transaction) goes to the customer by email when the item came in by email."""
    if event != "case.responded":
        return
    if not InboundMail.objects.filter(
        organisation_id=organisation_id, case_id=data["id"], status__in=_THREAD
    ).exists():
        return
    from outsidein.practice.models import Case, CaseNote

    case = Case.objects.get(organisation_id=organisation_id, pk=data["id"])
    note = CaseNote.objects.get(organisation_id=organisation_id, pk=data["response"]["id"])
    case_responded(case, note)


_THREAD = (MailStatus.ITEM, MailStatus.REPLY)


def case_responded(case: Any, note: Any) -> OutboundMail | None:
    """Prepare the email of an answer written on an item that came in by email, inside the
    answer's transaction; the worker sends it once that commits."""
    last = (
        InboundMail.objects.filter(
            organisation_id=case.organisation_id,
            case_id=case.pk,
            status__in=_THREAD,
        )
        .select_related("mailbox")
        .order_by("-pk")
        .first()
    )
    if last is None or last.mailbox is None or not last.sender:
        return None
    if OutboundMail.objects.filter(note_id=note.pk).exists():
        return None
    mailbox = last.mailbox
    first = (
        InboundMail.objects.filter(organisation_id=case.organisation_id, case_id=case.pk)
        .exclude(message_id="")
        .order_by("pk")
        .first()
    )
    references = [*last.references.split(), last.message_id] if last.message_id else []
    if first is not None and first.message_id and first.message_id not in references:
        references.insert(0, first.message_id)
    domain = mailbox.address.rsplit("@", 1)[-1]
    outbound = OutboundMail.objects.create(
        organisation_id=case.organisation_id,
        mailbox=mailbox,
        case=case,
        note=note,
        message_id=make_msgid(domain=domain),
        in_reply_to=last.message_id,
        references=" ".join(dict.fromkeys(r for r in references if r)),
        to=last.sender,
        subject=_subject((first.subject if first else "") or case.subject)[:255],
        body=note.text,
    )
    from outsidein.mailin.dispatch import enqueue_send

    enqueue_send(outbound.pk)
    return outbound


def _timeline(outbound: OutboundMail, text: str) -> None:
    from outsidein.practice.models import CaseNote, CaseNoteKind

    CaseNote.objects.create(
        organisation_id=outbound.organisation_id,
        case_id=outbound.case_id,
        kind=CaseNoteKind.EVENT,
        text=text,
    )


def send(outbound_id: int) -> str:
    """Send one answer; idempotent (a sent answer is not sent again)."""
    with transaction.atomic():
        outbound = (
            OutboundMail.objects.select_for_update(of=("self",))
            .select_related("mailbox", "organisation")
            .filter(pk=outbound_id)
            .first()
        )
        if outbound is None or outbound.status == OutboundStatus.SENT:
            return "nothing to send"
        headers = {"Message-ID": outbound.message_id}
        if outbound.in_reply_to:
            headers["In-Reply-To"] = outbound.in_reply_to
        if outbound.references:
            headers["References"] = outbound.references
        sender = outbound.mailbox.address if outbound.mailbox else settings.DEFAULT_FROM_EMAIL
        if outbound.mailbox:
            sender = f"{outbound.organisation.name} <{sender}>"
        message = EmailMessage(
            subject=outbound.subject,
            body=outbound.body,
            from_email=sender,
            to=[outbound.to],
            headers=headers,
        )
        outbound.attempts += 1
        with translation.override(outbound.organisation.language):
            try:
                message.send()
            except Exception as exc:
                outbound.status = OutboundStatus.FAILED
                outbound.error = f"{type(exc).__name__}: {exc}"[:500]
                outbound.save()
                _timeline(
                    outbound,
                    _("The answer could not be sent by email to %(to)s: %(error)s")
                    % {"to": outbound.to, "error": outbound.error},
                )
                logger.warning("Answer %s could not be sent: %s", outbound.pk, outbound.error)
                return "failed"
            outbound.status = OutboundStatus.SENT
            outbound.sent_at = timezone.now()
            outbound.error = ""
            outbound.save()
            _timeline(
                outbound,
                _("Answer sent by email to %(to)s (subject: %(subject)s).")
                % {"to": outbound.to, "subject": outbound.subject},
            )
    return "sent"


def send_again(outbound: OutboundMail) -> None:
    """A failed answer, sent once more by the worker (same Message-ID)."""
    from outsidein.mailin.dispatch import enqueue_send

    if outbound.status == OutboundStatus.FAILED:
        OutboundMail.objects.filter(pk=outbound.pk).update(status=OutboundStatus.PENDING)
        enqueue_send(outbound.pk)
