"""SQLite, the portal's local fallback, without the PostgreSQL-only indexes the models declare.

The models declare their search indexes (GIN on full-text vectors, trigram GIN on names) in
`Meta.indexes`, so migrations and `makemigrations --check` see them. SQLite has no such index
types; this backend leaves them out instead of failing, and everything else is Django's.
"""

from django.db.backends.sqlite3 import base

from .schema import DatabaseSchemaEditor


class DatabaseWrapper(base.DatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor
