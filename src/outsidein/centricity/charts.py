"""What the gap page draws: the paired dots as server-side SVG coordinates (no script, no inline
style, so it satisfies the Content-Security-Policy and prints), and the headline trend as data
for the shared Chart.js "percent-lines" chart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from outsidein.centricity.services import DimensionGap, WavePoint

LEFT, RIGHT, ROW, TOP = 40.0, 660.0, 46.0, 34.0
WIDTH = 700


def _x(value: float) -> float:
    """Position of a score 1–7 on the axis."""
    clipped = min(7.0, max(1.0, value))
    return round(LEFT + (clipped - 1.0) / 6.0 * (RIGHT - LEFT), 1)


def paired_dots(gaps: Sequence[DimensionGap]) -> dict[str, Any]:
    """One row per dimension: employees' mean (filled dot) and customers' (open dot) with their
    95% intervals, joined by the gap. Rows without a number carry the reason instead."""
    rows = []
    for index, gap in enumerate(gaps):
        y = round(TOP + index * ROW + 14, 1)
        row: dict[str, Any] = {"label": gap.label, "y": y, "label_y": y - 14, "gap": gap}
        for side_name in ("employee", "customer"):
            side = getattr(gap, side_name)
            if side.value is None:
                row[side_name] = None
                continue
            row[side_name] = {
                "x": _x(side.value),
                "low": _x(side.low) if side.low is not None else _x(side.value),
                "high": _x(side.high) if side.high is not None else _x(side.value),
            }
        if row["employee"] and row["customer"]:
            row["join"] = (row["employee"]["x"], row["customer"]["x"])
        rows.append(row)
    ticks = [{"x": _x(v), "label": str(v)} for v in range(1, 8)]
    height = round(TOP + max(1, len(rows)) * ROW + 10)
    return {
        "rows": rows,
        "ticks": ticks,
        "width": WIDTH,
        "height": height,
        "axis_y": height - 8,
        "top": TOP - 12,
        "left": LEFT,
        "right": RIGHT,
    }


def superior_trend(points: Sequence[WavePoint]) -> dict[str, Any]:
    """% who agree that the organisation delivers a superior experience, per wave, both sides.
    A wave without enough answers on a side leaves a gap (null), never a zero."""

    def value(estimate: Any) -> float | None:
        if estimate.value is None or not estimate.enough:
            return None
        return round(estimate.value, 1)

    return {
        "labels": [point.wave.name for point in points],
        "series": [
            {
                "label": str(_("Employees")),
                "values": [value(point.superior.employee) for point in points],
            },
            {
                "label": str(_("Customers")),
                "values": [value(point.superior.customer) for point in points],
            },
        ],
        "target": None,
    }


def gap_trend_rows(points: Sequence[WavePoint]) -> list[dict[str, Any]]:
    """Per dimension, the gap in each wave (None where it cannot be given)."""
    labels: dict[str, str] = {}
    for point in points:
        for gap in point.gaps:
            labels.setdefault(gap.key, gap.label)
    rows = []
    for key, label in labels.items():
        cells = []
        for point in points:
            found = next((g for g in point.gaps if g.key == key), None)
            cells.append(found.gap if found is not None else None)
        rows.append({"key": key, "label": label, "cells": cells})
    return rows
