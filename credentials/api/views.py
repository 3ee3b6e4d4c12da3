from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.response import Response

from clients.models import Client
from clients.tenancy import OrganizationScopedMixin, clients_of, clients_readable_by
from config.parsers import JSONParser
from config.query_params import comma_lists_merged
from credentials.api.serializers import (
    BulkUploadPreviewSerializer,
    BulkUploadResultSerializer,
    BulkUploadSerializer,
    CollectiveAccountQuerySerializer,
    CollectiveAccountSerializer,
    CredentialConflictSerializer,
    CredentialErrorSerializer,
    CredentialInputSerializer,
    CredentialMessageSerializer,
    CredentialSearchQuerySerializer,
    CredentialSearchRowSerializer,
    CredentialSerializer,
    CredentialUpdateSerializer,
)
from credentials.client_import import FIELD_DESCRIPTIONS, ImportConflict
from credentials.models import AccessReason, ClientImport, Credential
from credentials.resources import ClientResource
from credentials.selectors import (
    collective_accounts,
    credential_search,
    credentials_of_client,
    credentials_with_relations,
    missing_credentials,
)
from credentials.services import (
    NOTHING_REVEALED,
    RevealedSecrets,
    credential_create,
    credential_delete,
    credential_update,
    password_reveal_allowed,
    request_origin,
    secrets_reveal,
)
from reporting.models import Country
from reporting.selectors import Catalog, CatalogLookupError

