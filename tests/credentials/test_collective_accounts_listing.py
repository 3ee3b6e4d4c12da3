"""GET /logins/clients/collective-accounts: every value, its order, its cost in queries, and
that no password (plaintext or masked) leaves the server through it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers

from clients.models import Client, Role
from credentials.api.serializers import CollectiveAccountSerializer
from credentials.models import Credential, PasswordAccessEvent
from credentials.selectors import collective_accounts
from tests.factories import ClientFactory, CredentialFactory, country, pro

pytestmark = pytest.mark.django_db

URL = "/logins/clients/collective-accounts"
FIELD_ORDER = [
    "id",
    "client_id",
    "country",
    "report_type",
    "report_types",
    "pro",
    "login",
    "client_name",
    "linked_clients",
]
PASSWORD_NEEDLE = "PW-NEEDLE"


def collective_account(client, country_code, pro_name, report_types, login="", **fields):
    return CredentialFactory(
        client=client,
        country=country(country_code),
        pro=pro(country_code, pro_name),
        report_types=report_types,
        login=login,
        password=f"{PASSWORD_NEEDLE}-collective-{country_code}-{'-'.join(report_types)}",
        **fields,
    )


def link(client, account, report_types=("WEEE",)):
    return CredentialFactory(
        client=client,
        country=account.country,
        pro=account.pro,
        report_types=list(report_types),
        login="",
        password="",
        collective_account=account,
    )


def expected_rows(organization):
    """The route's answer as the models spell it: the collective accounts in credential order,
    each with its linked credentials' clients by name, then credential id."""
    accounts = Credential.objects.filter(
        client__organization=organization, client__collective_account=True
    ).order_by("country__code", "pro__name", "id")
    return [
        {
            "id": account.pk,
            "client_id": account.client_id,
            "country": account.country.code,
            "report_type": account.report_type_codes,
            "report_types": account.report_type_list,
            "pro": account.pro.name,
            "login": account.login or None,
            "client_name": account.client.name,
            "linked_clients": [
                {"id": linked.client_id, "name": linked.client.name, "credential_id": linked.pk}
                for linked in account.linked_credentials.order_by("client__name", "id")
            ],
        }
        for account in accounts
    ]


@pytest.fixture
def portfolio(organization, other_organization):
    """Collective accounts of two collective clients, with links from clients whose names sort
    differently from their ids, and a look-alike portfolio in another organization."""
    open_client = ClientFactory(
        organization=organization, name="Collective Account - Open", collective_account=True
    )
    ear_client = ClientFactory(
        organization=organization, name="Collective Account - EAR", collective_account=True
    )
    zulu = ClientFactory(organization=organization, name="Zulu Trading BV")
    alpha = ClientFactory(organization=organization, name="Alpha Foods BV")
    mike = ClientFactory(organization=organization, name="Mike Metals BV")

    nl_weee = collective_account(
        open_client, "NL", "Stichting OPEN", ["WEEE", "Batteries"], login="open@example.com"
    )
    de_weee = collective_account(
        ear_client, "DE", "Stiftung EAR", ["WEEE"], login="ear@example.com"
    )
    nl_packaging = collective_account(open_client, "NL", "Afvalfonds Verpakkingen", ["Packaging"])
    nl_other = collective_account(ear_client, "NL", "Stichting OPEN", ["WEEE"], login="ear-nl@x.nl")

    for client in (zulu, alpha, mike):
        link(client, nl_weee)
    link(mike, nl_weee, report_types=["Batteries"])
    link(zulu, de_weee)
    link(alpha, nl_packaging, report_types=["Packaging"])

    foreign_collective = ClientFactory(
        organization=other_organization, name="Collective Account - Open", collective_account=True
    )
    foreign = collective_account(
        foreign_collective, "NL", "Stichting OPEN", ["WEEE"], login="rival@example.com"
    )
    link(ClientFactory(organization=other_organization, name="Rival Client BV"), foreign)
    return {
        "nl_weee": nl_weee,
        "de_weee": de_weee,
        "nl_packaging": nl_packaging,
        "nl_other": nl_other,
        "foreign": foreign,
        "zulu": zulu,
        "alpha": alpha,
        "mike": mike,
    }


def test_every_row_holds_the_values_of_its_account_and_links(staff_api, organization, portfolio):
    rows = staff_api.get(URL).json()

    assert rows == expected_rows(organization)
    assert [list(row) for row in rows] == [FIELD_ORDER] * 4
    assert [list(linked) for linked in rows[2]["linked_clients"]] == [
        ["id", "name", "credential_id"]
    ] * 4


