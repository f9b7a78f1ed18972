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


def seed_all(*, seed: int = 2026, now: datetime | None = None) -> DemoReport:
    from outsidein.centricity.demo import seed_centricity_demo, seed_index_demo
    from outsidein.core.models import Organisation
    from outsidein.ideas.demo import seed_ideas_demo
    from outsidein.mystery.demo import seed_mystery_demo
    from outsidein.practice.demo import seed_practice_demo
    from outsidein.strategy.demo import seed_strategy_demo
    from outsidein.text.demo import seed_text_demo
    from outsidein.voice.demo import seed_voice_demo

    core = seed_demo(seed=seed, now=now)
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    voice = seed_voice_demo(organisation, seed=seed, now=now)
    parts = {
        app: seed_part(organisation, seed=seed, now=now)
        for app, seed_part in (
            ("practice", seed_practice_demo),
            ("ideas", seed_ideas_demo),
            ("mystery shopping", seed_mystery_demo),
            ("mirror survey", seed_centricity_demo),
            ("strategy", seed_strategy_demo),
            ("text analytics", seed_text_demo),
            ("index", seed_index_demo),
        )
    }
    return DemoReport(core=core, voice=voice, parts=parts)
