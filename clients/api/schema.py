"""OpenAPI descriptions of the clients' routes and of login, kept beside the views."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)

from clients.api.serializers import (
    AliasConflictSerializer,
    AliasInputSerializer,
    AuthTokenSerializer,
    ClientListItemSerializer,
    ClientNamesSerializer,
    ClientSerializer,
    ClientStatsSerializer,
    ClientSummarySerializer,
    ClientWriteSerializer,
    LocalCompanyNameSerializer,
    LoginSerializer,
    MeSerializer,
)
from config.api_schema import (
    BAD_REQUEST,
    CLIENT_ID,
    COUNTRY,
    FORBIDDEN,
    NOT_FOUND,
    DeletionConflictSerializer,
    ErrorSerializer,
    MessageSerializer,
)

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

ALIAS_CONFLICT = OpenApiResponse(
    AliasConflictSerializer,
    description="The aliases concerned, by scope: the one a scope already holds, or the scopes "
    "that all hold the alias to remove.",
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


CLIENT_VIEWSET_SCHEMA = extend_schema_view(
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

CLIENT_ALIAS_ADD_SCHEMA = extend_schema(
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

CLIENT_ALIAS_REMOVE_SCHEMA = extend_schema(
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

LOCAL_COMPANY_NAME_GET_SCHEMA = extend_schema(
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

LOCAL_COMPANY_NAME_SET_SCHEMA = extend_schema(
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

CLIENT_STATS_SCHEMA = extend_schema(
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


AUTH_TAGS = ["auth"]

ACCOUNT_EXAMPLE = {
    "user": {
        "id": 7,
        "username": "jane",
        "email": "jane@agency.example",
        "first_name": "Jane",
        "last_name": "Doe",
    },
    "organization": {"id": 1, "name": "Acme Compliance"},
    "role": "staff",
    "can_write": True,
    "can_reveal": True,
    "can_manage_keys": False,
}

AUTH_TOKEN_OBTAIN_SCHEMA = extend_schema(
    operation_id="obtain_auth_token",
    summary="Log in: a token for a username and password",
    description=(
        "Answers the API token of a member of an organization, with who they are and what "
        "their role allows. Send the token as `Authorization: Token <token>`. A wrong "
        "password and an unknown username answer the same 400; so does a user who belongs "
        "to no organization. Throttled per client address (429 with `Retry-After`)."
    ),
    request=LoginSerializer,
    responses={
        200: AuthTokenSerializer,
        400: OpenApiResponse(
            OpenApiTypes.OBJECT,
            description='Refused: `{"non_field_errors": ["Unable to log in with the given '
            'username and password."]}`, or a missing field.',
        ),
        429: OpenApiResponse(ErrorSerializer, description="Too many login attempts."),
    },
    auth=[],
    examples=[
        OpenApiExample(
            "Logged in",
            value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", **ACCOUNT_EXAMPLE},
            response_only=True,
        )
    ],
    tags=AUTH_TAGS,
)

AUTH_TOKEN_REVOKE_SCHEMA = extend_schema(
    operation_id="revoke_auth_token",
    summary="Log out: revoke your token",
    description=(
        "Deletes the caller's token: every request made with it answers 401 from then on. "
        "A user has one token, so this logs out every place that used it."
    ),
    request=None,
    responses={204: None},
    tags=AUTH_TAGS,
)

ME_SCHEMA = extend_schema(
    operation_id="get_me",
    summary="Who am I: user, organization, role and what it allows",
    description=(
        "A frontend reads `can_write`, `can_reveal` and `can_manage_keys` to show only what "
        "the role may do; the API enforces the same rules."
    ),
    responses={
        200: MeSerializer,
        403: OpenApiResponse(
            ErrorSerializer, description="The user is not a member of any organization."
        ),
    },
    examples=[OpenApiExample("Staff member", value=ACCOUNT_EXAMPLE, response_only=True)],
    tags=AUTH_TAGS,
)
