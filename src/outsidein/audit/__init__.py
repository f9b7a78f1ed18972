"""The audit trail: ``from outsidein import audit; audit.record(organisation, "change", obj,
before=..., after=...)`` from inside a service's transaction."""

from __future__ import annotations

from typing import Any


def record(*args: Any, **kwargs: Any) -> Any:
    from outsidein.audit.services import record as _record

    return _record(*args, **kwargs)


def snapshot(*args: Any, **kwargs: Any) -> Any:
    from outsidein.audit.services import snapshot as _snapshot

    return _snapshot(*args, **kwargs)


def diff(*args: Any, **kwargs: Any) -> Any:
    from outsidein.audit.services import diff as _diff

    return _diff(*args, **kwargs)


def created(obj: Any, fields: Any, **kwargs: Any) -> Any:
    """An entry for a new object, with the named fields' values as "after"."""
    return record(obj.organisation_id, "create", obj, after=snapshot(obj, fields), **kwargs)


def changed(obj: Any, before: Any, fields: Any, action: str = "change", **kwargs: Any) -> Any:
    """An entry for a change, when something changed (``before`` from ``snapshot``)."""
    after = snapshot(obj, fields)
    if diff(before, after):
        return record(obj.organisation_id, action, obj, before=before, after=after, **kwargs)
    return None


def deleted(obj: Any, fields: Any, **kwargs: Any) -> Any:
    """An entry for a deletion, with what the object was; call it before deleting."""
    return record(obj.organisation_id, "delete", obj, before=snapshot(obj, fields), **kwargs)
