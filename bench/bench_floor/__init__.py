"""Bench-only: the floor a submission is measured against (never part of the product).

A minimal Django view in the same settings, middleware and gunicorn configuration as the
product: it validates a small form and inserts one row. ``bench/voice.py`` serves the product
with ``bench_floor.settings`` so both answer from the same server processes."""
