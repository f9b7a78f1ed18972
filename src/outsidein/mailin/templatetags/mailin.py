"""``{% mail_attachments case %}``: the files a customer emailed on an item, with links."""

from __future__ import annotations

from typing import Any

from django import template

from outsidein.mailin.models import MailAttachment

register = template.Library()


@register.inclusion_tag("mailin/_attachments.html")
def mail_attachments(case: Any) -> dict[str, Any]:
    attachments = MailAttachment.objects.filter(
        organisation_id=case.organisation_id, mail__case_id=case.pk
    ).order_by("pk")
    return {"attachments": list(attachments)}
