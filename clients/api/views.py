from functools import cached_property

from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import APIView

from clients.api.pagination import ClientPagination
from clients.api.serializers import (
    AliasConflictSerializer,
    AliasInputSerializer,
    ClientListItemSerializer,
    ClientNamesSerializer,
    ClientSerializer,
    ClientStatsSerializer,
    ClientSummarySerializer,
    ClientWriteSerializer,
    DeletionConflictSerializer,
    ErrorSerializer,
    LocalCompanyNameSerializer,
    MessageSerializer,
)
from clients.filtersets import ClientFilterSet
from clients.models import Alias, Client
from clients.portfolio_version import portfolio_version
from clients.selectors import (
    ClientMatches,
    client_details,
    client_list,
    client_local_company_name,
    client_portfolio_summaries,
    client_stats,
)
from clients.services import (
    AliasConflict,
    client_alias_remove,
    client_alias_set,
    client_create,
    client_delete,
    client_local_company_name_set,
    client_update,
)
from clients.tenancy import OrganizationScopedMixin
from reporting.selectors import Catalog, CatalogLookupError

TAGS = ["clients"]

CLIENT_EXAMPLE = {
    "id": 123,
    "name": "ABC Corporation",
    "status": "active",
    "shared": False,
    "aliases": {"UK": "ABC Corp", "DE": "ABC GmbH"},
    "notes": "Main client for WEEE compliance",
    "client_organization": None,
    "collective_account": False,
    "obligations": [{"country": "DE", "report_type": "WEEE", "pro": None}],
}

BAD_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description='Invalid input, by field: `{"field": ["message"]}`.',
)
FORBIDDEN = OpenApiResponse(
    ErrorSerializer, description="Not a member of an organization, or a viewer writing."
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description="No such client in your organization (or not found)."
)

ALIAS_CONFLICT = OpenApiResponse(
    AliasConflictSerializer,
    description="The aliases concerned, by scope: the one a scope already holds, or the scopes "
    "that all hold the alias to remove.",
)


def alias_conflict_response(conflict: AliasConflict) -> Response:
    return Response(
        {"detail": conflict.message, "aliases": conflict.scopes}, status=status.HTTP_409_CONFLICT
    )


def service_result(service, /, *, field_names: dict[str, str] | None = None, **kwargs):
    """Call a service, answering its ValidationError as a 400 in DRF's usual shape, its
    fields renamed by `field_names` (the service's name: the request's)."""
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        errors = as_serializer_error(error)
        renamed = {(field_names or {}).get(field, field): errors[field] for field in errors}
        raise ValidationError(renamed) from error


def path_country(code: str):
    """The country a path names; an unknown code answers 404 naming the valid ones."""
    try:
        return Catalog.load().country(code)
    except CatalogLookupError as error:
        raise NotFound(error.message) from error


CLIENT_ID = OpenApiParameter(
    "client_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The client's id."
)
COUNTRY = OpenApiParameter(
    "country",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Country code, e.g. DE (case-insensitive). Unknown codes answer 404 naming the "
    "valid ones.",
)

STATUS_FILTER = OpenApiParameter(
    "status",
    # The statuses are the client's own enum, so generated clients offer the same type for both.
    {"type": "array", "items": {"$ref": "#/components/schemas/ClientStatusEnum"}},
    OpenApiParameter.QUERY,
    style="form",
    explode=False,
    description="Client statuses, comma-separated: active, onboarding, inactive, archived.",
)


