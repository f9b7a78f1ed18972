"""The mystery part of the demo organisation."""

from __future__ import annotations

from datetime import datetime

from outsidein.core.models import Organisation


def seed_mystery_demo(
    organisation: Organisation, *, seed: int, now: datetime | None = None
) -> dict[str, int]:
    return {}
