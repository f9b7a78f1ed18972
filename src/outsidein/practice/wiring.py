"""The practice app's own evidence kinds, work source and norms (see ``registry``)."""

from __future__ import annotations


def register_practice_parts() -> None:
    pass
