import io

import pytest
from django.core.management import call_command

from clients import demo as clients_demo
from clients.models import Client, Role
from credentials import demo
from credentials.models import Credential, CredentialPasswordHistory
from credentials.selectors import missing_credentials

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(organization):
    clients_demo.seed(organization=organization)
    demo.seed(organization=organization)
    return organization


def client_named(organization, name):
    return Client.objects.get(organization=organization, name=name)


def test_demo_gives_the_seeds_example_credential(seeded, api_client_for):
    api = api_client_for(seeded, Role.STAFF)
    abc = client_named(seeded, "ABC Corporation")

    [row] = api.get(f"/logins/clients/{abc.pk}/credentials/DE").json()

    assert (
        row["pro"],
        row["report_type"],
        row["login"],
        row["password"],
        row["registration_number"],
    ) == (
        "Stiftung EAR",
        "WEEE,Batteries",
        "username@example.com",
        "secure_password",
        "DE123456",
    )
    assert CredentialPasswordHistory.objects.filter(credential_id=row["id"]).count() == 1


def test_demo_obligations_leave_gaps_that_show_missing_lists(seeded, api_client_for):
    api = api_client_for(seeded, Role.VIEWER)
    kitchen = client_named(seeded, "Kitchen Pro Europe Ltd")

    rows = api.get(
        f"/logins/clients/{kitchen.pk}/credentials/search", {"showMissing": "true"}
    ).json()

    missing = [(row["country"], row["pro"]) for row in rows if row["status"] == "missing"]
    assert missing == [("BE", "Recupel"), ("ES", "Ecolec"), ("IT", "Ecodom")]


def test_demo_collective_accounts_have_linked_clients(seeded, api_client_for):
    api = api_client_for(seeded, Role.STAFF)

    rows = api.get("/logins/clients/collective-accounts", {"country": "NL"}).json()

    [open_account] = rows
    assert open_account["client_name"] == "Collective Account - Stichting Open"
    assert len(open_account["linked_clients"]) == 4


def test_demo_runs_again_without_changing_anything(seeded):
    before = (Credential.objects.count(), CredentialPasswordHistory.objects.count())

    clients_demo.seed(organization=seeded)
    demo.seed(organization=seeded)

    assert (Credential.objects.count(), CredentialPasswordHistory.objects.count()) == before


def test_demo_works_without_the_client_demo(organization):
    demo.seed(organization=organization)

    abc = client_named(organization, "ABC Corporation")
    assert [row.country for row in missing_credentials(client=abc)] == ["FR", "UK"]
    assert Client.objects.get(name="Collective Account - Valpak").collective_account


def test_seed_demo_command_includes_the_credentials(db):
    call_command("seed_demo", "--allow-production", stdout=io.StringIO())

    expected = len(demo.CREDENTIALS) + len(demo.COLLECTIVE_ACCOUNTS)
    assert Credential.objects.filter(client__organization__name="Demo Agency").count() == expected
