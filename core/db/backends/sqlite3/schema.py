from django.contrib.postgres.indexes import PostgresIndex
from django.db.backends.sqlite3.schema import DatabaseSchemaEditor as SQLiteSchemaEditor


class DatabaseSchemaEditor(SQLiteSchemaEditor):
    def _create_index_sql(self, model, *, using="", **kwargs):
        if using:  # an index access method (" USING gin"): PostgreSQL only
            return None
        return super()._create_index_sql(model, using=using, **kwargs)

    def execute(self, sql, params=()):
        if sql is None:  # a left-out index
            return
        super().execute(sql, params)

    def remove_index(self, model, index):
        if not isinstance(index, PostgresIndex):
            super().remove_index(model, index)