CLIENT_ID = OpenApiParameter(
    "client_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The client's id."
)
COUNTRY = OpenApiParameter(
    "country",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description='Two-letter country code as the EPR world writes it ("DE", "FR", "UK").',
)
CREDENTIAL_ID = OpenApiParameter(
    "credential_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The credential's id."
)
BAD_REQUEST = OpenApiResponse(
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
UNAUTHORIZED = OpenApiResponse(
    CredentialErrorSerializer, description="No or an invalid token (or session)."
)
FORBIDDEN = OpenApiResponse(
    CredentialErrorSerializer, description="Not a member of an organization, or a read-only role."
)
NOT_FOUND = OpenApiResponse(
    CredentialErrorSerializer,
    description=(
        "No such client, country or credential in your organization (a client shared with "
        "your organization is read-only: writes answer 404 too)."
    ),
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
WRITE_ERRORS = {400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND}


def as_drf_validation_error(
    exc: DjangoValidationError, field_names: dict[str, str] | None = None
) -> serializers.ValidationError:
    """The service's error in DRF's shape, its fields renamed by `field_names`."""
    if hasattr(exc, "error_dict"):
        names = field_names or {}
        return serializers.ValidationError(
            {names.get(field, field): messages for field, messages in exc.message_dict.items()}
        )
    return serializers.ValidationError({"non_field_errors": exc.messages})


class ClientScopedMixin(OrganizationScopedMixin):
    """The path's client: any client the organization may read, or only its own for writes."""

    def get_client(self, *, write: bool) -> Client:
        clients = clients_of(self.organization) if write else clients_readable_by(self.organization)
        return get_object_or_404(clients, pk=self.kwargs["client_id"])


def apply_collective_flag(data: dict, *, client: Client, credential: Credential | None) -> None:
    """Turn `collective_account` in a body into the link it asks for, in `data`.

    On an ordinary client, true links to the collective account `collective_account_id`
    names (an already linked credential may leave the id out) and false unlinks. On a
    collective-account client the client decides: its credentials are collective accounts.
    """
    flag = data.pop("collective_account", None)
    if flag is None or client.collective_account:
        return
    linked_already = credential is not None and credential.is_linked
    if flag:
        if data.get("collective_account_id") is None and (
            "collective_account_id" in data or not linked_already
        ):
            raise serializers.ValidationError(
                {
                    "collective_account_id": [
                        f"{client.name} is not a collective-account client: collective_account: "
                        "true links this credential to a collective account. Give that "
                        "account's id in collective_account_id (GET "
                        "/logins/clients/collective-accounts lists them)."
                    ]
                }
            )
        return
    if data.get("collective_account_id") is not None:
        raise serializers.ValidationError(
            {
                "collective_account": [
                    "collective_account: false unlinks the credential, but "
                    "collective_account_id names a collective account. Send one or the other."
                ]
            }
        )
    data["collective_account_id"] = None


@extend_schema(tags=["credentials"], parameters=[CLIENT_ID, COUNTRY])
@extend_schema_view(
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
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
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
        responses={200: CredentialSerializer, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND},
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
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: OpenApiResponse(
                CredentialConflictSerializer,
                description="A collective account that other credentials link to; names them.",
            ),
        },
    ),
)
class CredentialViewSet(ClientScopedMixin, viewsets.GenericViewSet):
    """`/logins/clients/{client_id}/credentials/{country}[/{credential_id}]`.

    Plaintext passwords come from credentials.services.secrets_reveal only, and no response of
    these routes may be stored by a cache or the browser.
    """

    queryset = Credential.objects.none()
    serializer_class = CredentialSerializer
    lookup_url_kwarg = "credential_id"
    lookup_value_regex = "[0-9]+"

    def get_country(self) -> Country:
        try:
            return Catalog.load().country(self.kwargs["country"])
        except CatalogLookupError as error:
            raise NotFound(error.message) from None

    def get_credential(self, client: Client) -> Credential:
        return get_object_or_404(
            Credential.objects.filter(client=client, country=self.get_country()),
            pk=self.kwargs["credential_id"],
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    def revealed(
        self, client: Client, credentials: list[Credential], reason: AccessReason
    ) -> RevealedSecrets:
        """The passwords the user may see, revealed (and recorded); nothing for the others."""
        if not password_reveal_allowed(user=self.request.user, client=client):
            return NOTHING_REVEALED
        return secrets_reveal(
            user=self.request.user,
            credentials=credentials,
            origin=request_origin(self.request),
            reason=reason,
        )

    def respond_with(self, credential: Credential, status_code: int) -> Response:
        """The credential as written, with its password revealed to its writer."""
        credential = credentials_with_relations(Credential.objects.filter(pk=credential.pk)).get()
        revealed = self.revealed(credential.client, [credential], AccessReason.API_WRITE)
        data = CredentialSerializer(credential, context={"revealed": revealed}).data
        return Response(data, status=status_code)

    def input_data(self, serializer_class, *, client: Client, credential=None) -> tuple:
        """The body's values, ready for the service, and the request's name for each field
        the service names differently (errors are answered under the request's names)."""
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        apply_collective_flag(data, client=client, credential=credential)
        return data, {"report_types": serializer.report_types_field}

    def list(self, request, client_id, country):
        client = self.get_client(write=False)
        credentials = list(credentials_of_client(client=client, country=self.get_country()))
        revealed = self.revealed(client, credentials, AccessReason.API_READ)
        return Response(
            CredentialSerializer(credentials, many=True, context={"revealed": revealed}).data
        )

    def retrieve(self, request, client_id, country, credential_id):
        client = self.get_client(write=False)
        credential = get_object_or_404(
            credentials_of_client(client=client, country=self.get_country()), pk=credential_id
        )
        revealed = self.revealed(client, [credential], AccessReason.API_READ)
        return Response(CredentialSerializer(credential, context={"revealed": revealed}).data)

    def create(self, request, client_id, country):
        client = self.get_client(write=True)
        path_country = self.get_country()
        data, field_names = self.input_data(CredentialInputSerializer, client=client)
        try:
            credential = credential_create(
                client=client, country=path_country.code, user=request.user, **data
            )
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc, field_names) from None
        return self.respond_with(credential, status.HTTP_201_CREATED)

    def update(self, request, client_id, country, credential_id):
        client = self.get_client(write=True)
        credential = self.get_credential(client)
        data, field_names = self.input_data(
            CredentialUpdateSerializer, client=client, credential=credential
        )
        try:
            credential = credential_update(credential=credential, user=request.user, **data)
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc, field_names) from None
        return self.respond_with(credential, status.HTTP_200_OK)

    def partial_update(self, request, client_id, country, credential_id):
        return self.update(request, client_id, country, credential_id)

    def destroy(self, request, client_id, country, credential_id):
        client = self.get_client(write=True)
        credential_delete(credential=self.get_credential(client), user=request.user)
        return Response({"message": "Credential deleted successfully."})


