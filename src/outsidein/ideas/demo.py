"""The ideas part of the demo organisation."""

from __future__ import annotations

from datetime import datetime

from outsidein.core.models import Organisation


def seed_ideas_demo(
    organisation: Organisation, *, seed: int, now: datetime | None = None
) -> dict[str, int]:
    return {}
