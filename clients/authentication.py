"""Organization API keys, sent as the raw value of the Authorization header."""

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from clients.models import ApiKey

LAST_USED_RESOLUTION = timedelta(minutes=1)


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
