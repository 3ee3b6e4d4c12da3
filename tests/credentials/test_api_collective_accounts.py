"""The collective-accounts route, and collective-account links through the credential routes."""

import pytest

from credentials.models import Credential, CredentialPasswordHistory
from tests.factories import ClientFactory, CredentialFactory, country, pro

pytestmark = pytest.mark.django_db

URL = "/logins/clients/collective-accounts"
SEED_FIELDS = {"id", "client_id", "country", "report_type", "pro", "login", "client_name"}


def credentials_url(client_id, country_code="NL", credential_id=None):
    base = f"/logins/clients/{client_id}/credentials/{country_code}"
    return f"{base}/{credential_id}" if credential_id else base


def link_body(collective_account_id, **overrides):
    return {
        "report_types": ["WEEE"],
        "pro": "Stichting Open",
        "collective_account_id": collective_account_id,
        "registration_number": "NL-0042",
    } | overrides


@pytest.fixture
def linked(acme, collective_credential):
    return CredentialFactory(
        client=acme,
        country=collective_credential.country,
        pro=collective_credential.pro,
        login="",
        password="",
        collective_account=collective_credential,
    )


# GET /logins/clients/collective-accounts


def test_collective_accounts_are_listed_in_the_seed_shape(staff_api, collective_credential, linked):
    response = staff_api.get(URL)

    assert response.status_code == 200
    [row] = response.json()
    assert row.keys() >= SEED_FIELDS
    assert row == {
        "id": collective_credential.pk,
        "client_id": collective_credential.client_id,
        "country": "NL",
        "report_type": "WEEE",
        "report_types": ["WEEE"],
        "pro": "Stichting OPEN",
        "login": "collective@example.com",
        "client_name": "Collective Account - Stichting Open",
        "linked_clients": [
            {"id": linked.client_id, "name": "ABC Corporation", "credential_id": linked.pk}
        ],
    }


def test_credentials_of_ordinary_clients_are_not_collective_accounts(
    staff_api, acme, collective_credential
):
    CredentialFactory(client=acme)

    assert [row["id"] for row in staff_api.get(URL).json()] == [collective_credential.pk]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "nl"}, ["Stichting OPEN"]),
        ({"country": "DE"}, ["Stiftung EAR"]),
        ({"country": "DE,NL"}, ["Stichting OPEN", "Stiftung EAR"]),
        ({"pro": "stichting open"}, ["Stichting OPEN"]),
        ({"country": "DE", "pro": "Stichting Open"}, []),
        ({"country": "FR"}, []),
    ],
)
def test_collective_accounts_filter_by_country_and_pro(
    staff_api, collective_client, collective_credential, params, expected
):
    CredentialFactory(client=collective_client)

    rows = staff_api.get(URL, params).json()

    assert sorted(row["pro"] for row in rows) == expected


@pytest.mark.parametrize("query", ["country=DE&country=NL", "pro=Stiftung EAR&pro=Stichting Open"])
def test_collective_account_filters_repeated_merge_their_values(
    staff_api, collective_client, collective_credential, query
):
    CredentialFactory(client=collective_client)

    rows = staff_api.get(f"{URL}?{query}").json()

    assert sorted(row["pro"] for row in rows) == ["Stichting OPEN", "Stiftung EAR"]


def test_an_unknown_country_filter_answers_400_naming_the_valid_ones(
    staff_api, collective_credential
):
    response = staff_api.get(f"{URL}?country=NL,XX")

    assert response.status_code == 400
    [message] = response.json()["country"]
    assert message.startswith("Unknown country 'XX'. Valid countries: AT, BE,")


def test_collective_accounts_of_another_organization_are_not_listed(
    other_org_api, collective_credential
):
    assert other_org_api.get(URL).json() == []


def test_viewer_may_list_collective_accounts(viewer_api, collective_credential):
    assert len(viewer_api.get(URL).json()) == 1


def test_collective_accounts_route_is_not_taken_for_a_client_id(staff_api, collective_credential):
    assert staff_api.get(URL + "/").status_code == 200


# Links through the credential routes


