from functools import cached_property, partial

from django.http import Http404
from django_filters.utils import translate_validation
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from clients.api.pagination import ClientPagination
from clients.api.schema import (
    CLIENT_ALIAS_ADD_SCHEMA,
    CLIENT_ALIAS_REMOVE_SCHEMA,
    CLIENT_STATS_SCHEMA,
    CLIENT_VIEWSET_SCHEMA,
    LOCAL_COMPANY_NAME_GET_SCHEMA,
    LOCAL_COMPANY_NAME_SET_SCHEMA,
)
from clients.api.serializers import (
    AliasInputSerializer,
    ClientListItemSerializer,
    ClientNamesSerializer,
    ClientSerializer,
    ClientSummarySerializer,
    ClientWriteSerializer,
    LocalCompanyNameSerializer,
)
from clients.filtersets import ClientFilterSet
from clients.models import Alias, Client
from clients.portfolio_version import PortfolioState, portfolio_state
from clients.selectors import (
    ClientMatches,
    client_detail,
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
from config.exceptions import fields_renamed
from reporting.selectors import Catalog, CatalogLookupError


def alias_conflict_response(conflict: AliasConflict) -> Response:
    return Response(
        {"detail": conflict.message, "aliases": conflict.scopes}, status=status.HTTP_409_CONFLICT
    )


def path_country(code: str):
    """The country a path names; an unknown code answers 404 naming the valid ones."""
    try:
        return Catalog.current().country(code)
    except CatalogLookupError as error:
        raise NotFound(error.message) from error


@CLIENT_VIEWSET_SCHEMA
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
            state = self.portfolio_state
            return client_list(
                organization=self.organization,
                version=state.version,
                shares_received=state.shares_received,
            )
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
    def portfolio_state(self) -> PortfolioState:
        return portfolio_state(self.organization.pk)

    def list(self, request):
        # The version first (with whether anything is shared with the organization and the
        # catalog's version, in the same query): the answer is computed after it.
        state = self.portfolio_state
        catalog = partial(Catalog.current, state.catalog_version)
        filterset = self.filterset_class(
            request.query_params, queryset=self.get_queryset(), request=request
        )
        filterset.form.catalog_loader = catalog
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        matches = ClientMatches(
            organization=self.organization,
            version=state.version,
            clients=filterset.qs,
            question=filterset.question,
            shares_received=state.shares_received,
        )
        page = self.paginate_queryset(matches)
        summaries = client_portfolio_summaries([client.pk for client in page])
        for client in page:
            client.portfolio_summary = summaries[client.pk]
        return self.get_paginated_response(ClientListItemSerializer(page, many=True).data)

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with fields_renamed({"name": serializer.name_field}):
            client = client_create(organization=self.organization, **serializer.validated_data)
        return self._answer(client, status=status.HTTP_201_CREATED)

    def retrieve(self, request, client_id=None):
        # The client with its aliases and obligations in one query.
        client = client_detail(organization=self.organization, client_id=client_id)
        if client is None:
            # As get_object() would answer.
            raise Http404(f"No {Client._meta.object_name} matches the given query.")
        self.check_object_permissions(request, client)
        return Response(self.get_serializer(client).data)

    def update(self, request, client_id=None):
        client = self.get_object()
        serializer = self.get_serializer(client, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with fields_renamed({"name": serializer.name_field}):
            client = client_update(client=client, changes=serializer.validated_data)
        return self._answer(client)

    def partial_update(self, request, client_id=None):
        return self.update(request, client_id)

    def destroy(self, request, client_id=None):
        client_delete(client=self.get_object())
        return Response({"message": "Client deleted successfully."})

    @CLIENT_ALIAS_ADD_SCHEMA
    @action(detail=True, methods=["post"], url_path="aliases")
    def aliases(self, request, client_id=None):
        client = self.get_object()
        serializer = AliasInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            client_alias_set(
                client=client,
                name=serializer.validated_data["alias"],
                country=serializer.validated_data["country"],
                replace=False,
            )
        except AliasConflict as conflict:
            return alias_conflict_response(conflict)
        return self._answer(client, ClientSummarySerializer)

    @CLIENT_ALIAS_REMOVE_SCHEMA
    @action(detail=True, methods=["delete"], url_path=r"aliases/(?P<alias>[^\x00]+?)")
    def remove_alias(self, request, client_id=None, alias=None):
        client = self.get_object()
        try:
            client_alias_remove(
                client=client,
                name=alias,
                country=request.query_params.get("country"),
            )
        except Alias.DoesNotExist as error:
            raise NotFound(str(error)) from error
        except AliasConflict as conflict:
            return alias_conflict_response(conflict)
        return Response({"message": "Alias removed successfully."})

    @LOCAL_COMPANY_NAME_GET_SCHEMA
    @LOCAL_COMPANY_NAME_SET_SCHEMA
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
        client_local_company_name_set(
            client=client,
            country=country,
            name=serializer.validated_data["local_company_name"],
        )
        return self._answer(client, ClientNamesSerializer)


class ClientStatsView(OrganizationScopedMixin, APIView):
    """Aggregates over the organization's own clients."""

    @CLIENT_STATS_SCHEMA
    def get(self, request):
        return Response(client_stats(organization=self.organization))
