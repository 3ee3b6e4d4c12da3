"""OpenAPI pieces every app's API shares: error bodies, error responses and path parameters.

Each app's `api/schema.py` builds its routes' `@extend_schema` blocks from these, so an error
body or a path parameter is described once for the whole API.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField()


class DeletionConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    dependants = serializers.ListField(
        child=serializers.CharField(), help_text="The records that depend on this one."
    )


# The credential routes' bodies are the same; their own component names keep the types that
# generated clients already use.
class CredentialErrorSerializer(ErrorSerializer):
    pass


class CredentialMessageSerializer(MessageSerializer):
    pass


class CredentialConflictSerializer(DeletionConflictSerializer):
    dependants = serializers.ListField(child=serializers.CharField())


def error_response(description: str, serializer=ErrorSerializer) -> OpenApiResponse:
    """An error answered as `{"detail": "message"}`, for what a route says of it."""
    return OpenApiResponse(serializer, description=description)


BAD_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT, description='Invalid input, by field: `{"field": ["message"]}`.'
)
UNAUTHORIZED = error_response("No or an invalid token.")
FORBIDDEN = error_response("Not a member of an organization, or a viewer writing.")
NOT_FOUND = error_response("No such client in your organization (or not found).")

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
CREDENTIAL_ID = OpenApiParameter(
    "credential_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The credential's id."
)


def schema_stack(*decorators):
    """Several schema decorators as one, applied as if written one above the other."""

    def decorate(target):
        for decorator in reversed(decorators):
            target = decorator(target)
        return target

    return decorate
