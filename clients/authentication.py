"""Who is calling: members by token or session (`/logins`), organizations by API key (`/users`).

A member's user is loaded with its membership and organization in the same query, so the
permission check and the views read them from the user instead of asking the database again
(`clients.tenancy.membership_for_user`).
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from clients.models import ApiKey

LAST_USED_RESOLUTION = timedelta(minutes=1)
# The user's one-to-one membership and its organization, joined to the user's row. A user
# without a membership is remembered as having none: asking again costs no query either.
MEMBER_RELATIONS = "membership__organization"


class MemberTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`: the token, its user, membership and organization in one
    query. Refuses unknown keys and inactive users, as DRF's TokenAuthentication does."""

    def authenticate_credentials(self, key):
        try:
            token = Token.objects.select_related(f"user__{MEMBER_RELATIONS}").get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return token.user, token


class MemberModelBackend(ModelBackend):
    """Django's username and password backend, whose session user (the admin's, and the API's
    session authentication) arrives with its membership and organization in the same query."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related(MEMBER_RELATIONS)
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: <key>`: the key alone, as the `/users` routes' clients send it."""

    def authenticate(self, request):
        raw_key = request.META.get("HTTP_AUTHORIZATION", "").strip()
        if not raw_key:
            return None
        api_key = (
            ApiKey.objects.select_related("organization")
            .filter(key_hash=ApiKey.hash_key(raw_key), revoked=False)
            .first()
        )
        if api_key is None:
            raise exceptions.AuthenticationFailed("Invalid API key.")
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        return AnonymousUser(), api_key

    def authenticate_header(self, request) -> str:
        return "ApiKey"


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "For the `/users` routes. The value is the organization API key alone, with "
                "no prefix: `fsk_...`. Keys are created in the admin or with "
                "`manage.py create_api_key`."
            ),
        }
