from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.response import Response

from clients.models import Client
from clients.parsing import MAX_ID
from clients.tenancy import OrganizationScopedMixin, clients_of, clients_readable_by
from config.exceptions import fields_renamed
from config.parsers import JSONParser
from config.query_params import comma_lists_merged
from credentials.api.bulk_serializers import (
    BulkUploadJobSerializer,
    BulkUploadPreviewSerializer,
    BulkUploadResultSerializer,
    BulkUploadSerializer,
    BulkUploadStatusSerializer,
)
from credentials.api.schema import (
    BULK_UPLOAD_EXECUTE_SCHEMA,
    BULK_UPLOAD_PREVIEW_SCHEMA,
    BULK_UPLOAD_SCHEMA,
    BULK_UPLOAD_STATUS_SCHEMA,
    COLLECTIVE_ACCOUNT_LIST_SCHEMA,
    CREDENTIAL_SEARCH_SCHEMA,
    CREDENTIAL_VIEWSET_SCHEMA,
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
from credentials.client_import import ImportConflict
from credentials.models import AccessReason, ClientImport, Credential, ImportJob
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


@CREDENTIAL_VIEWSET_SCHEMA
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
        with fields_renamed(field_names):
            credential = credential_create(
                client=client, country=path_country.code, user=request.user, **data
            )
        return self.respond_with(credential, status.HTTP_201_CREATED)

    def update(self, request, client_id, country, credential_id):
        client = self.get_client(write=True)
        credential = self.get_credential(client)
        data, field_names = self.input_data(
            CredentialUpdateSerializer, client=client, credential=credential
        )
        with fields_renamed(field_names):
            credential = credential_update(credential=credential, user=request.user, **data)
        return self.respond_with(credential, status.HTTP_200_OK)

    def partial_update(self, request, client_id, country, credential_id):
        return self.update(request, client_id, country, credential_id)

    def destroy(self, request, client_id, country, credential_id):
        client = self.get_client(write=True)
        credential_delete(credential=self.get_credential(client), user=request.user)
        return Response({"message": "Credential deleted successfully."})


@CREDENTIAL_SEARCH_SCHEMA
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


@COLLECTIVE_ACCOUNT_LIST_SCHEMA
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


@BULK_UPLOAD_SCHEMA
class ClientBulkUploadViewSet(OrganizationScopedMixin, viewsets.GenericViewSet):
    """`/logins/clients/bulk-upload` and `/logins/clients/bulk-upload/preview`."""

    queryset = ClientImport.objects.none()
    serializer_class = BulkUploadSerializer
    # Rows of cells are nested lists: only JSON carries them (a form answers 415).
    parser_classes = [JSONParser]
    lookup_url_kwarg = "import_id"
    lookup_value_regex = "[0-9]+"

    def _import(self, *, dry_run: bool):
        serializer = BulkUploadSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        data_rows = len(data["csvData"]) - (1 if data["hasHeader"] else 0)
        background = not dry_run and (
            data["background"] or data_rows > settings.IMPORT_BACKGROUND_ROWS
        )
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
                background=background,
            )
        except ImportConflict as error:
            raise BulkUploadConflict(str(error)) from None
        return result.client_import

    @BULK_UPLOAD_EXECUTE_SCHEMA
    def create(self, request):
        report = self._import(dry_run=False)
        if report.job is not None:
            status_url = request.build_absolute_uri(
                reverse(
                    "credentials-api:client-bulk-upload-detail",
                    kwargs={"import_id": report.record.pk},
                )
            )
            body = BulkUploadJobSerializer(report, context={"status_url": status_url}).data
            return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": status_url})
        code = status.HTTP_200_OK if report.applied else status.HTTP_400_BAD_REQUEST
        return Response(BulkUploadResultSerializer(report).data, status=code)

    @BULK_UPLOAD_STATUS_SCHEMA
    def retrieve(self, request, import_id):
        # The job's key is a one-to-one field, which Django does not guard against ids past
        # the database's integers.
        if int(import_id) > MAX_ID:
            raise Http404
        job = get_object_or_404(
            ImportJob.objects.select_related("client_import"),
            client_import__organization=self.organization,
            pk=import_id,
        )
        response = Response(BulkUploadStatusSerializer(job).data)
        add_never_cache_headers(response)
        return response

    @BULK_UPLOAD_PREVIEW_SCHEMA
    @action(detail=False, methods=["post"], url_path="preview")
    def preview(self, request):
        return Response(BulkUploadPreviewSerializer(self._import(dry_run=True)).data)
