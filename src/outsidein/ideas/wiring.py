"""Registers this app's permission policies and its parts of the shared practice pages
(evidence kinds, My work items, norms)."""

from __future__ import annotations


def register_ideas_parts() -> None:
    pass
