"""The client's admin page lists its producers and their registrations, read-only."""

import pytest
from django.urls import reverse

from clients.models import Role
from tests.factories import (
    ClientFactory,
    MembershipFactory,
    ProducerFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db

SECTION = "admin/registrations/client/registrations_section.html"


@pytest.fixture
def browser(client, organization):
    client.force_login(MembershipFactory(organization=organization, role=Role.STAFF).user)
    return client


def test_client_page_lists_its_producers_and_registrations_with_links(browser, organization):
    acme = ClientFactory(organization=organization)
    producer = ProducerFactory(organization=organization, client=acme, company_name="Acme SAS")
    registration = RegistrationFactory(producer=producer, uin="FR-UIN-1")
    ProducerFactory(organization=organization, company_name="Not linked SAS")

    response = browser.get(reverse("admin:clients_client_change", args=[acme.pk]))

    [section] = [s for s in response.context["client_page_sections"] if s.template == SECTION]
    assert section.context["producers"] == [producer]
    page = response.content.decode()
    assert "FR-UIN-1" in page and "Not linked SAS" not in page
    assert reverse("admin:registrations_producer_change", args=[producer.pk]) in page
    assert reverse("admin:registrations_registration_change", args=[registration.pk]) in page
