"""Sections other apps add to a feedback item's page (its analysis, the needs and touchpoints
it is linked to), without voice importing them. Like ``core.panels`` for the customer page: an
app registers ``panel(request, feedback) -> (template_name, context) | None`` in its
``AppConfig.ready()``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

FeedbackPanel = Callable[[HttpRequest, Any], tuple[str, dict[str, Any]] | None]
_PANELS: list[FeedbackPanel] = []


def register_feedback_panel(panel: FeedbackPanel) -> None:
    if panel not in _PANELS:
        _PANELS.append(panel)


def feedback_panels(request: HttpRequest, feedback: Any) -> list[tuple[str, dict[str, Any]]]:
    return [result for panel in _PANELS if (result := panel(request, feedback)) is not None]
