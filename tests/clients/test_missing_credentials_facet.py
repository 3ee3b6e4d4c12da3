"""The "missing credentials" facet the database keeps for each client (clients/portfolio_stats.py):
every write path leaves it on exactly the clients the rule finds (clients.selectors.
uncovered_obligations), the kept count agrees, and portfolio_check finds a facet on the wrong
client even when the counts agree.

The writes here really commit (transactional tests): on PostgreSQL the counts are updated at
commit.
"""

import io

import pytest
from django.core.management import CommandError, call_command

from clients.models import Client, ClientStatFacet, Obligation, StatDimension
from clients.portfolio_stats import (
    MISSING_DIMENSION,
    MISSING_KEY,
    organization_counts,
    portfolio_drift,
)
from clients.selectors import clients_missing_credentials
from clients.services import client_create, client_update
from credentials.models import Credential, CredentialReportType
from credentials.services import credential_create, credential_delete, credential_update
from tests.clients.test_portfolio_stats import WRITES
from tests.factories import (
    ClientFactory,
    CredentialFactory,
    ObligationFactory,
    OrganizationFactory,
    country,
    report_type,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_catalog"),
]


def flagged() -> set[int]:
    facets = ClientStatFacet.objects.filter(dimension=StatDimension.MISSING)
    return set(facets.values_list("client_id", flat=True))


def by_the_rule() -> set[int]:
    clients = Client.objects.filter(collective_account=False)
    return set(clients_missing_credentials(clients, missing=True).values_list("pk", flat=True))


def kept_missing(organization) -> int:
    return organization_counts(organization.pk)[MISSING_DIMENSION][MISSING_KEY]


def assert_kept_as_the_rule(*organizations) -> None:
    assert flagged() == by_the_rule()
    for organization in organizations:
        own = Client.objects.filter(organization=organization, collective_account=False)
        assert kept_missing(organization) == len(by_the_rule() & {c.pk for c in own})
    assert portfolio_drift() == []


def uncovered_client(organization):
    """A client with a DE WEEE credential and a DE Batteries obligation it does not cover."""
    client = ClientFactory(organization=organization)
    CredentialFactory(client=client, report_types=["WEEE"])
    ObligationFactory(client=client, country=country("DE"), report_type=report_type("Batteries"))
    return client


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_keeps_the_missing_facet_as_the_rule_finds_it(write):
    organization = OrganizationFactory()
    client = uncovered_client(organization)
    covered = ClientFactory(organization=organization)
    CredentialFactory(client=covered, report_types=["WEEE"])
    ObligationFactory(client=covered, country=country("DE"), report_type=report_type("WEEE"))
    assert flagged() == {client.pk}

    write(client)

    assert_kept_as_the_rule(organization)


def cover_batteries(client):
    credential = Credential.objects.get(client=client)
    credential_update(credential=credential, report_types=["WEEE", "Batteries"])


COVERING_WRITES = {
    "credential given the report type (service)": cover_batteries,
    "covering report type row added": lambda client: CredentialReportType.objects.create(
        credential=Credential.objects.get(client=client),
        report_type=report_type("Batteries"),
        client=client,
        country=country("DE"),
        pro=Credential.objects.get(client=client).pro,
    ),
    "obligation reduced to its country (services)": lambda client: client_update(
        client=client, changes={"obligations": [{"country": "DE"}]}
    ),
    "obligation removed (services)": lambda client: client_update(
        client=client, changes={"obligations": []}
    ),
}


@pytest.mark.parametrize("write", COVERING_WRITES.values(), ids=COVERING_WRITES.keys())
def test_a_write_that_covers_the_obligation_clears_the_facet(write):
    organization = OrganizationFactory()
    client = uncovered_client(organization)

    write(client)

    assert client.pk not in flagged()
    assert_kept_as_the_rule(organization)


def test_the_services_set_and_clear_the_facet():
    organization = OrganizationFactory()
    client = client_create(
        organization=organization,
        name="Lumière SA",
        obligations=[{"country": "DE", "report_type": "WEEE", "pro": "Stiftung EAR"}],
    )
    assert flagged() == {client.pk}

    credential = credential_create(
        client=client, country="DE", pro="Stiftung EAR", report_types=["WEEE"], login="l"
    )
    assert flagged() == set()

    credential_delete(credential=credential)
    assert flagged() == {client.pk}
    assert_kept_as_the_rule(organization)


def test_an_obligation_of_another_pro_stays_missing():
    organization = OrganizationFactory()
    client = ClientFactory(organization=organization)
    CredentialFactory(client=client, report_types=["WEEE"])
    ObligationFactory(
        client=client,
        country=country("DE"),
        report_type=report_type("WEEE"),
        pro=Credential.objects.get(client=client).pro,
    )
    assert flagged() == set()

    Obligation.objects.filter(client=client).update(pro=None, country=country("FR"))

    assert flagged() == {client.pk}
    assert_kept_as_the_rule(organization)


def test_the_bulk_upload_clears_the_facet_of_the_clients_it_covers(staff_api, organization):
    client = client_create(
        organization=organization,
        name="Lumière SA",
        obligations=[{"country": "DE", "report_type": "WEEE", "pro": "Stiftung EAR"}],
    )
    other = client_create(
        organization=organization,
        name="Other GmbH",
        obligations=[{"country": "FR", "report_type": "WEEE"}],
    )
    rows = [
        ["name", "country", "report_type", "pro", "login"],
        ["Lumière SA", "DE", "WEEE", "Stiftung EAR", "login-1"],
        ["New Client", "DE", "WEEE", "Stiftung EAR", "login-2"],
    ]

    response = staff_api.post(
        "/logins/clients/bulk-upload",
        {"csvData": rows, "mapping": rows[0], "fileId": "f"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert client.pk not in flagged()
    assert flagged() == {other.pk}
    assert_kept_as_the_rule(organization)


def test_collective_account_pseudo_clients_have_no_facet():
    organization = OrganizationFactory()
    collective = ClientFactory(organization=organization, collective_account=True)
    ObligationFactory(client=collective)

    assert flagged() == set()
    assert kept_missing(organization) == 0


def test_portfolio_check_finds_a_facet_on_the_wrong_client_and_repairs_it():
    organization = OrganizationFactory()
    client = uncovered_client(organization)
    covered = ClientFactory(organization=organization)
    ClientStatFacet.objects.filter(client=client, dimension=StatDimension.MISSING).update(
        client=covered
    )
    out = io.StringIO()

    with pytest.raises(CommandError, match="2 difference"):
        call_command("portfolio_check", stdout=out)
    assert f"statistics of client {client.pk} differ" in out.getvalue()
    call_command("portfolio_check", "--repair", stdout=io.StringIO())

    assert flagged() == {client.pk}
    assert portfolio_drift() == []
