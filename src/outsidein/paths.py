"""Where outsidein keeps its files, worked out from the environment alone.

The settings and the `outsidein` command both need the data folder; the command needs it before
Django starts (to say "there is no database here" without creating one), so it lives here rather
than in the settings module.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def default_data_dir() -> Path:
    # Test runs (pytest imports settings before any test code) keep out of the developer's ./var.
    if "pytest" in sys.modules:
        return Path(tempfile.gettempdir()) / "outsidein-test-data"
    return Path.cwd() / "var"


def data_dir() -> Path:
    """The data folder: OUTSIDEIN_DATA_DIR, else ./var in the current folder."""
    configured = os.environ.get("OUTSIDEIN_DATA_DIR", "").strip()
    return Path(configured or str(default_data_dir())).resolve()


def sqlite_file() -> Path | None:
    """The SQLite file the settings will open, or None when the database is not SQLite."""
    url = os.environ.get("OUTSIDEIN_DATABASE_URL", "").strip()
    if not url:
        return data_dir() / "outsidein.sqlite3"
    if not url.startswith("sqlite:"):
        return None
    import dj_database_url

    try:
        name = str(dj_database_url.parse(url).get("NAME") or "")
    except (ValueError, KeyError):
        return None  # the settings name the fault in OUTSIDEIN_DATABASE_URL
    if not name or name == ":memory:":
        return None
    return Path(name).resolve()
