"""Admin for organizations, members, API keys, grants and clients.

Importing the package registers every page; the names other modules use are re-exported here."""

from clients.admin.client import ClientAdmin, client_admin_extensions
from clients.admin.filters import (
    CatalogListFilter,
    CollectiveAccountListFilter,
    CountryListFilter,
    MissingCredentialsListFilter,
    ProListFilter,
    ReportTypeListFilter,
)
from clients.admin.forms import (
    CLIENT_FIELDS,
    AliasForm,
    ClientAdminForm,
    ObligationForm,
    add_service_errors,
)
from clients.admin.inlines import (
    AliasInline,
    CatalogChoicesFormSet,
    ClientPartInline,
    ObligationInline,
)
from clients.admin.organization import (
    ApiKeyAdmin,
    ClientOrganizationGrantAdmin,
    InvitationTokenForm,
    MembershipAdmin,
    MembershipInline,
    OrganizationAdmin,
)

__all__ = [
    "CLIENT_FIELDS",
    "AliasForm",
    "AliasInline",
    "ApiKeyAdmin",
    "CatalogChoicesFormSet",
    "CatalogListFilter",
    "ClientAdmin",
    "ClientAdminForm",
    "ClientOrganizationGrantAdmin",
    "ClientPartInline",
    "CollectiveAccountListFilter",
    "CountryListFilter",
    "InvitationTokenForm",
    "MembershipAdmin",
    "MembershipInline",
    "MissingCredentialsListFilter",
    "ObligationForm",
    "ObligationInline",
    "OrganizationAdmin",
    "ProListFilter",
    "ReportTypeListFilter",
    "add_service_errors",
    "client_admin_extensions",
]
