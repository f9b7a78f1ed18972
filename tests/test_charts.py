"""The server-drawn sparkbars: one bar per point, scaled to the peak, described for screen
readers, escaped, and a dash when there is nothing to draw."""

from __future__ import annotations

import re

from django.template import Context, Template
from django.utils import translation


def _render(points: object) -> str:
    return Template("{% load charts %}{% sparkbars points %}").render(Context({"points": points}))


def test_bars_scale_to_the_peak_and_say_their_values() -> None:
    with translation.override("nl"):
        svg = _render([("2026-09", 40), ("2026-10", 20), ("2026-11", 0)])
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', svg)]
    assert heights == [24.0, 12.0, 1.0]  # the empty month still shows a sliver
    # Dutch writes month abbreviations in lower case (okt, not Okt).
    assert "<title>okt 2026: 20</title>" in svg
    assert 'aria-label="sep 2026: 40, okt 2026: 20, nov 2026: 0"' in svg


def test_labels_are_escaped_and_nothing_gives_a_dash() -> None:
    assert "&lt;b&gt;" in _render([("<b>", 1)])
    assert _render([]) == '<span class="muted">–</span>'
