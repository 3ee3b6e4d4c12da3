"""OpenAPI description of the `/users` registrations route, kept beside the view."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

from registrations.api import examples
from registrations.api.serializers import (
    RegistrationSerializer,
    RegistrationsErrorSerializer,
    RegistrationUpsertItemSerializer,
)
from registrations.services import MAX_REGISTRATIONS_PER_UPSERT

REGISTRATIONS_UPSERT_SCHEMA = extend_schema(
    operation_id="upsert_producer_registrations",
    summary="Upsert Producer Registrations",
    description=(
        "Creates or updates the producer's registrations and answers them in the order sent. "
        "A registration is matched by `bubbleId` when the organization has one with it, "
        "otherwise by the producer and its scheme (`schemeProId` and/or "
        "`schemeProBubbleId`). `producerId` and `producerBubbleId`, when given, must be the "
        "path's producer. `id`, `createdAt` and `updatedAt` belong to the server. The whole "
        "list is applied in one transaction: one invalid item and nothing is written. A "
        f"single object is treated as a list of one; at most {MAX_REGISTRATIONS_PER_UPSERT} "
        "items per request.\n\n"
        "`countProductsScheme`, `totalQuantityScheme` and `totalAmountScheme` are sums over "
        "the registration's declarations and `producerPaidAt` is its latest payment; all are "
        "null when it has none. Errors: 400 `ALGOREP_028` for an unknown user or an NRN that "
        "is not one of that user's producers, 400 `ALGOREP_005` (with `details` by item "
        "index and field) for an invalid body or an unknown field, 409 `ALGOREP_005` when "
        "concurrent requests kept writing the same registrations (nothing was written; send "
        "it again), 500 `ALGOREP_001` for anything unexpected, 401 `ALGOREP_040` for a "
        "missing or wrong API key, 405 `ALGOREP_041` for another method, 415 `ALGOREP_042` "
        "for a body that is not JSON, 429 `ALGOREP_029` (with `Retry-After`) once the API "
        "key, or the client address for requests without a valid key, has spent its request "
        "budget. uin, proMemberId and status given as null stay null. A registration that a "
        "concurrent request created first is matched, as if the requests had come one after "
        "the other."
    ),
    parameters=[
        OpenApiParameter(
            "UserBubbleId",
            OpenApiTypes.STR,
            OpenApiParameter.PATH,
            description="User Unique Bubble ID",
        ),
        OpenApiParameter(
            "ProducerNrn",
            OpenApiTypes.STR,
            OpenApiParameter.PATH,
            description="Producer Unique NRN",
        ),
    ],
    request=RegistrationUpsertItemSerializer(many=True),
    responses={
        200: OpenApiResponse(RegistrationSerializer(many=True), description="Registrations"),
        400: OpenApiResponse(
            RegistrationsErrorSerializer,
            description="ALGOREP_028 (unknown user or producer) or ALGOREP_005 (invalid body).",
        ),
        401: OpenApiResponse(
            RegistrationsErrorSerializer,
            description="ALGOREP_040: a missing or wrong API key.",
        ),
        405: OpenApiResponse(
            RegistrationsErrorSerializer,
            description="ALGOREP_041: a method other than POST.",
        ),
        409: OpenApiResponse(
            RegistrationsErrorSerializer,
            description="ALGOREP_005: concurrent requests kept writing the same registrations.",
        ),
        413: OpenApiResponse(
            RegistrationsErrorSerializer, description="ALGOREP_005: the body is too large."
        ),
        415: OpenApiResponse(
            RegistrationsErrorSerializer, description="ALGOREP_042: the body is not JSON."
        ),
        429: OpenApiResponse(
            RegistrationsErrorSerializer,
            description="ALGOREP_029: too many requests; `Retry-After` says when to retry.",
        ),
        500: OpenApiResponse(
            RegistrationsErrorSerializer, description="ALGOREP_001: an unexpected error."
        ),
    },
    examples=examples.OPENAPI_EXAMPLES,
    tags=["registrations"],
)
