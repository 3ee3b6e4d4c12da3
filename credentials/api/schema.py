"""OpenAPI descriptions of the credential, search, collective-account and bulk-upload routes,
kept beside the views."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)

from config.api_schema import (
    CLIENT_ID,
    CREDENTIAL_ID,
    CredentialConflictSerializer,
    CredentialErrorSerializer,
    CredentialMessageSerializer,
    error_response,
    schema_stack,
)
from credentials.api.bulk_serializers import (
    BulkUploadJobSerializer,
    BulkUploadPreviewSerializer,
    BulkUploadResultSerializer,
    BulkUploadSerializer,
    BulkUploadStatusSerializer,
)
from credentials.api.serializers import (
    CollectiveAccountQuerySerializer,
    CollectiveAccountSerializer,
    CredentialInputSerializer,
    CredentialSearchQuerySerializer,
    CredentialSearchRowSerializer,
    CredentialSerializer,
    CredentialUpdateSerializer,
)
from credentials.client_import import FIELD_DESCRIPTIONS

# Unlike the clients' routes, these describe the code as the EPR world writes it.
CREDENTIAL_COUNTRY = OpenApiParameter(
    "country",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description='Two-letter country code as the EPR world writes it ("DE", "FR", "UK").',
)
CREDENTIAL_BAD_REQUEST = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description=(
        'Invalid input, as {"field": ["message"]}: unknown PRO, report type or country (the '
        "message names the valid ones), overlap with another credential of the client, a "
        "collective-account link that breaks the rules, extra_info not an object."
    ),
)
QUERY_BAD_REQUEST = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description='Invalid query parameter, as {"parameter": ["message"]}.',
)
CREDENTIAL_UNAUTHORIZED = error_response(
    "No or an invalid token (or session).", CredentialErrorSerializer
)
CREDENTIAL_FORBIDDEN = error_response(
    "Not a member of an organization, or a read-only role.", CredentialErrorSerializer
)
CREDENTIAL_NOT_FOUND = error_response(
    "No such client, country or credential in your organization (a client shared with "
    "your organization is read-only: writes answer 404 too).",
    CredentialErrorSerializer,
)
SEED_CREDENTIAL = {
    "id": 456,
    "country": "DE",
    "report_type": "WEEE",
    "report_types": ["WEEE"],
    "pro": "Stiftung EAR",
    "login": "username@example.com",
    "password": "secure_password",
    "registration_number": "DE123456",
    "status": "active",
    "notes": "Main credential",
    "interval": "quarterly",
    "extra_info": None,
    "collective_account": False,
    "collective_account_id": None,
}
WRITE_ERRORS = {
    400: CREDENTIAL_BAD_REQUEST,
    401: CREDENTIAL_UNAUTHORIZED,
    403: CREDENTIAL_FORBIDDEN,
    404: CREDENTIAL_NOT_FOUND,
}

CREDENTIAL_VIEWSET_SCHEMA = schema_stack(
    extend_schema(tags=["credentials"], parameters=[CLIENT_ID, CREDENTIAL_COUNTRY]),
    extend_schema_view(
        list=extend_schema(
            operation_id="get_client_credentials",
            summary="Credentials of a client in a country",
            description=(
                "Plaintext passwords for admin and staff of the organization owning the client, each "
                'one recorded as an access event; "***" for viewers and for readers of a shared '
                "client. A credential linked to a collective account shows the collective account's "
                "login and password."
            ),
            responses={
                200: CredentialSerializer(many=True),
                401: CREDENTIAL_UNAUTHORIZED,
                403: CREDENTIAL_FORBIDDEN,
                404: CREDENTIAL_NOT_FOUND,
            },
            examples=[OpenApiExample("Credentials", value=[SEED_CREDENTIAL], response_only=True)],
        ),
        retrieve=extend_schema(
            operation_id="get_client_credential",
            summary="One credential of a client",
            description=(
                "Only this credential's password is revealed: plaintext for admin and staff of the "
                'organization owning the client, recorded as an access event; "***" for viewers '
                "and for readers of a shared client."
            ),
            parameters=[CREDENTIAL_ID],
            responses={
                200: CredentialSerializer,
                401: CREDENTIAL_UNAUTHORIZED,
                403: CREDENTIAL_FORBIDDEN,
                404: CREDENTIAL_NOT_FOUND,
            },
            examples=[OpenApiExample("Credential", value=SEED_CREDENTIAL, response_only=True)],
        ),
        create=extend_schema(
            operation_id="create_client_credentials",
            summary="Create a credential",
            description=(
                "Individual (login and password stored, encrypted) or linked to a collective "
                'account with `"collective_account": true, "collective_account_id": N` (same '
                "organization, country and PRO; no own login or password). Report types come as "
                "report_types (list or comma string) or report_type (comma string). Unknown fields "
                "answer 400. The response carries the password, recorded as an access event."
            ),
            request=CredentialInputSerializer,
            responses={201: CredentialSerializer, **WRITE_ERRORS},
        ),
        update=extend_schema(
            operation_id="update_client_credentials",
            summary="Update a credential (only the fields given)",
            description=(
                "Omitted fields stay as they are. A replaced password goes to the password history. "
                "A linked credential refuses its own login or password until it is unlinked "
                '("collective_account_id": null, or "collective_account": false). Unknown fields '
                "answer 400."
            ),
            parameters=[CREDENTIAL_ID],
            request=CredentialUpdateSerializer,
            responses={200: CredentialSerializer, **WRITE_ERRORS},
        ),
        partial_update=extend_schema(
            operation_id="partial_update_client_credentials",
            summary="Update a credential (same as PUT)",
            parameters=[CREDENTIAL_ID],
            request=CredentialUpdateSerializer,
            responses={200: CredentialSerializer, **WRITE_ERRORS},
        ),
        destroy=extend_schema(
            operation_id="delete_client_credentials",
            summary="Delete a credential",
            parameters=[CREDENTIAL_ID],
            responses={
                200: CredentialMessageSerializer,
                401: CREDENTIAL_UNAUTHORIZED,
                403: CREDENTIAL_FORBIDDEN,
                404: CREDENTIAL_NOT_FOUND,
                409: OpenApiResponse(
                    CredentialConflictSerializer,
                    description="A collective account that other credentials link to; names them.",
                ),
            },
        ),
    ),
)

CREDENTIAL_SEARCH_SCHEMA = schema_stack(
    extend_schema(tags=["credentials"]),
    extend_schema_view(
        list=extend_schema(
            operation_id="search_client_credentials",
            summary="Search a client's credentials",
            description=(
                'Passwords are always "***". With showMissing=true, one row is added per obligation '
                'of the client that no credential covers: id null, status "missing", the country and '
                "report type, the PRO when the obligation or the catalog names exactly one."
            ),
            parameters=[CLIENT_ID, CredentialSearchQuerySerializer],
            responses={
                200: CredentialSearchRowSerializer(many=True),
                400: QUERY_BAD_REQUEST,
                401: CREDENTIAL_UNAUTHORIZED,
                403: CREDENTIAL_FORBIDDEN,
                404: CREDENTIAL_NOT_FOUND,
            },
            examples=[
                OpenApiExample(
                    "Credentials and a missing one",
                    value=[
                        {
                            "id": 456,
                            "country": "DE",
                            "report_type": "WEEE",
                            "report_types": ["WEEE"],
                            "pro": "Stiftung EAR",
                            "login": "username@example.com",
                            "password": "***",
                            "registration_number": "DE123456",
                            "status": "active",
                            "notes": "Main credential",
                            "interval": "quarterly",
                            "collective_account_id": None,
                        },
                        {
                            "id": None,
                            "country": "FR",
                            "report_type": "Textiles",
                            "report_types": ["Textiles"],
                            "pro": "Refashion",
                            "login": None,
                            "password": None,
                            "registration_number": None,
                            "status": "missing",
                            "notes": None,
                            "interval": None,
                            "collective_account_id": None,
                        },
                    ],
                    response_only=True,
                )
            ],
        )
    ),
)

COLLECTIVE_ACCOUNT_LIST_SCHEMA = schema_stack(
    extend_schema(tags=["credentials"]),
    extend_schema_view(
        list=extend_schema(
            operation_id="get_collective_accounts",
            summary="Collective accounts of the organization",
            description=(
                "Credentials owned by the organization's collective-account clients, with the clients "
                "whose credentials link to them (they read login and password from the collective "
                "account, so an update reaches all of them at once)."
            ),
            parameters=[CollectiveAccountQuerySerializer],
            responses={
                200: CollectiveAccountSerializer(many=True),
                400: QUERY_BAD_REQUEST,
                401: CREDENTIAL_UNAUTHORIZED,
                403: CREDENTIAL_FORBIDDEN,
            },
            examples=[
                OpenApiExample(
                    "Collective accounts",
                    value=[
                        {
                            "id": 5,
                            "client_id": 10,
                            "country": "NL",
                            "report_type": "Packaging",
                            "report_types": ["Packaging"],
                            "pro": "Stichting Open",
                            "login": "collective@example.com",
                            "client_name": "Collective Account - Stichting Open",
                            "linked_clients": [
                                {"id": 123, "name": "ABC Corporation", "credential_id": 77}
                            ],
                        }
                    ],
                    response_only=True,
                )
            ],
        )
    ),
)


def _bulk_upload_description(action: str) -> str:
    fields = "\n".join(f"- `{name}`: {text}" for name, text in FIELD_DESCRIPTIONS.items())
    return (
        f"{action}\n\n"
        "**Body**: `csvData` (the file's rows, each a list of cell strings), `mapping` (the "
        'field of each column; "" or null skips a column), `fileId` (identifiers of the '
        "uploaded file, kept with the import record), optional `hasHeader`, `atomic` and "
        "`background` (execute: run as a background job, answered 202).\n\n"
        f"**Fields** (case, spaces and hyphens ignored):\n{fields}\n\n"
        "**Rows**: a row names its client by `name` (matched ignoring case within your "
        "organization; a new name creates the client) or by `id` (a client of your "
        "organization). Several rows may name the same client. Blank cells leave values "
        "unchanged. `alias` sets the global alias, `local_company_name` the alias of the row's "
        "`country`. A row with `country`, `report_type`, `pro` and any of login, password, "
        "registration_number, interval, credential_status is a credential: it updates the "
        "client's credential for that country and PRO that shares a report type (adding the "
        "row's other report types), or creates one. A row with `country` and `report_type` "
        "but no credential column is an obligation (`pro` optional); a row with `country` "
        "alone records that the client operates there (an obligation without report type). "
        "When rows of a file give "
        "the same value different contents, the later row wins and a warning says so.\n\n"
        "**Header**: with `hasHeader` left out, the first row is a header when its cells spell "
        "the mapping's field names. Row numbers count the file's rows from 1, header included.\n\n"
        "**Counts**: created/updated count clients (a client no row changes is neither); "
        "errors counts invalid rows, which are not applied. Re-running an upload changes "
        "nothing. `row_errors` lists the first 1,000 errors (`row_errors_total` counts them all)."
    )


MESSAGES_SCHEMA = {"type": "array", "items": {"type": "string"}}
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": (
        'Field errors, as {"field": ["message"]}; for an entry of a list, by its index: '
        '{"mapping": {"3": ["message"]}}.'
    ),
    "additionalProperties": {
        "oneOf": [MESSAGES_SCHEMA, {"type": "object", "additionalProperties": MESSAGES_SCHEMA}]
    },
    "minProperties": 1,
}
DETAIL_SCHEMA = {
    "type": "object",
    "description": 'A body that is not JSON, as {"detail": "message"}.',
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "additionalProperties": False,
}
UNUSABLE_BODY = (
    'Unusable body, as {"field": ["message"]}: csvData empty or not rows of cells, mapping with '
    "unknown field names (the message lists the valid ones), a field mapped twice, no name or "
    'id column, a header row and no data; or a body that is not JSON, as {"detail": "message"}.'
)
BULK_UPLOAD_BAD_REQUEST = OpenApiResponse(
    response={"oneOf": [FIELD_ERRORS_SCHEMA, DETAIL_SCHEMA]}, description=UNUSABLE_BODY
)
BULK_UPLOAD_EXECUTE_BAD_REQUEST = OpenApiResponse(
    response={
        "oneOf": [
            {"$ref": "#/components/schemas/BulkUploadResult"},
            FIELD_ERRORS_SCHEMA,
            DETAIL_SCHEMA,
        ]
    },
    description=(
        "No row could be applied, or atomic was true and rows had errors: nothing applied, "
        f"the result says so (applied: false). {UNUSABLE_BODY}"
    ),
)
BULK_UPLOAD_TOO_LARGE = OpenApiResponse(
    CredentialErrorSerializer,
    description="The body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE (20 MiB by default).",
)
BULK_UPLOAD_CONFLICT = OpenApiResponse(
    CredentialErrorSerializer,
    description="Another change took a client name or credential while the upload ran; "
    "nothing was applied.",
)

BULK_UPLOAD_SCHEMA = extend_schema(tags=["bulk upload"], request=BulkUploadSerializer)

BULK_UPLOAD_EXECUTE_SCHEMA = extend_schema(
    operation_id="bulk_upload_clients_execute",
    summary="Execute a bulk upload of clients",
    description=_bulk_upload_description(
        "Applies the valid rows and reports the invalid ones, in one transaction; the "
        "import is recorded (who, when, fileId, counts, errors) and listed in the admin. "
        "When no row can be applied, or with `atomic: true` any row has an error, "
        "nothing is applied: 400 with the same body, `applied: false`."
    ),
    responses={
        200: BulkUploadResultSerializer,
        202: OpenApiResponse(
            BulkUploadJobSerializer,
            description="The upload runs as a background job: follow `status_url` "
            "(also in the Location header).",
        ),
        400: BULK_UPLOAD_EXECUTE_BAD_REQUEST,
        401: CREDENTIAL_UNAUTHORIZED,
        403: CREDENTIAL_FORBIDDEN,
        409: BULK_UPLOAD_CONFLICT,
        413: BULK_UPLOAD_TOO_LARGE,
    },
    examples=[
        OpenApiExample(
            "Completed",
            value={
                "created": 50,
                "updated": 10,
                "errors": 2,
                "warnings": 0,
                "summary": "Bulk upload completed successfully. 50 clients created, "
                "10 clients updated, 2 errors encountered.",
                "applied": True,
                "import_id": 7,
                "row_errors": [
                    {
                        "row": 14,
                        "field": "country",
                        "message": "Unknown country. Valid countries: AT, BE, DE.",
                    }
                ],
                "row_errors_total": 2,
                "row_warnings": [],
                "has_header": True,
            },
            response_only=True,
            status_codes=["200"],
        )
    ],
)

BULK_UPLOAD_STATUS_SCHEMA = extend_schema(
    operation_id="bulk_upload_clients_status",
    summary="State of a bulk upload run in the background",
    description=(
        "An execute answered 202 for an upload of more than IMPORT_BACKGROUND_ROWS data "
        "rows (20,000 by default) or sent with `background: true`; its `status_url` is this "
        "route. `state` is queued, running, done or failed; `rows_done` of `rows_total` "
        "rows are applied; once done, `result` is the body the execute route answers for "
        "an upload it runs at once (`applied: false` when an atomic upload had errors). "
        "A job applies its rows a chunk at a time; a failed job keeps the chunks it "
        "applied and can be resumed from the admin. Any member may read it; an import of "
        "another organization, or one not run in the background, is 404."
    ),
    request=None,
    parameters=[
        OpenApiParameter(
            "import_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The import."
        )
    ],
    responses={
        200: BulkUploadStatusSerializer,
        401: CREDENTIAL_UNAUTHORIZED,
        403: CREDENTIAL_FORBIDDEN,
        404: CREDENTIAL_NOT_FOUND,
    },
    examples=[
        OpenApiExample(
            "Running",
            value={
                "state": "running",
                "rows_done": 40000,
                "rows_total": 230000,
                "error": "",
                "result": None,
            },
            response_only=True,
        )
    ],
)

BULK_UPLOAD_PREVIEW_SCHEMA = extend_schema(
    operation_id="bulk_upload_clients_preview",
    summary="Preview a bulk upload of clients",
    description=_bulk_upload_description(
        "Changes nothing and predicts exactly what the execute route would do with the same "
        "body and the same data: clients it would create and update, invalid rows with "
        "their errors, warnings, and the first valid rows."
    ),
    responses={
        200: BulkUploadPreviewSerializer,
        400: BULK_UPLOAD_BAD_REQUEST,
        401: CREDENTIAL_UNAUTHORIZED,
        403: CREDENTIAL_FORBIDDEN,
        413: BULK_UPLOAD_TOO_LARGE,
    },
    examples=[
        OpenApiExample(
            "Preview",
            value={
                "preview": True,
                "summary": {"would_create": 50, "would_update": 10, "errors": 2, "warnings": 5},
                "sample_data": [{"name": "Client 1", "status": "active"}],
                "validation_results": {"valid": 48, "invalid": 2},
                "row_errors": [
                    {
                        "row": 3,
                        "field": "status",
                        "message": "Unknown status. Valid: active, onboarding, inactive, archived.",
                    }
                ],
                "row_errors_total": 2,
                "row_warnings": [],
                "has_header": True,
            },
            response_only=True,
        )
    ],
)
