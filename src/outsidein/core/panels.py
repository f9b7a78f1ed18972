"""Sections other apps add to the customer page, without core importing them.

An app registers ``panel(request, customer) -> (template_name, context) | None`` in its
``AppConfig.ready()``; the customer page renders each in registration order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

Panel = Callable[[HttpRequest, Any], tuple[str, dict[str, Any]] | None]
_PANELS: list[Panel] = []


def register_customer_panel(panel: Panel) -> None:
    if panel not in _PANELS:
        _PANELS.append(panel)


def customer_panels(request: HttpRequest, customer: Any) -> list[tuple[str, dict[str, Any]]]:
    return [result for panel in _PANELS if (result := panel(request, customer)) is not None]
