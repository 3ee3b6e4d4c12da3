import logging

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from clients.authentication import ApiKeyAuthentication
from clients.permissions import HasOrganizationApiKey
from clients.throttling import ApiKeyRateThrottle
from config.exceptions import validation_error_detail
from config.parsers import JSONParser
from config.throttling import ClientAddressRateThrottle, throttle_refused_authentication
from registrations.api import examples
from registrations.api.serializers import (
    RegistrationSerializer,
    RegistrationsErrorSerializer,
    RegistrationUpsertItemSerializer,
)
from registrations.errors import (
    InvalidRegistrations,
    MethodNotAllowed,
    NotAuthenticated,
    RegistrationsError,
    TooManyRequests,
    UnsupportedMediaType,
)
from registrations.selectors import producer_for_user, registrations_with_details
from registrations.services import MAX_REGISTRATIONS_PER_UPSERT, registrations_upsert

logger = logging.getLogger(__name__)


# DRF's exceptions answered with their own ALGOREP code; other DRF errors are ALGOREP_005.
OWN_CODES = {
    exceptions.NotAuthenticated: NotAuthenticated,
    exceptions.AuthenticationFailed: NotAuthenticated,
    exceptions.MethodNotAllowed: MethodNotAllowed,
    exceptions.UnsupportedMediaType: UnsupportedMediaType,
}


def registrations_exception_handler(exc, context):
    """Every failure in the contract's shape `{"error", "message", "details"}`.

    DRF's own answer gives the status and headers (`WWW-Authenticate` on a 401, `Allow` on a
    405); the body is replaced. A service's Django ValidationError is a 400 `ALGOREP_005` whose
    `details` are the API's usual field errors. A spent request budget (wrong keys included,
    counted per client address) is a 429 `ALGOREP_029` with `Retry-After`. Anything unexpected
    is logged here and answered without its trace.
    """
    exc = throttle_refused_authentication(exc, context.get("request"))
    if isinstance(exc, exceptions.Throttled):
        error = TooManyRequests(str(exc.detail), details={"retryAfter": exc.wait})
        headers = {"Retry-After": str(exc.wait)} if exc.wait is not None else None
        return Response(error.as_dict(), status=error.status_code, headers=headers)
    error_class = OWN_CODES.get(type(exc))
    if error_class is not None:
        response = exception_handler(exc, context)
        response.data = error_class(str(exc.detail)).as_dict()
        return response
    if isinstance(exc, RequestDataTooBig):
        error = InvalidRegistrations("The request body is too large.")
        return Response(error.as_dict(), status=413)
    if isinstance(exc, DjangoValidationError):
        error = InvalidRegistrations(details=validation_error_detail(exc))
        return Response(error.as_dict(), status=error.status_code)
    if isinstance(exc, exceptions.APIException):
        error = InvalidRegistrations(str(exc.detail))
        return Response(error.as_dict(), status=exc.status_code)
    if isinstance(exc, RegistrationsError):
        return Response(exc.as_dict(), status=exc.status_code)
    logger.exception("Upserting registrations failed")
    return Response(RegistrationsError().as_dict(), status=500)


def _details_by_item(errors: dict, names: dict[str, str]) -> dict:
    """Errors keyed by item index (as a string) and by the field's name in the request; errors
    of the whole body (`non_field_errors`) as they are."""
    if "non_field_errors" in errors:
        return dict(errors)
    return {
        str(index): (
            {names.get(field, field): messages for field, messages in item_errors.items()}
            if isinstance(item_errors, dict)
            else {"non_field_errors": item_errors}
        )
        for index, item_errors in errors.items()
    }


class RegistrationsUpsertView(APIView):
    """POST /users/{UserBubbleId}/producers/{ProducerNrn}/registrations."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasOrganizationApiKey]
    throttle_classes = [ApiKeyRateThrottle, ClientAddressRateThrottle]
    parser_classes = [JSONParser]

    def get_exception_handler(self):
        return registrations_exception_handler

    @extend_schema(
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
    def post(self, request, **path):
        producer = producer_for_user(
            organization=request.auth.organization,
            user_bubble_id=path["UserBubbleId"],
            nrn=path["ProducerNrn"],
        )
        # Django's request.body enforces DATA_UPLOAD_MAX_MEMORY_SIZE; DRF's parsers stream past it.
        request.body  # noqa: B018
        payload = request.data
        items = [payload] if isinstance(payload, dict) else payload
        serializer = RegistrationUpsertItemSerializer(
            data=items, many=True, max_length=MAX_REGISTRATIONS_PER_UPSERT
        )
        names = RegistrationUpsertItemSerializer.field_names_by_source()
        if not serializer.is_valid():
            raise InvalidRegistrations(details=_details_by_item(serializer.errors, names))
        try:
            registrations = registrations_upsert(producer=producer, items=serializer.validated_data)
        except InvalidRegistrations as error:
            error.details = _details_by_item(error.details, names)
            raise
        rendered = registrations_with_details(
            producer=producer, registration_ids=[r.pk for r in registrations]
        )
        return Response(RegistrationSerializer(rendered, many=True).data)
