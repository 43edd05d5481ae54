"""Bulk writing for the load data set: COPY on PostgreSQL, bulk_create elsewhere; SQL deletes.

`copy_rows` writes model instances with PostgreSQL's COPY, the fastest way in: each value is
what Django would write (`get_db_prep_save`, so field defaults and types are the model's own),
sent as COPY's text format. `reserve_ids` takes primary keys from the table's sequence first, so
rows that others point to can be written without reading anything back. `purge` deletes rows
and everything that points to them with plain SQL, children first, instead of Django's
collector, which loads every related row into memory (350,000 organisations: minutes).
"""

import io
from contextlib import contextmanager
from datetime import date, datetime

from django.db import connection, models
from django.utils import timezone


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def reserve_ids(model, count: int) -> list[int]:
    """`count` fresh primary keys from the table's sequence (PostgreSQL), in one query."""
    if not count:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


# COPY's text format escapes these four characters.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
# Fields whose Python value is what the database stores: no `get_db_prep_save` needed.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.DateField,
    models.ForeignKey,
)


def _text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return r"\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).translate(_ESCAPES)


def _converter(field):
    """How a field's value becomes COPY text: directly for plain fields (aware datetimes included),
    through Django's own preparation for the others."""
    if isinstance(field, _PLAIN) and not isinstance(field, models.DateTimeField):
        return _text
    if isinstance(field, models.DateTimeField):
        return lambda value: _text(value if value is None or timezone.is_aware(value) else timezone.make_aware(value))
    return lambda value: _text(field.get_db_prep_save(value, connection))


def copy_rows(model, objects, *, with_pk: bool = False) -> int:
    """Write unsaved `objects` of `model`; the primary key too when `with_pk` (see `reserve_ids`).

    On PostgreSQL one COPY; elsewhere `bulk_create` (SQLite in the tests). Returns the row count.
    """
    objects = list(objects)
    if not objects:
        return 0
    if not is_postgres():
        model.objects.bulk_create(objects, batch_size=500)
        return len(objects)
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    columns = [
        (f.attname, _converter(f), getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)) for f in fields
    ]
    buffer = io.StringIO()
    for obj in objects:
        values = obj.__dict__
        buffer.write(
            "\t".join(
                convert(now if auto and values[name] is None else values[name]) for name, convert, auto in columns
            )
        )
        buffer.write("\n")
    buffer.seek(0)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN", buffer
        )
    return len(objects)


def _referring(model):
    """(model, column, on_delete) of every foreign key pointing to `model`, many-to-many tables included."""
    for relation in model._meta.get_fields(include_hidden=True):
        if relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one):
            field = relation.field
            yield field.model, field.column, field.remote_field.on_delete


def purge(model, where: str, params: list, *, _path=()) -> None:
    """Delete the rows of `model` matching the SQL condition `where`, and what points to them:
    rows whose key is SET_NULL are kept with the key cleared, the others deleted first."""
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    selected = f"SELECT {pk} FROM {table} WHERE {where}"
    with connection.cursor() as cursor:
        for related, column, on_delete in _referring(model):
            if related in _path or related._meta.proxy:
                continue
            column = connection.ops.quote_name(column)
            if on_delete is models.SET_NULL:
                cursor.execute(
                    f"UPDATE {connection.ops.quote_name(related._meta.db_table)} SET {column} = NULL "
                    f"WHERE {column} IN ({selected})",
                    params,
                )
            else:
                purge(related, f"{column} IN ({selected})", params, _path=(*_path, model))
        cursor.execute(f"DELETE FROM {table} WHERE {where}", params)


@contextmanager
def indexes_rebuilt(models_loaded, *, memory: str = "256MB"):
    """Drop the indexes of these tables that no constraint owns, and create them again afterwards,
    with the same definitions (PostgreSQL; run inside a transaction, which holds the tables locked).
    A superuser's load skips the foreign-key triggers meanwhile (see below).

    Building a GIN index once over all rows is several times faster than growing it row by row
    during COPY (the full-text and trigram indexes of 350,000 organisations). Primary keys and
    unique constraints stay, so the load is checked as it goes.
    """
    if not is_postgres():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            # The generated rows point only to rows written before them: skip the foreign-key
            # triggers (one per row and key: a minute at 350,000 organisations). Superusers only.
            cursor.execute("SET LOCAL session_replication_role = replica")
        definitions = []
        for model in models_loaded:
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                [model._meta.db_table],
            )
            definitions += cursor.fetchall()
        for name, _ in definitions:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # an index is not built under pending checks
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        cursor.execute("SET LOCAL maintenance_work_mem = %s", [memory])
        for _, definition in definitions:
            cursor.execute(definition)
        # Back to each constraint's own timing for the rest of the transaction.
        cursor.execute("SELECT conname FROM pg_constraint WHERE condeferred AND connamespace = 'public'::regnamespace")
        deferred = [connection.ops.quote_name(name) for (name,) in cursor.fetchall()]
        if deferred:
            cursor.execute(f"SET CONSTRAINTS {', '.join(deferred)} DEFERRED")


def analyze(models_written) -> None:
    """Fresh planner statistics for the tables written (autovacuum may be off, and runs late after a
    bulk load anyway): without them PostgreSQL plans the directory blind. Outside a transaction the
    tables are vacuumed too, which marks their pages all-visible: the directory's filtered counts
    then read their indexes without visiting the table (index-only scans)."""
    if not is_postgres():
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in models_written:
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
