"""A database cursor whose statements PostgreSQL parses and plans once per connection.

Django binds parameters on the client by default: every statement reaches PostgreSQL as new
text, parsed and planned again. For the few statements a customer's submission runs on every
request (the survey's version, the feedback and task rows, the rollup upserts) that was over
half of their cost in the database. This cursor binds on the server and prepares every
statement it runs (psycopg keeps the last 100 per connection), so PostgreSQL plans each once
per connection and only executes it after that. It is Django's own cursor class for
``server_side_binding``, wrapped as ``connection.cursor()`` wraps it (errors translated,
queries logged where Django logs them, with the statement's text as written). Elsewhere
(SQLite) it is ``connection.cursor()``. Use it only for statements of a fixed text
(identifiers, not values, written into the SQL).

Behind PgBouncer in transaction mode this needs PgBouncer 1.21 or later with
``max_prepared_statements`` above 0 (see docs/deployment.md)."""

from __future__ import annotations

import functools
import re
from typing import Any

from django.db import connections

_NEVER_BY_COUNT = 2**31 - 1
_PLACEHOLDER = re.compile(r"%(\(\w*\)\w|.)", re.DOTALL)


@functools.lru_cache(maxsize=256)
def numbered(sql: str) -> str:
    """``sql`` with its ``%s`` placeholders as PostgreSQL's ``$1, $2, ...`` (and ``%%`` as
    ``%``), converted once per text. psycopg converts them itself on every execution, and
    caches that only for statements under 4,096 characters and 50 parameters: the one-statement
    submission has 97, and its conversion cost more CPU than the database's work for it."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        if match.group(1) == "%":
            return "%"
        if match.group(1) != "s":
            raise ValueError(f"Only %s placeholders in a prepared statement: {match.group(0)!r}")
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(replace, sql)


def _postgresql() -> Any:
    from django.db.backends.postgresql import base

    return base


@functools.cache
def _classes() -> tuple[type, type]:
    from django.db.backends.utils import CursorWrapper
    from psycopg.raw_cursor import RawCursorMixin

    base = _postgresql()
    server_binding: Any = base.ServerBindingCursor
    debug_wrapper: Any = base.CursorDebugWrapper

    class PreparingCursor(RawCursorMixin, server_binding):  # type: ignore[misc, valid-type]
        """Server-side binding with the statement's placeholders numbered here, once per
        text (``numbered``), and the statement prepared."""

        def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
            options.setdefault("prepare", True)
            if params is not None:
                query = numbered(query)
            return super().execute(query, params, **options)

        def executemany(self, query: Any, params_seq: Any, **options: Any) -> Any:
            return super().executemany(numbered(query), params_seq, **options)

    class LoggedCursor(debug_wrapper):  # type: ignore[misc, valid-type]
        """Django's query log, with the statement as written: a prepared statement's text is
        not what Django's own log reads back from psycopg."""

        def execute(self, sql: Any, params: Any = None) -> Any:
            with self.debug_sql(sql, params):
                return CursorWrapper.execute(self, sql, params)

    return PreparingCursor, LoggedCursor


def cursor(using: str = "default") -> Any:
    connection: Any = connections[using]
    if connection.vendor != "postgresql":
        return connection.cursor()
    base = _postgresql()
    if not base.is_psycopg3:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        native = connection.connection
        if native.prepare_threshold is None:
            # Django turns psycopg's preparing off (None), which refuses even an explicit
            # ``prepare=True``. A threshold no statement reaches turns it back on for this
            # cursor's explicit requests only: Django's own cursors bind on the client and
            # never prepare.
            native.prepare_threshold = _NEVER_BY_COUNT
        preparing, logged = _classes()
        raw = preparing(native)
        # As Django's create_cursor: the connection's time zone for timestamps read back.
        loader = connection.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, base.Format.TEXT)
        if connection.timezone != loader.timezone:
            base.register_tzloader(connection.timezone, raw)
        connection.validate_thread_sharing()
        return logged(raw, connection) if connection.queries_logged else connection.make_cursor(raw)
