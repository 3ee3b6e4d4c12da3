"""DRF permissions for organization members (token or session) and API keys."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from clients.models import ApiKey
from clients.tenancy import membership_for_user


class IsOrganizationMember(BasePermission):
    """A member of an organization; viewers may only read."""

    message = "Your role in this organization is read-only."

    def has_permission(self, request, view) -> bool:
        membership = membership_for_user(request.user)
        if membership is None:
            self.message = "You are not a member of any organization."
            return False
        if request.method in SAFE_METHODS:
            return True
        return membership.can_write


class HasOrganizationApiKey(BasePermission):
    """The request was authenticated with an organization API key."""

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ApiKey)
