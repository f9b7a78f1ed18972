"""The settings page of customer email: mailboxes, their connection test, and failures."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outsidein.core.tenancy import get_scoped_or_404
from outsidein.core.views import employee_required
from outsidein.mailin import imap, ingest, outgoing, services
from outsidein.mailin.forms import MailboxForm
from outsidein.mailin.models import (
    InboundMail,
    MailAttachment,
    Mailbox,
    MailStatus,
    OutboundMail,
    OutboundStatus,
)


def _admin(request: HttpRequest) -> None:
    if not request.person.is_admin:  # type: ignore[attr-defined]
        raise PermissionDenied(_("Only administrators manage the customer mailboxes."))


def _save(request: HttpRequest, form: MailboxForm, mailbox: Mailbox | None) -> bool:
    if not form.is_valid():
        return False
    data = dict(form.cleaned_data)
    password = data.pop("password") or ""
    try:
        if mailbox is None:
            services.create_mailbox(request.organisation, password=password, **data)  # type: ignore[attr-defined]
        else:
            services.update_mailbox(mailbox, password=password, **data)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return False
    return True


@employee_required
def settings_page(request: HttpRequest) -> HttpResponse:
    _admin(request)
    organisation = request.organisation  # type: ignore[attr-defined]
    form = MailboxForm(
        request.POST if request.method == "POST" else None, organisation_id=organisation.pk
    )
    if request.method == "POST" and _save(request, form, None):
        messages.success(request, _("Mailbox connected. Test the connection below."))
        return redirect("mail-settings")
    context = {
        "mailboxes": Mailbox.objects.filter(organisation=organisation).select_related("team"),
        "form": form,
        "failures": services.failures(organisation)[:50],
        "failed_answers": OutboundMail.objects.filter(
            organisation=organisation, status=OutboundStatus.FAILED
        )[:50],
        "recent": InboundMail.objects.filter(organisation=organisation)
        .exclude(status=MailStatus.FAILED)
        .select_related("mailbox")[:20],
    }
    return render(request, "mailin/settings.html", context, status=422 if form.errors else 200)


@employee_required
def edit_mailbox(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    _admin(request)
    mailbox = get_scoped_or_404(request.person, Mailbox, mailbox_id)  # type: ignore[attr-defined]
    form = MailboxForm(
        request.POST if request.method == "POST" else None,
        instance=mailbox,
        organisation_id=mailbox.organisation_id,
    )
    if request.method == "POST" and _save(request, form, mailbox):
        messages.success(request, _("Mailbox saved."))
        return redirect("mail-settings")
    return render(
        request,
        "mailin/edit.html",
        {"mailbox": mailbox, "form": form},
        status=422 if form.errors else 200,
    )


@employee_required
@require_POST
def test_mailbox(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    _admin(request)
    mailbox = get_scoped_or_404(request.person, Mailbox, mailbox_id)  # type: ignore[attr-defined]
    try:
        messages.success(request, services.check_connection(mailbox))
    except imap.MailboxError as exc:
        messages.error(request, _("%(name)s: %(error)s") % {"name": mailbox.name, "error": exc})
    return redirect("mail-settings")


@employee_required
@require_POST
def poll_now(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    _admin(request)
    mailbox = get_scoped_or_404(request.person, Mailbox, mailbox_id)  # type: ignore[attr-defined]
    result = services.poll_with_lease(mailbox.pk)
    if result is None:
        messages.info(request, _("A worker is reading this mailbox right now."))
    elif result.error:
        messages.error(
            request, _("%(name)s: %(error)s") % {"name": mailbox.name, "error": result.error}
        )
    else:
        messages.success(
            request,
            _(
                "%(read)s messages read: %(items)s new items, %(replies)s replies, "
                "%(ignored)s ignored, %(failed)s could not be read."
            )
            % {
                "read": result.read,
                "items": result.items,
                "replies": result.replies,
                "ignored": result.ignored,
                "failed": result.failed,
            },
        )
    return redirect("mail-settings")


@employee_required
@require_POST
def delete_mailbox(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    _admin(request)
    mailbox = get_scoped_or_404(request.person, Mailbox, mailbox_id)  # type: ignore[attr-defined]
    services.delete_mailbox(mailbox)
    messages.success(request, _("Mailbox removed. The items it brought in stay."))
    return redirect("mail-settings")


@employee_required
@require_POST
def retry_mail(request: HttpRequest, mail_id: int) -> HttpResponse:
    _admin(request)
    mail = get_scoped_or_404(request.person, InboundMail, mail_id)  # type: ignore[attr-defined]
    result = ingest.retry(mail)
    if result is not None and result.status == MailStatus.FAILED:
        messages.error(request, _("Still not readable: %(error)s") % {"error": result.error})
    else:
        messages.success(request, _("The message was read again."))
    return redirect("mail-settings")


@employee_required
def raw_mail(request: HttpRequest, mail_id: int) -> FileResponse:
    _admin(request)
    mail = get_scoped_or_404(request.person, InboundMail, mail_id)  # type: ignore[attr-defined]
    if not mail.raw:
        raise PermissionDenied(_("Only messages that could not be read are kept whole."))
    return FileResponse(
        mail.raw.open("rb"),
        as_attachment=True,
        filename=f"message-{mail.pk}.eml",
        content_type="message/rfc822",
    )


@employee_required
def attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    """An attachment of a customer's email, for whoever may see the organisation's items."""
    item = get_scoped_or_404(request.person, MailAttachment, attachment_id)  # type: ignore[attr-defined]
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.filename,
        content_type="application/octet-stream",
    )


@employee_required
@require_POST
def resend_answer(request: HttpRequest, outbound_id: int) -> HttpResponse:
    _admin(request)
    outbound = get_scoped_or_404(request.person, OutboundMail, outbound_id)  # type: ignore[attr-defined]
    outgoing.send_again(outbound)
    messages.success(request, _("The answer is being sent again."))
    return redirect("mail-settings")
