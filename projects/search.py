"""Text search shared by the project list and the member directory.

On PostgreSQL a query matches when
1. the Russian or the English full-text vector of the row matches
   `websearch_to_tsquery` of the query (so «принтер» finds «принтеров»), or
2. for names, the query is trigram-similar to a word of the name (`<%`), which
   forgives typos («Ромошка» finds «Ромашка»).
Each condition is backed by a GIN index created in a PostgreSQL-only migration
(members 0004, projects 0003); the SQL expressions below must stay identical
to the indexed ones or PostgreSQL will not use the indexes.

On SQLite (local development) a plain case-insensitive substring match is used.
"""

from django.db import connection
from django.db.models import BooleanField, FloatField, Q
from django.db.models.expressions import RawSQL

# Threshold for `<%` (word similarity). The default 0.6 misses a single wrong
# letter in a short word; 0.4 keeps typos and ranks the rest below.
WORD_SIMILARITY_THRESHOLD = 0.4

ORG_VECTOR = {
    config: (
        f"to_tsvector('{config}'::regconfig, coalesce(members_organisation.short_name, '') || ' ' || "
        "coalesce(members_organisation.full_name, '') || ' ' || coalesce(members_organisation.description, ''))"
    )
    for config in ("russian", "english")
}
PROJECT_VECTOR = {
    config: (
        f"to_tsvector('{config}'::regconfig, coalesce(projects_project.title, '') || ' ' || "
        "coalesce(projects_project.title_en, '') || ' ' || coalesce(projects_project.summary, '') || ' ' || "
        "coalesce(projects_project.summary_en, '') || ' ' || coalesce(projects_project.description, ''))"
    )
    for config in ("russian", "english")
}


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def text_match(*, vectors: dict, name_column: str, query: str) -> RawSQL:
    """A boolean SQL condition: full-text match in either language, or a name similar to the query."""
    sql = (
        f"({vectors['russian']} @@ websearch_to_tsquery('russian'::regconfig, %s) "
        f"OR {vectors['english']} @@ websearch_to_tsquery('english'::regconfig, %s) "
        f"OR %s <%% {name_column})"
    )
    return RawSQL(sql, (query, query, query), output_field=BooleanField())


def name_similarity(*, name_column: str, query: str) -> RawSQL:
    """How well the query matches a word of the name (0..1), for ordering by relevance."""
    return RawSQL(f"word_similarity(%s, {name_column})", (query,), output_field=FloatField())


def substring_match(fields: tuple[str, ...], query: str) -> Q:
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": query})
    return condition


def configure_connection(sender, connection, **kwargs) -> None:
    """Set the word-similarity threshold once per PostgreSQL connection (see above)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)", [str(WORD_SIMILARITY_THRESHOLD)]
        )
