"""Mailboxes and what they received: administrators manage them; attachments of customers'
emails are read by every employee, as the items they belong to are."""

from __future__ import annotations

from outsidein.core.permissions import Action, Policy, register_policy


def register_mailin_policies() -> None:
    from outsidein.mailin.models import InboundMail, MailAttachment, Mailbox, OutboundMail

    for model in (Mailbox, InboundMail, OutboundMail):
        register_policy(model, Policy())  # administrators only (the default rule)
    register_policy(MailAttachment, Policy(rules={Action.VIEW: lambda person, obj: True}))
