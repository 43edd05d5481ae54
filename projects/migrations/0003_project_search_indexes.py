"""Indexes for the project search (PostgreSQL only; nothing on SQLite).

GIN indexes on the Russian and English full-text vectors and a GIN trigram
index on the title. The expressions must stay identical to projects/search.py.
"""

from django.db import migrations

VECTOR = (
    "to_tsvector('{config}'::regconfig, coalesce(title, '') || ' ' || coalesce(title_en, '') || ' ' || "
    "coalesce(summary, '') || ' ' || coalesce(summary_en, '') || ' ' || coalesce(description, ''))"
)

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS project_title_trgm_idx ON projects_project USING gin (title gin_trgm_ops)",
    f"CREATE INDEX IF NOT EXISTS project_fts_ru_idx ON projects_project USING gin (({VECTOR.format(config='russian')}))",
    f"CREATE INDEX IF NOT EXISTS project_fts_en_idx ON projects_project USING gin (({VECTOR.format(config='english')}))",
    "CREATE INDEX IF NOT EXISTS project_created_id_idx ON projects_project (created_at DESC, id DESC)",
    "CREATE INDEX IF NOT EXISTS project_title_id_idx ON projects_project (title, id)",
]
DROP = [
    "DROP INDEX IF EXISTS project_title_id_idx",
    "DROP INDEX IF EXISTS project_created_id_idx",
    "DROP INDEX IF EXISTS project_fts_en_idx",
    "DROP INDEX IF EXISTS project_fts_ru_idx",
    "DROP INDEX IF EXISTS project_title_trgm_idx",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0002_participation_requests_and_documents"),
        ("members", "0004_organisation_search_indexes"),
    ]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
