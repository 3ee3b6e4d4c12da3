"""Client services: creation, updates, aliases, obligations, deletion and bulk status."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from clients.models import Alias, Client, Obligation
from clients.services import (
    AliasConflict,
    client_alias_remove,
    client_alias_set,
    client_create,
    client_delete,
    client_local_company_name_set,
    client_obligations_replace,
    client_update,
    clients_set_status,
)
from tests.factories import (
    AliasFactory,
    ClientFactory,
    CredentialFactory,
    ObligationFactory,
    country,
    pro,
)

pytestmark = pytest.mark.django_db


def obligation_keys(client) -> list[tuple]:
    return [
        (o.country.code, o.report_type.code, o.pro.name if o.pro_id else None)
        for o in client.obligations.select_related("country", "report_type", "pro")
    ]


def test_client_create_strips_the_name_and_stores_aliases_and_obligations(organization):
    client = client_create(
        organization=organization,
        name="  ABC Corporation ",
        notes=None,
        aliases={"uk": "ABC Corp", "*": "ABC"},
        obligations=[{"country": "de", "report_type": "weee", "pro": "stiftung ear"}],
    )

    assert client.name == "ABC Corporation"
    assert client.notes == ""
    assert dict(client.aliases.values_list("scope", "name")) == {"UK": "ABC Corp", "*": "ABC"}
    assert obligation_keys(client) == [("DE", "WEEE", "Stiftung EAR")]


def test_client_create_refuses_a_name_taken_in_any_case(organization):
    ClientFactory(organization=organization, name="Taken GmbH")

    with pytest.raises(ValidationError) as error:
        client_create(organization=organization, name="TAKEN gmbh")

    assert error.value.message_dict == {"name": ["A client named 'TAKEN gmbh' already exists."]}


@pytest.mark.parametrize("name", ["", "   ", "x" * 256])
def test_client_create_refuses_empty_and_overlong_names(organization, name):
    with pytest.raises(ValidationError) as error:
        client_create(organization=organization, name=name)

    assert "name" in error.value.message_dict


def test_client_create_is_all_or_nothing(organization):
    with pytest.raises(ValidationError):
        client_create(
            organization=organization,
            name="Half Done",
            aliases={"DE": "Half GmbH"},
            obligations=[{"country": "DE", "report_type": "Nope"}],
        )

    assert not Client.objects.exists()
    assert not Alias.objects.exists()


def test_client_obligations_replace_keeps_unchanged_rows_and_reports_every_bad_one(organization):
    client = ClientFactory(organization=organization)
    kept = ObligationFactory(client=client)
    ObligationFactory(client=client, country=country("FR"))

    client_obligations_replace(
        client=client,
        obligations=[
            {"country": "DE", "report_type": "WEEE"},
            {"country": "DE", "report_type": "WEEE", "pro": None},
            {"country": "NL", "report_type": "Batteries", "pro": "Stichting OPEN"},
        ],
    )

    assert obligation_keys(client) == [("DE", "WEEE", None), ("NL", "Batteries", "Stichting OPEN")]
    assert client.obligations.filter(pk=kept.pk).exists()

    with pytest.raises(ValidationError) as error:
        client_obligations_replace(
            client=client,
            obligations=[
                {"country": "XX", "report_type": "WEEE"},
                {"country": "DE", "report_type": "WEEE"},
                {"country": "DE", "report_type": "Packaging", "pro": "Stiftung EAR"},
            ],
        )
    messages = error.value.message_dict["obligations"]
    assert messages[0].startswith("Obligation 1: Unknown country 'XX'.")
    assert messages[1] == (
        "Obligation 3: Stiftung EAR (DE) does not take Packaging. It takes: Batteries, WEEE."
    )
    assert len(obligation_keys(client)) == 2


def test_client_update_changes_only_given_fields_and_replaces_aliases(organization):
    client = ClientFactory(organization=organization, name="Old Name", notes="keep me")
    AliasFactory(client=client, scope="UK", name="Old UK")
    AliasFactory(client=client, scope="DE", name="Stays GmbH")

    client_update(
        client=client,
        changes={"name": "New Name", "aliases": {"DE": "Stays GmbH", "FR": "Nouveau SARL"}},
    )

    client.refresh_from_db()
    assert (client.name, client.notes) == ("New Name", "keep me")
    assert dict(client.aliases.values_list("scope", "name")) == {
        "DE": "Stays GmbH",
        "FR": "Nouveau SARL",
    }


def test_client_update_without_changes_writes_no_history(organization):
    client = ClientFactory(organization=organization, status="active")

    client_update(client=client, changes={"status": "active"})

    assert client.history.count() == 1


def test_client_update_refuses_an_unknown_status(organization):
    client = ClientFactory(organization=organization)

    with pytest.raises(ValidationError) as error:
        client_update(client=client, changes={"status": "paused"})

    assert error.value.message_dict["status"] == [
        "Unknown status 'paused'. Valid statuses: active, onboarding, inactive, archived."
    ]


def test_client_delete_takes_credentials_aliases_and_obligations_along(organization):
    client = ClientFactory(organization=organization)
    CredentialFactory(client=client)
    AliasFactory(client=client)
    ObligationFactory(client=client)

    client_delete(client=client)

    assert not Client.objects.exists()
    assert not Alias.objects.exists()
    assert not Obligation.objects.exists()


def test_client_delete_refuses_a_collective_client_that_others_link_to(organization):
    collective_client = ClientFactory(organization=organization, collective_account=True)
    collective = CredentialFactory(client=collective_client)
    linked = CredentialFactory(
        client=ClientFactory(organization=organization), login="", collective_account=collective
    )

    with pytest.raises(ProtectedError) as error:
        client_delete(client=collective_client)

    assert set(error.value.protected_objects) == {linked}
    assert Client.objects.count() == 2


def test_client_alias_set_defaults_to_the_global_scope_and_replaces(organization):
    client = ClientFactory(organization=organization)

    client_alias_set(client=client, name="First")
    client_alias_set(client=client, name="Second", country="*")
    client_alias_set(client=client, name="Deutsch", country="de")

    assert dict(client.aliases.values_list("scope", "name")) == {"*": "Second", "DE": "Deutsch"}


def test_client_alias_set_refuses_unknown_countries(organization):
    client = ClientFactory(organization=organization)

    with pytest.raises(ValidationError) as error:
        client_alias_set(client=client, name="X", country="XX")

    assert error.value.message_dict["country"][0].endswith("Use * for a global alias.")


def test_client_alias_remove_refuses_to_pick_among_scopes_with_that_name(organization):
    client = ClientFactory(organization=organization, name="ABC Corporation")
    AliasFactory(client=client, scope="*", name="ABC")
    AliasFactory(client=client, scope="UK", name="ABC")

    with pytest.raises(AliasConflict) as error:
        client_alias_remove(client=client, name="ABC")

    assert error.value.scopes == {"*": "ABC", "UK": "ABC"}
    assert client.aliases.count() == 2


def test_client_alias_remove_removes_only_the_given_scope(organization):
    client = ClientFactory(organization=organization, name="ABC Corporation")
    AliasFactory(client=client, scope="*", name="ABC")
    AliasFactory(client=client, scope="UK", name="ABC")

    removed = client_alias_remove(client=client, name="ABC", country="uk")

    assert (removed.scope, removed.name) == ("UK", "ABC")
    assert list(client.aliases.values_list("scope", "name")) == [("*", "ABC")]
    with pytest.raises(Alias.DoesNotExist, match=r"ABC Corporation has no alias 'ABC' for UK\."):
        client_alias_remove(client=client, name="ABC", country="UK")


def test_client_alias_set_without_replace_refuses_a_different_alias_in_the_scope(organization):
    client = ClientFactory(organization=organization, name="ABC Corporation")
    AliasFactory(client=client, scope="UK", name="ABC Corp")

    with pytest.raises(AliasConflict) as error:
        client_alias_set(client=client, name="ABC Ltd", country="UK", replace=False)

    assert error.value.scopes == {"UK": "ABC Corp"}
    assert list(client.aliases.values_list("name", flat=True)) == ["ABC Corp"]


def test_client_local_company_name_set_is_the_country_alias(organization):
    client = ClientFactory(organization=organization)

    alias = client_local_company_name_set(client=client, country=country("DE"), name=" ABC GmbH ")

    assert (alias.scope, alias.name) == ("DE", "ABC GmbH")


def test_clients_set_status_changes_only_what_differs_and_records_history(organization):
    active = ClientFactory(organization=organization, status="active")
    archived = ClientFactory(organization=organization, status="archived")

    changed = clients_set_status(clients=Client.objects.all(), status="archived")

    assert changed == 1
    active.refresh_from_db()
    assert active.status == "archived"
    assert active.history.latest().status == "archived"
    assert archived.history.count() == 1


def test_clients_set_status_refuses_an_unknown_status(organization):
    ClientFactory(organization=organization)

    with pytest.raises(ValidationError):
        clients_set_status(clients=Client.objects.all(), status="gone")

    assert Client.objects.get().status == "active"


def test_obligations_with_a_pro_that_takes_the_report_type_are_accepted(organization):
    client = ClientFactory(organization=organization)

    client_obligations_replace(
        client=client, obligations=[{"country": "FR", "report_type": "Packaging", "pro": "Citeo"}]
    )

    assert client.obligations.get().pro == pro("FR", "Citeo")
