"""OpenAPI names its components after the schema classes: two different classes with one name
would silently share one definition (and one of them would be documented wrong)."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema

from outsidein.api.api import api


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


def test_every_api_schema_class_has_its_own_name() -> None:
    api.get_openapi_schema()  # imports every router and its schemas
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("outsidein."):
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(places) for name, places in by_name.items() if len(places) > 1}
    assert len(by_name) > 100  # the walk found the schemas
    assert shared == {}
