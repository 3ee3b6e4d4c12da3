"""The bench portfolio's rows keep the data model's invariants (built in memory, not copied)."""

import itertools
import random

import pytest
from psycopg.types.json import Jsonb

from bench.portfolio import (
    ALIAS_COLUMNS,
    CLIENT_COLUMNS,
    CREDENTIAL_COLUMNS,
    CREDENTIAL_REPORT_TYPE_COLUMNS,
    OBLIGATION_COLUMNS,
    PortfolioSize,
    build_portfolio,
    build_shard,
    client_name,
    copy_text,
    credentials_per_client,
    load_catalog,
    plan_portfolio,
)
from credentials.fields import EncryptedSecretField


def sequential_ids():
    counter = itertools.count(1)

    def ids(model, count):
        return [next(counter) for _ in range(count)]

    return ids


def rows(portfolio_rows, columns):
    return [dict(zip(columns, row, strict=True)) for row in portfolio_rows]


@pytest.fixture
def portfolio(organization):
    return build_portfolio(
        organization=organization,
        size=PortfolioSize(clients=400, credentials=1200),
        catalog=load_catalog(),
        ids=sequential_ids(),
    )


def test_company_names_are_distinct_case_insensitively():
    names = [client_name(index)[0].casefold() for index in range(5000)]

    assert len(set(names)) == len(names)


def test_credentials_per_client_add_up_to_the_requested_total():
    counts = credentials_per_client(random.Random(1), clients=1000, total=2999, cap=20)

    assert sum(counts) == 2999
    assert max(counts) <= 20
    assert min(counts) >= 0


def test_a_total_that_cannot_fit_is_refused():
    with pytest.raises(ValueError, match="do not fit"):
        credentials_per_client(random.Random(1), clients=10, total=500, cap=20)


def test_portfolio_has_the_requested_size_with_one_percent_collective_accounts(portfolio):
    clients = rows(portfolio.clients, CLIENT_COLUMNS)

    assert len(clients) == 400
    assert len(portfolio.credentials) == 1200
    assert sum(client["collective_account"] for client in clients) == 4


def test_credential_report_types_are_ones_its_pro_takes_without_collisions(portfolio):
    offers = {pro.id: set(pro.report_type_ids) for pro in load_catalog()}
    links = rows(portfolio.credential_report_types, CREDENTIAL_REPORT_TYPE_COLUMNS)
    keys = [
        (link["client_id"], link["country_id"], link["pro_id"], link["report_type_id"])
        for link in links
    ]

    assert all(link["report_type_id"] in offers[link["pro_id"]] for link in links)
    assert len(set(keys)) == len(keys)


def test_linked_credentials_use_a_collective_credential_of_the_same_pro(portfolio):
    credentials = {row["id"]: row for row in rows(portfolio.credentials, CREDENTIAL_COLUMNS)}
    collective_clients = {
        row["id"] for row in rows(portfolio.clients, CLIENT_COLUMNS) if row["collective_account"]
    }
    linked = [row for row in credentials.values() if row["collective_account_id"]]

    for credential in linked:
        collective = credentials[credential["collective_account_id"]]
        assert collective["client_id"] in collective_clients
        assert (collective["country_id"], collective["pro_id"]) == (
            credential["country_id"],
            credential["pro_id"],
        )
        assert credential["login"] == ""


def test_passwords_are_stored_encrypted(portfolio):
    field = EncryptedSecretField()
    passwords = {row["password"] for row in rows(portfolio.credentials, CREDENTIAL_COLUMNS)}

    assert "Winter-2024!" not in passwords
    assert "Winter-2024!" in {field.from_db_value(value, None, None) for value in passwords}


def test_aliases_and_obligations_are_unique_per_scope(portfolio):
    aliases = [(row["client_id"], row["scope"]) for row in rows(portfolio.aliases, ALIAS_COLUMNS)]
    obligations = rows(portfolio.obligations, OBLIGATION_COLUMNS)
    keys = [tuple(row.values()) for row in obligations]

    assert len(set(aliases)) == len(aliases)
    assert len(set(keys)) == len(keys)


def test_copy_text_escapes_separators_and_writes_null_as_backslash_n():
    row = (7, "tab\there\\ and\nline", None, True, Jsonb({"portal_user_id": "12"}))

    assert copy_text([row], suffix="\tf") == (
        b'7\ttab\\there\\\\ and\\nline\t\\N\tt\t{"portal_user_id": "12"}\tf\n'
    )


def test_shards_hand_out_each_credential_id_once_and_build_the_same_portfolio_twice(
    organization,
):
    size = PortfolioSize(clients=300, credentials=900)
    catalog = load_catalog()

    def build():
        collective, shards = plan_portfolio(
            organization_id=organization.pk,
            size=size,
            catalog=catalog,
            ids=sequential_ids(),
            shard_clients=40,
        )
        for shard in shards:
            collective.extend(build_shard(shard))
        return collective, shards

    first, shards = build()
    second, _ = build()
    credential_ids = [row[0] for row in first.credentials]

    assert len(shards) == 8
    assert sorted(credential_ids) == list(range(301, 1201))
    # Passwords are encrypted afresh and times follow the clock; everything else repeats.
    assert [row[:6] for row in first.credentials] == [row[:6] for row in second.credentials]
    assert [row[:4] for row in first.clients] == [row[:4] for row in second.clients]
    assert first.credential_report_types == second.credential_report_types


@pytest.mark.django_db
def test_the_portfolio_size_leaves_out_the_clients_a_measurement_added(organization):
    from bench.portfolio import HARNESS_CLIENT_PREFIX, portfolio_size
    from tests.factories import ClientFactory, CredentialFactory

    generated = ClientFactory(organization=organization, name="Nordic Falcon Electronics GmbH")
    CredentialFactory(client=generated)
    hub = ClientFactory(organization=organization, name=f"{HARNESS_CLIENT_PREFIX}Hub Client")
    CredentialFactory(client=hub)

    assert portfolio_size(organization) == PortfolioSize(clients=1, credentials=1)
    assert all(not client_name(index)[0].startswith(HARNESS_CLIENT_PREFIX) for index in range(5000))
