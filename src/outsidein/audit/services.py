"""Writing and reading the audit trail.

Services call ``record`` explicitly, inside their own transaction, right where the write
happens (no signals: a rolled-back change leaves no entry, and bulk writes are recorded once,
as what they are). Values pass through ``snapshot``/``diff``; a field whose name says it is a
secret (password, token, key, secret) is stored as "••••", never its value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

from outsidein.audit.context import current
from outsidein.audit.models import AuditEntry
from outsidein.core.models import Organisation, Person

MASK = "••••"
_SECRET = re.compile(r"(password|secret|token|key_hash|api_key|^key$|plaintext)", re.I)
MAX_TEXT = 2000

# What an entry's ``action`` means, for the filters and the page.
ACTIONS: dict[str, Any] = {
    "create": _("Created"),
    "change": _("Changed"),
    "delete": _("Deleted"),
    "role": _("Role or team changed"),
    "invite": _("Invited"),
    "revoke": _("Revoked"),
    "export": _("Exported"),
    "import": _("Imported"),
    "correct": _("Corrected"),
    "amend": _("Amended with a reason"),
    "erase": _("Erased (GDPR)"),
    "gdpr_export": _("Personal data exported (GDPR)"),
    "retention": _("Anonymised by the retention policy"),
}


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def object_type_label(object_type: str) -> str:
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def is_secret(name: str) -> bool:
    return bool(_SECRET.search(name))


def plain(value: Any) -> Any:
    """A JSON-ready form of a field's value, short enough to keep."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    return plain(str(value))


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields' values of ``obj`` (related objects by their name)."""
    values: dict[str, Any] = {}
    for name in fields:
        if is_secret(name):
            values[name] = MASK
            continue
        try:
            values[name] = plain(getattr(obj, name))
        except Exception:  # a related object that is gone
            values[name] = None
    return values


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for the fields whose value differs."""
    changed: dict[str, list[Any]] = {}
    for name in list(before) + [k for k in after if k not in before]:
        old, new = plain(before.get(name)), plain(after.get(name))
        if old != new:
            changed[name] = [MASK, MASK] if is_secret(name) else [old, new]
    return changed


def _masked(changes: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if is_secret(name):
            out[name] = [MASK, MASK] if isinstance(value, (list, tuple)) else MASK
        else:
            out[name] = plain(value)
    return out


def _masked_details(details: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (MASK if is_secret(k) else plain(v)) for k, v in details.items()}


def record(
    organisation: Organisation | int,
    action: str,
    obj: models.Model | None = None,
    *,
    object_type: str = "",
    object_id: Any = "",
    label: str = "",
    changes: Mapping[str, Any] | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
    details: Mapping[str, Any] | None = None,
    actor: Person | None = None,
    source: str | None = None,
) -> AuditEntry:
    """Write one entry. ``changes`` or ``before``/``after`` (snapshots) give the values; the
    actor is ``actor`` or whoever is acting now (the request's employee, a command's person,
    else the system). Call it inside the transaction of the write it records."""
    acting = current()
    person = actor if actor is not None else acting.person
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        label = label or str(obj)
    if changes is None:
        changes = diff(before or {}, after or {}) if (before or after) else {}
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    return AuditEntry.objects.create(
        organisation_id=organisation_id,
        actor=person if person is not None and person.pk else None,
        actor_label=(
            f"{person.name} <{person.email}>" if person is not None else acting.label or ""
        )[:200],
        source=source or acting.source,
        action=action,
        object_type=object_type[:60],
        object_id=str(object_id if object_id is not None else "")[:60],
        object_label=label[:300],
        changes=_masked(changes),
        reason=reason,
        details=_masked_details(details or {}),
    )


def filter_entries(queryset: Any, **filters: Any) -> Any:
    """The page's and the API's filters; empty values are ignored."""
    for name, lookup in (
        ("actor", "actor_id"),
        ("action", "action"),
        ("object_type", "object_type"),
        ("object_id", "object_id"),
        ("source", "source"),
        ("since", "created_at__date__gte"),
        ("until", "created_at__date__lte"),
    ):
        value = filters.get(name)
        if value not in (None, ""):
            if hasattr(value, "pk"):
                value = value.pk
            queryset = queryset.filter(**{lookup: value})
    return queryset


EXPORT_COLUMNS = [
    "when",
    "who",
    "through",
    "action",
    "object_type",
    "object_id",
    "object",
    "changes",
    "reason",
    "details",
]


def export_rows(queryset: Any) -> Iterator[list[Any]]:
    """The header and one row per entry, oldest last (as the page shows them)."""
    yield EXPORT_COLUMNS
    for entry in queryset.order_by("-created_at", "-pk").iterator(chunk_size=2000):
        yield [
            entry.created_at.isoformat(),
            entry.actor_label,
            entry.source,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.object_label,
            json.dumps(entry.changes, ensure_ascii=False, sort_keys=True),
            entry.reason,
            json.dumps(entry.details, ensure_ascii=False, sort_keys=True),
        ]


def known_values(organisation_id: int) -> dict[str, list[str]]:
    """The actions and object types this organisation's trail holds (for the filters)."""
    entries = AuditEntry.objects.filter(organisation_id=organisation_id)
    return {
        "actions": sorted(set(entries.values_list("action", flat=True).distinct())),
        "object_types": sorted(set(entries.values_list("object_type", flat=True).distinct())),
    }
