"""The themes pages' difference cell (with the theme minus without, its interval and
significance) drawn in Python: the breakdown tables hold hundreds of them, and an include per
cell cost more than the figures themselves."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def difference(change: Any, minimum_n: Any, short: bool = False) -> SafeString:
    """A ``stats.Change``: "not enough responses" below the minimum n; else the difference, a
    coloured badge when significant, and (unless ``short``) its 95% interval."""
    if change.difference is None:
        title = _(
            "At least %(min)s scored comments with and without the theme are needed for a "
            "reliable figure."
        ) % {"min": minimum_n}
        return format_html(
            '<span class="not-enough" title="{}">{}</span>', title, _("not enough responses")
        )
    badge = ""
    if change.significant:
        badge = "badge badge-good" if change.difference > 0 else "badge badge-bad"
    shown = format_html(
        '<span class="{}">{}{}</span>',
        badge,
        "+" if change.difference > 0 else "",
        floatformat(change.difference, 1),
    )
    if short:
        return shown
    return format_html(
        '{} <span class="small muted">[{}; {}]</span>',
        shown,
        floatformat(change.low, 1),
        floatformat(change.high, 1),
    )
