"""The demo portfolio (clients.demo.seed)."""

import pytest

from clients import demo
from clients.models import Alias, Client, Obligation
from clients.selectors import client_aliases
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_agency():
    organization = OrganizationFactory(name="Demo Agency")
    demo.seed(organization=organization)
    return organization


def test_the_demo_portfolio_has_a_few_dozen_clients_across_several_countries(demo_agency):
    clients = Client.objects.filter(organization=demo_agency, collective_account=False)
    countries = set(
        Obligation.objects.filter(client__organization=demo_agency).values_list(
            "country__code", flat=True
        )
    )

    assert clients.count() >= 30
    assert {"DE", "FR", "NL", "BE", "ES", "IT", "AT", "PL", "UK"} <= countries
    assert set(clients.values_list("status", flat=True)) == {
        "active",
        "onboarding",
        "inactive",
        "archived",
    }
    assert Alias.objects.filter(client__organization=demo_agency, scope="*").exists()
    assert Obligation.objects.filter(client__organization=demo_agency, pro__isnull=False).exists()


def test_the_seed_documents_example_client_is_there(demo_agency):
    abc = Client.objects.get(organization=demo_agency, name="ABC Corporation")

    assert abc.notes == "Main client for WEEE compliance"
    assert client_aliases(abc) == {"DE": "ABC GmbH", "UK": "ABC Corp"}


def test_the_collective_account_pseudo_client_is_there(demo_agency):
    collective = Client.objects.get(
        organization=demo_agency, name="Collective Account - Stichting Open"
    )

    assert collective.collective_account is True


def test_seeding_again_changes_nothing(demo_agency):
    counts = (Client.objects.count(), Alias.objects.count(), Obligation.objects.count())
    history = Client.history.count()

    demo.seed(organization=demo_agency)

    assert (Client.objects.count(), Alias.objects.count(), Obligation.objects.count()) == counts
    assert Client.history.count() == history


def test_seeding_again_restores_the_demo_state(demo_agency):
    abc = Client.objects.get(organization=demo_agency, name="ABC Corporation")
    abc.status = "archived"
    abc.save()
    abc.aliases.all().delete()

    demo.seed(organization=demo_agency)

    abc.refresh_from_db()
    assert abc.status == "active"
    assert client_aliases(abc) == {"DE": "ABC GmbH", "UK": "ABC Corp"}
