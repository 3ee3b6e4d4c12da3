"""The errors of the `/users` routes, with the codes their contract documents (ALGOREP_0NN)."""


class RegistrationsError(Exception):
    """An error answered as `{"error": code, "message": message, "details": details}`."""

    code = "ALGOREP_001"
    default_message = "The server encountered an unknown error!"
    status_code = 500

    def __init__(self, message: str | None = None, *, details: dict | None = None):
        self.message = message or self.default_message
        self.details = details or {}
        super().__init__(self.message)

    def as_dict(self) -> dict:
        return {"error": self.code, "message": self.message, "details": self.details}


class InvalidRegistrations(RegistrationsError):
    """The request or one of its items is invalid; nothing was written."""

    code = "ALGOREP_005"
    default_message = "Bad Request"
    status_code = 400


class RegistrationsConflict(RegistrationsError):
    """Concurrent requests kept writing the same registrations; nothing was written."""

    code = "ALGOREP_005"
    default_message = (
        "Another request changed the same registrations at the same time; send the request again."
    )
    status_code = 409


class ProducerNotFound(RegistrationsError):
    """No producer with that NRN among the user's producers (or no such user)."""

    code = "ALGOREP_028"
    default_message = "No Company Found With This NRN"
    status_code = 400


class TooManyRequests(RegistrationsError):
    """The API key (or, without a valid one, the client address) has spent its request budget.

    The contract's codes stop at ALGOREP_028; this one follows them.
    """

    code = "ALGOREP_029"
    default_message = "Too Many Requests"
    status_code = 429


class NotAuthenticated(RegistrationsError):
    """No API key, or one that is not an active key of an organization."""

    code = "ALGOREP_040"
    default_message = "Unauthorized"
    status_code = 401


class MethodNotAllowed(RegistrationsError):
    """A method the route does not take (it takes POST)."""

    code = "ALGOREP_041"
    default_message = "Method Not Allowed"
    status_code = 405


class UnsupportedMediaType(RegistrationsError):
    """A body that is not JSON (`Content-Type: application/json`)."""

    code = "ALGOREP_042"
    default_message = "Unsupported Media Type"
    status_code = 415


class RouteNotFound(RegistrationsError):
    """A path under /users that no route matches."""

    code = "ALGOREP_043"
    default_message = "Not Found"
    status_code = 404
