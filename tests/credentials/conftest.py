import pytest
from cryptography.fernet import Fernet
from encrypted_model_fields import fields as encrypted_fields

from clients.models import Role
from tests.factories import ClientFactory, CredentialFactory, pro


@pytest.fixture
def acme(organization):
    """A client of `organization`."""
    return ClientFactory(organization=organization, name="ABC Corporation")


@pytest.fixture
def collective_client(organization):
    return ClientFactory(
        organization=organization,
        name="Collective Account - Stichting Open",
        collective_account=True,
    )


@pytest.fixture
def collective_credential(collective_client):
    """A collective account: NL · Stichting OPEN · WEEE."""
    return CredentialFactory(
        client=collective_client,
        country=pro("NL", "Stichting OPEN").country,
        pro=pro("NL", "Stichting OPEN"),
        report_types=["WEEE"],
        login="collective@example.com",
        password="collective-pw-1",
    )


@pytest.fixture
def shared_reader_api(api_client_for, organization, other_organization):
    """Staff of `other_organization`, which `organization` shares its client "Shared BV" with."""
    shared = ClientFactory(
        organization=organization,
        name="Shared BV",
        shared=True,
        client_organization=other_organization,
    )
    api = api_client_for(other_organization, Role.STAFF)
    api.shared_client = shared
    return api


@pytest.fixture
def encryption_keys(settings):
    """Reconfigure FIELD_ENCRYPTION_KEY (a list, newest first) for the rest of the test.

    django-encrypted-model-fields builds its MultiFernet once at import, so it is rebuilt here
    and put back afterwards.
    """
    original = encrypted_fields.CRYPTER

    def configure(keys: list[str]) -> None:
        settings.FIELD_ENCRYPTION_KEY = keys
        encrypted_fields.CRYPTER = encrypted_fields.get_crypter()

    yield configure
    encrypted_fields.CRYPTER = original


@pytest.fixture
def new_key() -> str:
    return Fernet.generate_key().decode()
