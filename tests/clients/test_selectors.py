"""Client reads that the API and admin share."""

import pytest

from clients.models import Client
from clients.portfolio_version import portfolio_version
from clients.selectors import (
    client_aliases,
    client_list,
    client_local_company_name,
    client_name_taken,
    client_portfolio_summaries,
    client_stats,
    clients_covering,
    clients_matching,
)
from tests.factories import (
    AliasFactory,
    ClientFactory,
    CredentialFactory,
    ObligationFactory,
    country,
    report_type,
)

pytestmark = pytest.mark.django_db


def test_client_name_taken_ignores_case_and_the_client_itself(organization, other_organization):
    client = ClientFactory(organization=organization, name="ABC Corporation")

    assert client_name_taken(organization=organization, name="abc corporation ")
    assert not client_name_taken(organization=organization, name="ABC Corporation", exclude=client)
    assert not client_name_taken(organization=other_organization, name="ABC Corporation")


def test_client_aliases_put_the_global_alias_first(organization):
    client = ClientFactory(organization=organization)
    AliasFactory(client=client, scope="UK", name="UK name")
    AliasFactory(client=client, scope="*", name="Global")
    AliasFactory(client=client, scope="DE", name="DE name")

    assert list(client_aliases(client).items()) == [
        ("*", "Global"),
        ("DE", "DE name"),
        ("UK", "UK name"),
    ]


def test_client_local_company_name_is_the_country_alias_only(organization):
    client = ClientFactory(organization=organization)
    AliasFactory(client=client, scope="*", name="Global")
    AliasFactory(client=client, scope="DE", name="ABC GmbH")

    assert client_local_company_name(client=client, country=country("DE")) == "ABC GmbH"
    assert client_local_company_name(client=client, country=country("FR")) is None


def test_client_list_reads_aliases_in_one_query(organization, django_assert_num_queries):
    for _ in range(5):
        AliasFactory(client=ClientFactory(organization=organization))

    version = portfolio_version(organization.pk)

    # Whether anything is shared with the organization, the clients, their portfolio
    # summaries with their aliases.
    with django_assert_num_queries(3):
        clients = list(client_list(organization=organization, version=version))
        summaries = client_portfolio_summaries([client.pk for client in clients])
        for client in clients:
            client.portfolio_summary = summaries[client.pk]
        names = [client_aliases(client) for client in clients]

    assert len(names) == 5
    assert names == [{alias.scope: alias.name for alias in c.aliases.all()} for c in clients]


def test_client_list_includes_clients_shared_with_the_organization(
    organization, other_organization
):
    own = ClientFactory(organization=organization, name="Own")
    shared = ClientFactory(
        organization=other_organization,
        name="Shared",
        shared=True,
        client_organization=organization,
    )
    ClientFactory(
        organization=other_organization, name="Not shared", client_organization=organization
    )

    assert list(readable_list(organization)) == [own, shared]
    assert list(readable_list(other_organization)) == [
        Client.objects.get(name="Not shared"),
        shared,
    ]


def readable_list(organization):
    return client_list(organization=organization, version=portfolio_version(organization.pk))


# Committed, so that the portfolio has a version (on PostgreSQL a transaction that changed it
# has none and answers without the cache).
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_catalog")
def test_client_list_remembers_that_nothing_is_shared_until_the_portfolio_changes(
    organization, other_organization, django_assert_num_queries
):
    own = ClientFactory(organization=organization, name="Own")
    list(readable_list(organization))

    # The version and the clients: whether anything is shared is known already.
    with django_assert_num_queries(2):
        assert list(readable_list(organization)) == [own]

    shared = ClientFactory(
        organization=other_organization,
        name="Shared",
        shared=True,
        client_organization=organization,
    )

    assert list(readable_list(organization)) == [own, shared]


def test_clients_covering_with_no_condition_is_the_same_queryset(organization):
    clients = Client.objects.filter(organization=organization)

    assert clients_covering(clients) is clients


def test_client_stats_count_credentials_and_obligations_without_double_counting(organization):
    both = ClientFactory(organization=organization)
    CredentialFactory(client=both, report_types=["WEEE"])
    ObligationFactory(client=both, report_type=report_type("WEEE"))
    ObligationFactory(client=both, country=country("FR"), report_type=report_type("Packaging"))
    only_obligation = ClientFactory(organization=organization, status="onboarding")
    ObligationFactory(client=only_obligation)

    assert client_stats(organization=organization) == {
        "total_clients": 2,
        "by_country": {"DE": 2, "FR": 1},
        "by_report_type": {"WEEE": 2, "Packaging": 1},
        "by_status": {"active": 1, "onboarding": 1},
    }


