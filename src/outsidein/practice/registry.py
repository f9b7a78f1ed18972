"""Where the other practice apps (ideas, mystery shopping) plug into the shared pages without
the practice app importing them:

- **evidence kinds**: what a decision may cite (feedback, a tag, a survey, an idea, a contact, a
  mystery shop). Each kind resolves ids to a label, a link and the customers who asked to hear
  what was decided. Evidence is stored as (kind, id, label), so a deleted item is shown as
  removed instead of silently disappearing from the decision.
- **work sources**: items that appear on an employee's *My work* page.
- **norms**: the six measured norms that the Practices overview shows side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from outsidein.core.models import Person
    from outsidein.core.periods import Window


# --- evidence --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """A customer who opted in to hear what was decided about what they told us."""

    email: str
    name: str = ""
    language: str = "nl"


@dataclass(frozen=True)
class EvidenceItem:
    label: str
    url: str = ""
    recipients: tuple[Recipient, ...] = ()


# resolve(organisation_id, ids) -> {id: EvidenceItem}; ids that no longer exist are left out.
EvidenceResolver = Callable[[int, Sequence[int]], dict[int, EvidenceItem]]


@dataclass(frozen=True)
class EvidenceKind:
    key: str
    label: Any  # a lazy translation
    resolve: EvidenceResolver


_evidence_kinds: dict[str, EvidenceKind] = {}


def register_evidence_kind(key: str, label: Any, resolve: EvidenceResolver) -> None:
    _evidence_kinds[key] = EvidenceKind(key=key, label=label, resolve=resolve)


def evidence_kinds() -> dict[str, EvidenceKind]:
    return dict(_evidence_kinds)


# --- my work -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkItem:
    title: str
    url: str
    kind_label: Any
    # Customer items (questions, complaints, follow-ups) always come before internal ones.
    is_customer: bool
    due_at: datetime | None = None
    opened_at: datetime | None = None
    detail: str = ""

    def breached(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at < now


WorkSource = Callable[["Person"], Iterable[WorkItem]]
_work_sources: list[WorkSource] = []


def register_work_source(source: WorkSource) -> None:
    if source not in _work_sources:
        _work_sources.append(source)


def work_sources() -> list[WorkSource]:
    return list(_work_sources)


# --- norms -------------------------------------------------------------------------------------


SMALL_N = 5
"""The one small-n rule: a figure resting on fewer than this many (people, items, shops) is
shown in grey with "too few", never with a colour verdict (on target / below target), in the
pages, the CLI, the API (``enough: false``) and the report."""


def enough(n: int, minimum: int = SMALL_N) -> bool:
    return n >= minimum


@dataclass(frozen=True)
class Measure:
    """One norm's figure for a period: the organisation's value and each team's.

    ``value`` is None when there is nothing to measure (shown as "no data", never as zero).
    ``by_team`` maps team id to (value or None, n). ``window`` is the period it covers (set by
    ``figure``; every page names it); ``enough`` says whether n reaches ``min_n``."""

    value: float | None
    n: int
    unit: str = "%"  # "%", "h" (hours) or "score" (0–100)
    by_team: dict[int, tuple[float | None, int]] = field(default_factory=dict)
    note: str = ""
    window: Window | None = None
    min_n: int = SMALL_N

    @property
    def enough(self) -> bool:
        return self.value is not None and enough(self.n, self.min_n)

    def team_enough(self, team_id: int) -> bool:
        value, n = self.by_team.get(team_id, (None, 0))
        return value is not None and enough(n, self.min_n)

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": None if self.value is None else round(self.value, 1),
            "n": self.n,
            "enough": self.enough,
            "min_n": self.min_n,
            "unit": self.unit,
            "note": self.note,
            "window": self.window.to_dict() if self.window is not None else None,
        }


@dataclass(frozen=True)
class Norm:
    key: str
    position: int
    label: Any
    question: Any  # the norm as a question, e.g. "Does everyone speak to a customer monthly?"
    url_name: str  # the page with the data behind the figure
    measure: Callable[[int, date, date], Measure]  # (organisation_id, first day, last day)
    target: float | None = None  # default target; the organisation may set its own later
    higher_is_better: bool = True
    min_n: int = SMALL_N

    def verdict(self, measure: Measure) -> bool | None:
        """On target (True), below (False), or no verdict (None: no target, no value, too
        few to judge (the small-n rule), or a running window)."""
        if self.target is None or measure.value is None or not measure.enough:
            return None
        if measure.window is not None and measure.window.running:
            return None  # a period that has not ended is not judged yet
        if self.higher_is_better:
            return measure.value >= self.target
        return measure.value <= self.target


_norms: dict[str, Norm] = {}


def register_norm(norm: Norm) -> None:
    _norms[norm.key] = norm


def norms() -> list[Norm]:
    return sorted(_norms.values(), key=lambda norm: norm.position)


def norm(key: str) -> Norm:
    """The registered norm ``key``; KeyError naming it otherwise."""
    try:
        return _norms[key]
    except KeyError:
        raise KeyError(f"no norm {key!r} is registered") from None


def figure(key: str | Norm, organisation_id: int, window: Window) -> Measure:
    """THE figure of a norm for a window: every page, API answer, CLI output and report that
    shows a norm calls this (never ``norm.measure`` with dates of its own), so the same window
    gives the same value and n everywhere. A running window counts up to ``window.end``."""
    found = key if isinstance(key, Norm) else norm(key)
    measure = found.measure(organisation_id, window.first, window.end)
    return replace(measure, window=window, min_n=found.min_n)
