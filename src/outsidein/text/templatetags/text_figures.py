"""The themes pages' cells drawn in Python: the difference (with the theme minus without, its
interval and significance) and an estimate with its interval and n (the markup of
``analytics/_estimate.html``). The breakdown tables hold hundreds of them, and an include or
a ``floatformat`` per figure cost more than the figures themselves."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

_STEPS = {digits: Decimal(1).scaleb(-digits) for digits in range(4)}


def fixed(value: Any, digits: int) -> str:
    """``floatformat:digits`` for a number (half up, no "-0", the active language's decimal
    separator), a few times cheaper."""
    rounded = Decimal(repr(float(value))).quantize(_STEPS[digits], ROUND_HALF_UP)
    text = f"{rounded if rounded else abs(rounded):f}"  # zero without its sign
    separator = get_format("DECIMAL_SEPARATOR")
    return text if separator == "." else text.replace(".", separator)


@register.simple_tag
def estimate(est: Any, digits: int, minimum_n: Any, suffix: str = "") -> SafeString:
    """A ``stats.Estimate`` as ``analytics/_estimate.html`` draws it: "–" without a value, the
    value in grey with "too few" below the minimum n, else the value, its interval and n."""
    if est.value is None:
        return mark_safe('<span class="muted">–</span>')  # a constant, nothing to escape
    value = fixed(est.value, digits)
    if not est.enough:
        title = ngettext(
            "Only %(n)s response: not enough responses for a reliable figure (at least "
            "%(min)s are needed).",
            "Only %(n)s responses: not enough responses for a reliable figure (at least "
            "%(min)s are needed).",
            est.n,
        ) % {"n": est.n, "min": minimum_n}
        return format_html(
            '<span class="too-few" title="{}">{}{}</span> <span class="not-enough">{}</span> '
            '<span class="small muted">(n={})</span>',
            title,
            value,
            suffix,
            _("too few"),
            est.n,
        )
    interval = ""
    if est.low is not None:
        interval = format_html("[{}; {}] ", fixed(est.low, digits), fixed(est.high, digits))
    return format_html(
        '<strong>{}{}</strong> <span class="small muted">{}n={}</span>',
        value,
        suffix,
        interval,
        est.n,
    )


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
        fixed(change.difference, 1),
    )
    if short:
        return shown
    return format_html(
        '{} <span class="small muted">[{}; {}]</span>',
        shown,
        fixed(change.low, 1),
        fixed(change.high, 1),
    )
