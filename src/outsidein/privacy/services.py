"""Privacy settings and the consent history, written only here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from outsidein import audit
from outsidein.audit.context import current
from outsidein.core.models import Customer, Organisation
from outsidein.privacy.models import ConsentEvent, ConsentKind, PrivacySettings

SETTINGS_FIELDS = ("free_text_months", "contact_details_months", "purge_expired_after_days")
CONSENT_FIELDS = {
    "consent_surveys": ConsentKind.SURVEYS,
    "consent_marketing": ConsentKind.MARKETING,
    "consent_updates": ConsentKind.UPDATES,
}


@transaction.atomic
def update_settings(organisation: Organisation, **changes: Any) -> PrivacySettings:
    policy, _created = PrivacySettings.objects.select_for_update().get_or_create(
        organisation=organisation
    )
    before = audit.snapshot(policy, SETTINGS_FIELDS)
    for name, value in changes.items():
        if name not in SETTINGS_FIELDS:
            raise ValidationError({name: "Unknown setting."})
        setattr(policy, name, value)
    try:
        policy.full_clean(exclude=["organisation"])
    except ValidationError:
        policy.refresh_from_db()
        raise
    policy.save()
    audit.record(
        organisation,
        "change",
        policy,
        before=before,
        after=audit.snapshot(policy, SETTINGS_FIELDS),
    )
    return policy


def consent_of(customer: Customer) -> dict[str, bool]:
    return {name: bool(getattr(customer, name)) for name in CONSENT_FIELDS}


def record_consent(
    customer: Customer, before: Mapping[str, bool] | None, *, source: str | None, at: Any = None
) -> list[ConsentEvent]:
    """One ConsentEvent per consent that changed (or, for a new customer, ``before=None``, per
    consent given), with its source and time. Call it inside the write's transaction. Without
    a ``source``: an employee's page ("staff"), the API, or "other" (a command, the system)."""
    if source is None:
        source = {"web": "staff", "api": "api"}.get(current().source, "other")
    at = at or timezone.now()
    events = []
    for name, kind in CONSENT_FIELDS.items():
        now_given = bool(getattr(customer, name))
        if before is None and not now_given:
            continue
        if before is not None and bool(before.get(name)) == now_given:
            continue
        events.append(
            ConsentEvent(
                organisation_id=customer.organisation_id,
                customer=customer,
                kind=kind,
                given=now_given,
                source=source,
                at=at,
            )
        )
    ConsentEvent.objects.bulk_create(events)
    return events
