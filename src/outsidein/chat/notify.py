"""Where the rest of the product tells chat channels what happened. Each entry point is cheap in
the caller's transaction (it only registers a callback); the work runs once that transaction
commits, so a rolled-back action announces nothing, and a failure here never breaks the caller.

- ``case.opened`` arrives through the outgoing-webhook events (``voice.hook_events.listeners``);
- breached targets, growing themes and proposals without customer evidence are called from the
  services that find them (one line each).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def _later(name: str, *args: Any) -> None:
    transaction.on_commit(partial(_run, name, *args), robust=True)


def _run(name: str, *args: Any) -> None:
    from outsidein.chat import services

    function: Callable[..., Any] = getattr(services, name)
    try:
        function(*args)
    except Exception:  # a chat tool is a courtesy: never fail the action that caused it
        logger.exception("Chat notification %s%r failed", name, args)


def on_hook_event(organisation_id: int, event: str, data: dict[str, Any]) -> None:
    """A listener of the outgoing-webhook events."""
    if event == "case.opened":
        _later("case_opened", data["id"])


def targets_breached(organisation_id: int, cases: Iterable[Any]) -> None:
    _later("targets_breached", organisation_id, [case.pk for case in cases])


def theme_growing(theme: Any, figures: dict[str, Any]) -> None:
    keep = {k: figures.get(k) for k in ("volume", "before", "growth")}
    _later("theme_growing", theme.pk, keep)


def decision_created(decision: Any, *, has_evidence: bool) -> None:
    if decision.status == "proposed" and not has_evidence:
        _later("decision_needs_input", decision.pk)
