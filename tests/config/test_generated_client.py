"""A Python client generated from the OpenAPI schema with openapi-python-client imports and
drives the main routes against a live server, nested JSON included: the schema stays usable by
generated clients.

The client is generated once per test session, from the schema the project serves, with no
network (the generator's post-hooks, which format the code, are switched off)."""

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from clients.models import Client, Role
from credentials.models import Credential
from tests.factories import MembershipFactory, UserFactory

PACKAGE = "forsure_api_client"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def generated_client(tmp_path_factory):
    """The generated package, imported."""
    directory = tmp_path_factory.mktemp("generated-client")
    schema = directory / "schema.yml"
    config = directory / "config.yml"
    call_command("spectacular", "--file", str(schema), "--validate", "--fail-on-warn")
    config.write_text("post_hooks: []\n")
    generator = Path(sys.executable).parent / "openapi-python-client"
    subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(schema),
            "--output-path",
            str(directory / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    sys.path.insert(0, str(directory))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(directory))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture
def api(generated_client, live_server, committed_catalog, organization):
    """A generated AuthenticatedClient for a staff member, logged in through the API itself."""
    from forsure_api_client.api.auth import obtain_auth_token
    from forsure_api_client.models import AuthToken, LoginRequest

    user = UserFactory(username="frontend", password=PASSWORD)
    MembershipFactory(user=user, organization=organization, role=Role.STAFF)
    anonymous = generated_client.Client(base_url=live_server.url)
    login = obtain_auth_token.sync(
        client=anonymous, body=LoginRequest(username="frontend", password=PASSWORD)
    )
    assert isinstance(login, AuthToken)
    return generated_client.AuthenticatedClient(
        base_url=live_server.url, token=login.token, prefix="Token"
    )


def test_every_generated_module_imports(generated_client):
    for module in pkgutil.walk_packages(generated_client.__path__, f"{PACKAGE}."):
        importlib.import_module(module.name)


@pytest.mark.django_db(transaction=True)
def test_generated_client_creates_a_client_with_aliases_and_obligations(api, organization):
    from forsure_api_client.api.clients import create_client
    from forsure_api_client.models import (
        Client as ClientModel,
    )
    from forsure_api_client.models import (
        ClientStatusEnum,
        ClientWriteRequest,
        ClientWriteRequestAliases,
        ObligationInputRequest,
    )

    aliases = ClientWriteRequestAliases.from_dict({"DE": "ABC GmbH", "*": "ABC"})
    created = create_client.sync_detailed(
        client=api,
        body=ClientWriteRequest(
            client_name="ABC Corporation",
            status=ClientStatusEnum.ONBOARDING,
            aliases=aliases,
            obligations=[ObligationInputRequest(country="DE", report_type="WEEE")],
        ),
    )

    assert created.status_code == 201
    assert isinstance(created.parsed, ClientModel)
    assert created.parsed.aliases.to_dict() == {"DE": "ABC GmbH", "*": "ABC"}
    client = Client.objects.get(organization=organization, name="ABC Corporation")
    assert client.status == "onboarding"
    assert set(client.aliases.values_list("scope", "name")) == {("DE", "ABC GmbH"), ("*", "ABC")}
    assert client.obligations.get().report_type.code == "WEEE"


@pytest.mark.django_db(transaction=True)
def test_generated_client_adds_a_credential_with_extra_info(api, organization):
    from forsure_api_client.api.credentials import create_client_credentials
    from forsure_api_client.models import Credential as CredentialModel
    from forsure_api_client.models import CredentialInputRequest, IntervalEnum

    client = Client.objects.create(organization=organization, name="ABC Corporation")

    created = create_client_credentials.sync(
        client.pk,
        "DE",
        client=api,
        body=CredentialInputRequest(
            report_types=["WEEE"],
            pro="Stiftung EAR",
            login="abc@example.com",
            password="Gen3rated-Pw",
            interval=IntervalEnum.QUARTERLY,
            extra_info={"portal": {"url": "https://ear.example", "mfa": True}},
        ),
    )

    assert isinstance(created, CredentialModel)
    assert created.report_types == ["WEEE"]
    credential = Credential.objects.get(client=client)
    assert credential.extra_info == {"portal": {"url": "https://ear.example", "mfa": True}}
    assert credential.interval == "quarterly"
    assert credential.password == "Gen3rated-Pw"


@pytest.mark.django_db(transaction=True)
def test_generated_client_lists_clients_with_filters(api, organization):
    from forsure_api_client.api.clients import get_clients
    from forsure_api_client.models import ClientStatusEnum, PaginatedClientListItemList

    Client.objects.create(organization=organization, name="Alpha GmbH", status="active")
    Client.objects.create(organization=organization, name="Beta BV", status="archived")

    page = get_clients.sync(client=api, status=[ClientStatusEnum.ARCHIVED], search="beta", limit=5)

    assert isinstance(page, PaginatedClientListItemList)
    assert [summary.name for summary in page.clients] == ["Beta BV"]
    assert (page.total, page.limit) == (1, 5)


@pytest.mark.django_db(transaction=True)
def test_generated_client_previews_a_bulk_upload_without_writing(api, organization):
    from forsure_api_client.api.bulk_upload import bulk_upload_clients_preview
    from forsure_api_client.models import BulkUploadPreview, BulkUploadRequest

    preview = bulk_upload_clients_preview.sync(
        client=api,
        body=BulkUploadRequest(
            csv_data=[
                ["name", "status", "country", "report_type"],
                ["ABC Corporation", "active", "DE", "WEEE"],
            ],
            mapping=["name", "status", "country", "report_type"],
        ),
    )

    assert isinstance(preview, BulkUploadPreview)
    assert preview.summary.would_create == 1
    assert not organization.clients.exists()


@pytest.mark.django_db(transaction=True)
def test_generated_client_reads_me_and_logs_out(api):
    from forsure_api_client.api.auth import get_me, revoke_auth_token

    me = get_me.sync(client=api)
    assert (me.user.username, me.role.value, me.can_write) == ("frontend", "staff", True)

    assert revoke_auth_token.sync_detailed(client=api).status_code == 204
    assert get_me.sync_detailed(client=api).status_code == 401