def test_a_linked_credential_reads_login_and_password_from_the_collective_account(
    staff_api, acme, collective_credential
):
    response = staff_api.post(
        credentials_url(acme.pk), link_body(collective_credential.pk), format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["collective_account_id"] == collective_credential.pk
    assert body["collective_account"] is True
    assert body["login"] == "collective@example.com"
    assert body["password"] == "collective-pw-1"
    stored = Credential.objects.get(pk=body["id"])
    assert (stored.login, stored.password) == ("", "")


def test_a_frontend_links_with_collective_account_true_and_the_id(
    staff_api, acme, collective_credential
):
    response = staff_api.post(
        credentials_url(acme.pk),
        link_body(collective_credential.pk, collective_account=True),
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json() == {
        "id": response.json()["id"],
        "country": "NL",
        "report_type": "WEEE",
        "report_types": ["WEEE"],
        "pro": "Stichting OPEN",
        "login": "collective@example.com",
        "password": "collective-pw-1",
        "registration_number": "NL-0042",
        "status": "active",
        "notes": None,
        "interval": None,
        "extra_info": None,
        "collective_account": True,
        "collective_account_id": collective_credential.pk,
    }
    stored = Credential.objects.get(pk=response.json()["id"])
    assert stored.collective_account == collective_credential
    assert (stored.login, stored.password) == ("", "")


def test_an_existing_credential_is_linked_with_collective_account_true_and_the_id(
    staff_api, acme, collective_credential
):
    own = CredentialFactory(
        client=acme, country=country("NL"), pro=pro("NL", "Stichting OPEN"), login="old"
    )

    response = staff_api.patch(
        credentials_url(acme.pk, "NL", own.pk),
        {"collective_account": True, "collective_account_id": collective_credential.pk},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["collective_account"] is True
    assert response.json()["collective_account_id"] == collective_credential.pk
    own.refresh_from_db()
    assert own.collective_account == collective_credential


def test_collective_account_true_without_an_id_on_an_unlinked_credential_asks_for_it(
    staff_api, acme
):
    own = CredentialFactory(client=acme, country=country("NL"), pro=pro("NL", "Stichting OPEN"))

    response = staff_api.patch(
        credentials_url(acme.pk, "NL", own.pk), {"collective_account": True}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["collective_account_id"]
    own.refresh_from_db()
    assert own.collective_account is None


def test_collective_account_true_alone_keeps_a_linked_credential_linked(
    staff_api, acme, linked, collective_credential
):
    response = staff_api.patch(
        credentials_url(acme.pk, "NL", linked.pk),
        {"collective_account": True, "notes": "still linked"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["collective_account_id"] == collective_credential.pk
    linked.refresh_from_db()
    assert linked.collective_account == collective_credential


def test_collective_account_false_unlinks(staff_api, acme, linked):
    response = staff_api.patch(
        credentials_url(acme.pk, "NL", linked.pk),
        {"collective_account": False, "login": "own-login", "password": "own-pw"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["collective_account"], body["collective_account_id"]) == (False, None)
    assert (body["login"], body["password"]) == ("own-login", "own-pw")
    linked.refresh_from_db()
    assert linked.collective_account is None
    assert (linked.login, linked.password) == ("own-login", "own-pw")


def test_collective_account_id_null_unlinks(staff_api, acme, linked):
    response = staff_api.patch(
        credentials_url(acme.pk, "NL", linked.pk), {"collective_account_id": None}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["collective_account"], response.json()["collective_account_id"]) == (
        False,
        None,
    )
    linked.refresh_from_db()
    assert linked.collective_account is None


def test_collective_account_false_with_an_id_is_a_400(staff_api, acme, collective_credential):
    response = staff_api.post(
        credentials_url(acme.pk),
        link_body(collective_credential.pk, collective_account=False),
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["collective_account"]
    assert not Credential.objects.filter(client=acme).exists()


def test_a_collective_account_answers_collective_account_true_and_no_id(
    staff_api, collective_client, collective_credential
):
    response = staff_api.get(credentials_url(collective_client.pk))

    [row] = response.json()
    assert (row["collective_account"], row["collective_account_id"]) == (True, None)


def test_an_individual_credential_answers_collective_account_false_and_no_id(staff_api, acme):
    CredentialFactory(client=acme, country=country("NL"), pro=pro("NL", "Stichting OPEN"))

    response = staff_api.get(credentials_url(acme.pk))

    [row] = response.json()
    assert (row["collective_account"], row["collective_account_id"]) == (False, None)


def test_updating_the_collective_account_reaches_every_linked_client_at_once(
    staff_api, acme, organization, collective_credential
):
    other = ClientFactory(organization=organization, name="Other Producer BV")
    for client in (acme, other):
        staff_api.post(
            credentials_url(client.pk), link_body(collective_credential.pk), format="json"
        )

    response = staff_api.put(
        credentials_url(collective_credential.client_id, "NL", collective_credential.pk),
        {"login": "new-collective@example.com", "password": "rotated-collective-pw"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    for client in (acme, other):
        [row] = staff_api.get(credentials_url(client.pk)).json()
        assert row["login"] == "new-collective@example.com"
        assert row["password"] == "rotated-collective-pw"


def test_viewer_sees_a_linked_credentials_password_masked(viewer_api, acme, linked):
    [row] = viewer_api.get(credentials_url(acme.pk)).json()

    assert row["password"] == "***"
    assert row["login"] == "collective@example.com"


def test_linking_to_another_organizations_credential_is_a_400_that_reveals_nothing(
    staff_api, acme, other_organization
):
    foreign_collective = CredentialFactory(
        client=ClientFactory(organization=other_organization, collective_account=True),
        country=country("NL"),
        pro=pro("NL", "Stichting OPEN"),
        login="their-login",
    )

    response = staff_api.post(
        credentials_url(acme.pk), link_body(foreign_collective.pk), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "collective_account_id": [f"Collective account {foreign_collective.pk} not found."]
    }


def test_linking_to_a_collective_account_of_another_pro_is_a_400(
    staff_api, acme, collective_client
):
    valpak = CredentialFactory(
        client=collective_client, country=country("UK"), pro=pro("UK", "Valpak")
    )

    response = staff_api.post(credentials_url(acme.pk), link_body(valpak.pk), format="json")

    assert response.status_code == 400
    assert "same country and PRO" in response.json()["collective_account_id"][0]


def test_linking_to_a_credential_of_an_ordinary_client_is_a_400(staff_api, acme, organization):
    ordinary = CredentialFactory(
        client=ClientFactory(organization=organization),
        country=country("NL"),
        pro=pro("NL", "Stichting OPEN"),
    )

    response = staff_api.post(credentials_url(acme.pk), link_body(ordinary.pk), format="json")

    assert response.status_code == 400
    assert "is not a collective account" in response.json()["collective_account_id"][0]


def test_a_collective_account_cannot_link_to_another(
    staff_api, collective_client, collective_credential
):
    response = staff_api.post(
        credentials_url(collective_client.pk),
        link_body(collective_credential.pk, report_types=["Batteries"]),
        format="json",
    )

    assert response.status_code == 400
    assert "cannot itself be linked" in response.json()["collective_account_id"][0]


def test_own_login_on_a_linked_credential_is_a_400_explaining_how_to_unlink(
    staff_api, acme, linked
):
    response = staff_api.put(
        credentials_url(acme.pk, "NL", linked.pk), {"login": "mine"}, format="json"
    )

    assert response.status_code == 400
    message = response.json()["login"][0]
    assert "unlink it first" in message
    assert '"collective_account_id": null' in message


def test_own_password_on_a_linked_credential_is_a_400(staff_api, acme, linked):
    response = staff_api.put(
        credentials_url(acme.pk, "NL", linked.pk), {"password": "mine"}, format="json"
    )

    assert response.status_code == 400
    assert "password" in response.json()


def test_creating_a_linked_credential_with_its_own_password_is_a_400(
    staff_api, acme, collective_credential
):
    response = staff_api.post(
        credentials_url(acme.pk), link_body(collective_credential.pk, password="own"), format="json"
    )

    assert response.status_code == 400
    assert not Credential.objects.filter(client=acme).exists()


def test_echoing_the_inherited_login_and_password_back_is_accepted(staff_api, acme, linked):
    response = staff_api.put(
        credentials_url(acme.pk, "NL", linked.pk),
        {"login": "collective@example.com", "password": "collective-pw-1", "notes": "checked"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["notes"] == "checked"


def test_unlinking_lets_the_credential_have_its_own_login_and_password(staff_api, acme, linked):
    response = staff_api.put(
        credentials_url(acme.pk, "NL", linked.pk),
        {"collective_account_id": None, "login": "own-login", "password": "own-pw"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["collective_account_id"] is None
    assert (response.json()["login"], response.json()["password"]) == ("own-login", "own-pw")


def test_linking_an_existing_credential_moves_its_own_password_to_the_history(
    staff_api, acme, collective_credential
):
    own = CredentialFactory(
        client=acme,
        country=country("NL"),
        pro=pro("NL", "Stichting OPEN"),
        login="old",
        password="old-pw",
    )

    response = staff_api.put(
        credentials_url(acme.pk, "NL", own.pk),
        {"collective_account_id": collective_credential.pk},
        format="json",
    )

    assert response.status_code == 200
    own.refresh_from_db()
    assert (own.login, own.password) == ("", "")
    assert CredentialPasswordHistory.objects.get(credential=own).password == "old-pw"


def test_deleting_a_collective_account_others_link_to_is_a_409_naming_them(
    staff_api, collective_credential, linked
):
    response = staff_api.delete(
        credentials_url(collective_credential.client_id, "NL", collective_credential.pk)
    )

    assert response.status_code == 409
    assert response.json()["dependants"] == ["ABC Corporation · NL · Stichting OPEN"]
    assert "ABC Corporation · NL · Stichting OPEN" in response.json()["detail"]
    assert Credential.objects.filter(pk=collective_credential.pk).exists()


def test_a_collective_account_with_links_keeps_its_pro(staff_api, collective_credential, linked):
    response = staff_api.put(
        credentials_url(collective_credential.client_id, "NL", collective_credential.pk),
        {"pro": "Afvalfonds Verpakkingen", "report_types": ["Packaging"]},
        format="json",
    )

    assert response.status_code == 400
    assert "Unlink them first" in response.json()["pro"][0]


def test_a_collective_account_without_links_may_be_deleted(staff_api, collective_credential):
    response = staff_api.delete(
        credentials_url(collective_credential.client_id, "NL", collective_credential.pk)
    )

    assert response.status_code == 200
