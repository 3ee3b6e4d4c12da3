"""Request rates of the API (DRF throttles), counted in the Django cache.

A caller that authenticated has a budget of its own, keyed on who it is: the user of a token or
session on `/logins`, the organization API key on `/users`; callers behind one office's address
do not share one. Every other request is counted against its client address: requests without
credentials and requests whose credentials are refused. DRF refuses those in authentication or
in the permission check, before it runs any throttle, so the API's exception handlers charge
them here (`throttle_refused_authentication`): past the address's budget a wrong token is
answered 429 instead of 401.
"""

from django.core.exceptions import ImproperlyConfigured
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from config.client_address import client_ip


class RateFromSettingsThrottle(SimpleRateThrottle):
    """A throttle whose rate is REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]."""

    def get_rate(self) -> str | None:
        # DRF binds THROTTLE_RATES once, when its module is imported; reading the rates per
        # request follows a change of settings.
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(f"No throttle rate for the scope {self.scope!r}.") from None

    def get_ident(self, request) -> str:
        return client_ip(request) or "unknown"

    def key_for(self, ident) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}


class UserRateThrottle(RateFromSettingsThrottle):
    """Per user, for requests authenticated by token or session."""

    scope = "user"

    def get_cache_key(self, request, view) -> str | None:
        if not request.user.is_authenticated:
            return None
        return self.key_for(request.user.pk)


class ClientAddressRateThrottle(RateFromSettingsThrottle):
    """Per client address, for requests that authenticated as no one."""

    scope = "anon"

    def get_cache_key(self, request, view) -> str | None:
        if request.user.is_authenticated or request.auth is not None:
            return None
        return self.key_for(self.get_ident(request))


class LoginRateThrottle(RateFromSettingsThrottle):
    """Per client address, for login attempts (`POST /logins/auth/token`), right or wrong."""

    scope = "auth"

    def get_cache_key(self, request, view) -> str | None:
        return self.key_for(self.get_ident(request))


class RefusedAuthenticationThrottle(ClientAddressRateThrottle):
    """The client address's budget, charged for a request whose authentication was refused.

    It never reads `request.user`: after a refusal DRF has not set it yet.
    """

    def get_cache_key(self, request, view) -> str:
        return self.key_for(self.get_ident(request))


REFUSED_AUTHENTICATION = (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)


def throttle_refused_authentication(exc: Exception, request) -> Exception:
    """`exc`, or a Throttled in its place when it refuses authentication to a client address
    that has spent its budget; each refusal within the budget is counted against it."""
    if request is None or not isinstance(exc, REFUSED_AUTHENTICATION):
        return exc
    throttle = RefusedAuthenticationThrottle()
    if throttle.allow_request(request, None):
        return exc
    return exceptions.Throttled(wait=throttle.wait())
