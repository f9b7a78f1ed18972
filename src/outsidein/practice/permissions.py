"""Who may do what in the practice app."""

from __future__ import annotations


def register_practice_policies() -> None:
    pass
