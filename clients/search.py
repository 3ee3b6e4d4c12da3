"""Substring search that ignores case and accents: "lumiere" finds "Lumière", "ŁÓDŹ" "Łódź".

Both sides are compared as lower(f_unaccent(text)). On PostgreSQL f_unaccent is an IMMUTABLE
wrapper of the unaccent extension (clients migration 0009), so that trigram indexes can be
built on that very expression (clients 0010, credentials 0012) and answer the search; on SQLite it is
the same substitution table, in Python (config/sqlite_functions.py).
"""

from django.db.models import CharField, Func, Lookup, Q, TextField, Value
from django.db.models.functions import Lower
from django.db.models.lookups import Contains


class Unaccent(Func):
    """The text without its accents, as PostgreSQL's unaccent extension writes it."""

    function = "f_unaccent"
    output_field = TextField()


def folded(expression) -> Lower:
    """`expression` (a column name or an expression) lowered and without accents."""
    return Lower(Unaccent(expression))


@CharField.register_lookup
@TextField.register_lookup
class FoldedContains(Lookup):
    """`field__folded_contains=text`: the field contains `text`, ignoring case and accents. As a
    lookup it also serves the admin's `search_fields` ("client__name__folded_contains")."""

    lookup_name = "folded_contains"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        return Contains(folded(self.lhs), folded(Value(self.rhs))).as_sql(compiler, connection)


def folded_contains(field: str, text: str) -> Q:
    """Rows whose `field` contains `text`, ignoring case and accents."""
    return Q(**{f"{field}__{FoldedContains.lookup_name}": text})


def folded_search_fields(*fields: str) -> list[str]:
    """An admin's `search_fields` for text `fields`, each compared as the search compares."""
    return [f"{field}__{FoldedContains.lookup_name}" for field in fields]
