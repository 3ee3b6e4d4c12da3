import pytest
from django.urls import reverse

from clients.models import Role
from clients.services import api_key_create
from clients.tenancy import clients_of, is_organization_admin, may_reveal
from tests.factories import ClientFactory, MembershipFactory, UserFactory


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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "admin"), [(Role.ADMIN, True), (Role.STAFF, False), (Role.VIEWER, False)]
)
def test_only_the_admin_role_is_an_organization_admin(organization, role, admin):
    membership = MembershipFactory(organization=organization, role=role)

    assert is_organization_admin(membership.user) is admin


@pytest.mark.django_db
def test_a_superuser_without_membership_is_no_organization_admin():
    assert not is_organization_admin(UserFactory(is_superuser=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "allowed"), [(Role.ADMIN, True), (Role.STAFF, True), (Role.VIEWER, False)]
)
def test_may_reveal_follows_the_role_for_the_organizations_own_client(organization, role, allowed):
    membership = MembershipFactory(organization=organization, role=role)

    assert may_reveal(membership.user, ClientFactory(organization=organization)) is allowed


@pytest.mark.django_db
def test_may_not_reveal_passwords_of_a_client_only_shared_with_the_organization(
    organization, other_organization
):
    membership = MembershipFactory(organization=organization, role=Role.ADMIN)
    shared = ClientFactory(
        organization=other_organization, shared=True, client_organization=organization
    )

    assert not may_reveal(membership.user, shared)


@pytest.mark.django_db
def test_a_superuser_may_reveal_any_clients_passwords(organization):
    assert may_reveal(UserFactory(is_superuser=True), ClientFactory(organization=organization))
