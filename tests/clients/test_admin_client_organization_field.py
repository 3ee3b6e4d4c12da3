"""The client form's "Client organization": a select of the organizations that agreed to be
the client, by name."""

import pytest
from django.urls import reverse

from clients.models import Role
from clients.services import client_organization_invitation_accept, client_organization_invite
from tests.factories import ClientFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, organization):
    client.force_login(MembershipFactory(organization=organization, role=Role.STAFF).user)
    return client


@pytest.fixture
def consenting(organization, other_organization):
    """A client of `organization` that `other_organization` agreed to be."""
    mine = ClientFactory(organization=organization, name="ABC Corporation")
    _, token = client_organization_invite(client=mine)
    their_admin = MembershipFactory(organization=other_organization, role=Role.ADMIN).user
    client_organization_invitation_accept(token=token, user=their_admin)
    return mine


def choices(staff, client) -> list[str]:
    response = staff.get(reverse("admin:clients_client_change", args=[client.pk]))
    field = response.context["adminform"].form.fields["client_organization"]
    return [str(label) for _, label in field.choices]


def test_the_client_organization_is_chosen_by_name(staff, consenting, other_organization):
    assert choices(staff, consenting) == ["---------", other_organization.name]


def test_organizations_that_did_not_agree_are_not_listed(staff, consenting):
    OrganizationFactory(name="Uninvolved Agency")

    assert "Uninvolved Agency" not in choices(staff, consenting)


def test_the_client_organization_is_a_select_not_a_number_box(staff, consenting):
    page = staff.get(reverse("admin:clients_client_change", args=[consenting.pk]))

    html = str(page.context["adminform"].form["client_organization"])
    assert '<select name="client_organization"' in html
    assert 'type="number"' not in html
