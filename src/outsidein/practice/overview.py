"""The Practices overview: every registered norm for one window (default: the last complete
month), per team, and as a trend (twelve months or eight quarters). Every figure comes from
``registry.figure`` and names its window."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse

from outsidein.core.models import Team
from outsidein.core.periods import Window, last_complete_month
from outsidein.practice import registry, reports


@dataclass
class NormRow:
    norm: registry.Norm
    current: registry.Measure
    url: str
    trend_labels: list[str]
    trend_values: list[float | None]
    by_team: dict[int, tuple[float | None, int]] = field(default_factory=dict)
    trend_partial: list[bool] = field(default_factory=list)
    trend_enough: list[bool] = field(default_factory=list)

    @property
    def meets_target(self) -> bool | None:
        """None when there is no target, no value or too few to judge (the small-n rule)."""
        return self.norm.verdict(self.current)

    @property
    def chart(self) -> dict[str, object]:
        return {
            "labels": self.trend_labels,
            "series": [{"label": str(self.norm.label), "values": self.trend_values}],
            "target": self.norm.target,
            "partial": self.trend_partial,
        }

    @property
    def change(self) -> float | None:
        """Change against the window before (percentage points); None when either side rests
        on too few or the current window is still running."""
        values = self.trend_values
        if len(values) < 2 or values[-1] is None or values[-2] is None:
            return None
        if not all(self.trend_enough[-2:]) or any(self.trend_partial[-1:]):
            return None
        return values[-1] - values[-2]

    def team_enough(self, team_id: int) -> bool:
        return self.current.team_enough(team_id)


@dataclass(frozen=True)
class TeamCell:
    row: NormRow
    value: float | None
    n: int
    enough: bool

    @property
    def verdict(self) -> bool | None:
        if not self.enough or self.value is None or self.row.norm.target is None:
            return None
        if self.row.current.window is not None and self.row.current.window.running:
            return None
        if self.row.norm.higher_is_better:
            return self.value >= self.row.norm.target
        return self.value <= self.row.norm.target


@dataclass
class Board:
    window: Window
    rows: list[NormRow]
    teams: list[Team]

    @property
    def month(self) -> date:
        return self.window.first

    def team_cells(self, team_id: int) -> list[TeamCell]:
        cells = []
        for row in self.rows:
            value, n = row.by_team.get(team_id, (None, 0))
            cells.append(TeamCell(row, value, n, row.team_enough(team_id)))
        return cells

    @property
    def team_table(self) -> list[tuple[Team, list[TeamCell]]]:
        return [(team, self.team_cells(team.pk)) for team in self.teams]


def board(organisation_id: int, today: date, window: Window | None = None) -> Board:
    """The norms for ``window`` (default: the last complete month)."""
    token = reports.shared_memo.set({})
    try:
        return _board(organisation_id, window or last_complete_month(today))
    finally:
        reports.shared_memo.reset(token)


def _board(organisation_id: int, window: Window) -> Board:
    windows = window.back(8 if window.kind == "quarter" else 12)
    rows = []
    for norm in registry.norms():
        trend = [registry.figure(norm, organisation_id, w) for w in windows]
        current = trend[-1]
        rows.append(
            NormRow(
                norm=norm,
                current=current,
                url=reverse(norm.url_name),
                trend_labels=[w.key + (" *" if w.running else "") for w in windows],
                trend_values=[None if m.value is None else round(m.value, 1) for m in trend],
                by_team=current.by_team,
                trend_partial=[w.running for w in windows],
                trend_enough=[m.enough for m in trend],
            )
        )
    teams = [
        team
        for team in Team.objects.filter(organisation_id=organisation_id).order_by("name")
        if any(team.pk in row.by_team for row in rows)
    ]
    return Board(window=window, rows=rows, teams=teams)
