"""Inserting many plain rows fast: the audit entries and through-model rows of a bulk import.

`bulk_create` builds a model instance per row and compiles every value through its field; for
tens of thousands of narrow rows that costs more than the database's work. `insert_rows` takes
rows as dicts of column values (attnames: `organisation_id`, not `organisation`) and on PostgreSQL
sends them with psycopg2's `execute_values`, a few thousand rows a statement; elsewhere it falls back
to `bulk_create`. It fires no signal and returns nothing, like `bulk_create` without ids.
"""

from collections.abc import Sequence

from django.db import connection, models

PAGE_SIZE = 2000


def insert_rows(model: type[models.Model], rows: Sequence[dict], *, batch_size: int = PAGE_SIZE) -> None:
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create([model(**row) for row in rows], batch_size=batch_size)
        return
    from psycopg2.extras import Json, execute_values

    names = list(rows[0])
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_attname[name] for name in names]
    json_columns = {i for i, f in enumerate(fields) if isinstance(f, models.JSONField)}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES %s"
    values = [
        tuple(
            Json(row[name]) if i in json_columns and row[name] is not None else row[name]
            for i, name in enumerate(names)
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        execute_values(cursor.cursor if hasattr(cursor, "cursor") else cursor, sql, values, page_size=batch_size)
