"""The whole demo organisation: each app adds its part, in dependency order.

Every part is deterministic (same seed, same data) and idempotent (a second run adds nothing),
so `make demo` can run it every time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from outsidein.core.demo import DEMO_SLUG, SeedReport, seed_demo

# Progress: (step label, share of the whole load done from 0 to 1, detail such as a count).
Progress = Callable[[str, float, str], None]

# Each step's share of a first load (seconds measured on 2 cores; text analysis dominates).
STEPS: tuple[tuple[str, float], ...] = (
    ("customers and people", 3),
    ("surveys and feedback", 5),
    ("practice", 16),
    ("ideas", 5),
    ("mystery shopping", 1.5),
    ("mirror survey", 0.5),
    ("strategy", 0.5),
    ("text analytics", 60),
    ("index", 0.5),
)


@dataclass
class DemoReport:
    core: SeedReport
    voice: dict[str, int] = field(default_factory=dict)
    # Each further app's counts, by app ("practice", "ideas", …), printed one line per app.
    parts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def created(self) -> bool:
        return self.core.created

    def lines(self) -> list[str]:
        lines = [
            f"{self.core.customers} customers, {self.core.people} people, "
            f"{self.core.teams} teams, {self.core.segments} segments"
        ]
        if self.voice:
            lines.append(
                f"{self.voice.get('responses', 0)} survey responses, "
                f"{self.voice.get('complaints', 0)} complaints, "
                f"{self.voice.get('questions', 0)} questions, "
                f"{self.voice.get('reviews', 0)} reviews in {self.voice.get('surveys', 0)} surveys"
            )
        for app, counts in self.parts.items():
            if counts:
                figures = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items())
                lines.append(f"{app}: {figures}")
        return lines


def seed_all(
    *, seed: int = 2026, now: datetime | None = None, progress: Progress | None = None
) -> DemoReport:
    from outsidein.centricity.demo import seed_centricity_demo, seed_index_demo
    from outsidein.core.models import Organisation
    from outsidein.ideas.demo import seed_ideas_demo
    from outsidein.mystery.demo import seed_mystery_demo
    from outsidein.practice.demo import seed_practice_demo
    from outsidein.strategy.demo import seed_strategy_demo
    from outsidein.text.demo import seed_text_demo
    from outsidein.voice.demo import seed_voice_demo

    total = sum(weight for _label, weight in STEPS)
    before = {label: sum(w for _l, w in STEPS[:i]) for i, (label, _w) in enumerate(STEPS)}
    weights = dict(STEPS)

    def step(label: str, share: float = 0.0, detail: str = "") -> None:
        if progress is not None:
            progress(label, (before[label] + weights[label] * share) / total, detail)

    step("customers and people")
    core = seed_demo(seed=seed, now=now)
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    step("surveys and feedback")
    voice = seed_voice_demo(organisation, seed=seed, now=now)
    parts: dict[str, dict[str, int]] = {}
    for app, seed_part in (
        ("practice", seed_practice_demo),
        ("ideas", seed_ideas_demo),
        ("mystery shopping", seed_mystery_demo),
        ("mirror survey", seed_centricity_demo),
        ("strategy", seed_strategy_demo),
        ("index", seed_index_demo),
    ):
        if app == "index":  # the index reads the analysed comments: text analytics goes first
            step("text analytics")
            parts["text analytics"] = seed_text_demo(
                organisation,
                seed=seed,
                now=now,
                report=lambda percent, detail: step("text analytics", percent / 100, detail),
            )
        step(app)
        parts[app] = seed_part(organisation, seed=seed, now=now)
    if progress is not None:
        progress("ready", 1.0, "")
    return DemoReport(core=core, voice=voice, parts=parts)
