"""The request rate of each organization API key (the `/users` routes)."""

from clients.models import ApiKey
from config.throttling import RateFromSettingsThrottle


class ApiKeyRateThrottle(RateFromSettingsThrottle):
    """Per API key, so one organization's integration cannot spend another's budget."""

    scope = "api_key"

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiKey):
            return None
        return self.key_for(request.auth.pk)
