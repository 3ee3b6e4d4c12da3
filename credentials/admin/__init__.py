"""Admin for credentials: masked passwords with a logged reveal, previous passwords, collective
accounts with their linked clients, credentials on the client page, and the access log.

Importing the package registers every page; the names other modules use are re-exported here."""

from credentials.admin.access_log import PasswordAccessEventAdmin
from credentials.admin.client_page import CatalogIds, ClientCredentialsAdminMixin
from credentials.admin.collective import CollectiveAccountAdmin
from credentials.admin.common import (
    REVEAL_CONTROL_TEMPLATE,
    NeedsAttentionListFilter,
    ProListFilter,
    ReadOnlyAdminMixin,
    may_reveal_passwords,
    may_reveal_previous_passwords,
    reveal_control,
)
from credentials.admin.credential import CredentialAdmin
from credentials.admin.forms import (
    COLLECTIVE_ACCOUNT_HELP,
    SERVICE_CHECKED,
    CredentialAdminForm,
    ExtraInfoField,
    catalog_pk,
    linked_secret_message,
)
from credentials.admin.imports import ClientImportAdmin
from credentials.admin.inlines import (
    LinkedCredentialInline,
    PasswordHistoryInline,
    ReadOnlyCredentialInline,
)

# The compliance calendar's admin pages register with this app's.
from credentials.calendar import admin as calendar_admin  # noqa: F401

__all__ = [
    "COLLECTIVE_ACCOUNT_HELP",
    "REVEAL_CONTROL_TEMPLATE",
    "SERVICE_CHECKED",
    "CatalogIds",
    "ClientCredentialsAdminMixin",
    "ClientImportAdmin",
    "CollectiveAccountAdmin",
    "CredentialAdmin",
    "CredentialAdminForm",
    "ExtraInfoField",
    "LinkedCredentialInline",
    "NeedsAttentionListFilter",
    "PasswordAccessEventAdmin",
    "PasswordHistoryInline",
    "ProListFilter",
    "ReadOnlyAdminMixin",
    "ReadOnlyCredentialInline",
    "catalog_pk",
    "linked_secret_message",
    "may_reveal_passwords",
    "may_reveal_previous_passwords",
    "reveal_control",
]
