"""The product's settings plus the bench-only floor view."""

from outsidein.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench_floor.apps.BenchFloorConfig"]  # noqa: F405
ROOT_URLCONF = "bench_floor.urls"
