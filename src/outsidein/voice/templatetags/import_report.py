"""The import report's reasons in the reader's language (stored untranslated with the job)."""

from __future__ import annotations

from typing import Any

from django import template

from outsidein.voice.imports import translate_reason

register = template.Library()


@register.filter
def import_reason(error: dict[str, Any]) -> str:
    """A rejected row's reason; reports of older versions carry the translated text only."""
    message = error.get("message")
    if not message:
        return str(error.get("reason", ""))
    try:
        return translate_reason(message, error.get("params") or {})
    except (KeyError, TypeError, ValueError):
        return str(error.get("reason", ""))
