"""Indexes for the member directory search (PostgreSQL only; nothing on SQLite).

- pg_trgm, and a GIN trigram index on the short name for typo-tolerant search
  (`query <% short_name`) and the exact-identifier lookups already have unique
  B-tree indexes (inn, ogrn);
- GIN indexes on the Russian and English full-text vectors of the names and the
  description. The expressions must stay identical to projects/search.py.
"""

from django.db import migrations

VECTOR = (
    "to_tsvector('{config}'::regconfig, coalesce(short_name, '') || ' ' || "
    "coalesce(full_name, '') || ' ' || coalesce(description, ''))"
)

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS org_short_name_trgm_idx ON members_organisation USING gin (short_name gin_trgm_ops)",
    f"CREATE INDEX IF NOT EXISTS org_fts_ru_idx ON members_organisation USING gin (({VECTOR.format(config='russian')}))",
    f"CREATE INDEX IF NOT EXISTS org_fts_en_idx ON members_organisation USING gin (({VECTOR.format(config='english')}))",
    "CREATE INDEX IF NOT EXISTS org_created_idx ON members_organisation (created_at DESC, id DESC)",
    "CREATE INDEX IF NOT EXISTS org_short_name_id_idx ON members_organisation (short_name, id)",
]
DROP = [
    "DROP INDEX IF EXISTS org_short_name_id_idx",
    "DROP INDEX IF EXISTS org_created_idx",
    "DROP INDEX IF EXISTS org_fts_en_idx",
    "DROP INDEX IF EXISTS org_fts_ru_idx",
    "DROP INDEX IF EXISTS org_short_name_trgm_idx",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("members", "0003_join_requests_and_invitations")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
