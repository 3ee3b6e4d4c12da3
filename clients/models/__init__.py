"""Organizations (the tenants), their people and keys, and the producer companies they serve.

One module a part: `organization` (tenants, memberships, API keys, the tenancy queryset),
`client` (clients, their grants, aliases and obligations), `coverage` (the index, counters and
search text the list and the statistics read). Every name is importable from `clients.models`.
"""

from clients.models.client import (
    GLOBAL_SCOPE,
    Alias,
    Client,
    ClientOrganizationGrant,
    ClientQuerySet,
    ClientStatus,
    Obligation,
)
from clients.models.coverage import (
    ClientCoverage,
    ClientSearchText,
    ClientStatFacet,
    CoverageSource,
    PortfolioStat,
    PortfolioStatDelta,
    StatDimension,
)
from clients.models.organization import (
    ApiKey,
    Membership,
    Organization,
    OrganizationQuerySet,
    PortfolioVersion,
    Role,
    organization_queryset,
    validate_time_zone,
)

__all__ = [
    "GLOBAL_SCOPE",
    "Alias",
    "ApiKey",
    "Client",
    "ClientCoverage",
    "ClientOrganizationGrant",
    "ClientQuerySet",
    "ClientSearchText",
    "ClientStatFacet",
    "ClientStatus",
    "CoverageSource",
    "Membership",
    "Obligation",
    "Organization",
    "OrganizationQuerySet",
    "PortfolioStat",
    "PortfolioStatDelta",
    "PortfolioVersion",
    "Role",
    "StatDimension",
    "organization_queryset",
    "validate_time_zone",
]
