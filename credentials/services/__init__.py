"""Writes of credentials, for the API, the admin, CSV import and commands alike.

The rules live here once: a credential's own input (validation), catalog entries, one
credential per client, country, PRO and report type and collective-account links (plan), the
writes with their password history (writes), the encryption canary and key rotation (keys); and
`secrets_reveal` (reveal), the one way a stored secret becomes plaintext for a response, which
checks who may see it and records every access.
"""

from credentials.services.keys import (
    ENCRYPTED_FIELDS,
    encryption_canary_ensure,
    encryption_key_rotate,
)
from credentials.services.plan import credential_validate
from credentials.services.reveal import (
    NOTHING_REVEALED,
    REVEAL_HISTORY_PERMISSION,
    RequestOrigin,
    RevealedSecrets,
    RevealRefused,
    password_reveal_allowed,
    request_origin,
    secrets_reveal,
)
from credentials.services.validation import (
    MASKED_PASSWORD_MESSAGE,
    NULL_CHARACTER_MESSAGE,
    UNSET,
    Unset,
    extra_info_error,
    holds_null_character,
    is_masked_password,
    linked_secret_errors,
)
from credentials.services.writes import (
    REPORT_TYPE_LINK_FIELDS,
    CredentialWrite,
    credential_create,
    credential_delete,
    credential_update,
    credentials_bulk_write,
)

__all__ = [
    "ENCRYPTED_FIELDS",
    "MASKED_PASSWORD_MESSAGE",
    "NOTHING_REVEALED",
    "NULL_CHARACTER_MESSAGE",
    "REPORT_TYPE_LINK_FIELDS",
    "REVEAL_HISTORY_PERMISSION",
    "UNSET",
    "CredentialWrite",
    "RequestOrigin",
    "RevealRefused",
    "RevealedSecrets",
    "Unset",
    "credential_create",
    "credential_delete",
    "credential_update",
    "credential_validate",
    "credentials_bulk_write",
    "encryption_canary_ensure",
    "encryption_key_rotate",
    "extra_info_error",
    "holds_null_character",
    "is_masked_password",
    "linked_secret_errors",
    "password_reveal_allowed",
    "request_origin",
    "secrets_reveal",
]
