"""The audit trail is for administrators: it names who did what to whom."""

from __future__ import annotations

from outsidein.core.permissions import Action, Policy, register_policy


def register_audit_policy() -> None:
    from outsidein.audit.models import AuditEntry

    # Administrators only (the default rule) for every action; nobody changes an entry.
    register_policy(
        AuditEntry,
        Policy(
            rules={
                Action.VIEW: lambda person, entry: person.is_admin,
                Action.CREATE: lambda person, entry: False,
                Action.CHANGE: lambda person, entry: False,
                Action.DELETE: lambda person, entry: False,
            }
        ),
    )
