"""The search's comparison, lower(f_unaccent(column)), is what the trigram indexes are built on."""

import re

import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db, pytest.mark.postgresql]

SEARCHED = {
    ("clients_client", "name"),
    ("clients_client", "notes"),
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


def test_no_trigram_index_is_built_on_an_expression_no_query_compares():
    assert not [name for name, definition in trigram_indexes().items() if "upper(" in definition]
