"""Portfolio versions: every committed write the client list and the statistics read from
gives the organizations that own or share the client a new version, whatever path it takes.

The writes here really commit (transactional tests): on PostgreSQL a new version is drawn at
commit.
"""

import re

import pytest
from django.core.management import call_command
from django.db import transaction

from clients.models import Alias, Client, Obligation
from clients.portfolio_version import cached_for_portfolio, portfolio_version
from credentials.models import Credential, CredentialReportType
from reporting.models import Country, ReportType
from tests.factories import (
    AliasFactory,
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


def add_credential_report_type(client):
    credential = Credential.objects.get(client=client)
    CredentialReportType.objects.create(
        credential=credential,
        report_type=report_type("Batteries"),
        client=client,
        country=credential.country,
        pro=credential.pro,
    )


WRITES = {
    "client created": lambda client: ClientFactory(organization=client.organization),
    "client updated": lambda client: Client.objects.filter(pk=client.pk).update(status="archived"),
    "client deleted": lambda client: client.delete(),
    "alias created": lambda client: AliasFactory(client=client, scope="FR"),
    "alias updated": lambda client: Alias.objects.filter(client=client).update(name="Renamed"),
    "alias deleted": lambda client: Alias.objects.filter(client=client).delete(),
    "obligation created": lambda client: ObligationFactory(client=client, country=country("FR")),
    "obligation updated": lambda client: Obligation.objects.filter(client=client).update(
        country=country("NL")
    ),
    "obligation deleted": lambda client: Obligation.objects.filter(client=client).delete(),
    "credential created": lambda client: CredentialFactory(
        client=client, country=country("FR"), pro=pro("FR", "Citeo")
    ),
    "credential updated": lambda client: Credential.objects.filter(client=client).update(
        login="new-login"
    ),
    "credential deleted": lambda client: Credential.objects.filter(client=client).delete(),
    "credential report type created": add_credential_report_type,
    "credential report type deleted": lambda client: CredentialReportType.objects.filter(
        client=client
    ).delete(),
}


@pytest.fixture
def client_with_everything(organization):
    client = ClientFactory(organization=organization)
    AliasFactory(client=client, scope="*")
    ObligationFactory(client=client, country=country("DE"))
    CredentialFactory(client=client)
    return client


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_the_list_reads_gives_the_owner_a_new_version(
    client_with_everything, organization, write
):
    before = portfolio_version(organization.pk)

    write(client_with_everything)

    assert portfolio_version(organization.pk) not in (before, 0)


UNREAD_WRITES = {
    "credential password changed": lambda client: Credential.objects.filter(client=client).update(
        password="n3w-Secret"
    ),
    "credential notes, status and interval changed": lambda client: Credential.objects.filter(
        client=client
    ).update(notes="Renewed", status="pending", interval="monthly"),
    "credential saved unchanged": lambda client: Credential.objects.get(client=client).save(),
}


@pytest.mark.parametrize("write", UNREAD_WRITES.values(), ids=UNREAD_WRITES.keys())
def test_a_write_the_list_does_not_read_keeps_the_version(
    client_with_everything, organization, write
):
    before = portfolio_version(organization.pk)

    write(client_with_everything)

    assert portfolio_version(organization.pk) == before


def test_a_new_collective_login_gives_the_linked_clients_organization_a_new_version(
    organization, other_organization
):
    collective = CredentialFactory(
        client=ClientFactory(organization=organization, collective_account=True)
    )
    CredentialFactory(
        client=ClientFactory(organization=organization),
        collective_account=collective,
        login="",
        password="",
    )
    before = portfolio_version(organization.pk)

    Credential.objects.filter(pk=collective.pk).update(login="shared@example.com")

    assert portfolio_version(organization.pk) != before


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_writes_leave_other_organizations_versions_alone(
    client_with_everything, other_organization, write
):
    ClientFactory(organization=other_organization)
    before = portfolio_version(other_organization.pk)

    write(client_with_everything)

    assert portfolio_version(other_organization.pk) == before


def test_a_write_to_a_client_shared_with_an_organization_gives_it_a_new_version(organization):
    represented = OrganizationFactory()
    client = ClientFactory(organization=organization, shared=True, client_organization=represented)
    before = portfolio_version(represented.pk)

    AliasFactory(client=client, scope="FR")

    assert portfolio_version(represented.pk) != before


def test_an_organization_that_was_never_written_has_version_zero(organization):
    assert portfolio_version(organization.pk) == 0


def test_a_rolled_back_write_leaves_the_version_as_it_was(organization):
    ClientFactory(organization=organization)
    committed = portfolio_version(organization.pk)

    with pytest.raises(RuntimeError), transaction.atomic():
        ClientFactory(organization=organization)
        raise RuntimeError("rolled back")

    assert portfolio_version(organization.pk) == committed


def test_moving_a_shared_client_gives_both_organizations_new_versions(organization):
    before_org, after_org = OrganizationFactory(), OrganizationFactory()
    client = ClientFactory(organization=organization, shared=True, client_organization=before_org)
    ClientFactory(organization=after_org)
    versions = [portfolio_version(before_org.pk), portfolio_version(after_org.pk)]

    Client.objects.filter(pk=client.pk).update(client_organization=after_org)

    assert portfolio_version(before_org.pk) != versions[0]
    assert portfolio_version(after_org.pk) != versions[1]


def test_a_changed_collective_account_renews_the_organizations_of_the_clients_linked_to_it(
    organization,
):
    represented = OrganizationFactory()
    pool = ClientFactory(organization=organization, collective_account=True)
    collective = CredentialFactory(client=pool, login="pool@example.com")
    linked_client = ClientFactory(
        organization=organization, shared=True, client_organization=represented
    )
    CredentialFactory(client=linked_client, collective_account=collective, login="", password="")
    before = portfolio_version(represented.pk)

    Credential.objects.filter(pk=collective.pk).update(login="new-pool@example.com")

    assert portfolio_version(represented.pk) != before


def test_writes_still_renew_versions_after_migrate_runs_again(organization):
    ClientFactory(organization=organization)
    call_command("migrate", verbosity=0)
    before = portfolio_version(organization.pk)

    ClientFactory(organization=organization)

    assert portfolio_version(organization.pk) != before


@pytest.mark.parametrize(
    ("model", "code", "new_code"), [(Country, "DE", "DX"), (ReportType, "WEEE", "WEEX")]
)
def test_a_changed_catalog_code_gives_every_organization_a_new_version(
    organization, other_organization, model, code, new_code
):
    ClientFactory(organization=organization)
    ClientFactory(organization=other_organization)
    before = [portfolio_version(organization.pk), portfolio_version(other_organization.pk)]

    model.objects.filter(code=code).update(code=new_code)

    after = [portfolio_version(organization.pk), portfolio_version(other_organization.pk)]
    assert after[0] != before[0] and after[1] != before[1]


def test_saving_the_catalog_unchanged_keeps_the_versions(organization):
    ClientFactory(organization=organization)
    before = portfolio_version(organization.pk)

    for item in Country.objects.all():
        item.save()

    assert portfolio_version(organization.pk) == before


def test_a_transaction_that_changed_the_portfolio_gets_no_answer_cached_before(organization):
    ClientFactory(organization=organization)
    assert cached_for_portfolio(organization.pk, "test", (1,), lambda: "before") == "before"

    with transaction.atomic():
        ClientFactory(organization=organization)
        inside = cached_for_portfolio(organization.pk, "test", (1,), lambda: "inside")

    assert inside == "inside"


def test_a_cached_answer_is_computed_again_after_a_write(organization):
    ClientFactory(organization=organization)
    answers = iter(["first", "second"])

    def compute():
        return next(answers)

    first = cached_for_portfolio(organization.pk, "test", (1,), compute)
    again = cached_for_portfolio(organization.pk, "test", (1,), compute)
    ClientFactory(organization=organization)
    after_write = cached_for_portfolio(organization.pk, "test", (1,), compute)

    assert (first, again, after_write) == ("first", "first", "second")


def test_cached_answers_are_kept_apart_by_organization_and_question(
    organization, other_organization
):
    def remember(organization_id, parts, value):
        return cached_for_portfolio(organization_id, "test", parts, lambda: value)

    assert remember(organization.pk, (1,), "ours") == "ours"
    assert remember(other_organization.pk, (1,), "theirs") == "theirs"
    assert remember(organization.pk, (2,), "another question") == "another question"
    assert remember(organization.pk, (1,), "not computed") == "ours"


# The watched tables: what the client list reads, and the triggers on the database in use.

# Tables the list reads that no portfolio write changes, or that are kept from watched ones.
NOT_PORTFOLIO = {
    "auth_user",
    "authtoken_token",
    "clients_membership",
    "clients_organization",
    "clients_portfolioversion",
    "clients_portfoliochange",
    # Kept by triggers from the watched obligations and credential report types.
    "clients_clientcoverage",
    # Kept by triggers from the watched clients, aliases and credentials (the search reads it).
    "clients_clientsearchtext",
    # The statistics' counts, kept by the same triggers (a list total may read them).
    "clients_portfoliostat",
    "clients_portfoliostatdelta",
    # Not a table: SQLite's function reading a list of ids (config/compiled_statements.py).
    "json_each",
}
LIST_QUESTIONS = [
    "",
    "?search=lum",
    "?search=login&companyNameOnly=false",
    "?country=DE&report_type=WEEE&pro=Stiftung EAR",
    "?status=active&ordering=-name",
    "?collective_account=true",
]


def test_every_table_the_client_list_reads_is_watched(staff_api, organization):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clients.portfolio_version import WATCHED_TABLES

    client = ClientFactory(organization=organization, name="Lumière")
    CredentialFactory(client=client, report_types=["WEEE"])
    ObligationFactory(client=client, country=country("FR"))
    AliasFactory(client=client, scope="FR")
    read = set()
    for question in LIST_QUESTIONS:
        with CaptureQueriesContext(connection) as queries:
            assert staff_api.get(f"/logins/clients{question}").status_code == 200
        for query in queries:
            read |= set(re.findall(r'(?:FROM|JOIN)\s+"?(\w+)"?', query["sql"]))

    portfolio_tables = {table for table in read if not table.startswith("reporting_")}

    assert portfolio_tables - NOT_PORTFOLIO <= set(WATCHED_TABLES)
    assert {"clients_client", "credentials_credentialreporttype"} <= portfolio_tables


def test_every_watched_table_has_its_triggers():
    from django.db import connection

    from clients.portfolio_version import WATCHED_TABLES

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        triggers = {name for (name,) in cursor.fetchall()}

    for table in WATCHED_TABLES:
        assert {f"{table}_portfolio_{event}" for event in ("insert", "update", "delete")} <= (
            triggers
        ), table
