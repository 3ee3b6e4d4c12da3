from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clients.limits import (
    EXTRA_INFO_MAX_BYTES,
    EXTRA_INFO_MAX_DEPTH,
    FILE_ID_MAX_LENGTH,
    FILE_IDS_MAX,
    LOGIN_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    REGISTRATION_NUMBER_MAX_LENGTH,
)
from config.strict_input import UnknownFieldsRefusedMixin
from credentials.client_import import MappingError, mapping_resolve, upload_validate
from credentials.client_import.jobs import job_report
from credentials.models import MASK, Credential, CredentialStatus, Interval
from credentials.selectors import MissingCredential
from credentials.services import NOTHING_REVEALED, NULL_CHARACTER_MESSAGE
from reporting.selectors import Catalog, CatalogLookupError

MISSING = "missing"
SEARCH_ROW_STATUSES = [*CredentialStatus.choices, (MISSING, "Missing")]


class BlankAsNullCharField(serializers.CharField):
    """Renders an empty text as null, as the seed's examples do for unset values."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


@extend_schema_field(
    {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "string", "description": "Comma-separated codes."},
        ],
        "example": ["WEEE", "Batteries"],
    }
)
class ReportTypesField(serializers.Field):
    """Report type codes as a list (`["WEEE", "Batteries"]`) or a comma string (`"WEEE,Batteries"`)."""

    default_error_messages = {
        "invalid": "Expected a list of report type codes or a comma-separated string of them."
    }

    def to_internal_value(self, data) -> list[str]:
        if isinstance(data, str):
            data = data.split(",")
        if not isinstance(data, list) or not all(isinstance(code, str) for code in data):
            self.fail("invalid")
        return [code.strip() for code in data if code.strip()]

    def to_representation(self, value):
        return value


class CredentialInputSerializer(UnknownFieldsRefusedMixin, serializers.Serializer):
    """The body of POST `.../credentials/{country}`. Report types come as `report_types` or
    as `report_type`, the name responses use; `id`, as responses carry it, is ignored."""

    ignored_fields = frozenset({"id"})
    report_types_required = True

    report_types = ReportTypesField(
        required=False, help_text="Report type codes, a list or a comma-separated string."
    )
    report_type = ReportTypesField(
        required=False,
        help_text='The same as report_types, under the name responses use ("WEEE,Batteries").',
    )
    pro = serializers.CharField(max_length=120, help_text="PRO name, as in /logins/report_types.")
    login = serializers.CharField(
        max_length=LOGIN_MAX_LENGTH, allow_blank=True, allow_null=True, required=False
    )
    password = serializers.CharField(
        max_length=500,
        allow_blank=True,
        allow_null=True,
        required=False,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text='null or "" clears it. "***" (the mask) is refused.',
    )
    registration_number = serializers.CharField(
        max_length=REGISTRATION_NUMBER_MAX_LENGTH, allow_blank=True, allow_null=True, required=False
    )
    collective_account = serializers.BooleanField(
        required=False,
        help_text=(
            "On an ordinary client: true links the credential to the collective account "
            "collective_account_id names (the id is then required), false unlinks it. On a "
            "collective-account client its credentials are collective accounts whatever is sent."
        ),
    )
    collective_account_id = serializers.IntegerField(
        allow_null=True,
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text=(
            "Link to a collective account of the same organization, country and PRO: the "
            "credential then reads login and password from it. null unlinks."
        ),
    )
    notes = serializers.CharField(
        allow_blank=True, allow_null=True, required=False, max_length=NOTES_MAX_LENGTH
    )
    interval = serializers.ChoiceField(choices=Interval.choices, allow_null=True, required=False)
    extra_info = serializers.JSONField(
        allow_null=True,
        required=False,
        help_text=(
            f"A JSON object of at most {EXTRA_INFO_MAX_BYTES} bytes (10 KB) as compact UTF-8 "
            f"JSON and {EXTRA_INFO_MAX_DEPTH} levels of nesting, or null."
        ),
    )
    status = serializers.ChoiceField(choices=CredentialStatus.choices, required=False)

    @property
    def report_types_field(self) -> str:
        """The name the request gave report types under, to answer their errors under it."""
        data = self.initial_data if isinstance(self.initial_data, Mapping) else {}
        return (
            "report_type"
            if "report_type" in data and "report_types" not in data
            else ("report_types")
        )

    def validate(self, attrs):
        if "report_type" in attrs:
            codes = attrs.pop("report_type")
            if "report_types" in attrs and attrs["report_types"] != codes:
                raise serializers.ValidationError(
                    {"report_type": ["report_type and report_types differ; send one of them."]}
                )
            attrs["report_types"] = codes
        if self.report_types_required and "report_types" not in attrs:
            raise serializers.ValidationError(
                {
                    "report_types": [
                        "This field is required (or report_type, a comma-separated string)."
                    ]
                }
            )
        return attrs


class CredentialUpdateSerializer(CredentialInputSerializer):
    """The body of PUT/PATCH: only the fields given change."""

    report_types_required = False
    pro = serializers.CharField(
        max_length=120, required=False, help_text="PRO name, as in /logins/report_types."
    )


class CredentialSerializer(serializers.ModelSerializer):
    """A credential as the by-country, create and update routes return it."""

    country = serializers.CharField(source="country.code", read_only=True)
    report_type = serializers.CharField(
        source="report_type_codes", read_only=True, help_text='Comma-joined, e.g. "WEEE,Batteries".'
    )
    report_types = serializers.ListField(
        child=serializers.CharField(), source="report_type_list", read_only=True
    )
    pro = serializers.CharField(source="pro.name", read_only=True)
    login = BlankAsNullCharField(
        source="effective_login", help_text="The collective account's login when linked."
    )
    password = serializers.SerializerMethodField(
        help_text=(
            f'Plaintext for admin and staff of the owning organization (each one logged), "{MASK}" '
            "otherwise; null when none is set. The collective account's when linked."
        )
    )
    registration_number = BlankAsNullCharField()
    notes = BlankAsNullCharField()
    collective_account = serializers.BooleanField(
        source="in_collective_account",
        read_only=True,
        help_text="True when this credential is a collective account or is linked to one.",
    )
    collective_account_id = serializers.IntegerField(allow_null=True, read_only=True)

    class Meta:
        model = Credential
        fields = [
            "id",
            "country",
            "report_type",
            "report_types",
            "pro",
            "login",
            "password",
            "registration_number",
            "status",
            "notes",
            "interval",
            "extra_info",
            "collective_account",
            "collective_account_id",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_password(self, credential: Credential) -> str | None:
        """The plaintext credentials.services.secrets_reveal handed out for this credential
        (context "revealed"), the mask otherwise: this serializer never decrypts."""
        if not credential.has_password:
            return None
        revealed = self.context.get("revealed", NOTHING_REVEALED)
        return revealed.passwords.get(credential.pk, MASK)


class CredentialSearchRowSerializer(CredentialSerializer):
    """A search result: a credential (password masked), or with showMissing an obligation that
    no credential covers (`id` null, `status` "missing")."""

    id = serializers.IntegerField(allow_null=True, read_only=True)
    status = serializers.ChoiceField(choices=SEARCH_ROW_STATUSES, read_only=True)
    report_type = serializers.CharField(
        source="report_type_codes",
        allow_null=True,
        read_only=True,
        help_text='Comma-joined, e.g. "WEEE,Batteries"; null for a missing credential of an '
        "obligation that names only its country.",
    )
    pro = serializers.CharField(source="pro.name", allow_null=True, read_only=True)

    class Meta(CredentialSerializer.Meta):
        fields = [
            "id",
            "country",
            "report_type",
            "report_types",
            "pro",
            "login",
            "password",
            "registration_number",
            "status",
            "notes",
            "interval",
            "collective_account_id",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        if isinstance(instance, MissingCredential):
            return {
                "id": None,
                "country": instance.country,
                "report_type": instance.report_type,
                "report_types": [instance.report_type] if instance.report_type else [],
                "pro": instance.pro,
                "login": None,
                "password": None,
                "registration_number": None,
                "status": MISSING,
                "notes": None,
                "interval": None,
                "collective_account_id": None,
            }
        return super().to_representation(instance)


class CredentialSearchQuerySerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=(
            "Matches country, report type, PRO, login or registration number (case-insensitive)."
        ),
    )
    showMissing = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Add one row per obligation of the client that no credential covers.",
    )


class LinkedClientSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    credential_id = serializers.IntegerField()


class CollectiveAccountSerializer(serializers.Serializer):
    """A collective account, with the clients whose credentials read from it."""

    id = serializers.IntegerField(read_only=True)
    client_id = serializers.IntegerField(read_only=True)
    country = serializers.CharField(source="country_code", read_only=True)
    report_type = serializers.CharField(source="report_type_codes", read_only=True)
    report_types = serializers.ListField(child=serializers.CharField(), read_only=True)
    pro = serializers.CharField(source="pro_name", read_only=True)
    login = BlankAsNullCharField()
    client_name = serializers.CharField(read_only=True)
    linked_clients = LinkedClientSerializer(many=True, read_only=True)

    def to_representation(self, row: dict) -> dict:
        # What the fields above render from a row of credentials.selectors.collective_accounts,
        # built directly: field by field, thousands of accounts and links took most of a large
        # portfolio's response time.
        return {
            "id": row["id"],
            "client_id": row["client_id"],
            "country": row["country_code"],
            "report_type": row["report_type_codes"],
            "report_types": row["report_types"],
            "pro": row["pro_name"],
            "login": row["login"] or None,
            "client_name": row["client_name"],
            "linked_clients": row["linked_clients"],
        }


class CollectiveAccountQuerySerializer(serializers.Serializer):
    country = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text='Country codes, comma-separated or repeated, e.g. "NL". Unknown codes answer '
        "400 naming the valid ones.",
    )
    pro = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text='PRO names, case-insensitive, comma-separated or repeated, e.g. "Stichting Open".',
    )

    def validate_country(self, value: str) -> str:
        catalog = Catalog.load()
        errors = []
        for code in (part.strip() for part in value.split(",")):
            if code:
                try:
                    catalog.country(code)
                except CatalogLookupError as error:
                    errors.append(error.message)
        if errors:
            raise serializers.ValidationError(errors)
        return value


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
