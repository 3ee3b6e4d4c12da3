"""Login for a frontend: a DRF token for a username and password, its revocation, and who the
token's user is (organization, role, and what the role allows)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from clients.api.serializers import (
    AuthTokenSerializer,
    ErrorSerializer,
    LoginSerializer,
    MeSerializer,
)
from clients.services import auth_token_obtain, auth_token_revoke
from clients.tenancy import OrganizationScopedMixin
from config.throttling import LoginRateThrottle

TAGS = ["auth"]

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


class AuthTokenView(APIView):
    """POST logs in (no authentication, throttled per client address); DELETE logs out."""

    def _is_login(self) -> bool:
        # The schema generator asks for authenticators without a request.
        request = getattr(self, "request", None)
        return request is not None and request.method == "POST"

    def get_authenticators(self):
        # A stale token left in a frontend's headers must not stop its user from logging in.
        return [] if self._is_login() else super().get_authenticators()

    def get_permissions(self):
        return [AllowAny()] if self._is_login() else [IsAuthenticated()]

    def get_throttles(self):
        return [LoginRateThrottle()] if self._is_login() else super().get_throttles()

    @extend_schema(
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
        tags=TAGS,
    )
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = auth_token_obtain(request=request, **serializer.validated_data)
        return Response(AuthTokenSerializer(token.user.membership).data)

    @extend_schema(
        operation_id="revoke_auth_token",
        summary="Log out: revoke your token",
        description=(
            "Deletes the caller's token: every request made with it answers 401 from then on. "
            "A user has one token, so this logs out every place that used it."
        ),
        request=None,
        responses={204: None},
        tags=TAGS,
    )
    def delete(self, request):
        auth_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(OrganizationScopedMixin, APIView):
    @extend_schema(
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
        tags=TAGS,
    )
    def get(self, request):
        return Response(MeSerializer(self.membership).data)
