"""Reads of clients: the portfolio list, one client, local company names and statistics.

Credential data is reached through Client's reverse relations (`credentials`,
`credential_report_types`), never by importing the credentials app, which depends on this one.

- `detail`: one client (name taken, consenting organizations, obligations, aliases);
- `listing`: the list's question, its matches (search, catalog coverage) and their count;
- `missing`: obligations no credential covers, and each list row's portfolio summary;
- `stats`: the portfolio's counts;
- `history`: the changes of a client's aliases and obligations.
"""

from clients.selectors.detail import (
    client_aliases,
    client_detail,
    client_details,
    client_local_company_name,
    client_name_taken,
    client_obligations,
    client_organizations_consenting,
    rows_pointing_at_client,
)
from clients.selectors.history import PART_HISTORY_ACTIONS, ClientPartChange, client_part_history
from clients.selectors.listing import (
    ClientMatches,
    ClientQuestion,
    client_list,
    clients_covering,
    clients_covering_count,
    clients_matching,
    organization_shares_received,
)
from clients.selectors.missing import (
    ClientPortfolioSummary,
    MissingCredential,
    client_portfolio_summaries,
    clients_missing_credentials,
    missing_credentials_of_clients,
    uncovered_obligations,
)
from clients.selectors.stats import client_stats, client_stats_recount

__all__ = [
    "PART_HISTORY_ACTIONS",
    "ClientMatches",
    "ClientPartChange",
    "ClientPortfolioSummary",
    "ClientQuestion",
    "MissingCredential",
    "client_aliases",
    "client_detail",
    "client_details",
    "client_list",
    "client_local_company_name",
    "client_name_taken",
    "client_obligations",
    "client_organizations_consenting",
    "client_part_history",
    "client_portfolio_summaries",
    "client_stats",
    "client_stats_recount",
    "clients_covering",
    "clients_covering_count",
    "clients_matching",
    "clients_missing_credentials",
    "missing_credentials_of_clients",
    "organization_shares_received",
    "rows_pointing_at_client",
    "uncovered_obligations",
]
