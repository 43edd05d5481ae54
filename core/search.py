"""Text search shared by the project list, the member directory and the review queue.

A model declares what it is searched by once, as a `SearchSpec`; the same object gives
the model's `Meta.indexes` and the query expressions, so query and index cannot drift
(and `makemigrations --check` sees the indexes). On PostgreSQL a query matches when

1. the Russian or the English full-text vector of the row matches the query (so «принтер»
   finds «принтеров»), through an expression GIN index per configuration. Plain words are
   all required and the last one may be the start of a word, as the user types («Смир» finds
   «Смирнов»); a query in web-search syntax ("phrases", -not, or) is read as such;
2. when nothing matches so, rows whose name is trigram-similar to the query (`%>`), which
   forgives typos («Ромошка» finds «Ромашка»), best first, through a trigram GIN index.

Rows found by the full-text search are fetched by their ids when there are few of them
(`FENCE`): the page is then cut from those ids, so PostgreSQL cannot choose to walk the
name-order index and compute the vectors of every row it passes, which a rare word spread
over the alphabet («Смирнов») made cost half a second. Many matches are found quickly by that
walk, so they are left to the planner.

On SQLite (local development) a plain case-insensitive substring match is used, and the
PostgreSQL-only indexes are left out (`core.db.backends.sqlite3`).
"""

import re
from dataclasses import dataclass
from functools import cache

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, TrigramWordSimilarity
from django.db import connection, connections, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.db.models.sql import Query

from .pagination import COUNT_CAP, FENCE, capped_count, id_set

CONFIGS = ("russian", "english")
# Threshold for `%>` (word similarity). The default 0.6 misses a single wrong
# letter in a short word; 0.4 keeps typos and ranks the rest below.
WORD_SIMILARITY_THRESHOLD = 0.4
# A last word at least this long is matched as the start of a word: a shorter prefix matches too
# many words to be worth the index's time.
PREFIX_MIN_LENGTH = 3
WORD = re.compile(r"[^\W_]+")
WEBSEARCH_SYNTAX = re.compile(r'"|(^|\s)-\w|\sor\s', re.IGNORECASE)


def tsquery(query: str) -> tuple[str, str]:
    """The PostgreSQL function and its argument that turn the user's text into a `tsquery`.

    Plain words become `w1 & w2 & w3:*`, built from word characters only, so nothing the user
    typed can be read as an operator; a query in web-search syntax goes to `websearch_to_tsquery`.
    """
    words = WORD.findall(query)
    if not words or WEBSEARCH_SYNTAX.search(query):
        return "websearch_to_tsquery", query
    last = words[-1] + (":*" if len(words[-1]) >= PREFIX_MIN_LENGTH else "")
    return "to_tsquery", " & ".join([*words[:-1], last])


@dataclass(frozen=True)
class SearchSpec:
    """What a model is searched by: its full-text fields, and the name that forgives typos."""

    prefix: str  # of the index names
    fields: tuple[str, ...]
    name_field: str
    # Vectors over long texts (descriptions) cost the planner far more than it thinks: see matching_ids.
    long_texts: bool = False

    def vector(self, config: str) -> SearchVector:
        return SearchVector(*self.fields, config=config)

    def indexes(self) -> list:
        """The GIN indexes behind `matches` and `similar`, for the model's Meta.indexes."""
        return [
            *(GinIndex(self.vector(config), name=f"{self.prefix}_fts_{config[:2]}_idx") for config in CONFIGS),
            GinIndex(OpClass(self.name_field, name="gin_trgm_ops"), name=f"{self.prefix}_{self.name_field}_trgm_idx"),
        ]

    def matches(self, model, query: str) -> RawSQL:
        """The Russian or the English vector matches the query (`tsquery`: words, the last one a prefix;
        or web-search syntax: "phrases", -not).

        The vectors are the indexed expressions compiled once (`compiled_vector`): building and
        compiling them anew cost 1.6 ms a query, twice per search page.
        """
        function, argument = tsquery(query)
        parts, params = [], []
        for config in CONFIGS:
            vector_sql, vector_params = compiled_vector(self, model, config)
            parts.append(f"{vector_sql} @@ {function}(%s::regconfig, %s)")
            params += [*vector_params, config, argument]
        return RawSQL(f"({' OR '.join(parts)})", params, output_field=BooleanField())

    def similar(self, query: str) -> Q:
        """The query is trigram-similar to a word of the name."""
        return Q(**{f"{self.name_field}__trigram_word_similar": query})

    def similarity(self, query: str) -> TrigramWordSimilarity:
        """How well the query matches a word of the name (0..1), for ordering by relevance."""
        return TrigramWordSimilarity(query, self.name_field)

    def contains(self, query: str) -> Q:
        """The fallback without PostgreSQL: a substring of any field."""
        condition = Q()
        for field in self.fields:
            condition |= Q(**{f"{field}__icontains": query})
        return condition


