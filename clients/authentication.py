"""Who is calling: members by token or session (`/logins`), organizations by API key (`/users`).

A member's user is loaded with its membership and organization in the same query, so the
permission check and the views read them from the user instead of asking the database again
(`clients.tenancy.membership_for_user`).
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from clients.models import ApiKey, Membership, Organization
from config.postgresql import prepared_cursor

LAST_USED_RESOLUTION = timedelta(minutes=1)
# The user's one-to-one membership and its organization, joined to the user's row. A user
# without a membership is remembered as having none: asking again costs no query either.
MEMBER_RELATIONS = "membership__organization"


class _CallerQuery:
    """The token with its user, the user's membership and its organization, as
    `Token.objects.select_related("user__membership__organization").get(key=key)` reads them,
    in one statement written once per process from the models' fields: the ORM would compile
    the four tables' columns again at every request. Values pass through the fields' and the
    database's converters, as the ORM's would."""

    def __init__(self):
        user_model = get_user_model()
        quote = connection.ops.quote_name
        self.parts = []  # (model, fields, alias)
        columns = []
        for alias, model in (
            ("t", Token),
            ("u", user_model),
            ("m", Membership),
            ("o", Organization),
        ):
            fields = list(model._meta.concrete_fields)
            self.parts.append((model, fields, alias))
            columns += [f"{alias}.{quote(field.column)}" for field in fields]
        token_user = Token._meta.get_field("user")
        membership_user = Membership._meta.get_field("user")
        membership_organization = Membership._meta.get_field("organization")
        # The models' table and column names; the key is a parameter.
        self.sql = (
            f"SELECT {', '.join(columns)} FROM {quote(Token._meta.db_table)} t "  # noqa: S608
            f"INNER JOIN {quote(user_model._meta.db_table)} u "
            f"ON u.{quote(user_model._meta.pk.column)} = t.{quote(token_user.column)} "
            f"LEFT OUTER JOIN {quote(Membership._meta.db_table)} m "
            f"ON m.{quote(membership_user.column)} = u.{quote(user_model._meta.pk.column)} "
            f"LEFT OUTER JOIN {quote(Organization._meta.db_table)} o "
            f"ON o.{quote(Organization._meta.pk.column)} = m.{quote(membership_organization.column)} "
            f"WHERE t.{quote(Token._meta.pk.column)} = %s"
        )
        self.converters = [
            [
                field.get_db_converters(connection)
                + connection.ops.get_db_converters(field.get_col(alias))
                for field in fields
            ]
            for _, fields, alias in self.parts
        ]

    def token(self, key: str) -> Token | None:
        with prepared_cursor(connection) as cursor:
            cursor.execute(self.sql, [key])
            row = cursor.fetchone()
        if row is None:
            return None
        instances = []
        start = 0
        for (model, fields, alias), converters in zip(self.parts, self.converters, strict=True):
            values = list(row[start : start + len(fields)])
            start += len(fields)
            if values[0] is None:  # no membership (and so no organization)
                instances.append(None)
                continue
            for index, field_converters in enumerate(converters):
                for converter in field_converters:
                    values[index] = converter(
                        values[index], fields[index].get_col(alias), connection
                    )
            instances.append(model.from_db(connection.alias, [f.attname for f in fields], values))
        token, user, membership, organization = instances
        Token._meta.get_field("user").set_cached_value(token, user)
        # As select_related leaves it: a user without a membership raises
        # Membership.DoesNotExist from `user.membership` without another query.
        Membership._meta.get_field("user").remote_field.set_cached_value(user, membership)
        if membership is not None:
            Membership._meta.get_field("user").set_cached_value(membership, user)
            Membership._meta.get_field("organization").set_cached_value(membership, organization)
        return token


_caller_queries: dict[str, _CallerQuery] = {}


def token_with_member(key: str) -> Token | None:
    """The token of `key` with its user, membership and organization (one query), or None."""
    query = _caller_queries.get(connection.vendor)
    if query is None:
        query = _caller_queries[connection.vendor] = _CallerQuery()
    return query.token(key)


class MemberTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`: the token, its user, membership and organization in one
    query. Refuses unknown keys and inactive users, as DRF's TokenAuthentication does."""

    def authenticate_credentials(self, key):
        token = token_with_member(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
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
