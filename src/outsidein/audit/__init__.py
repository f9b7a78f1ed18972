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
