"""The Practices overview: every registered norm for the last full month, per team, and as a
twelve-month trend."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse

from outsidein.analytics.services import month_end
from outsidein.core.models import Team
from outsidein.core.periods import last_full_month, month_starts
from outsidein.practice import registry, reports


@dataclass
class NormRow:
    norm: registry.Norm
    current: registry.Measure
    url: str
    trend_labels: list[str]
    trend_values: list[float | None]
    by_team: dict[int, tuple[float | None, int]] = field(default_factory=dict)

    @property
    def meets_target(self) -> bool | None:
        if self.current.value is None or self.norm.target is None:
            return None
        if self.norm.higher_is_better:
            return self.current.value >= self.norm.target
        return self.current.value <= self.norm.target

    @property
    def chart(self) -> dict[str, object]:
        return {
            "labels": self.trend_labels,
            "series": [{"label": str(self.norm.label), "values": self.trend_values}],
            "target": self.norm.target,
        }

    @property
    def change(self) -> float | None:
        """Change against the month before (percentage points)."""
        values = self.trend_values
        if len(values) < 2 or values[-1] is None or values[-2] is None:
            return None
        return values[-1] - values[-2]


@dataclass
class Board:
    month: date
    rows: list[NormRow]
    teams: list[Team]

    def team_cells(self, team_id: int) -> list[tuple[NormRow, float | None, int]]:
        cells = []
        for row in self.rows:
            value, n = row.by_team.get(team_id, (None, 0))
            cells.append((row, value, n))
        return cells

    @property
    def team_table(self) -> list[tuple[Team, list[tuple[NormRow, float | None, int]]]]:
        return [(team, self.team_cells(team.pk)) for team in self.teams]


def board(organisation_id: int, today: date, months: int = 12) -> Board:
    token = reports.shared_memo.set({})
    try:
        return _board(organisation_id, today, months)
    finally:
        reports.shared_memo.reset(token)


def _board(organisation_id: int, today: date, months: int) -> Board:
    last_full = last_full_month(today)
    firsts = month_starts(last_full, months)
    rows = []
    for norm in registry.norms():
        trend = [norm.measure(organisation_id, first, month_end(first)) for first in firsts]
        current = trend[-1]
        rows.append(
            NormRow(
                norm=norm,
                current=current,
                url=reverse(norm.url_name),
                trend_labels=[first.strftime("%Y-%m") for first in firsts],
                trend_values=[None if m.value is None else round(m.value, 1) for m in trend],
                by_team=current.by_team,
            )
        )
    teams = [
        team
        for team in Team.objects.filter(organisation_id=organisation_id).order_by("name")
        if any(team.pk in row.by_team for row in rows)
    ]
    return Board(month=last_full, rows=rows, teams=teams)
