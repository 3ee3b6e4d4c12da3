"""Login for a frontend: a DRF token for a username and password, its revocation, and who the
token's user is (organization, role, and what the role allows)."""

from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from clients.api.schema import AUTH_TOKEN_OBTAIN_SCHEMA, AUTH_TOKEN_REVOKE_SCHEMA, ME_SCHEMA
from clients.api.serializers import (
    AuthTokenSerializer,
    LoginSerializer,
    MeSerializer,
)
from clients.services import auth_token_obtain, auth_token_revoke
from clients.tenancy import OrganizationScopedMixin
from config.throttling import LoginRateThrottle


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

    @AUTH_TOKEN_OBTAIN_SCHEMA
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = auth_token_obtain(request=request, **serializer.validated_data)
        return Response(AuthTokenSerializer(token.user.membership).data)

    @AUTH_TOKEN_REVOKE_SCHEMA
    def delete(self, request):
        auth_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(OrganizationScopedMixin, APIView):
    @ME_SCHEMA
    def get(self, request):
        return Response(MeSerializer(self.membership).data)
