"""The search's comparison, lower(f_unaccent(column)), is what the trigram indexes are built on:
the search text (which holds every searched value, notes included, folded) and the columns a
search still compares one by one (companyNameOnly; the credentials' own search)."""

import re

import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db, pytest.mark.postgresql]

SEARCHED = {
    ("clients_client", "name"),
    ("clients_alias", "name"),
    ("credentials_credential", "login"),
    ("credentials_credential", "registration_number"),
}


def trigram_indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND indexdef LIKE '%%gin_trgm_ops%%'"
        )
        return dict(cursor.fetchall())


def test_every_searched_column_has_a_trigram_index_on_the_folded_expression():
    definitions = list(trigram_indexes().values())

    for table, column in SEARCHED:
        assert any(
            f" ON public.{table} " in definition
            and re.search(rf"lower\(f_unaccent\(\(?{column}\)?(::text)?\)\)", definition)
            for definition in definitions
        ), (table, column, definitions)


def test_the_search_text_has_its_trigram_index():
    assert any(
        " ON public.clients_clientsearchtext " in definition and "(text gin_trgm_ops)" in definition
        for definition in trigram_indexes().values()
    ), trigram_indexes()


def test_no_trigram_index_is_built_on_an_expression_no_query_compares():
    definitions = trigram_indexes().values()
    assert not [definition for definition in definitions if "upper(" in definition]
    # Notes are searched through the search text only.
    assert not [definition for definition in definitions if "notes" in definition]
