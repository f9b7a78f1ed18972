"""The whole demo organisation: each app adds its part, in dependency order.

Every part is deterministic (same seed, same data) and idempotent (a second run adds nothing),
so `make demo` can run it every time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from outsidein.core.demo import DEMO_SLUG, SeedReport, seed_demo


@dataclass
class DemoReport:
    core: SeedReport
    voice: dict[str, int] = field(default_factory=dict)
    practice: dict[str, int] = field(default_factory=dict)

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
        if self.practice:
            parts = [f"{n} {name.replace('_', ' ')}" for name, n in self.practice.items()]
            lines.append("practice: " + ", ".join(parts))
        return lines


def seed_all(*, seed: int = 2026, now: datetime | None = None) -> DemoReport:
    from outsidein.centricity.demo import seed_centricity_demo
    from outsidein.core.models import Organisation
    from outsidein.ideas.demo import seed_ideas_demo
    from outsidein.mystery.demo import seed_mystery_demo
    from outsidein.practice.demo import seed_practice_demo
    from outsidein.strategy.demo import seed_strategy_demo
    from outsidein.voice.demo import seed_voice_demo

    core = seed_demo(seed=seed, now=now)
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    voice = seed_voice_demo(organisation, seed=seed, now=now)
    practice: dict[str, int] = {}
    for seed_part in (
        seed_practice_demo,
        seed_ideas_demo,
        seed_mystery_demo,
        seed_centricity_demo,
        seed_strategy_demo,
    ):
        practice.update(seed_part(organisation, seed=seed, now=now))
    return DemoReport(core=core, voice=voice, practice=practice)
