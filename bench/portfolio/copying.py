"""The rows in PostgreSQL COPY's text format, and the COPY statement of each table."""

import json
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils import timezone
from psycopg.types.json import Jsonb

from bench.portfolio.build import Shard, build_shard
from bench.portfolio.rows import (
    ALIAS_COLUMNS,
    CLIENT_COLUMNS,
    COVERAGE_COLUMNS,
    CREDENTIAL_COLUMNS,
    CREDENTIAL_REPORT_TYPE_COLUMNS,
    FACET_COLUMNS,
    OBLIGATION_COLUMNS,
    Portfolio,
)
from clients.models import Alias, Client, ClientCoverage, ClientStatFacet, Obligation
from credentials.models import Credential, CredentialReportType

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
# Whether a string holds a character COPY escapes (most hold none: translating is the slow part).
_needs_escape = re.compile(r"[\\\t\n\r]").search


def copy_value(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES) if _needs_escape(value) else value
    if isinstance(value, Jsonb):
        return json.dumps(value.obj).translate(_COPY_ESCAPES)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def copy_text(rows: Iterable[tuple], suffix: str = "") -> bytes:
    """Rows in COPY's text format, each followed by `suffix` (the defaulted columns)."""
    # Plain strings and integers, most of the values, skip copy_value's checks.
    return "".join(
        [
            "\t".join(
                [
                    value
                    if value.__class__ is str and not _needs_escape(value)
                    else str(value)
                    if value.__class__ is int
                    else copy_value(value)
                    for value in row
                ]
            )
            + suffix
            + "\n"
            for row in rows
        ]
    ).encode()


@dataclass(frozen=True)
class CopyTarget:
    """A table's COPY statement and the text of the columns the generator leaves to the
    model fields' defaults."""

    table: str
    statement: str
    suffix: str


def copy_target(
    model: type[models.Model], columns: Sequence[str], *, freeze: bool = False
) -> CopyTarget:
    """COPY into the model's table; other non-key columns get the field's default. `freeze`
    writes the rows frozen (for a table truncated in the same transaction): VACUUM then has
    nothing to do on them."""
    given = set(columns)
    now = timezone.now()
    extra_columns, extra_values = [], []
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key or model_field.attname in given:
            continue
        if model_field.has_default():
            value = model_field.get_default()
        elif getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            value = now
        elif model_field.null:
            value = None
        else:
            raise RuntimeError(f"{model.__name__}.{model_field.name} needs a value in bench/.")
        if isinstance(model_field, models.JSONField) and value is not None:
            value = Jsonb(value)
        extra_columns.append(model_field.column)
        extra_values.append(value)
    known = {f.attname: f.column for f in model._meta.concrete_fields}
    column_list = ", ".join([known[name] for name in columns] + extra_columns)
    table = model._meta.db_table
    return CopyTarget(
        table=table,
        statement=f"COPY {table} ({column_list}) FROM STDIN" + (" WITH (FREEZE)" if freeze else ""),
        suffix="".join("\t" + copy_value(value) for value in extra_values),
    )


def copy_targets(*, kept: bool = False, freeze: Collection[str] = ()) -> dict[str, CopyTarget]:
    """The COPY of each of the Portfolio's row lists (with `kept`, also of its coverage and
    facets, which the portfolio triggers write otherwise); into the tables in `freeze` with
    the rows frozen."""
    models_columns = {
        "clients": (Client, CLIENT_COLUMNS),
        "aliases": (Alias, ALIAS_COLUMNS),
        "obligations": (Obligation, OBLIGATION_COLUMNS),
        "credentials": (Credential, CREDENTIAL_COLUMNS),
        "credential_report_types": (CredentialReportType, CREDENTIAL_REPORT_TYPE_COLUMNS),
    }
    if kept:
        models_columns["coverage"] = (ClientCoverage, COVERAGE_COLUMNS)
        models_columns["facets"] = (ClientStatFacet, FACET_COLUMNS)
    return {
        name: copy_target(model, columns, freeze=model._meta.db_table in freeze)
        for name, (model, columns) in models_columns.items()
    }


def portfolio_copy_text(portfolio: Portfolio, targets: dict[str, CopyTarget]) -> dict[str, bytes]:
    """The rows of each of `targets`' lists in COPY's text format."""
    return {
        name: copy_text(getattr(portfolio, name), target.suffix) for name, target in targets.items()
    }


def _shard_copy_text(
    job: tuple[Shard | Portfolio, dict[str, CopyTarget]],
) -> tuple[dict[str, int], dict[str, bytes], Counter]:
    """A worker's job: build a shard and format it for COPY (the formatting runs in the
    worker too, so the loading process only sends bytes). Also returns the shard's clients
    per statistic (dimension, key)."""
    shard, targets = job
    portfolio = shard if isinstance(shard, Portfolio) else build_shard(shard)
    return portfolio.counts(), portfolio_copy_text(portfolio, targets), portfolio.stats
