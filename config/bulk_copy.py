"""Writing many rows at once (PostgreSQL COPY), for uploads of thousands of rows of any model.

`rows_insert` inserts model instances and gives them their primary keys. On PostgreSQL it uses
COPY, with the keys drawn from the table's sequence first; elsewhere it is bulk_create.
`rows_update` writes some fields of saved instances: on PostgreSQL with COPY into a temporary
table and one UPDATE ... FROM it (bulk_update's CASE WHEN, compared row by row, grows with the
square of the batch); elsewhere it is bulk_update. Either way every value goes through its
field's `pre_save` and `get_db_prep_save`, as in `save()`: defaults and auto_now apply,
encrypted fields are encrypted.

`history_rows_insert` writes the django-simple-history rows of objects as they now stand in
their table, one INSERT ... SELECT per batch of keys: the rows `bulk_history_create` writes
(every tracked field, the date, the user, the change reason and the type), without building them
in Python. Both are much faster than bulk_create_with_history on large batches, which spends most
of its time preparing values and history objects row by row.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from operator import attrgetter

from django.db import connections, models, router
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.utils import timezone
from simple_history.utils import get_history_model_for_model

# Fields whose value COPY takes as the attribute is (no conversion, no pre_save): exact types,
# so that subclasses such as the encrypted field go through get_db_prep_save. COPY reads text,
# so a UUID given as a string is as good as a UUID.
PLAIN_FIELDS = {
    models.UUIDField,
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.SmallIntegerField,
    models.BooleanField,
    models.CharField,
    models.TextField,
}
HISTORY_BATCH = 900  # keys per INSERT ... SELECT; SQLite allows 999 parameters a statement
CREATED, CHANGED = "+", "~"


def instance_builder(
    model: type[models.Model], attnames: Sequence[str]
) -> Callable[..., models.Model]:
    """A constructor of `model` instances from values for `attnames`, in that order; the other
    fields take their defaults.

    An instance is what Model.__init__ makes of positional values: its fields' values in its
    `__dict__` and a fresh `_state`. When nothing listens to pre_init or post_init for the
    model, and no field's attribute is a descriptor that acts on assignment (a foreign key's
    id only drops a cached object, which a new instance has not), the values are set directly:
    __init__ costs more than the insert itself for thousands of rows."""
    fields = model._meta.concrete_fields
    _refuse_unknown_attnames(model, fields, attnames)
    plan = _field_plan(fields, attnames)
    static = {field.attname: field.get_default() for _, field, dynamic in plan if not dynamic}
    build_with_init = _init_builder(model, plan, static)
    if not _assigns_directly(model, fields):
        return build_with_init
    defaults, dynamic_fields = _defaults_not_given(plan, static)

    def build(*values) -> models.Model:
        if pre_init.has_listeners(model) or post_init.has_listeners(model):
            return build_with_init(*values)
        obj = model.__new__(model)
        obj._state = ModelState()
        state = obj.__dict__
        state.update(defaults)
        for attname, field in dynamic_fields:
            state[attname] = field.get_default()
        state.update(zip(attnames, values, strict=True))
        return obj

    return build


def _refuse_unknown_attnames(model: type[models.Model], fields, attnames: Sequence[str]) -> None:
    unknown = set(attnames) - {field.attname for field in fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no concrete fields {sorted(unknown)}.")


def _field_plan(fields, attnames: Sequence[str]) -> list[tuple[int | None, models.Field, bool]]:
    """Per field: its position in `attnames` (None when not given), the field, and whether its
    default is dynamic: a callable to call for each instance (a field without a default has a
    fixed one, None or "")."""
    positions = {name: position for position, name in enumerate(attnames)}
    return [
        (positions.get(field.attname), field, field.has_default() and callable(field.default))
        for field in fields
    ]


def _assigns_directly(model: type[models.Model], fields) -> bool:
    """Whether no field's attribute is a descriptor that acts on assignment (a foreign key's
    id only drops a cached object, which a new instance has not)."""
    return not any(
        hasattr(type(model.__dict__.get(name)), "__set__")
        and not isinstance(model.__dict__.get(name), ForeignKeyDeferredAttribute)
        for name in [field.attname for field in fields]
    )


def _init_builder(model: type[models.Model], plan, static: dict) -> Callable[..., models.Model]:
    """Build through Model.__init__, the values in field order."""

    def build(*values) -> models.Model:
        return model(
            *[
                values[position]
                if position is not None
                else (field.get_default() if dynamic else static[field.attname])
                for position, field, dynamic in plan
            ]
        )

    return build


def _defaults_not_given(plan, static: dict) -> tuple[dict, list[tuple[str, models.Field]]]:
    """The fixed defaults of the fields not given, and the fields not given whose default is
    made for each instance."""
    defaults = {
        field.attname: static[field.attname]
        for position, field, dynamic in plan
        if position is None and not dynamic
    }
    dynamic_fields = [
        (field.attname, field) for position, field, dynamic in plan if dynamic and position is None
    ]
    return defaults, dynamic_fields


def rows_insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert `objs` (new instances of `model`) and set their primary keys.

    Related objects assigned to foreign keys must be saved already (their keys are copied, as
    save() does). Integrity errors surface as django.db.IntegrityError.
    """
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model._default_manager.using(connection.alias).bulk_create(objs)
        return
    meta = model._meta
    fields = list(meta.concrete_fields)
    row_of = _row_builder(fields, connection, adding=True)
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="rows_insert")
    with connection.wrap_database_errors, connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
        with cursor.copy(_copy_statement(connection, model, fields)) as copy:
            for obj in objs:
                copy.write_row(row_of(obj))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def rows_update(
    model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str]
) -> None:
    """Write the fields `fields` of `objs` (saved instances of `model`) to their rows.

    auto_now fields among `fields` take the time of the update, as save() gives them.
    """
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model._default_manager.using(connection.alias).bulk_update(objs, fields, batch_size=500)
        return
    meta = model._meta
    targets = [meta.get_field(name) for name in fields]
    row_of = _row_builder([meta.pk, *targets], connection, adding=False)
    quote = connection.ops.quote_name
    temporary = quote(f"rows_update_{meta.db_table}")
    key = quote(meta.pk.column)
    columns = [meta.pk, *targets]
    # Identifiers and types come from the models' metadata; the values travel through COPY.
    definition = ", ".join(
        f"{quote(field.column)} {field.rel_db_type(connection) if field.primary_key else field.db_type(connection)}"
        for field in columns
    )
    assignments = ", ".join(
        f"{quote(field.column)} = source.{quote(field.column)}" for field in targets
    )
    with connection.wrap_database_errors, connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute(f"CREATE TEMPORARY TABLE {temporary} ({definition}) ON COMMIT DROP")
        names = ", ".join(quote(field.column) for field in columns)
        with cursor.copy(f"COPY {temporary} ({names}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(row_of(obj))
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {assignments} FROM {temporary} AS source "  # noqa: S608
            f"WHERE {quote(meta.db_table)}.{key} = source.{key}"
        )
        cursor.execute(f"DROP TABLE {temporary}")


