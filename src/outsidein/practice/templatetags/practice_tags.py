from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(hours: float | None) -> str:
    """Hours as "5 h" up to two days, then as days ("12 d"); a dash for no value."""
    if hours is None:
        return "–"
    if hours < 48:
        return _("%(n)s h") % {"n": f"{hours:.0f}"}
    return _("%(n)s d") % {"n": f"{hours / 24:.0f}"}
