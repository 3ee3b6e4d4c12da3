import logging

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from clients.authentication import ApiKeyAuthentication
from clients.permissions import HasOrganizationApiKey
from clients.throttling import ApiKeyRateThrottle
from config.exceptions import validation_error_detail
from config.parsers import JSONParser
from config.throttling import ClientAddressRateThrottle, throttle_refused_authentication
from registrations.api.schema import REGISTRATIONS_UPSERT_SCHEMA
from registrations.api.serializers import (
    RegistrationSerializer,
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

    @REGISTRATIONS_UPSERT_SCHEMA
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
