"""``Model.save()`` for one new row on the customer's hot path, its INSERT compiled once.

A public submission inserts two rows (the feedback, the worker's task row); building each
statement through the ORM's compiler anew is a good part of the request's CPU. Here Django's own
compiler writes the statement once per model and database; every insert after that only works
out the parameters, field by field, exactly as the compiler does (``pre_save`` for
``auto_now_add`` and defaults, ``get_db_prep_save`` for the database's types), and sends the
statement through ``core.prepared`` (PostgreSQL plans it once per connection). The model's
``pre_save`` and ``post_save`` signals are sent as ``save()`` sends them (the tasks database
backend sets a task row's ``run_after`` in one)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Model, signals
from django.db.models.fields import AutoFieldMixin
from django.db.models.sql import InsertQuery

from outsidein.core import prepared

# (model, database alias) -> (sql, fields, compiler, returning fields), or None where the model
# needs what the one fixed statement cannot give (a field with its own placeholder, a generated
# column, a returned column other than the auto key): those rows go through ``save()``.
_Compiled = tuple[str, list[Any], Any, list[Any]]
_compiled: dict[tuple[type[Model], str], _Compiled | None] = {}


def _compile(obj: Model, using: str) -> _Compiled | None:
    meta = type(obj)._meta
    connection = connections[using]
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
    returning = list(meta.db_returning_fields)
    if (
        not connection.features.can_return_columns_from_insert
        or meta.parents
        or not all(isinstance(f, AutoFieldMixin) for f in returning)
        or any(hasattr(f, "get_placeholder") or f.generated for f in fields)
    ):
        return None
    query = InsertQuery(type(obj))
    query.insert_values(fields, [obj])
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = returning
    [(sql, _params)] = compiler.as_sql()
    return sql, fields, compiler, returning


@dataclass
class PreparedRow:
    """One new row's INSERT, its parameters worked out (``pre_save`` sent): send ``sql`` with
    ``params`` (alone, or inside a larger statement), then ``finish`` with the returned row."""

    obj: Model
    sql: str
    params: list[Any]
    columns: list[str]
    returning: list[Any]
    using: str

    def select_sql(
        self,
        expressions: dict[str, str] | None = None,
        *,
        source: str = "",
        condition: str = "",
        returning: bool = False,
    ) -> str:
        """``INSERT INTO table (columns) SELECT ...``: one row, or none where ``source`` (a
        relation of the enclosing statement, e.g. a ``WITH`` name) is empty or ``condition``
        (SQL) is false. A column named in ``expressions`` takes that SQL around its
        placeholder (e.g. ``jsonb_set(%s, ...)``) instead of the bare placeholder; PostgreSQL
        types the placeholders from the columns, as it does in ``VALUES``."""
        expressions = expressions or {}
        quote = connections[self.using].ops.quote_name
        values = ", ".join(expressions.get(column, "%s") for column in self.columns)
        table = quote(type(self.obj)._meta.db_table)
        names = ", ".join(quote(column) for column in self.columns)
        sql = f"INSERT INTO {table} ({names}) SELECT {values}"
        if source:
            sql += f" FROM {source}"
        if condition:
            sql += f" WHERE {condition}"
        if returning:
            sql += " RETURNING " + ", ".join(quote(field.column) for field in self.returning)
        return sql

    def finish(self, returned: Sequence[Any] | None) -> None:
        """What ``save()`` does after its INSERT: the auto key set, the state saved, the
        ``post_save`` signal sent."""
        obj, using = self.obj, self.using
        if returned is not None:
            for field, value in zip(self.returning, returned, strict=True):
                setattr(obj, field.attname, value)
        obj._state.adding = False
        obj._state.db = using
        if signals.post_save.has_listeners(type(obj)):
            signals.post_save.send(
                sender=type(obj),
                instance=obj,
                created=True,
                update_fields=None,
                raw=False,
                using=using,
            )


def prepare(obj: Model, *, using: str = "default") -> PreparedRow | None:
    """``obj``'s INSERT from the once-compiled statement, ``pre_save`` sent; None where the
    model or a value needs the ORM (``save()``) instead."""
    model = type(obj)
    key = (model, using)
    if key not in _compiled:
        _compiled[key] = _compile(obj, using)
    compiled = _compiled[key]
    if compiled is None:
        return None
    sql, fields, compiler, returning = compiled
    if signals.pre_save.has_listeners(model):
        signals.pre_save.send(
            sender=model, instance=obj, raw=False, using=using, update_fields=None
        )
    params = [compiler.prepare_value(f, compiler.pre_save_val(f, obj)) for f in fields]
    # An expression as a value needs its own SQL in the statement: the ORM writes that one.
    if any(hasattr(value, "as_sql") for value in params):
        return None
    return PreparedRow(obj, sql, params, [f.column for f in fields], returning, using)


def insert(obj: Model, *, using: str = "default") -> None:
    """Insert ``obj`` as a new row (its auto key set from the database), like
    ``obj.save(force_insert=True)``. Call it inside a transaction."""
    row = prepare(obj, using=using)
    if row is None:
        obj.save(force_insert=True, using=using)
        return
    with prepared.cursor(using) as cursor:
        cursor.execute(row.sql, row.params)
        returned = cursor.fetchone() if row.returning else None
    row.finish(returned)
