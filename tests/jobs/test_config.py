"""The background-work settings refuse bad values with a sentence naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _settings_error(**env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", "import outsidein.settings"],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.stderr.strip().splitlines()[-1] if done.returncode else ""


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OUTSIDEIN_DAILY_ROUND_AT": "25:00"}, "OUTSIDEIN_DAILY_ROUND_AT must be a time of day"),
        ({"OUTSIDEIN_DAILY_ROUND_AT": "six"}, "OUTSIDEIN_DAILY_ROUND_AT must be a time of day"),
        ({"OUTSIDEIN_TASKS_BACKEND": "celery"}, "OUTSIDEIN_TASKS_BACKEND must be 'db' or 'rq'"),
        (
            {"OUTSIDEIN_TASKS_BACKEND": "rq", "OUTSIDEIN_REDIS_URL": "localhost:6379"},
            "OUTSIDEIN_REDIS_URL must start with redis://",
        ),
        ({"OUTSIDEIN_SCHEDULER": "sometimes"}, "OUTSIDEIN_SCHEDULER must be true or false"),
    ],
)
def test_bad_background_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    error = _settings_error(**env)
    assert "ImproperlyConfigured" in error and message in error


def test_the_redis_backend_is_chosen_by_configuration() -> None:
    assert _settings_error(OUTSIDEIN_TASKS_BACKEND="rq") == ""
