"""The foundation's fallbacks: SQLite without PostgreSQL's indexes, search without full-text search."""

from unittest import mock

import pytest
from django.contrib.postgres.indexes import GinIndex
from django.db.utils import ConnectionHandler

from core import search
from members.models import ORGANISATION_SEARCH, Organisation, Region

from .factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sqlite():
    connection = ConnectionHandler({"default": {"ENGINE": "core.db.backends.sqlite3", "NAME": ":memory:"}})["default"]
    yield connection
    connection.close()


def sqlite_indexes(connection, table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s", [table])
        return {name for (name,) in cursor.fetchall()}


def test_sqlite_creates_the_ordinary_indexes_and_leaves_out_postgresql_ones(sqlite):
    with sqlite.schema_editor() as editor:
        editor.create_model(Region)
        editor.create_model(Organisation)
    indexes = sqlite_indexes(sqlite, Organisation._meta.db_table)
    assert {"org_sort_name_id_idx", "org_created_idx", "org_region_sort_name_idx"} <= indexes
    assert not {"org_fts_ru_idx", "org_fts_en_idx", "org_short_name_trgm_idx"} & indexes
    gin = GinIndex(fields=["city"], name="org_city_gin_idx")
    with sqlite.schema_editor() as editor:
        editor.add_index(Organisation, gin)
        editor.remove_index(Organisation, gin)
        editor.remove_index(Organisation, Organisation._meta.indexes[0])
    assert "org_city_gin_idx" not in sqlite_indexes(sqlite, Organisation._meta.db_table)
    assert Organisation._meta.indexes[0].name not in sqlite_indexes(sqlite, Organisation._meta.db_table)


def test_without_postgresql_search_matches_substrings(world):
    OrganisationFactory(short_name="ООО «Ромашка»", description="3D-принтеры")
    with mock.patch("core.search.is_postgres", return_value=False):
        result = search.search(Organisation.objects.all(), query="принтер", spec=ORGANISATION_SEARCH)
    assert [o.short_name for o in result.queryset] == ["ООО «Ромашка»"]
    assert (result.count, result.more, result.fuzzy) == (1, False, False)


def test_the_word_similarity_threshold_is_set_on_postgresql_only():
    other = mock.Mock(vendor="sqlite")
    search.configure_connection(sender=None, connection=other)
    other.cursor.assert_not_called()
