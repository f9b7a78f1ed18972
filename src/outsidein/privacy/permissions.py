"""Exporting or erasing a customer's data, and the retention policy, are for administrators;
everyone who sees a customer sees their consent history."""

from __future__ import annotations

from outsidein.core.permissions import Action, Policy, register_policy


def register_privacy_policies() -> None:
    from outsidein.privacy.models import ConsentEvent, PrivacySettings

    register_policy(PrivacySettings, Policy(rules={Action.VIEW: lambda person, obj: True}))
    register_policy(ConsentEvent, Policy(rules={Action.VIEW: lambda person, obj: True}))
