"""The events a chat channel can announce, in the order the settings page lists them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

QUEUE_NEW = "queue.new"
TARGET_BREACHED = "target.breached"
FOLLOW_UP = "follow_up.waiting"
THEME_GROWING = "theme.growing"
DECISION_INPUT = "decision.needs_input"
TEST = "test"

EVENTS: dict[str, Any] = {
    QUEUE_NEW: _("New item in the team's queue"),
    TARGET_BREACHED: _("Response-time target breached"),
    FOLLOW_UP: _("Unhappy customer waiting for a follow-up"),
    THEME_GROWING: _("A theme is growing"),
    DECISION_INPUT: _("A decision needs customer input"),
}
