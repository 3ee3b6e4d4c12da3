"""The bodies and answers of the bulk upload routes (POST /logins/clients/bulk-upload and its
preview, and a background upload's status)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clients.limits import FILE_ID_MAX_LENGTH, FILE_IDS_MAX
from config.strict_input import UnknownFieldsRefusedMixin
from credentials.client_import import MappingError, mapping_resolve, upload_validate
from credentials.client_import.jobs import job_report
from credentials.services import NULL_CHARACTER_MESSAGE


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "array", "items": {"type": "string", "nullable": True}},
        "example": [
            ["name", "status", "country"],
            ["ABC Corporation", "active", "DE"],
        ],
    }
)
class CsvRowsField(serializers.Field):
    """Rows of a parsed CSV file, each a list of cells. Cells are text; numbers and booleans
    are taken as their text, null as a blank cell."""

    default_error_messages = {
        "not_a_list": "Expected a list of rows, each a list of cell strings.",
        "empty": "The file has no rows.",
        "row": "Row {row} is not a list of cells.",
        "cell": "Row {row}, column {column}: a cell is text, not {kind}.",
    }

    def to_internal_value(self, data) -> list[list[str]]:
        if not isinstance(data, list):
            self.fail("not_a_list")
        if not data:
            self.fail("empty")
        rows = list(data)
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, list):
                self.fail("row", row=number)
            if not all(type(cell) is str for cell in row):
                rows[number - 1] = [
                    self._cell_text(cell, number, column)
                    for column, cell in enumerate(row, start=1)
                ]
        return rows

    def _cell_text(self, cell, row: int, column: int) -> str:
        if cell is None:
            return ""
        if isinstance(cell, str):
            return cell
        if isinstance(cell, bool):
            return "true" if cell else "false"
        if isinstance(cell, int | float):
            return str(cell)
        kind = "a list" if isinstance(cell, list) else "an object"
        self.fail("cell", row=row, column=column, kind=kind)

    def to_representation(self, value):
        return value


@extend_schema_field(
    {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}, "maxItems": FILE_IDS_MAX},
            {"type": "string"},
        ],
        "example": ["1708861331497x933611102973227500"],
    }
)
class FileIdsField(serializers.Field):
    """Identifiers of the uploaded file: a list of strings (numbers are taken as text) or one."""

    default_error_messages = {
        "invalid": "Expected a list of file identifiers (strings) or one.",
        "too_many": f"At most {FILE_IDS_MAX} file identifiers.",
        "too_long": f"A file identifier has at most {FILE_ID_MAX_LENGTH} characters.",
    }

    def to_internal_value(self, data) -> list[str]:
        if isinstance(data, str | int) and not isinstance(data, bool):
            data = [data]
        if not isinstance(data, list) or not all(
            isinstance(item, str | int) and not isinstance(item, bool) for item in data
        ):
            self.fail("invalid")
        if len(data) > FILE_IDS_MAX:
            self.fail("too_many")
        ids = [str(item) for item in data]
        if any(len(item) > FILE_ID_MAX_LENGTH for item in ids):
            self.fail("too_long")
        if any("\x00" in item for item in ids):
            raise serializers.ValidationError(NULL_CHARACTER_MESSAGE)
        return ids

    def to_representation(self, value):
        return value


class BulkUploadSerializer(UnknownFieldsRefusedMixin, serializers.Serializer):
    """The body of POST /logins/clients/bulk-upload and .../bulk-upload/preview."""

    csvData = CsvRowsField(
        help_text="The file's rows, each a list of cell strings, header row included if any."
    )
    mapping = serializers.ListField(
        child=serializers.CharField(allow_blank=True, allow_null=True, max_length=100),
        max_length=200,
        help_text=(
            'The field of each column, in order ("" or null skips a column). Must have as many '
            "entries as each row has cells."
        ),
    )
    fileId = FileIdsField(
        required=False, help_text="Identifiers of the uploaded file, kept with the import record."
    )
    hasHeader = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "Whether the first row is a header. Left out or null: it is when its cells spell "
            "the mapping's field names (ignoring case)."
        ),
    )
    atomic = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "true: when any row has an error, apply nothing (execute answers 400; a preview "
            "then predicts 0 clients created and updated)."
        ),
    )
    background = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Execute only. true: run the upload as a background job (202 with its status "
            "URL), as uploads of more than IMPORT_BACKGROUND_ROWS data rows always are. "
            "A preview ignores it."
        ),
    )

    def validate_mapping(self, value):
        try:
            return mapping_resolve(value)
        except MappingError as error:
            raise serializers.ValidationError(error.messages) from None

    def validate(self, attrs):
        try:
            shape = upload_validate(
                rows=attrs["csvData"], mapping=attrs["mapping"], has_header=attrs["hasHeader"]
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(_upload_errors(error)) from None
        attrs["mapping"], attrs["hasHeader"] = shape.mapping, shape.has_header
        attrs.setdefault("fileId", [])
        return attrs


# The API's own wording of upload_validate's refusals, as its clients know them.
UPLOAD_MESSAGES = {"header_only": "The file has a header row only."}


def _upload_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    """upload_validate's errors under the body's field names."""
    fields = {"file": "csvData", "mapping": "mapping"}
    return {
        fields[key]: [UPLOAD_MESSAGES.get(e.code, e.message) for e in errors]
        for key, errors in error.error_dict.items()
    }


class RowMessageSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row's number as the file counts it (from 1).")
    field = serializers.CharField(
        allow_null=True, help_text="The mapped field, or null for the whole row."
    )
    message = serializers.CharField()


class BulkUploadSummarySerializer(serializers.Serializer):
    would_create = serializers.IntegerField(source="created", help_text="Clients to create.")
    would_update = serializers.IntegerField(
        source="updated", help_text="Existing clients that a row changes."
    )
    errors = serializers.IntegerField(source="invalid_rows", help_text="Rows with errors.")
    warnings = serializers.IntegerField()


class ValidationResultsSerializer(serializers.Serializer):
    valid = serializers.IntegerField(source="valid_rows")
    invalid = serializers.IntegerField(source="invalid_rows")


class RowMessagesSerializer(serializers.Serializer):
    """Row errors and warnings, the first ones of each (`row_errors_total` counts them all)."""

    row_errors = RowMessageSerializer(many=True)
    row_errors_total = serializers.IntegerField()
    row_warnings = RowMessageSerializer(many=True)
    has_header = serializers.BooleanField()


class BulkUploadPreviewSerializer(RowMessagesSerializer):
    preview = serializers.SerializerMethodField()
    summary = BulkUploadSummarySerializer(source="*")
    sample_data = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text='The first valid rows as {field: cell}, passwords as "***".',
    )
    validation_results = ValidationResultsSerializer(source="*")

    def get_preview(self, report) -> bool:
        return True


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


class BulkUploadResultSerializer(RowMessagesSerializer):
    created = serializers.IntegerField(help_text="Clients created.")
    updated = serializers.IntegerField(help_text="Existing clients changed.")
    errors = serializers.IntegerField(
        source="invalid_rows", help_text="Rows with errors, not applied."
    )
    warnings = serializers.IntegerField()
    summary = serializers.SerializerMethodField()
    applied = serializers.BooleanField(
        help_text="false when nothing was applied: no row could be, or atomic was requested "
        "and a row had an error."
    )
    import_id = serializers.IntegerField(source="record.pk", help_text="The import record.")

    def get_summary(self, report) -> str:
        counts = (
            f"{_count(report.created, 'client')} created, "
            f"{_count(report.updated, 'client')} updated, "
            f"{_count(report.invalid_rows, 'error')} encountered."
        )
        if report.applied:
            return f"Bulk upload completed successfully. {counts}"
        if report.valid_rows == 0:
            return (
                "Nothing was uploaded: no row could be applied. "
                f"{_count(report.invalid_rows, 'error')} encountered."
            )
        return f"Nothing was uploaded (atomic: a row had an error). {counts}"


class BulkUploadJobSerializer(serializers.Serializer):
    """The answer of an execute run as a background job (202)."""

    import_id = serializers.IntegerField(
        source="record.pk", help_text="The import record, which the job fills."
    )
    status_url = serializers.SerializerMethodField(
        help_text="GET it for the job's state and, once done, its result."
    )

    def get_status_url(self, report) -> str:
        return self.context["status_url"]


class BulkUploadStatusSerializer(serializers.Serializer):
    """A background upload's state: `result` is the execute route's body once the job is done
    (`applied` false when an atomic upload had errors), null before."""

    state = serializers.ChoiceField(
        choices=["queued", "running", "done", "failed"],
        help_text="queued, running, done or failed (`error` says why; the rows applied stay).",
    )
    rows_done = serializers.IntegerField(help_text="Rows applied so far.")
    rows_total = serializers.IntegerField(help_text="Rows of the upload (blank rows left out).")
    error = serializers.CharField(help_text="Why a failed job stopped; empty otherwise.")
    result = serializers.SerializerMethodField()

    @extend_schema_field(BulkUploadResultSerializer(allow_null=True))
    def get_result(self, job) -> dict | None:
        if job.state != "done":
            return None
        return BulkUploadResultSerializer(job_report(job)).data
