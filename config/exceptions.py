"""The API's exception handler: DRF's, plus 409 for deletions that other rows depend on, 413
for bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (Django raises those as a bare 400 page) and 429 for
refused authentications past the client address's budget (config/throttling.py)."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db.models import ProtectedError, RestrictedError
from rest_framework import status
from rest_framework.exceptions import APIException
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


def api_exception_handler(exc, context):
    exc = throttle_refused_authentication(exc, context.get("request"))
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
