"""The API's exception handler: DRF's, plus 400 for the services' Django ValidationError, 409
for deletions that other rows depend on, 413 for bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (Django
raises those as a bare 400 page) and 429 for refused authentications past the client address's
budget (config/throttling.py)."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from config.throttling import throttle_refused_authentication

MAX_NAMED_DEPENDANTS = 20


class DeletionConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, dependants: list[str]):
        named = ", ".join(dependants[:MAX_NAMED_DEPENDANTS])
        more = len(dependants) - MAX_NAMED_DEPENDANTS
        suffix = f" and {more} more" if more > 0 else ""
        super().__init__(
            f"Cannot delete: {len(dependants)} other record(s) depend on it: {named}{suffix}. "
            "Remove or relink them first."
        )
        self.dependants = dependants


class RequestBodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(f"The request body is larger than the limit of {limit:,} bytes.")


def validation_error_detail(
    error: DjangoValidationError, field_names: Mapping[str, str] | None = None
) -> dict:
    """A service's ValidationError as DRF's 400 body: `{"field": ["message"]}`, errors without a
    field under `non_field_errors`; fields renamed by `field_names` (service's name: request's)."""
    detail = as_serializer_error(error)
    names = field_names or {}
    return {names.get(field, field): messages for field, messages in detail.items()}


@contextmanager
def fields_renamed(field_names: Mapping[str, str]) -> Iterator[None]:
    """Answer a service's ValidationError under the request's field names: for the views whose
    request calls a field differently from the service (`client_name` for `name`)."""
    try:
        yield
    except DjangoValidationError as error:
        raise ValidationError(validation_error_detail(error, field_names)) from error


def api_exception_handler(exc, context):
    exc = throttle_refused_authentication(exc, context.get("request"))
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(validation_error_detail(exc))
    if isinstance(exc, RequestDataTooBig):
        exc = RequestBodyTooLarge()
    if isinstance(exc, ProtectedError | RestrictedError):
        blocking = (
            exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        )
        exc = DeletionConflict(sorted({str(obj) for obj in blocking}))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, DeletionConflict):
        response.data["dependants"] = exc.dependants
    return response
