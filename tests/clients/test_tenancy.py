import pytest
from django.urls import reverse

from clients.models import Role
from clients.services import api_key_create
from clients.tenancy import clients_of
from tests.factories import ClientFactory, MembershipFactory


@pytest.fixture
def admin_login(client):
    def login(organization, role=Role.ADMIN):
        membership = MembershipFactory(organization=organization, role=role)
        client.force_login(membership.user)
        return client

    return login


@pytest.mark.django_db
def test_clients_of_returns_only_the_organizations_own_clients(organization, other_organization):
    mine = ClientFactory(organization=organization)
    ClientFactory(organization=other_organization)

    assert list(clients_of(organization)) == [mine]


@pytest.mark.django_db
def test_admin_lists_only_the_members_organization_rows(
    admin_login, organization, other_organization
):
    api_key_create(organization=organization, name="ours")
    api_key_create(organization=other_organization, name="theirs")
    browser = admin_login(organization)

    page = browser.get(reverse("admin:clients_apikey_changelist")).content.decode()

    assert "ours" in page
    assert "theirs" not in page


@pytest.mark.django_db
def test_admin_object_of_another_organization_is_not_found(
    admin_login, organization, other_organization
):
    theirs, _ = api_key_create(organization=other_organization, name="theirs")
    browser = admin_login(organization)

    response = browser.get(reverse("admin:clients_apikey_change", args=[theirs.pk]), follow=True)

    assert "theirs" not in response.content.decode()
    assert "doesn’t exist" in response.content.decode()


@pytest.mark.django_db
def test_staff_cannot_manage_api_keys_in_the_admin(admin_login, organization):
    browser = admin_login(organization, role=Role.STAFF)

    assert browser.get(reverse("admin:clients_apikey_changelist")).status_code == 403


@pytest.mark.django_db
def test_admin_creating_an_api_key_sees_it_once(admin_login, organization):
    browser = admin_login(organization)

    response = browser.post(
        reverse("admin:clients_apikey_add"), {"name": "bubble", "revoked": ""}, follow=True
    )

    assert "Copy it now" in response.content.decode()
    assert organization.api_keys.get().name == "bubble"
