"""Querysets whose SQL is compiled once per process, for the reads of every request.

Compiling a union of annotated querysets costs more Python time than the database takes to
run it, and its shape does not depend on the values it is asked about. A CompiledStatement
builds the queryset once with stand-in values, remembers the SQL and where each stand-in sits
among its parameters, and then runs it with the real values in their places, on the prepared
cursor (config/postgresql: prepared once per connection), converting the values as the ORM
would.

A list of values goes in one parameter, whatever its length, through the `one_of` lookup:
`= ANY(array)` on PostgreSQL, a JSON array read by `json_each` on SQLite.
"""

import json
from collections.abc import Callable, Iterable

from django.db import connection
from django.db.models import Field, ForeignObject, Lookup, QuerySet

from config.postgresql import prepared_cursor


@Field.register_lookup
@ForeignObject.register_lookup
class OneOf(Lookup):
    """`field__one_of=[values]`: as `__in`, with the values in one parameter, so that the SQL
    is the same for any number of them."""

    lookup_name = "one_of"

    def get_prep_lookup(self):
        # Checked when the filter is built, where the admin turns a bad query string into
        # its "invalid lookup" answer, rather than when the SQL is compiled.
        if isinstance(self.rhs, str | bytes) or not isinstance(self.rhs, Iterable):
            raise ValueError(f"{self.lookup_name} takes a list of values.")
        field = self.lhs.output_field
        return [field.get_prep_value(value) for value in self.rhs]

    def process_rhs(self, compiler, connection):
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection, prepared=True) for value in self.rhs]
        return "%s", [values]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, (values,) = self.process_rhs(compiler, connection)
        db_type = self.lhs.output_field.db_type(connection)
        return f"{lhs} = ANY(CAST({rhs} AS {db_type}[]))", [*lhs_params, values]

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, (values,) = self.process_rhs(compiler, connection)
        # The left side is the compiled column, the right a placeholder: no value in the text.
        sql = f"{lhs} IN (SELECT value FROM json_each({rhs}))"  # noqa: S608
        return sql, [*lhs_params, json.dumps(values)]


class CompiledStatement:
    """`build(**stand_ins)`'s SQL, compiled once per process; `rows(**values)`
    runs it with `values` in the stand-ins' places.

    Each stand-in must be a value that no other parameter of the statement has (a negative
    id, or a list of one), give the SQL the same shape as the real values (not None, not an
    empty list), and appear at least once among the compiled parameters. The real values go
    to the database as given: integers, or lists of integers."""

    # Compiled per database vendor: the project uses one database at a time.
    def __init__(self, build: Callable[..., QuerySet], **stand_ins):
        self.build = build
        self.stand_ins = stand_ins
        self._compiled: dict[str, tuple] = {}

    def _compile(self) -> tuple:
        queryset = self.build(**self.stand_ins)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        params = list(params)
        places = {}
        for name, stand_in in self.stand_ins.items():
            if isinstance(stand_in, list):
                stand_in = list(stand_in)
                if connection.vendor == "sqlite":
                    stand_in = json.dumps(stand_in)
            places[name] = [index for index, value in enumerate(params) if value == stand_in]
            if not places[name]:
                raise AssertionError(f"The stand-in for {name} is not among the parameters.")
        select = compiler.select[0 : compiler.col_count]
        converters = compiler.get_converters([column[0] for column in select])
        return compiler, sql, params, places, converters

    def rows(self, **values) -> list[tuple]:
        if values.keys() != self.stand_ins.keys():
            raise TypeError(
                f"Values for {sorted(self.stand_ins)} expected, {sorted(values)} given."
            )
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            compiled = self._compiled[connection.vendor] = self._compile()
        compiler, sql, params, places, converters = compiled
        params = list(params)
        for name, value in values.items():
            if isinstance(value, list | tuple) and connection.vendor == "sqlite":
                value = json.dumps(list(value))
            elif isinstance(value, tuple):
                value = list(value)
            for index in places[name]:
                params[index] = value
        with prepared_cursor(connection) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        return rows
