"""Sections and filters other apps add to the voice pages, without voice importing them.

Sections on a feedback item's page (its analysis, the needs and touchpoint it is linked to):
like ``core.panels`` for the customer page, an app registers ``panel(request, feedback) ->
(template_name, context) | None`` in its ``AppConfig.ready()``. Inbox filters (theme,
sentiment) register an ``InboxFilter``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

FeedbackPanel = Callable[[HttpRequest, Any], tuple[str, dict[str, Any]] | None]
_PANELS: list[FeedbackPanel] = []


def register_feedback_panel(panel: FeedbackPanel) -> None:
    if panel not in _PANELS:
        _PANELS.append(panel)


def feedback_panels(request: HttpRequest, feedback: Any) -> list[tuple[str, dict[str, Any]]]:
    return [result for panel in _PANELS if (result := panel(request, feedback)) is not None]


@dataclass(frozen=True)
class InboxFilter:
    """An extra filter another app adds to the inbox (e.g. theme, sentiment): its form field
    for an organisation, and how it narrows the feedback queryset."""

    name: str
    field: Callable[[int], Any]  # organisation id -> a django.forms.Field
    apply: Callable[[Any, Any], Any]  # (queryset, cleaned value) -> queryset


_FILTERS: dict[str, InboxFilter] = {}


def register_inbox_filter(inbox_filter: InboxFilter) -> None:
    _FILTERS[inbox_filter.name] = inbox_filter


def inbox_filters() -> list[InboxFilter]:
    return list(_FILTERS.values())