@extend_schema_view(
    list=extend_schema(
        operation_id="get_clients",
        summary="List clients with filters and search",
        description=(
            "Clients of your organization (and clients shared with it), ordered by `ordering` "
            "(default name then id). Collective-account pseudo-clients are left out unless "
            "collective_account=true. `notes` is null when empty. Each item summarizes the "
            "client's portfolio: countries, report_types, credential_count, missing_count."
        ),
        parameters=[STATUS_FILTER],
        responses={200: ClientListItemSerializer(many=True), 400: BAD_REQUEST, 403: FORBIDDEN},
        tags=TAGS,
    ),
    create=extend_schema(
        operation_id="create_client",
        summary="Create a client",
        description=(
            "Takes `client_name` (or `name`); everything else is optional. `aliases` maps a "
            "country code or * to a name; `obligations` lists what the client must report."
        ),
        request=ClientWriteSerializer,
        responses={201: ClientSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
        examples=[OpenApiExample("Client", value=CLIENT_EXAMPLE, response_only=True)],
        tags=TAGS,
    ),
    retrieve=extend_schema(
        operation_id="get_client",
        summary="Get a client",
        parameters=[CLIENT_ID],
        responses={200: ClientSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
        examples=[OpenApiExample("Client", value=CLIENT_EXAMPLE, response_only=True)],
        tags=TAGS,
    ),
    update=extend_schema(
        operation_id="update_client",
        summary="Update a client (only the fields given)",
        description=(
            "Fields left out stay as they are. `aliases`, when given, replaces the whole map; "
            "`obligations`, when given, replaces the client's obligations."
        ),
        parameters=[CLIENT_ID],
        request=ClientWriteSerializer,
        responses={200: ClientSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
        tags=TAGS,
    ),
    partial_update=extend_schema(
        operation_id="patch_client",
        summary="Update a client (only the fields given)",
        description="Same as PUT.",
        parameters=[CLIENT_ID],
        request=ClientWriteSerializer,
        responses={200: ClientSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
        tags=TAGS,
    ),
    destroy=extend_schema(
        operation_id="delete_client",
        summary="Delete a client with its credentials",
        description=(
            "Refused with 409, naming the dependants, when other rows depend on the client "
            "(e.g. other clients' credentials linked to one of its collective credentials); "
            "nothing is deleted then."
        ),
        parameters=[CLIENT_ID],
        responses={
            200: MessageSerializer,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: DeletionConflictSerializer,
        },
        tags=TAGS,
    ),
)
class ClientViewSet(OrganizationScopedMixin, viewsets.GenericViewSet):
    """The organization's clients. Reads include clients shared with the organization
    (read-only); writes reach only the organization's own clients; anything else is 404."""

    queryset = Client.objects.none()
    lookup_url_kwarg = "client_id"
    lookup_value_regex = "[0-9]+"
    filterset_class = ClientFilterSet
    pagination_class = ClientPagination

    def get_queryset(self):
        if self.action == "list":
            return client_list(organization=self.organization, version=self.portfolio_version)
        return client_details(
            organization=self.organization, writable=self.request.method not in SAFE_METHODS
        )

    def get_serializer_class(self):
        if self.action == "list":
            return ClientListItemSerializer
        if self.action in ("create", "update", "partial_update"):
            return ClientWriteSerializer
        return ClientSerializer

    def filter_queryset(self, queryset):
        # The list applies its ClientFilterSet itself (its answers are cached by the filter's
        # question); one client is found by id whatever it is.
        return queryset

    def _answer(self, client: Client, serializer_class=ClientSerializer, **kwargs) -> Response:
        fresh = client_details(organization=self.organization, writable=False).get(pk=client.pk)
        return Response(serializer_class(fresh).data, **kwargs)

    @cached_property
    def portfolio_version(self) -> int | None:
        return portfolio_version(self.organization.pk)

    def list(self, request):
        # The version first: the queryset below already looks at the portfolio (whether
        # anything is shared with the organization).
        version = self.portfolio_version
        filterset = self.filterset_class(
            request.query_params, queryset=self.get_queryset(), request=request
        )
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        question = filterset.question
        matches = ClientMatches(
            organization=self.organization,
            version=version,
            clients=filterset.qs,
            question=question,
        )
        page = self.paginate_queryset(matches)
        summaries = client_portfolio_summaries([client.pk for client in page])
        for client in page:
            client.portfolio_summary = summaries[client.pk]
        return self.get_paginated_response(ClientListItemSerializer(page, many=True).data)

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        client = service_result(
            client_create,
            field_names={"name": serializer.name_field},
            organization=self.organization,
            **serializer.validated_data,
        )
        return self._answer(client, status=status.HTTP_201_CREATED)

    def retrieve(self, request, client_id=None):
        return Response(self.get_serializer(self.get_object()).data)

    def update(self, request, client_id=None):
        client = self.get_object()
        serializer = self.get_serializer(client, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        client = service_result(
            client_update,
            field_names={"name": serializer.name_field},
            client=client,
            changes=serializer.validated_data,
        )
        return self._answer(client)

    def partial_update(self, request, client_id=None):
        return self.update(request, client_id)

    def destroy(self, request, client_id=None):
        client_delete(client=self.get_object())
        return Response({"message": "Client deleted successfully."})

    @extend_schema(
        operation_id="add_client_aliases",
        summary="Add an alias of a client",
        description=(
            "Adds the alias of the given country (left out or null: the global alias `*`). A "
            "scope holds one alias: when it already holds a different one the answer is 409 "
            "naming it, and nothing changes (remove it first); the same alias again changes "
            "nothing. Answers the client with all its aliases."
        ),
        parameters=[CLIENT_ID],
        request=AliasInputSerializer,
        responses={
            200: ClientSummarySerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: ALIAS_CONFLICT,
        },
        tags=TAGS,
    )
    @action(detail=True, methods=["post"], url_path="aliases")
    def aliases(self, request, client_id=None):
        client = self.get_object()
        serializer = AliasInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            service_result(
                client_alias_set,
                client=client,
                name=serializer.validated_data["alias"],
                country=serializer.validated_data["country"],
                replace=False,
            )
        except AliasConflict as conflict:
            return alias_conflict_response(conflict)
        return self._answer(client, ClientSummarySerializer)

    @extend_schema(
        operation_id="remove_client_aliases",
        summary="Remove an alias of a client",
        description=(
            "Removes the alias whose text is `alias` (URL-encoded): the exact spelling first; "
            "if there is none, case is ignored. With `country` only that scope's alias is "
            "removed (`*` for the global one). Without it the alias must be in one scope: when "
            "several scopes hold it the answer is 409 listing them, and nothing is removed."
        ),
        parameters=[
            CLIENT_ID,
            OpenApiParameter(
                "alias", OpenApiTypes.STR, OpenApiParameter.PATH, description="The alias text."
            ),
            OpenApiParameter(
                "country",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                description="The alias's scope: a country code, or * for the global alias. "
                "Unknown codes answer 400 naming the valid ones.",
            ),
        ],
        request=None,
        responses={
            200: MessageSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: ALIAS_CONFLICT,
        },
        tags=TAGS,
    )
    @action(detail=True, methods=["delete"], url_path=r"aliases/(?P<alias>[^\x00]+?)")
    def remove_alias(self, request, client_id=None, alias=None):
        client = self.get_object()
        try:
            service_result(
                client_alias_remove,
                client=client,
                name=alias,
                country=request.query_params.get("country"),
            )
        except Alias.DoesNotExist as error:
            raise NotFound(str(error)) from error
        except AliasConflict as conflict:
            return alias_conflict_response(conflict)
        return Response({"message": "Alias removed successfully."})

    @extend_schema(
        methods=["GET"],
        operation_id="get_local_company_name",
        summary="Get a client's local company name in a country",
        description="404 when none is set for that country (the global alias does not count).",
        parameters=[CLIENT_ID, COUNTRY],
        responses={
            200: LocalCompanyNameSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        tags=TAGS,
    )
    @extend_schema(
        methods=["POST"],
        operation_id="set_local_company_name",
        summary="Set a client's local company name in a country",
        description="The local company name in a country is the client's alias for it.",
        parameters=[CLIENT_ID, COUNTRY],
        request=LocalCompanyNameSerializer,
        responses={
            200: ClientNamesSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        tags=TAGS,
    )
    @action(detail=True, methods=["get", "post"], url_path=r"local-company-name/(?P<country>[^/]+)")
    def local_company_name(self, request, client_id=None, country=None):
        client = self.get_object()
        country = path_country(country)
        if request.method == "GET":
            name = client_local_company_name(client=client, country=country)
            if name is None:
                raise NotFound(f"No local company name is set for {client.name} in {country.code}.")
            return Response({"local_company_name": name})
        serializer = LocalCompanyNameSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service_result(
            client_local_company_name_set,
            client=client,
            country=country,
            name=serializer.validated_data["local_company_name"],
        )
        return self._answer(client, ClientNamesSerializer)


class ClientStatsView(OrganizationScopedMixin, APIView):
    """Aggregates over the organization's own clients."""

    @extend_schema(
        operation_id="get_clients_stats",
        summary="Portfolio statistics",
        description=(
            "Counts of the organization's own clients, collective-account pseudo-clients left "
            "out. by_country and by_report_type count a client once per country (report type) "
            "in which it has a credential or an obligation."
        ),
        responses={200: ClientStatsSerializer, 403: FORBIDDEN},
        examples=[
            OpenApiExample(
                "Portfolio",
                value={
                    "total_clients": 150,
                    "by_country": {"DE": 45, "FR": 30, "NL": 25},
                    "by_report_type": {"WEEE": 80, "Packaging": 60, "Batteries": 40},
                    "by_status": {"active": 120, "archived": 30},
                },
                response_only=True,
            )
        ],
        tags=TAGS,
    )
    def get(self, request):
        return Response(client_stats(organization=self.organization))
