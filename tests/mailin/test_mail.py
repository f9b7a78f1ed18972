"""Customer email end to end: messages delivered into a real Dovecot (IMAP over TLS) are read
by the poll and become items; answers go out through the local SMTP server."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from outsidein.core.models import Customer
from outsidein.mailin import services
from outsidein.mailin.models import InboundMail, MailAttachment, Mailbox, OutboundMail
from outsidein.practice.models import Case
from outsidein.practice.services import respond
from outsidein.voice.models import Feedback
from tests.factories import ContactPersonFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def mail(
    *,
    sender: str = "Jan Jansen <jan@example.nl>",
    subject: str = "Invoice charged twice",
    body: str = "You charged my invoice twice. Please refund.",
    message_id: str | None = "<m1@example.nl>",
    headers: dict[str, str] | None = None,
    attachments: tuple[tuple[str, bytes], ...] = (),
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "service@acme.test"
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for filename, content in attachments:
        message.add_attachment(
            content, maintype="application", subtype="octet-stream", filename=filename
        )
    return message.as_bytes()


def poll(mailbox: Mailbox) -> services.PollResult:
    result = services.poll_with_lease(mailbox.pk)
    assert result is not None
    assert not result.error, result.error
    return result


def test_new_mail_becomes_a_complaint_of_the_known_customer(tenant: Any, imap: Any, mailbox: Any):
    customer = CustomerFactory(organisation=tenant.organisation, email="Jan@Example.nl")
    imap.deliver(mail())
    result = poll(mailbox)
    assert (result.read, result.items) == (1, 1)
    feedback = Feedback.objects.get(organisation=tenant.organisation)
    assert (feedback.kind, feedback.channel) == ("complaint", "email")
    assert feedback.customer == customer
    assert feedback.subject == "Invoice charged twice"
    assert "charged my invoice twice" in feedback.comment
    case = Case.objects.get(feedback=feedback)
    assert case.kind == "complaint" and case.customer == customer
    assert case.team == mailbox.team
    assert "jan@example.nl" in " ".join(case.notes.values_list("text", flat=True))
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is not None and mailbox.last_error == ""
    # Read again: nothing new (the UID mark), and the mailbox itself is unchanged.
    assert poll(mailbox).read == 0


def test_unknown_sender_becomes_a_new_customer(tenant: Any, imap: Any, mailbox: Any):
    imap.deliver(mail(sender="Piet Pieters <piet@new.example>", message_id="<new@x>"))
    poll(mailbox)
    customer = Customer.objects.get(organisation=tenant.organisation, email="piet@new.example")
    assert customer.name == "Piet Pieters"
    assert Feedback.objects.get(organisation=tenant.organisation).customer == customer


def test_a_contact_persons_address_finds_their_business(tenant: Any, imap: Any, mailbox: Any):
    business = CustomerFactory(organisation=tenant.organisation, kind="business", email="")
    ContactPersonFactory(customer=business, email="marieke@vandijk.example")
    imap.deliver(mail(sender="Marieke <Marieke@VanDijk.example>", message_id="<cp@x>"))
    poll(mailbox)
    assert Feedback.objects.get(organisation=tenant.organisation).customer == business
    assert Customer.objects.filter(organisation=tenant.organisation).count() == 1


def test_question_mailbox_makes_questions(tenant: Any, imap: Any, mailbox: Any):
    services.update_mailbox(mailbox, kind="question")
    imap.deliver(mail(subject="Opening hours?", body="When are you open?", message_id="<q@x>"))
    poll(mailbox)
    assert Feedback.objects.get(organisation=tenant.organisation).kind == "question"
    assert Case.objects.get(organisation=tenant.organisation).kind == "question"


def test_the_same_message_id_twice_is_one_item(tenant: Any, imap: Any, mailbox: Any):
    imap.deliver(mail(message_id="<same@x>"))
    imap.deliver(mail(message_id="<same@x>", body="the same message, delivered twice"))
    assert poll(mailbox).items == 1
    # Even when the mailbox is read from the start again (a new UIDVALIDITY, a restore).
    Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=0, uid_validity=None)
    assert poll(mailbox).items == 0
    assert Feedback.objects.filter(organisation=tenant.organisation).count() == 1
    assert Case.objects.filter(organisation=tenant.organisation).count() == 1


def test_a_reply_is_threaded_onto_the_item(tenant: Any, imap: Any, mailbox: Any):
    imap.deliver(mail(message_id="<first@example.nl>"))
    poll(mailbox)
    case = Case.objects.get(organisation=tenant.organisation)
    imap.deliver(
        mail(
            subject="Re: Invoice charged twice",
            body="Any news?\n\nOn Monday Jan wrote:\n> You charged my invoice twice.",
            message_id="<second@example.nl>",
            headers={
                "In-Reply-To": "<first@example.nl>",
                "References": "<first@example.nl>",
            },
        )
    )
    result = poll(mailbox)
    assert (result.items, result.replies) == (0, 1)
    assert Feedback.objects.filter(organisation=tenant.organisation).count() == 1
    reply = case.notes.filter(kind="response").get()
    assert "Any news?" in reply.text and "You charged" not in reply.text
    assert InboundMail.objects.get(key="<second@example.nl>").case == case


def test_attachments_are_kept_and_an_oversized_one_dropped_with_a_note(
    tenant: Any, imap: Any, mailbox: Any, settings: Any
):
    settings.MAILIN_ATTACHMENT_MAX_BYTES = 2000
    imap.deliver(
        mail(
            message_id="<att@x>",
            attachments=(("receipt.pdf", b"%PDF-1.4 small"), ("video.mov", b"x" * 5000)),
        )
    )
    poll(mailbox)
    kept = MailAttachment.objects.get(organisation=tenant.organisation)
    assert kept.filename == "receipt.pdf" and kept.size == len(b"%PDF-1.4 small")
    with kept.file.open("rb") as handle:
        assert handle.read() == b"%PDF-1.4 small"
    case = Case.objects.get(organisation=tenant.organisation)
    timeline = " ".join(case.notes.values_list("text", flat=True))
    assert "receipt.pdf" in timeline
    # In the organisation's language (Dutch here).
    assert "video.mov" in timeline and "niet bewaard" in timeline
    # The attachment is linked on the item's page and served to the organisation's employees.
    url = reverse("mail-attachment", args=[kept.pk])
    item_page = tenant.client_for(tenant.employee).get(reverse("case-detail", args=[case.pk]))
    assert f'href="{url}"' in item_page.content.decode()
    response = tenant.client_for(tenant.employee).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 small"


def test_attachment_of_another_organisation_is_not_found(
    tenant: Any, other_tenant: Any, imap: Any, mailbox: Any
):
    imap.deliver(mail(message_id="<att2@x>", attachments=(("a.txt", b"hello"),)))
    poll(mailbox)
    kept = MailAttachment.objects.get()
    response = other_tenant.client_for(other_tenant.admin).get(
        reverse("mail-attachment", args=[kept.pk])
    )
    assert response.status_code == 404


def test_auto_replies_and_bounces_are_ignored(tenant: Any, imap: Any, mailbox: Any):
    imap.deliver(mail(message_id="<ooo@x>", headers={"Auto-Submitted": "auto-replied"}))
    imap.deliver(mail(message_id="<ooo2@x>", headers={"X-Autoreply": "yes"}))
    imap.deliver(mail(message_id="<bulk@x>", headers={"Precedence": "bulk"}))
    bounce = EmailMessage()
    bounce["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.nl>"
    bounce["Subject"] = "Undelivered Mail Returned to Sender"
    bounce["Message-ID"] = "<bounce@x>"
    bounce.set_content("This is the mail system.")
    bounce.add_attachment("Reporting-MTA: dns; mx.example.nl\n", subtype="delivery-status")
    raw = bounce.as_bytes().replace(b"multipart/mixed", b"multipart/report", 1)
    imap.deliver(raw)
    result = poll(mailbox)
    assert (result.read, result.ignored, result.items) == (4, 4, 0)
    assert not Feedback.objects.filter(organisation=tenant.organisation).exists()
    assert not Customer.objects.filter(organisation=tenant.organisation).exists()


def test_malformed_mail_is_kept_as_a_failure_and_the_rest_is_read(
    tenant: Any, imap: Any, mailbox: Any
):
    imap.deliver(b"this is not an email at all\r\n")
    imap.deliver(mail(sender="nobody-without-address", message_id="<noaddr@x>"))
    imap.deliver(mail(message_id="<good@x>"))
    result = poll(mailbox)
    assert (result.failed, result.items) == (2, 1)
    failures = InboundMail.objects.filter(organisation=tenant.organisation, status="failed")
    assert failures.count() == 2
    for failure in failures:
        with failure.raw.open("rb") as handle:
            assert handle.read()  # the raw message is kept
    assert {f.error for f in failures} == {
        "The message has no headers; it is not an email.",
        "The message has no valid sender address (From).",
    }
    page = tenant.client_for(tenant.admin).get(reverse("mail-settings"))
    assert "The message has no valid sender address (From)." in page.content.decode()
    raw = tenant.client_for(tenant.admin).get(reverse("mail-raw", args=[failures[0].pk]))
    assert raw.status_code == 200


def test_test_connection_names_what_is_wrong(tenant: Any, imap: Any, mailbox: Any):
    client = tenant.client_for(tenant.admin)
    url = reverse("mail-test", args=[mailbox.pk])
    page = client.post(url, follow=True).content.decode()
    assert "Connected: 0 messages in" in page
    services.update_mailbox(mailbox, password="wrong")
    page = client.post(url, follow=True).content.decode()
    assert "The server refused the user name or password (wrong credentials)." in page
    services.update_mailbox(mailbox, password=imap.password, ca_certificate="")
    page = client.post(url, follow=True).content.decode()
    assert "TLS failure: the certificate of" in page
    services.update_mailbox(mailbox, ca_certificate=imap.ca_pem, port=1)
    page = client.post(url, follow=True).content.decode()
    assert "could not be reached" in page
    # A poll with a broken connection records the error on the page, nothing else happens.
    services.update_mailbox(mailbox, port=imap.port, password="wrong")
    result = services.poll_with_lease(mailbox.pk)
    assert result is not None and "wrong credentials" in result.error
    mailbox.refresh_from_db()
    assert "wrong credentials" in mailbox.last_error


def test_an_answer_goes_out_by_smtp_with_thread_headers(
    tenant: Any, imap: Any, mailbox: Any, smtp_inbox: Any, django_capture_on_commit_callbacks: Any
):
    imap.deliver(mail(message_id="<orig@example.nl>"))
    poll(mailbox)
    case = Case.objects.get(organisation=tenant.organisation)
    with django_capture_on_commit_callbacks(execute=True):  # sent once the answer commits
        note = respond(case, tenant.employee, "We refunded the second charge today.")
    assert len(smtp_inbox.messages) == 1
    sent = smtp_inbox.messages[0]
    outbound = OutboundMail.objects.get(note=note)
    assert outbound.status == "sent"
    assert sent["Message-ID"] == outbound.message_id
    assert sent["Message-ID"].endswith("@acme.test>")
    assert sent["In-Reply-To"] == "<orig@example.nl>"
    assert sent["References"] == "<orig@example.nl>"
    assert sent["To"] == "jan@example.nl"
    assert "service@acme.test" in sent["From"]
    assert sent["Subject"] == "Re: Invoice charged twice"
    assert "refunded the second charge" in smtp_inbox.body(0)
    timeline = list(case.notes.values_list("kind", "text"))
    assert ("response", "We refunded the second charge today.") in timeline
    sent_note = "Antwoord per e-mail verstuurd naar jan@example.nl"  # the organisation's language
    assert any(k == "event" and sent_note in t for k, t in timeline)
    page = tenant.client_for(tenant.employee).get(reverse("case-detail", args=[case.pk]))
    assert sent_note in page.content.decode()
    # The customer answers our message: threaded by our Message-ID onto the same item.
    imap.deliver(
        mail(
            subject="Re: Invoice charged twice",
            body="Thanks, received it.",
            message_id="<thanks@example.nl>",
            headers={"In-Reply-To": outbound.message_id, "References": outbound.message_id},
        )
    )
    assert poll(mailbox).replies == 1
    assert case.notes.filter(kind="response", text__contains="Thanks, received it.").exists()
    # A second answer references the whole thread.
    with django_capture_on_commit_callbacks(execute=True):
        respond(case, tenant.employee, "Glad to hear it.")
    second = smtp_inbox.messages[1]
    assert second["In-Reply-To"] == "<thanks@example.nl>"
    assert second["References"].split() == [
        "<orig@example.nl>",
        outbound.message_id,
        "<thanks@example.nl>",
    ]


def test_answers_on_items_not_from_email_are_not_mailed(
    tenant: Any, smtp_inbox: Any, django_capture_on_commit_callbacks: Any
):
    from outsidein.practice.services import open_case

    case = open_case(tenant.organisation, kind="question", subject="Phone call")
    with django_capture_on_commit_callbacks(execute=True):
        respond(case, tenant.employee, "Called back.")
    assert smtp_inbox.messages == []
    assert not OutboundMail.objects.exists()


def test_failed_answer_is_shown_and_can_be_sent_again(
    tenant: Any,
    imap: Any,
    mailbox: Any,
    settings: Any,
    smtp_inbox: Any,
    django_capture_on_commit_callbacks: Any,
):
    imap.deliver(mail(message_id="<o2@example.nl>"))
    poll(mailbox)
    case = Case.objects.get(organisation=tenant.organisation)
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        respond(case, tenant.employee, "We are on it.")
    outbound = OutboundMail.objects.get()
    assert outbound.status == "failed"
    assert case.notes.filter(text__startswith="Het antwoord kon niet per e-mail").exists()
    client = tenant.client_for(tenant.admin)
    assert "We are on it" not in client.get(reverse("mail-settings")).content.decode()
    assert outbound.to in client.get(reverse("mail-settings")).content.decode()
    settings.EMAIL_PORT = port
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mail-resend", args=[outbound.pk]))
    outbound.refresh_from_db()
    assert outbound.status == "sent" and len(smtp_inbox.messages) == 1
