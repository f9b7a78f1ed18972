"""Small charts drawn on the server as inline SVG: no script, and allowed by the pages' CSP
(SVG attributes are not inline styles)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, override

register = template.Library()

WIDTH, HEIGHT, GAP = 96, 24, 2


def _label(key: object) -> str:
    """A month key ("2026-09" or a date) as the locale writes it ("sep 2026")."""
    if isinstance(key, str) and len(key) == 7 and key[4] == "-":
        try:
            return _month_label(int(key[:4]), int(key[5:]), get_language())
        except ValueError:
            return key
    if isinstance(key, date):
        return _month_label(key.year, key.month, get_language())
    return str(key)


@lru_cache(maxsize=1024)
def _month_label(year: int, month: int, language: str | None) -> str:
    # Each month's label once per language: a themes page draws a hundred of them.
    from outsidein.core.dates import month_year

    with override(language):
        return month_year(date(year, month, 1))


@register.simple_tag
def sparkbars(points: Sequence[tuple[object, float]]) -> SafeString:
    """Bars for (label, value) pairs, oldest first; each bar names its value on hover, and the
    whole chart is described for screen readers."""
    points = [(label, value or 0) for label, value in points]
    if not points:
        return mark_safe('<span class="muted">–</span>')  # a constant, nothing to escape
    peak = max(value for _label_, value in points) or 1
    bar = (WIDTH - GAP * (len(points) - 1)) / len(points)
    labels = [_label(label) for label, _value in points]  # each formatted once
    described = ", ".join(
        f"{name}: {value:g}" for name, (_key, value) in zip(labels, points, strict=True)
    )
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" rx="1"><title>{}: {}</title></rect>',
        (
            (
                f"{index * (bar + GAP):.1f}",
                f"{HEIGHT - max(1.0, HEIGHT * value / peak):.1f}",
                f"{bar:.1f}",
                f"{max(1.0, HEIGHT * value / peak):.1f}",
                labels[index],
                f"{value:g}",
            )
            for index, (_key, value) in enumerate(points)
        ),
    )
    return format_html(
        '<svg class="sparkbars" width="{}" height="{}" viewBox="0 0 {} {}" role="img" '
        'aria-label="{}">{}</svg>',
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        described,
        bars,
    )