def values_insert(
    model: type[models.Model], attnames: Sequence[str], rows: Sequence[tuple]
) -> None:
    """Insert rows of `model` given as tuples of database-ready values (numbers, text, UUIDs)
    for the fields `attnames`; other fields take their defaults. For link rows, where building
    a model instance per row costs more than the insert. Keys are not returned."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model._default_manager.using(connection.alias).bulk_create(
            model(**dict(zip(attnames, row, strict=True))) for row in rows
        )
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in attnames]
    with (
        connection.wrap_database_errors,
        connection.cursor() as wrapper,
        wrapper.cursor.copy(_copy_statement(connection, model, fields)) as copy,
    ):
        for row in rows:
            copy.write_row(row)


PLAIN, TIMESTAMP, PREPARED = range(3)


def _value_kind(field: models.Field, *, adding: bool) -> int:
    target = field.target_field if field.is_relation else field
    if type(target) in PLAIN_FIELDS:
        return PLAIN
    if getattr(field, "auto_now", False) or (adding and getattr(field, "auto_now_add", False)):
        return TIMESTAMP
    return PREPARED


def _row_builder(fields: Sequence[models.Field], connection, *, adding: bool):
    """A function from an instance to its values of `fields` for COPY, as save() would store
    them: plain values as they are, others through their field's `pre_save` and
    `get_db_prep_save` (None stays None), and auto_now (on insert auto_now_add) fields `now`,
    one timestamp for the whole statement, set on the instance too."""
    now = timezone.now()
    values_of = attrgetter(*(field.attname for field in fields))
    single = len(fields) == 1
    prepared, timestamps = [], []
    for position, field in enumerate(fields):
        kind = _value_kind(field, adding=adding)
        if kind == TIMESTAMP:
            timestamps.append((position, field.attname))
        elif kind == PREPARED:
            prepared.append((position, field))

    def row_of(obj) -> list:
        row = [values_of(obj)] if single else list(values_of(obj))
        for position, attname in timestamps:
            setattr(obj, attname, now)
            row[position] = now
        for position, field in prepared:
            if row[position] is not None:
                row[position] = field.get_db_prep_save(field.pre_save(obj, True), connection)
        return row

    return row_of


def _copy_statement(connection, model: type[models.Model], fields) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    return f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"


def history_rows_insert(
    model: type[models.Model],
    pks: Sequence,
    *,
    history_type: str,
    user=None,
    change_reason: str = "",
    date: datetime | None = None,
) -> None:
    """Record the rows `pks` of `model` as they are now in its simple-history table.

    `history_type` is CREATED ("+") after an insert or CHANGED ("~") after an update.
    """
    if not pks:
        return
    history_model = get_history_model_for_model(model)
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    tracked = ", ".join(quote(field.column) for field in history_model.tracked_fields)
    history_columns = ", ".join(
        quote(history_model._meta.get_field(name).column)
        for name in ("history_date", "history_change_reason", "history_type", "history_user")
    )
    date = connection.ops.adapt_datetimefield_value(date or timezone.now())
    user_id = user.pk if user is not None else None
    # Identifiers come from the models' metadata; every value is a parameter.
    insert = (
        f"INSERT INTO {quote(history_model._meta.db_table)} ({tracked}, {history_columns}) "  # noqa: S608
        f"SELECT {tracked}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
        f"WHERE {quote(model._meta.pk.column)} "
    )
    values = [date, change_reason, history_type, user_id]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(insert + "= ANY(%s)", [*values, list(pks)])
            return
        for start in range(0, len(pks), HISTORY_BATCH):
            batch = list(pks[start : start + HISTORY_BATCH])
            cursor.execute(
                insert + "IN (" + ", ".join(["%s"] * len(batch)) + ")", [*values, *batch]
            )
