"""The lock files pin every dependency that pyproject.toml names, with hashes.

`make demo`, `make test` and CI install from the lock files only, so a dependency added to
pyproject.toml without `make lock` would be missing from every install: this test says so.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)")


def locked(lock_file: str) -> dict[str, list[str]]:
    """Package name → pinned versions (several where markers split by Python version)."""
    pins: dict[str, list[str]] = {}
    for line in (ROOT / lock_file).read_text().splitlines():
        match = PIN.match(line)
        if match:
            pins.setdefault(canonicalize_name(match.group(1)), []).append(match.group(2))
    return pins


def declared(extra: str | None = None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    return [Requirement(name) for name in names]


def test_every_runtime_dependency_is_pinned_in_both_locks_within_its_range():
    for lock_file in ("requirements.lock", "requirements-dev.lock"):
        pins = locked(lock_file)
        for requirement in declared():
            name = canonicalize_name(requirement.name)
            assert name in pins, f"{requirement.name} is not in {lock_file}: run `make lock`"
            for version in pins[name]:
                assert requirement.specifier.contains(version, prereleases=True), (
                    f"{lock_file} pins {name}=={version}, outside {requirement}: run `make lock`"
                )


def test_every_dev_dependency_is_pinned_in_the_dev_lock():
    pins = locked("requirements-dev.lock")
    for requirement in declared("dev"):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in requirements-dev.lock: run `make lock`"


def test_every_pin_carries_a_hash():
    for lock_file in ("requirements.lock", "requirements-dev.lock"):
        text = (ROOT / lock_file).read_text()
        entries = re.split(r"\n(?=[A-Za-z0-9])", text)
        pinned = [entry for entry in entries if PIN.match(entry)]
        assert pinned, f"{lock_file} pins nothing"
        for entry in pinned:
            assert "--hash=sha256:" in entry, f"{entry.splitlines()[0]} has no hash in {lock_file}"
