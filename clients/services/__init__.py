"""Writes for organizations, their members and API keys, and their clients.

One module a part: `accounts` (organizations, users, tokens, API keys), `validation` (the checks
a client write applies), `client` (clients, aliases, obligations, status), `client_organizations`
(a client's own organization). Every write is importable from `clients.services`.
"""

from clients.services.accounts import (
    LOGIN_REFUSED_MESSAGE,
    NO_MEMBERSHIP_MESSAGE,
    api_key_create,
    auth_token_obtain,
    auth_token_revoke,
    org_user_create_or_update,
    organization_get_or_create,
)
from clients.services.client import (
    AliasConflict,
    client_alias_remove,
    client_alias_set,
    client_create,
    client_delete,
    client_local_company_name_set,
    client_obligations_replace,
    client_update,
    clients_set_status,
)
from clients.services.client_organizations import (
    INVITATION_REFUSED,
    ORGANIZATION_NAME_MAX_LENGTH,
    client_organization_create,
    client_organization_invitation_accept,
    client_organization_invite,
)
from clients.services.validation import (
    CLIENT_ORGANIZATION_REFUSED,
    NAME_TOO_LONG_MESSAGE,
    ClientChanges,
    ObligationInput,
    client_alias_validate,
    client_validate,
    obligation_validate,
)

__all__ = [
    "CLIENT_ORGANIZATION_REFUSED",
    "INVITATION_REFUSED",
    "LOGIN_REFUSED_MESSAGE",
    "NAME_TOO_LONG_MESSAGE",
    "NO_MEMBERSHIP_MESSAGE",
    "ORGANIZATION_NAME_MAX_LENGTH",
    "AliasConflict",
    "ClientChanges",
    "ObligationInput",
    "api_key_create",
    "auth_token_obtain",
    "auth_token_revoke",
    "client_alias_remove",
    "client_alias_set",
    "client_alias_validate",
    "client_create",
    "client_delete",
    "client_local_company_name_set",
    "client_obligations_replace",
    "client_organization_create",
    "client_organization_invitation_accept",
    "client_organization_invite",
    "client_update",
    "client_validate",
    "clients_set_status",
    "obligation_validate",
    "org_user_create_or_update",
    "organization_get_or_create",
]
