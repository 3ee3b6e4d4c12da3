"""django-import-export resources of the credentials app.

`ClientResource` is the CSV door to the client portfolio: the admin's import (upload, preview
with per-row changes and errors, confirm) and export, the API's bulk upload and
`manage.py import_clients`, all through its `import_data` and the set-based import engine
behind it (credentials.client_import).
"""

from collections.abc import Sequence

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.html import format_html
from import_export import fields, resources
from import_export.formats import base_formats
from import_export.results import Result, RowResult

from clients.models import GLOBAL_SCOPE, Client
from clients.tenancy import organization_for_user
from credentials.client_import import (
    FIELD_DESCRIPTIONS,
    ClientImportReport,
    ImportConflict,
    MappingError,
    clients_import,
    mapping_resolve,
)
from credentials.client_import.files import read_rows
from credentials.models import ClientImport, PasswordAccessEvent

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text that a spreadsheet would run as a formula, quoted so it is shown as text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class PasswordAccessEventResource(resources.ModelResource):
    """Who saw which password when, from where. Holds no secret: the events never do."""

    user = fields.Field(attribute="username", column_name="user")
    organization = fields.Field(attribute="organization__name", column_name="organization")
    client = fields.Field(attribute="client__name", column_name="client")
    credential = fields.Field(attribute="credential_label", column_name="credential")

    class Meta:
        model = PasswordAccessEvent
        fields = [
            "at",
            "user",
            "organization",
            "client",
            "credential",
            "reason",
            "ip",
            "method",
            "route",
        ]

    def export_field(self, field, instance, **kwargs):
        return spreadsheet_safe(super().export_field(field, instance, **kwargs))


class ClientFile(base_formats.Format):
    """A spreadsheet as credentials.client_import.files reads it (CSV by comma, semicolon or
    tab in UTF-8, UTF-16 or Windows-1252, or XLSX), read as bytes so that its encoding is
    detected. Blank lines stay rows (the import skips them) so that row numbers are the
    file's own; the Dataset carries what was detected as `file_info`."""

    def __init__(self, encoding=None):
        # The encoding is detected from the bytes; django-import-export passes its default.
        self.encoding = encoding

    def get_title(self):
        return "CSV or XLSX"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        info, rows = read_rows(in_stream)
        dataset = tablib.Dataset(headers=rows[0] if rows else [])
        for row in rows[1:]:
            dataset.append(row or [""] * dataset.width)
        dataset.file_info = info
        return dataset

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def get_extension(self):
        return "csv"

    def get_content_type(self):
        return "text/csv"

    def can_import(self):
        return True

    def can_export(self):
        return False


EXPORT_FIELDS = [
    "id",
    "name",
    "status",
    "shared",
    "notes",
    "alias",
    "local_company_names",
    "collective_account",
    "created_at",
    "updated_at",
]
FIRST_DATA_ROW = 2  # the header is row 1
# The engine's options the API and the command pass to ClientResource.import_data.
ENGINE_OPTIONS = (
    "mapping",
    "has_header",
    "first_row_number",
    "atomic",
    "source",
    "file_ids",
    "file_name",
    "collect_rows",
    "progress",
    "background",
)
ROW_TYPES = {
    "new": RowResult.IMPORT_TYPE_NEW,
    "update": RowResult.IMPORT_TYPE_UPDATE,
    "skip": RowResult.IMPORT_TYPE_SKIP,
    "invalid": RowResult.IMPORT_TYPE_INVALID,
}


def _import_only(name: str) -> fields.Field:
    """A column the import reads (through the engine) and the export leaves out."""
    return fields.Field(column_name=name, readonly=True)


