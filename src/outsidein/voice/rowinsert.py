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


def insert(obj: Model, *, using: str = "default") -> None:
    """Insert ``obj`` as a new row (its auto key set from the database), like
    ``obj.save(force_insert=True)``. Call it inside a transaction."""
    model = type(obj)
    key = (model, using)
    if key not in _compiled:
        _compiled[key] = _compile(obj, using)
    compiled = _compiled[key]
    if compiled is not None:
        sql, fields, compiler, returning = compiled
        if signals.pre_save.has_listeners(model):
            signals.pre_save.send(
                sender=model, instance=obj, raw=False, using=using, update_fields=None
            )
        params = [compiler.prepare_value(f, compiler.pre_save_val(f, obj)) for f in fields]
        # An expression as a value needs its own SQL in the statement: the ORM writes that one.
        if not any(hasattr(value, "as_sql") for value in params):
            with prepared.cursor(using) as cursor:
                cursor.execute(sql, params)
                row = cursor.fetchone() if returning else None
            if row is not None:
                for field, value in zip(returning, row, strict=True):
                    setattr(obj, field.attname, value)
            obj._state.adding = False
            obj._state.db = using
            if signals.post_save.has_listeners(model):
                signals.post_save.send(
                    sender=model,
                    instance=obj,
                    created=True,
                    update_fields=None,
                    raw=False,
                    using=using,
                )
            return
    obj.save(force_insert=True, using=using)