@cache
def compiled_vector(spec: SearchSpec, model, config: str) -> tuple[str, tuple]:
    """The SQL of `spec.vector(config)` on the model's table, exactly as the index has it."""
    query = Query(model)
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.compile(spec.vector(config).resolve_expression(query))
    return sql, tuple(params)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@dataclass
class SearchResult:
    queryset: object
    count: int
    more: bool
    fuzzy: bool = False  # no full-text match: rows with a similar name, best first


def search(queryset, *, query: str, spec: SearchSpec, count_cap: int = COUNT_CAP) -> SearchResult:
    """Full-text search first; only when nothing matches, names similar to the query.

    Queries: one capped count (on PostgreSQL: the ids of up to `FENCE` matches, through the GIN
    indexes); when the full-text search found nothing, the caller pages the similar names with
    `fuzzy_page` (one query, no count). Trying the exact words first keeps the common case on the
    full-text indexes, and a typo («Ромошка») still finds «Ромашка».
    """
    if not query:
        count, more = capped_count(queryset, count_cap)
        return SearchResult(queryset, count, more)
    if not is_postgres():
        matched = queryset.filter(spec.contains(query))
        count, more = capped_count(matched, count_cap)
        return SearchResult(matched, count, more)
    matched = queryset.filter(spec.matches(queryset.model, query))
    ids = matching_ids(queryset, spec, query, limit=max(FENCE, count_cap) + 1)
    count, more = min(len(ids), count_cap), len(ids) > count_cap
    if len(ids) > FENCE:  # many matches: walking the sort order finds a page of them quickly
        return SearchResult(matched, count, more)
    if ids:  # few: the page is cut from their ids, whatever order the list is in
        return SearchResult(queryset.filter(pk__in=id_set(ids)), count, more)
    # No count here: the page of similar names is cut from the best few hundred, counted there
    # (a separate capped count would walk the whole name index, see fuzzy_page).
    similar = queryset.filter(spec.similar(query)).annotate(relevance=spec.similarity(query))
    return SearchResult(similar.order_by("-relevance", "pk"), 0, False, fuzzy=True)


def matching_ids(queryset, spec: SearchSpec, query: str, *, limit: int) -> list:
    """The keys of up to `limit` rows of `queryset` whose vectors match, through the GIN indexes.

    PostgreSQL prices `to_tsvector` at a fixed cost whatever the text's length, so over long texts
    (a project's descriptions: 75 µs a row) it prefers to scan the table, or the rows a filter's own
    index gives («public», two thirds of them), and compute every row's vector: 85 ms at 1,750
    projects, growing with the table, where the GIN indexes take 10 ms. For such a spec the match is
    fenced in a subquery (a LIMIT keeps PostgreSQL from merging it with the filters), planned without
    sequential scans, so only the GIN indexes can answer it. The read is rolled back once its rows
    are in (it writes nothing): a `SET LOCAL` dies with its transaction or savepoint, so the setting
    never reaches another query, even inside a caller's transaction. Sent as one statement with the
    query, so it adds none.
    """
    model = queryset.model
    if not spec.long_texts:
        return list(queryset.filter(spec.matches(model, query)).order_by().values_list("pk", flat=True)[:limit])
    match = spec.matches(model, query)  # raw SQL naming the table itself, so the subquery is raw too
    table, key = model._meta.db_table, model._meta.pk.column
    fenced = RawSQL(f'SELECT "{key}" FROM "{table}" WHERE {match.sql} LIMIT {UNLIMITED}', match.params)
    ids = queryset.filter(pk__in=fenced).order_by().values_list("pk", flat=True)[:limit]
    sql, params = ids.query.sql_with_params()
    with transaction.atomic(using=queryset.db), connections[queryset.db].cursor() as cursor:
        cursor.execute(f"SET LOCAL enable_seqscan = off; {sql}", params)
        ids = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True, using=queryset.db)  # takes the SET LOCAL back with it
    return ids


UNLIMITED = 2**62  # a LIMIT that cuts nothing: it only fences the subquery


def configure_connection(sender, connection, **kwargs) -> None:
    """Set the word-similarity threshold once per PostgreSQL connection (see above)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)", [str(WORD_SIMILARITY_THRESHOLD)]
        )
