"""Coverage and statistics kept by the database: every write path leaves them equal to a count
of the rows, and `portfolio_check` finds and repairs drift.

The writes here really commit (transactional tests): on PostgreSQL the counts are updated at
commit.
"""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from clients.models import Client, ClientCoverage, Obligation, PortfolioStat
from clients.portfolio_stats import portfolio_drift
from clients.portfolio_version import portfolio_version
from clients.selectors import (
    client_stats,
    client_stats_recount,
    clients_covering,
    clients_covering_count,
)
from credentials.models import Credential, CredentialReportType
from tests.factories import (
    ClientFactory,
    CredentialFactory,
    ObligationFactory,
    OrganizationFactory,
    country,
    pro,
    report_type,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_catalog"),
]


def add_report_type(client, code="Batteries"):
    credential = Credential.objects.filter(client=client).first()
    CredentialReportType.objects.create(
        credential=credential,
        report_type=report_type(code),
        client=client,
        country=credential.country,
        pro=credential.pro,
    )


WRITES = {
    "client created": lambda client: ClientFactory(organization=client.organization),
    "status changed": lambda client: Client.objects.filter(pk=client.pk).update(status="archived"),
    "made a collective account": lambda client: Client.objects.filter(pk=client.pk).update(
        collective_account=True
    ),
    "moved to another organization": lambda client: Client.objects.filter(pk=client.pk).update(
        organization=OrganizationFactory()
    ),
    "client deleted": lambda client: client.delete(),
    "obligation created": lambda client: ObligationFactory(client=client, country=country("FR")),
    "obligation moved": lambda client: Obligation.objects.filter(client=client).update(
        country=country("NL")
    ),
    "obligation deleted": lambda client: Obligation.objects.filter(client=client).delete(),
    "credential created": lambda client: CredentialFactory(
        client=client, country=country("FR"), pro=pro("FR", "Citeo")
    ),
    "credential report type added": add_report_type,
    "credential report types moved": lambda client: CredentialReportType.objects.filter(
        client=client
    ).update(report_type=report_type("Packaging")),
    "credential deleted": lambda client: Credential.objects.filter(client=client).delete(),
    "raw SQL delete": lambda client: connection.cursor().execute(
        "DELETE FROM clients_obligation WHERE client_id = %s", [client.pk]
    ),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_keeps_the_counts_equal_to_a_recount(write):
    organization = OrganizationFactory()
    client = ClientFactory(organization=organization, name="Lumière SA")
    CredentialFactory(client=client, report_types=["WEEE"])
    ObligationFactory(client=client, country=country("DE"), report_type=report_type("Batteries"))
    ClientFactory(organization=organization, name="Other", status="onboarding")

    write(client)

    assert client_stats(organization=organization) == client_stats_recount(
        organization=organization
    )
    assert portfolio_drift() == []


def test_a_client_counts_once_per_country_however_many_rows_cover_it():
    organization = OrganizationFactory()
    client = ClientFactory(organization=organization)
    CredentialFactory(client=client, report_types=["WEEE", "Batteries"])
    ObligationFactory(client=client, country=country("DE"), report_type=report_type("Packaging"))

    stats = client_stats(organization=organization)

    assert stats["by_country"] == {"DE": 1}
    assert stats["by_report_type"] == {"Batteries": 1, "Packaging": 1, "WEEE": 1}


def test_collective_account_pseudo_clients_add_nothing_to_the_counts():
    organization = OrganizationFactory()
    collective = ClientFactory(organization=organization, collective_account=True)
    CredentialFactory(client=collective, report_types=["WEEE"])

    assert client_stats(organization=organization) == {
        "total_clients": 0,
        "by_country": {},
        "by_report_type": {},
        "by_status": {},
    }


def test_the_coverage_answers_the_filters_of_the_list():
    organization = OrganizationFactory()
    weee_de = ClientFactory(organization=organization)
    CredentialFactory(client=weee_de, report_types=["WEEE"])
    packaging_fr = ClientFactory(organization=organization)
    ObligationFactory(
        client=packaging_fr, country=country("FR"), report_type=report_type("Packaging")
    )

    clients = Client.objects.filter(organization=organization)

    assert set(clients_covering(clients, countries=[country("DE")])) == {weee_de}
    assert (
        set(
            clients_covering(clients, countries=[country("FR")], report_types=[report_type("WEEE")])
        )
        == set()
    )
    assert ClientCoverage.objects.filter(client=packaging_fr, source="obligation").count() == 1


def test_the_coverage_counts_the_clients_of_a_filter_as_the_list_finds_them():
    organization = OrganizationFactory()
    both = ClientFactory(organization=organization)
    CredentialFactory(client=both, report_types=["WEEE", "Batteries"])
    ObligationFactory(client=both, country=country("DE"), report_type=report_type("WEEE"))
    ObligationFactory(client=ClientFactory(organization=organization), country=country("DE"))
    ObligationFactory(client=ClientFactory(organization=organization), country=country("FR"))
    collective = ClientFactory(organization=organization, collective_account=True)
    CredentialFactory(client=collective, report_types=["WEEE"])
    CredentialFactory(client=ClientFactory(), report_types=["WEEE"])
    germany = [country("DE")]

    own = Client.objects.filter(organization=organization, collective_account=False)
    counted = clients_covering_count(
        organization=organization, collective_account=False, countries=germany
    )

    assert counted == clients_covering(own, countries=germany).count() == 2
    assert (
        clients_covering_count(
            organization=organization,
            collective_account=True,
            countries=germany,
            report_types=[report_type("WEEE")],
        )
        == 1
    )


def test_coverage_rows_follow_their_client_to_another_organization():
    client = ClientFactory()
    ObligationFactory(client=client, country=country("DE"))
    elsewhere = OrganizationFactory()

    Client.objects.filter(pk=client.pk).update(organization=elsewhere, collective_account=True)

    assert set(
        ClientCoverage.objects.filter(client=client).values_list(
            "organization_id", "collective_account"
        )
    ) == {(elsewhere.pk, True)}


def test_the_bulk_upload_keeps_the_counts(staff_api, organization):
    rows = [
        ["name", "country", "report_type", "pro", "login"],
        *[[f"Client {n}", "DE", "WEEE", "Stiftung EAR", f"login-{n}"] for n in range(30)],
    ]

    response = staff_api.post(
        "/logins/clients/bulk-upload",
        {"csvData": rows, "mapping": rows[0], "fileId": "f"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert client_stats(organization=organization)["by_country"] == {"DE": 30}
    assert portfolio_drift() == []


def test_portfolio_check_reports_drift_and_repairs_it():
    organization = OrganizationFactory()
    CredentialFactory(client=ClientFactory(organization=organization), report_types=["WEEE"])
    PortfolioStat.objects.filter(organization=organization, dimension="status").update(clients=99)

    with pytest.raises(CommandError, match="1 difference"):
        call_command("portfolio_check", stdout=io.StringIO())
    version = portfolio_version(organization.pk)
    call_command("portfolio_check", "--repair", stdout=io.StringIO())

    assert portfolio_drift() == []
    assert client_stats(organization=organization)["total_clients"] == 1
    # Answers cached from the wrong counts are not read again.
    assert portfolio_version(organization.pk) != version


def test_portfolio_check_says_so_when_nothing_drifted():
    CredentialFactory(report_types=["WEEE"])
    out = io.StringIO()

    call_command("portfolio_check", stdout=out)

    assert "no drift" in out.getvalue()


def test_the_coverage_counts_the_clients_of_a_pro_as_the_list_finds_them():
    organization = OrganizationFactory()
    ear = pro("DE", "Stiftung EAR")
    weee_and_batteries = ClientFactory(organization=organization)
    CredentialFactory(client=weee_and_batteries, report_types=["WEEE", "Batteries"])
    ObligationFactory(
        client=weee_and_batteries, country=country("DE"), report_type=report_type("WEEE"), pro=ear
    )
    CredentialFactory(client=ClientFactory(organization=organization), report_types=["Batteries"])
    CredentialFactory(
        client=ClientFactory(organization=organization),
        report_types=["Packaging"],
        pro=pro("DE", "Landbell"),
    )
    ObligationFactory(client=ClientFactory(organization=organization), country=country("DE"))
    CredentialFactory(client=ClientFactory(), report_types=["WEEE"])
    own = Client.objects.filter(organization=organization, collective_account=False)

    for question, expected in (
        ({"pros": [ear]}, 2),
        ({"pros": [ear], "report_types": [report_type("WEEE")]}, 1),
        ({"pros": [ear], "report_types": [report_type("Packaging")]}, 0),
        ({"pros": [ear, pro("DE", "Landbell")]}, 3),
        ({"pros": [ear], "countries": [country("FR")]}, 0),
    ):
        counted = clients_covering_count(
            organization=organization, collective_account=False, **question
        )
        assert counted == clients_covering(own, **question).count() == expected, question


@pytest.mark.postgresql
def test_a_pro_count_reads_only_the_pro_index():
    """The count of a PRO's clients, with or without a report type, is an index-only scan of
    the PRO's entries, not of its whole country."""
    organization = OrganizationFactory()
    CredentialFactory(client=ClientFactory(organization=organization), report_types=["WEEE"])
    ear = pro("DE", "Stiftung EAR")
    weee = report_type("WEEE")
    for question in ({"pro__in": [ear.pk]}, {"pro__in": [ear.pk], "report_type__in": [weee.pk]}):
        rows = ClientCoverage.objects.filter(
            organization=organization, collective_account=False, **question
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            plan = rows.values("client_id").explain()
        assert "Index Only Scan using clients_coverage_pro_idx" in plan, plan
        assert "Filter" not in plan, plan