class ClientResource(resources.ModelResource):
    """Clients as CSV rows.

    Import: the header row names the columns (see FIELD_DESCRIPTIONS: id, name, status,
    shared, notes, alias, local_company_name, country, report_type, pro, login, password,
    registration_number, interval, credential_status; case and spaces ignored). Each row names
    its client by `name` (ignoring case; a new name creates the client) or by `id` (a client of
    the importing user's organization). Several rows may name the same client. Blank cells leave
    values unchanged. `alias` is the global alias, `local_company_name` the alias of the row's
    country. A row with country, report_type, pro and any of login, password,
    registration_number, interval, credential_status is a credential: it updates the client's
    credential for that country and PRO sharing a report type (adding the row's other report
    types) or creates one; passwords are encrypted. A row with country and report_type and no
    credential column is an obligation (pro optional), with a country alone it records that
    the client operates there. Conflicting values within a file: the later row wins, with a
    warning. In the admin, as in the API, the valid rows are applied and the invalid ones
    skipped, unless staff ask for all or nothing.

    Rows are planned and written set-based by credentials.client_import rather than one by one
    through import_row (hundreds of times faster); `import_data` turns its report into the
    Result the admin's preview and confirm screens show.

    Export: one row per client, without credentials (so never a password); cells that a
    spreadsheet would run as formulas are quoted.
    """

    id = fields.Field(attribute="id", column_name="id")
    name = fields.Field(attribute="name", column_name="name")
    status = fields.Field(attribute="status", column_name="status")
    shared = fields.Field(attribute="shared", column_name="shared")
    notes = fields.Field(attribute="notes", column_name="notes")
    alias = fields.Field(column_name="alias", readonly=True)
    local_company_names = fields.Field(column_name="local_company_names", readonly=True)
    collective_account = fields.Field(
        attribute="collective_account", column_name="collective_account"
    )
    created_at = fields.Field(attribute="created_at", column_name="created_at")
    updated_at = fields.Field(attribute="updated_at", column_name="updated_at")
    local_company_name = _import_only("local_company_name")
    country = _import_only("country")
    report_type = _import_only("report_type")
    pro = _import_only("pro")
    login = _import_only("login")
    password = _import_only("password")
    registration_number = _import_only("registration_number")
    interval = _import_only("interval")
    credential_status = _import_only("credential_status")

    class Meta:
        model = Client
        fields = [*EXPORT_FIELDS, *(n for n in FIELD_DESCRIPTIONS if n not in EXPORT_FIELDS)]
        export_order = EXPORT_FIELDS

    @classmethod
    def get_display_name(cls) -> str:
        return "Clients"

    def get_user_visible_fields(self):
        return [self.fields[name] for name in FIELD_DESCRIPTIONS]

    def get_export_fields(self, selected_fields=None):
        return [self.fields[name] for name in EXPORT_FIELDS]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("aliases")

    def dehydrate_alias(self, client: Client) -> str:
        return next((a.name for a in client.aliases.all() if a.scope == GLOBAL_SCOPE), "")

    def dehydrate_local_company_names(self, client: Client) -> str:
        aliases = sorted((a.scope, a.name) for a in client.aliases.all() if a.scope != GLOBAL_SCOPE)
        return "; ".join(f"{scope}: {name}" for scope, name in aliases)

    def export_field(self, field, instance, **kwargs):
        return spreadsheet_safe(super().export_field(field, instance, **kwargs))

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ) -> Result:
        """Preview (`dry_run`) or apply `dataset` with the import engine
        (credentials.client_import.clients_import); the Result carries its report as
        `client_import`.

        The admin gives a tablib Dataset whose headers name the columns, or `mapping` their
        fields, and `atomic`: the import goes into the organization of `kwargs["user"]`, with a
        row report per row; the Result carries the rows read as `source_rows` and what the
        file was as `file_info`. The
        API and `import_clients` give the file's rows as lists of cells (a ragged row is a row
        error there, which a Dataset cannot hold), and in `kwargs` the engine's options:
        `mapping`, `has_header`, `organization`, `atomic`, `source`, `file_ids`, `file_name`,
        `progress`, `background` (the upload becomes a job of the task queue). The command
        gives an iterator of rows, which the engine streams chunk by chunk. An unusable mapping or a conflict is a base error of the Result (raised
        with `raise_errors`); unusable file ids raise ValidationError.
        """
        user = kwargs.get("user")
        rows, headers, options = _engine_arguments(dataset, kwargs)
        organization = kwargs.get("organization") or organization_for_user(user)
        result = self.get_result_class()()
        result.diff_headers = headers
        result.total_rows = len(rows) if isinstance(rows, Sequence) else 0
        # The rows themselves, when they were given whole (the admin's rejected-rows file).
        result.source_rows = rows if isinstance(rows, Sequence) else None
        result.file_info = getattr(dataset, "file_info", None)
        try:
            if organization is None:
                raise ImportConflict("Imports go into your organization, and you have none.")
            if len(options["mapping"]) != len(headers):
                raise MappingError(
                    [f"The mapping has {len(options['mapping'])} columns, the file {len(headers)}."]
                )
            header_fields = mapping_resolve(options["mapping"])
            report = clients_import(
                organization=organization, user=user, rows=rows, dry_run=dry_run, **options
            )
        except (MappingError, ImportConflict) as error:
            result.append_base_error(self.get_error_result_class()(error))
            if raise_errors:
                raise
            return result
        if not isinstance(rows, Sequence):
            result.total_rows = report.rows
        self._fill_result(result, report, header_fields)
        return result

    def _fill_result(
        self, result: Result, report: ClientImportReport, header_fields: list[str | None]
    ) -> None:
        result.client_import = report
        for row in report.row_reports or ():
            row_result = self.get_row_result_class()()
            row_result.import_type = ROW_TYPES[row.import_type]
            row_result.row_values = row.values
            by_header = {
                header: row.values.get(name, "") if name else ""
                for header, name in zip(result.diff_headers, header_fields, strict=True)
            }
            if row.import_type == "invalid":
                messages: dict[str, list[str]] = {}
                for name, message in row.errors:
                    messages.setdefault(name or NON_FIELD_ERRORS, []).append(message)
                row_result.validation_error = ValidationError(messages)
                result.append_invalid_row(row.number, by_header, row_result.validation_error)
            else:
                row_result.diff = [_diff_cell(row, name) for name in header_fields]
                row_result.add_instance_info(row.client)
                row_result.instance = row.client
                result.append_row_result(row_result)
            result.increment_row_result_total(row_result)


def _engine_arguments(dataset, kwargs: dict) -> tuple[list, list[str], dict]:
    """The rows, the column headers and the engine's options of an import_data call."""
    if not isinstance(dataset, tablib.Dataset):
        options = {name: kwargs[name] for name in ENGINE_OPTIONS if name in kwargs}
        return dataset, [name or "" for name in options["mapping"]], options
    headers = list(dataset.headers or [])
    options = {
        "mapping": kwargs.get("mapping") or headers,
        "has_header": False,
        "first_row_number": FIRST_DATA_ROW,
        "atomic": bool(kwargs.get("atomic", False)),
        "source": ClientImport.Source.ADMIN,
        "file_name": kwargs.get("file_name") or "",
        "collect_rows": True,
    }
    rows = [["" if cell is None else str(cell) for cell in row] for row in dataset]
    return rows, headers, options


def _diff_cell(row, name: str | None):
    """The row's cell as the preview shows it: what it adds or changes marked as such."""
    if name is None:
        return ""
    if row.import_type == "new":
        value = row.values.get(name, "")
        return format_html("<ins>{}</ins>", value) if value else ""
    if name not in row.changes:
        return row.values.get(name, "")
    before, after = row.changes[name]
    if before in ("", None):
        return format_html("<ins>{}</ins>", after)
    return format_html("<del>{}</del> <ins>{}</ins>", before, after)
