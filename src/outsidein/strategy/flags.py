""" "Disconnected from the customer": pure functions over simple facts.

- a process that serves no touchpoint;
- a team that owns or serves (through its processes) no touchpoint; its customer contacts and
  follow-ups of the last quarter are given with it, and a team with neither is "fully
  disconnected" (``Flag.severe``);
- a touchpoint without an owning team, or without any measurement (no linked survey, feedback,
  follow-up or mystery-shop scenario).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

PROCESS_NO_TOUCHPOINT = "process_no_touchpoint"
TEAM_DISCONNECTED = "team_disconnected"
TOUCHPOINT_NO_OWNER = "touchpoint_no_owner"
TOUCHPOINT_UNMEASURED = "touchpoint_unmeasured"
KINDS = (PROCESS_NO_TOUCHPOINT, TEAM_DISCONNECTED, TOUCHPOINT_NO_OWNER, TOUCHPOINT_UNMEASURED)


@dataclass(frozen=True)
class ProcessFact:
    process_id: int
    name: str
    team_id: int | None
    touchpoint_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class TouchpointFact:
    touchpoint_id: int
    name: str
    team_id: int | None
    measured: bool


@dataclass(frozen=True)
class TeamFact:
    team_id: int
    name: str
    contacts: int = 0  # customer contacts in the period
    follow_ups: int = 0  # follow-ups (cases) handled in the period


@dataclass(frozen=True)
class Flag:
    kind: str
    object_id: int
    name: str
    details: Mapping[str, int] = field(default_factory=dict)

    @property
    def severe(self) -> bool:
        """A team with no touchpoint, no customer contacts and no follow-ups at all."""
        return self.kind == TEAM_DISCONNECTED and not any(self.details.values())


def disconnected(
    processes: Sequence[ProcessFact],
    touchpoints: Sequence[TouchpointFact],
    teams: Iterable[TeamFact],
) -> list[Flag]:
    flags: list[Flag] = []
    for process in processes:
        if not process.touchpoint_ids:
            flags.append(Flag(PROCESS_NO_TOUCHPOINT, process.process_id, process.name))
    connected_teams = {t.team_id for t in touchpoints if t.team_id is not None}
    connected_teams |= {p.team_id for p in processes if p.team_id is not None and p.touchpoint_ids}
    for team in teams:
        if team.team_id in connected_teams:
            continue
        flags.append(
            Flag(
                TEAM_DISCONNECTED,
                team.team_id,
                team.name,
                {"contacts": team.contacts, "follow_ups": team.follow_ups},
            )
        )
    for touchpoint in touchpoints:
        if touchpoint.team_id is None:
            flags.append(Flag(TOUCHPOINT_NO_OWNER, touchpoint.touchpoint_id, touchpoint.name))
        if not touchpoint.measured:
            flags.append(Flag(TOUCHPOINT_UNMEASURED, touchpoint.touchpoint_id, touchpoint.name))
    return flags


def counts(flags: Iterable[Flag]) -> dict[str, int]:
    result = dict.fromkeys(KINDS, 0)
    for flag in flags:
        result[flag.kind] += 1
    return result


# --- heat of one journey-map cell -----------------------------------------------------------

# Bands per measure: (good from, bad below) for higher-is-better, reversed for CES (effort).
BANDS = {"nps": (30.0, 0.0), "csat": (80.0, 60.0), "ces": (2.5, 4.0)}


def heat(measure: str, value: float | None, enough: bool) -> str:
    """ "good", "fair", "poor", or "thin" (not enough data) for a cell."""
    if value is None or not enough:
        return "thin"
    good, bad = BANDS[measure]
    if measure == "ces":  # effort: lower is better
        return "good" if value <= good else ("poor" if value > bad else "fair")
    return "good" if value >= good else ("poor" if value < bad else "fair")


SUGGESTED_MEASURES = {
    "orientation": "nps",
    "purchase": "ces",
    "onboarding": "ces",
    "use": "csat",
    "support": "csat",
    "renewal": "nps",
    "leaving": "csat",
    "other": "csat",
}


def suggested_measure(stage_kind: str, channel: str = "") -> str:
    """The measure that fits a stage: effort where something must get done (onboarding,
    purchase), satisfaction with one interaction (support, use), the relationship (NPS) where
    the customer decides to stay or recommend (orientation, renewal)."""
    return SUGGESTED_MEASURES.get(stage_kind, "csat")