@extend_schema(tags=["credentials"])
@extend_schema_view(
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
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
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
)
class CredentialSearchViewSet(ClientScopedMixin, viewsets.GenericViewSet):
    """`/logins/clients/{client_id}/credentials/search`."""

    queryset = Credential.objects.none()
    serializer_class = CredentialSearchRowSerializer

    def list(self, request, client_id):
        params = CredentialSearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        client = self.get_client(write=False)
        search = params.validated_data.get("search", "")
        rows = [*credential_search(client=client, search=search)]
        if params.validated_data["showMissing"]:
            rows += missing_credentials(client=client, search=search)
        return Response(CredentialSearchRowSerializer(rows, many=True).data)


@extend_schema(tags=["credentials"])
@extend_schema_view(
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
            401: UNAUTHORIZED,
            403: FORBIDDEN,
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
)
class CollectiveAccountViewSet(OrganizationScopedMixin, viewsets.GenericViewSet):
    """`/logins/clients/collective-accounts`."""

    queryset = Credential.objects.none()
    serializer_class = CollectiveAccountSerializer

    def list(self, request):
        params = CollectiveAccountQuerySerializer(data=comma_lists_merged(request.query_params))
        params.is_valid(raise_exception=True)
        accounts = collective_accounts(
            organization=self.organization,
            country=params.validated_data.get("country"),
            pro=params.validated_data.get("pro"),
        )
        return Response(CollectiveAccountSerializer(accounts, many=True).data)


class BulkUploadConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _bulk_upload_description(action: str) -> str:
    fields = "\n".join(f"- `{name}`: {text}" for name, text in FIELD_DESCRIPTIONS.items())
    return (
        f"{action}\n\n"
        "**Body**: `csvData` (the file's rows, each a list of cell strings), `mapping` (the "
        'field of each column; "" or null skips a column), `fileId` (identifiers of the '
        "uploaded file, kept with the import record), optional `hasHeader` and `atomic`.\n\n"
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
        "alone records that the client operates there (an obligation without report type). When rows of a file give "
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


@extend_schema(tags=["bulk upload"], request=BulkUploadSerializer)
class ClientBulkUploadViewSet(OrganizationScopedMixin, viewsets.GenericViewSet):
    """`/logins/clients/bulk-upload` and `/logins/clients/bulk-upload/preview`."""

    queryset = ClientImport.objects.none()
    serializer_class = BulkUploadSerializer
    # Rows of cells are nested lists: only JSON carries them (a form answers 415).
    parser_classes = [JSONParser]

    def _import(self, *, dry_run: bool):
        serializer = BulkUploadSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            result = ClientResource().import_data(
                data["csvData"],
                dry_run=dry_run,
                raise_errors=True,
                user=self.request.user,
                organization=self.organization,
                mapping=data["mapping"],
                has_header=data["hasHeader"],
                atomic=data["atomic"],
                source=ClientImport.Source.API,
                file_ids=data["fileId"],
            )
        except ImportConflict as error:
            raise BulkUploadConflict(str(error)) from None
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc) from None
        return result.client_import

    @extend_schema(
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
            400: BULK_UPLOAD_EXECUTE_BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
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
    def create(self, request):
        report = self._import(dry_run=False)
        code = status.HTTP_200_OK if report.applied else status.HTTP_400_BAD_REQUEST
        return Response(BulkUploadResultSerializer(report).data, status=code)

    @extend_schema(
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
            401: UNAUTHORIZED,
            403: FORBIDDEN,
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
    @action(detail=False, methods=["post"], url_path="preview")
    def preview(self, request):
        return Response(BulkUploadPreviewSerializer(self._import(dry_run=True)).data)