def test_accounts_come_by_country_pro_and_id_and_links_by_client_name(staff_api, portfolio):
    rows = staff_api.get(URL).json()

    assert [row["id"] for row in rows] == [
        portfolio["de_weee"].pk,
        portfolio["nl_packaging"].pk,
        portfolio["nl_weee"].pk,
        portfolio["nl_other"].pk,
    ]
    nl_weee = rows[2]
    links = portfolio["nl_weee"].linked_credentials
    mike_first, mike_second = links.filter(client=portfolio["mike"]).order_by("id")
    assert [(linked["name"], linked["credential_id"]) for linked in nl_weee["linked_clients"]] == [
        ("Alpha Foods BV", links.get(client=portfolio["alpha"]).pk),
        ("Mike Metals BV", mike_first.pk),
        ("Mike Metals BV", mike_second.pk),
        ("Zulu Trading BV", links.get(client=portfolio["zulu"]).pk),
    ]
    assert nl_weee["report_type"] == "WEEE,Batteries"
    assert nl_weee["report_types"] == ["WEEE", "Batteries"]
    assert rows[1]["login"] is None
    assert rows[3]["linked_clients"] == []


def test_filters_keep_each_account_with_its_own_links_only(staff_api, portfolio):
    [row] = staff_api.get(URL, {"country": "de"}).json()

    assert row["id"] == portfolio["de_weee"].pk
    assert row["linked_clients"] == [
        {
            "id": portfolio["zulu"].pk,
            "name": "Zulu Trading BV",
            "credential_id": portfolio["de_weee"].linked_credentials.get().pk,
        }
    ]


def test_another_organizations_collective_accounts_and_links_never_appear(
    staff_api, other_org_api, organization, other_organization, portfolio
):
    own = staff_api.get(URL).json()
    theirs = other_org_api.get(URL).json()

    assert portfolio["foreign"].pk not in {row["id"] for row in own}
    assert "Rival Client BV" not in {
        linked["name"] for row in own for linked in row["linked_clients"]
    }
    assert [row["id"] for row in theirs] == [portfolio["foreign"].pk]
    assert theirs == expected_rows(other_organization)


def test_a_collective_client_shared_with_another_organization_is_listed_by_its_owner_only(
    staff_api, other_org_api, organization, other_organization, portfolio
):
    Client.objects.filter(pk=portfolio["nl_weee"].client_id).update(
        shared=True, client_organization=other_organization
    )

    assert portfolio["nl_weee"].pk in {row["id"] for row in staff_api.get(URL).json()}
    assert [row["id"] for row in other_org_api.get(URL).json()] == [portfolio["foreign"].pk]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.STAFF, Role.ADMIN])
def test_no_role_is_shown_a_password_and_nothing_is_logged_as_revealed(
    api_client_for, organization, portfolio, role
):
    api = api_client_for(organization, role)

    response = api.get(URL)

    assert response.status_code == 200
    assert PASSWORD_NEEDLE not in response.content.decode()
    assert "***" not in response.content.decode()
    assert all("password" not in row for row in response.json())
    assert not PasswordAccessEvent.objects.exists()


def test_listing_never_decrypts_a_password(staff_api, organization, portfolio):
    # A secret the configured key cannot decrypt raises when read: the route must not read it.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE credentials_credential SET password = %s",
            ["gAAAAABundecryptable-ciphertext"],
        )

    response = staff_api.get(URL)

    assert response.status_code == 200
    assert len(response.json()) == 4


def build_portfolio(organization, accounts: int, links_per_account: int) -> None:
    for _ in range(accounts):
        collective_client = ClientFactory(organization=organization, collective_account=True)
        account = CredentialFactory(client=collective_client)
        for _ in range(links_per_account):
            link(ClientFactory(organization=organization), account)


def queries_of_listing(api) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(URL)
    assert response.status_code == 200
    return len(queries), len(response.json())


def test_the_query_count_does_not_grow_with_accounts_or_links(
    api_client_for, organization, other_organization
):
    small_api = api_client_for(organization, Role.STAFF)
    large_api = api_client_for(other_organization, Role.STAFF)
    build_portfolio(organization, accounts=1, links_per_account=1)
    build_portfolio(other_organization, accounts=5, links_per_account=5)

    small_queries, small_rows = queries_of_listing(small_api)
    large_queries, large_rows = queries_of_listing(large_api)

    assert (small_rows, large_rows) == (1, 5)
    assert small_queries == large_queries


def test_the_query_count_is_the_same_with_no_collective_account(
    api_client_for, organization, other_organization
):
    empty_api = api_client_for(organization, Role.STAFF)
    large_api = api_client_for(other_organization, Role.STAFF)
    build_portfolio(other_organization, accounts=5, links_per_account=5)

    assert queries_of_listing(empty_api)[0] == queries_of_listing(large_api)[0]


def test_the_serializer_renders_what_its_declared_fields_render(organization, portfolio):
    # The fields are what the schema documents; the output is built without them.
    rows = collective_accounts(organization=organization)
    serializer = CollectiveAccountSerializer()

    fast = [serializer.to_representation(row) for row in rows]
    by_fields = [serializers.Serializer.to_representation(serializer, row) for row in rows]

    assert len(rows) == 4
    assert fast == by_fields
    assert [list(row) for row in fast] == [list(row) for row in by_fields] == [FIELD_ORDER] * 4
