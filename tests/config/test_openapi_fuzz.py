"""Every operation of the project's OpenAPI schema, fuzzed by schemathesis through the WSGI app.

The schema is the one `/api/schema/` serves. Each operation gets generated valid and invalid
input, sent with real authentication (a staff member's token for `/logins`, an organization API
key for `/users`) against a small seeded portfolio, so that path ids reach real objects as often
as random ones. Every answer must be documented (status code, content type, headers, body
schema) and none may be a server error. Each generated request runs in a savepoint that is
rolled back, so examples do not see each other's writes.
"""

from dataclasses import dataclass

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from clients.models import Alias, Role
from tests.factories import (
    ClientFactory,
    CredentialFactory,
    FrontendUserFactory,
    MembershipFactory,
    ObligationFactory,
    OrganizationFactory,
    ProducerFactory,
    RegistrationFactory,
    TokenFactory,
    country,
    pro,
    report_type,
    scheme,
)

# The werkzeug client schemathesis sends requests with names this host.
HOST = "localhost"

with override_settings(ALLOWED_HOSTS=[HOST]):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@dataclass
class Portfolio:
    """What the fuzzed requests authenticate with and the path values that name real rows."""

    token: str
    api_key: str
    path_values: list[dict[str, str]]


class CurrentPortfolio:
    """The portfolio of the running test, read while Hypothesis draws path parameters."""

    portfolio: Portfolio | None = None


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """A quarter of the draws keep the generated values; the others name seeded rows."""
    portfolio = CurrentPortfolio.portfolio
    if portfolio is None or not path_parameters:
        return st.just(path_parameters)
    real = [
        {**path_parameters, **{name: values[name] for name in path_parameters if name in values}}
        for values in portfolio.path_values
    ]
    return st.sampled_from([path_parameters, *real])


@pytest.fixture
def portfolio(db, settings, api_key_for):
    """An agency with a client that has aliases, obligations (one uncovered), a credential,
    a credential linked to a collective account; a producer a frontend user may act on."""
    settings.ALLOWED_HOSTS = [HOST]
    organization = OrganizationFactory(name="Fuzz Agency")
    membership = MembershipFactory(organization=organization, role=Role.STAFF)
    token = TokenFactory(user=membership.user)

    client = ClientFactory(organization=organization, name="ABC Corporation", notes="WEEE")
    Alias.objects.create(client=client, scope="*", name="ABC")
    Alias.objects.create(client=client, scope="DE", name="ABC GmbH")
    ObligationFactory(client=client, country=country("DE"), report_type=report_type("WEEE"))
    ObligationFactory(client=client, country=country("FR"), report_type=report_type("Packaging"))
    credential = CredentialFactory(client=client, country=country("DE"), report_types=["WEEE"])

    collective_client = ClientFactory(
        organization=organization,
        name="Collective Account - Stichting Open",
        collective_account=True,
    )
    open_nl = pro("NL", "Stichting OPEN")
    collective = CredentialFactory(
        client=collective_client, country=open_nl.country, pro=open_nl, report_types=["WEEE"]
    )
    linked = CredentialFactory(
        client=client,
        country=open_nl.country,
        pro=open_nl,
        login="",
        password="",
        collective_account=collective,
        report_types=["WEEE"],
    )

    frontend_user = FrontendUserFactory(organization=organization)
    producer = ProducerFactory(organization=organization, users=[frontend_user])
    RegistrationFactory(producer=producer, scheme=scheme("FR", "Refashion", "Textiles"))

    producer_route = {"UserBubbleId": frontend_user.bubble_id, "ProducerNrn": producer.nrn}
    found = Portfolio(
        token=token.key,
        api_key=api_key_for(organization),
        path_values=[
            {
                "client_id": client.pk,
                "country": "DE",
                "credential_id": credential.pk,
                "alias": "ABC GmbH",
                **producer_route,
            },
            {
                "client_id": client.pk,
                "country": "NL",
                "credential_id": linked.pk,
                "alias": "ABC",
                **producer_route,
            },
            {
                "client_id": collective_client.pk,
                "country": "NL",
                "credential_id": collective.pk,
                **producer_route,
            },
        ],
    )
    CurrentPortfolio.portfolio = found
    yield found
    CurrentPortfolio.portfolio = None


@pytest.fixture
def wsgi_requests_keep_the_test_transaction():
    """Django closes the database connection after each request it serves; the test's
    transaction must outlive the requests, as Django's own test client arranges."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def authorization(case, portfolio: Portfolio) -> str:
    if case.path.startswith("/users/"):
        return portfolio.api_key
    return f"Token {portfolio.token}"


def call_and_validate(case, portfolio: Portfolio) -> None:
    with transaction.atomic():
        case.call_and_validate(
            headers={"Authorization": authorization(case, portfolio)}, checks=CHECKS
        )
        transaction.set_rollback(True)


FUZZ_SETTINGS = settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation_answers_as_documented_and_never_with_a_server_error(
    case, portfolio, wsgi_requests_keep_the_test_transaction
):
    call_and_validate(case, portfolio)