def test_client_stats_use_a_fixed_number_of_queries(organization, django_assert_num_queries):
    for code in ("DE", "FR", "NL"):
        ObligationFactory(client=ClientFactory(organization=organization), country=country(code))
        CredentialFactory(client=ClientFactory(organization=organization))

    # The kept counts joined to the codes of their countries and report types.
    with django_assert_num_queries(1):
        client_stats(organization=organization)


@pytest.fixture
def accented(organization):
    """Clients whose texts carry accents, each reachable through one field only."""
    by_name = ClientFactory(organization=organization, name="Lumière Emballages", notes="")
    by_alias = ClientFactory(organization=organization, name="Alias Holder", notes="")
    AliasFactory(client=by_alias, scope="*", name="Müller Verpackung")
    by_notes = ClientFactory(organization=organization, name="Notes Holder", notes="Dépôt à Łódź")
    by_login = ClientFactory(organization=organization, name="Login Holder", notes="")
    CredentialFactory(client=by_login, login="søren@grønt.example", registration_number="X1")
    by_regno = ClientFactory(organization=organization, name="Regno Holder", notes="")
    CredentialFactory(client=by_regno, login="plain@example.com", registration_number="ÉCO-42")
    return {
        "name": by_name,
        "alias": by_alias,
        "notes": by_notes,
        "login": by_login,
        "registration_number": by_regno,
    }


def matching(organization, text, **options) -> set[str]:
    found = clients_matching(Client.objects.of(organization), text=text, **options)
    return set(found.values_list("name", flat=True))


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("lumiere", "name"),
        ("LUMIÈRE", "name"),
        ("muller", "alias"),
        ("MÜLLER", "alias"),
        ("ŁÓDŹ", "notes"),
        ("lodz", "notes"),
        ("gront", "login"),
        ("GRØNT", "login"),
        ("eco-42", "registration_number"),
    ],
)
def test_search_ignores_case_and_accents_in_every_searched_field(accented, text, field):
    organization = accented[field].organization

    assert matching(organization, text) == {accented[field].name}


def test_search_with_accents_finds_the_text_written_without_them(organization):
    ClientFactory(organization=organization, name="Lumiere Plain", notes="")

    assert matching(organization, "Lumière") == {"Lumiere Plain"}


def test_search_spells_out_the_sharp_s_as_postgresql_unaccent_does(organization):
    ClientFactory(organization=organization, name="Straße Recycling", notes="")

    assert matching(organization, "STRASSE") == {"Straße Recycling"}


def test_company_name_only_search_ignores_accented_notes_and_logins(accented):
    organization = accented["name"].organization

    assert matching(organization, "lodz", company_name_only=True) == set()
    assert matching(organization, "gront", company_name_only=True) == set()
    assert matching(organization, "muller", company_name_only=True) == {"Alias Holder"}


def test_search_wildcards_in_the_text_are_literal_characters(organization):
    ClientFactory(organization=organization, name="Öko 100% Recycling", notes="")
    ClientFactory(organization=organization, name="Öko 1000 Recycling", notes="")

    assert matching(organization, "öko 100%") == {"Öko 100% Recycling"}
    assert matching(organization, "ko_1") == set()


@pytest.mark.parametrize(
    ("obligation_pro", "credential_pro", "missing"),
    [
        (None, ("DE", "Stiftung EAR"), False),
        (("DE", "Stiftung EAR"), ("DE", "Stiftung EAR"), False),
        (None, None, True),
    ],
)
def test_the_missing_filter_agrees_with_the_missing_rows(
    organization, obligation_pro, credential_pro, missing
):
    from clients.models import Client
    from clients.selectors import clients_missing_credentials, missing_credentials_of_clients
    from tests.factories import ClientFactory, CredentialFactory, ObligationFactory, pro

    listed = ClientFactory(organization=organization)
    ObligationFactory(client=listed, pro=pro(*obligation_pro) if obligation_pro else None)
    if credential_pro:
        CredentialFactory(client=listed, pro=pro(*credential_pro))

    filtered = clients_missing_credentials(Client.objects.all(), missing=True)

    assert bool(missing_credentials_of_clients([listed.pk])[listed.pk]) is missing
    assert filtered.filter(pk=listed.pk).exists() is missing
