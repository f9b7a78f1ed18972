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
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from outsidein.core.models import Person


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


@dataclass(frozen=True)
class Measure:
    """One norm's figure for a period: the organisation's value and each team's.

    ``value`` is None when there is nothing to measure (shown as "no data", never as zero).
    ``by_team`` maps team id to (value or None, n)."""

    value: float | None
    n: int
    unit: str = "%"  # "%", "h" (hours) or "score" (0–100)
    by_team: dict[int, tuple[float | None, int]] = field(default_factory=dict)
    note: str = ""


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


_norms: dict[str, Norm] = {}


def register_norm(norm: Norm) -> None:
    _norms[norm.key] = norm


def norms() -> list[Norm]:
    return sorted(_norms.values(), key=lambda norm: norm.position)
