"""Text search shared by the project list and the member directory.

On PostgreSQL a query matches when
1. the Russian or the English full-text vector of the row matches
   `websearch_to_tsquery` of the query (so «принтер» finds «принтеров»);
2. when nothing matches so, rows whose name is trigram-similar to the query
   (`<%`), which forgives typos («Ромошка» finds «Ромашка»), best first.
Each condition is backed by a GIN index created in a PostgreSQL-only migration
(members 0004, projects 0003); the SQL expressions below must stay identical
to the indexed ones or PostgreSQL will not use the indexes.

On SQLite (local development) a plain case-insensitive substring match is used.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, FloatField, Q
from django.db.models.expressions import RawSQL

from .pagination import COUNT_CAP, capped_count

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


def fulltext_match(*, vectors: dict, query: str) -> RawSQL:
    """A boolean SQL condition: the Russian or the English vector matches the query."""
    sql = (
        f"({vectors['russian']} @@ websearch_to_tsquery('russian'::regconfig, %s) "
        f"OR {vectors['english']} @@ websearch_to_tsquery('english'::regconfig, %s))"
    )
    return RawSQL(sql, (query, query), output_field=BooleanField())


def similar_name(*, name_column: str, query: str) -> RawSQL:
    """A boolean SQL condition: the query is trigram-similar to a word of the name (typos forgiven)."""
    return RawSQL(f"(%s <%% {name_column})", (query,), output_field=BooleanField())


def name_similarity(*, name_column: str, query: str) -> RawSQL:
    """How well the query matches a word of the name (0..1), for ordering by relevance."""
    return RawSQL(f"word_similarity(%s, {name_column})", (query,), output_field=FloatField())


@dataclass
class SearchResult:
    queryset: object
    count: int
    more: bool
    fuzzy: bool = False  # no full-text match: rows with a similar name, best first


def search(
    queryset,
    *,
    query: str,
    vectors: dict,
    name_column: str,
    substring_fields: tuple[str, ...],
    count_cap: int = COUNT_CAP,
) -> SearchResult:
    """Full-text search first; only when nothing matches, names similar to the query.

    Queries: one capped count; when the full-text search found nothing, the
    caller pages the similar names with `fuzzy_page` (one query, no count). Trying the exact words first keeps the common case on the full-text
    indexes, and a typo («Ромошка») still finds «Ромашка» through the trigram index.
    """
    if not query:
        count, more = capped_count(queryset, count_cap)
        return SearchResult(queryset, count, more)
    if not is_postgres():
        matched = queryset.filter(substring_match(substring_fields, query))
        count, more = capped_count(matched, count_cap)
        return SearchResult(matched, count, more)
    matched = queryset.filter(fulltext_match(vectors=vectors, query=query))
    count, more = capped_count(matched, count_cap)
    if count:
        return SearchResult(matched, count, more)
    # No count here: the page of similar names is cut from the best few hundred, counted there
    # (a separate capped count would walk the whole name index, see fuzzy_page).
    similar = queryset.filter(similar_name(name_column=name_column, query=query))
    similar = similar.annotate(relevance=name_similarity(name_column=name_column, query=query))
    return SearchResult(similar.order_by("-relevance", "pk"), 0, False, fuzzy=True)


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
