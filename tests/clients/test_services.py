"""Client services: creation, updates, aliases, obligations, deletion and bulk status."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError

from clients.models import (
    Alias,
    ApiKey,
    Client,
    ClientOrganizationGrant,
    Obligation,
    Organization,
    Role,
)
from clients.services import (
    AliasConflict,
    api_key_create,
    client_alias_remove,
    client_alias_set,
    client_create,
    client_delete,
    client_local_company_name_set,
    client_obligations_replace,
    client_organization_create,
    client_organization_invitation_accept,
    client_organization_invite,
    client_update,
    clients_set_status,
    organization_get_or_create,
)
from clients.tenancy import clients_readable_by
from tests.factories import (
    AliasFactory,
    ClientFactory,
    CredentialFactory,
    MembershipFactory,
    ObligationFactory,
    OrganizationFactory,
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


# Input limits (clients.limits)


def test_client_create_refuses_notes_over_10000_characters_and_creates_nothing(organization):
    with pytest.raises(ValidationError) as error:
        client_create(organization=organization, name="Long Notes", notes="x" * 10_001)

    assert error.value.message_dict == {"notes": ["notes is too long: at most 10000 characters."]}
    assert not Client.objects.exists()


def test_client_create_takes_notes_of_exactly_10000_characters(organization):
    client = client_create(organization=organization, name="Full Notes", notes="x" * 10_000)

    assert len(Client.objects.get(pk=client.pk).notes) == 10_000


def test_client_update_refuses_notes_over_the_limit_and_keeps_the_old_ones(organization):
    client = ClientFactory(organization=organization, notes="Before")

    with pytest.raises(ValidationError) as error:
        client_update(client=client, changes={"notes": "x" * 10_001, "status": "inactive"})

    assert "10000" in error.value.message_dict["notes"][0]
    client.refresh_from_db()
    assert (client.notes, client.status) == ("Before", "active")


def test_a_name_of_exactly_255_characters_is_accepted(organization):
    client = client_create(organization=organization, name="x" * 255, aliases={"DE": "y" * 255})

    assert Client.objects.get(pk=client.pk).name == "x" * 255
    assert Alias.objects.get(client=client).name == "y" * 255


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: client_alias_set(client=c, name="x" * 256, country="DE"), "alias"),
        (
            lambda c: client_local_company_name_set(
                client=c, country=country("DE"), name="x" * 256
            ),
            "local_company_name",
        ),
        (lambda c: client_update(client=c, changes={"aliases": {"*": "x" * 256}}), "aliases"),
    ],
    ids=["alias", "local company name", "aliases map"],
)
def test_aliases_over_255_characters_are_refused_naming_the_field(organization, call, field):
    client = ClientFactory(organization=organization)

    with pytest.raises(ValidationError) as error:
        call(client)

    assert error.value.message_dict == {field: [f"{field} is too long: at most 255 characters."]}
    assert not Alias.objects.exists()


def test_organization_names_over_255_characters_are_refused(db):
    with pytest.raises(ValidationError) as error:
        organization_get_or_create(name="x" * 256)

    assert "255" in error.value.message_dict["name"][0]
    assert not Organization.objects.filter(name__startswith="xxx").exists()


def test_organization_names_of_255_characters_are_accepted(db):
    assert organization_get_or_create(name="x" * 255).name == "x" * 255


def test_api_key_names_over_100_characters_are_refused(organization):
    with pytest.raises(ValidationError) as error:
        api_key_create(organization=organization, name="x" * 101)

    assert "100" in error.value.message_dict["name"][0]
    assert not ApiKey.objects.exists()


# client_organization consent


def admin_of(organization):
    return MembershipFactory(organization=organization, role=Role.ADMIN).user


def test_client_organization_create_makes_an_agreed_organization_the_clients(organization):
    client = ClientFactory(organization=organization, name="Mine SAS")

    created = client_organization_create(client=client, name="Mine SAS")

    client.refresh_from_db()
    assert client.client_organization == created
    grant = ClientOrganizationGrant.objects.get()
    assert (grant.agency, grant.client, grant.kind, grant.client_organization) == (
        organization,
        client,
        ClientOrganizationGrant.Kind.CREATED,
        created,
    )
    assert grant.accepted_at is not None
    assert client.history.latest().client_organization_id == created.pk


def test_client_organization_create_refuses_a_name_taken_ignoring_case(organization):
    client = ClientFactory(organization=organization)
    OrganizationFactory(name="Taken SA")

    with pytest.raises(ValidationError, match="cannot be used"):
        client_organization_create(client=client, name="taken sa")

    assert Organization.objects.filter(name__iexact="taken sa").count() == 1
    assert not ClientOrganizationGrant.objects.exists()


def test_an_invitation_stores_only_the_digest_of_its_token_and_names_nobody(organization):
    client = ClientFactory(organization=organization)

    invitation, token = client_organization_invite(client=client)

    invitation.refresh_from_db()
    assert invitation.token_hash == ClientOrganizationGrant.hash_token(token)
    assert token not in invitation.token_hash
    assert (invitation.client_organization, invitation.accepted_at) == (None, None)


def test_accepting_an_invitation_makes_the_admins_organization_the_client_organization(
    organization, other_organization
):
    client = ClientFactory(organization=organization, shared=True)
    _, token = client_organization_invite(client=client)
    their_admin = admin_of(other_organization)

    client_organization_invitation_accept(token=token, user=their_admin)

    client.refresh_from_db()
    invitation = ClientOrganizationGrant.objects.get()
    assert client.client_organization == other_organization
    assert (invitation.client_organization, invitation.accepted_by) == (
        other_organization,
        their_admin,
    )
    assert client in clients_readable_by(other_organization)


@pytest.mark.parametrize("role", [Role.STAFF, Role.VIEWER])
def test_only_an_organization_admin_can_accept_an_invitation(
    organization, other_organization, role
):
    client = ClientFactory(organization=organization)
    _, token = client_organization_invite(client=client)
    member = MembershipFactory(organization=other_organization, role=role).user

    with pytest.raises(PermissionDenied):
        client_organization_invitation_accept(token=token, user=member)

    client.refresh_from_db()
    assert client.client_organization is None
    assert ClientOrganizationGrant.objects.get().accepted_at is None


def test_an_invitation_is_accepted_once(organization, other_organization):
    client = ClientFactory(organization=organization)
    _, token = client_organization_invite(client=client)
    client_organization_invitation_accept(token=token, user=admin_of(other_organization))
    third = OrganizationFactory()

    with pytest.raises(ValidationError) as refused:
        client_organization_invitation_accept(token=token, user=admin_of(third))

    assert refused.value.message_dict == {"token": ["No pending invitation has this token."]}
    client.refresh_from_db()
    assert client.client_organization == other_organization


def test_an_unknown_token_gets_the_same_answer_as_a_used_one(other_organization):
    with pytest.raises(ValidationError) as refused:
        client_organization_invitation_accept(
            token="fsi_made-up", user=admin_of(other_organization)
        )

    assert refused.value.message_dict == {"token": ["No pending invitation has this token."]}


def test_an_agency_cannot_accept_its_own_invitation(organization):
    client = ClientFactory(organization=organization)
    _, token = client_organization_invite(client=client)

    with pytest.raises(ValidationError):
        client_organization_invitation_accept(token=token, user=admin_of(organization))

    client.refresh_from_db()
    assert client.client_organization is None


def test_client_update_refuses_an_organization_without_consent(organization, other_organization):
    client = ClientFactory(organization=organization)

    with pytest.raises(ValidationError) as refused:
        client_update(client=client, changes={"client_organization": other_organization})

    assert refused.value.message_dict == {
        "client_organization": [f'Invalid pk "{other_organization.pk}" - object does not exist.']
    }
    client.refresh_from_db()
    assert client.client_organization is None


def test_client_update_accepts_an_organization_that_accepted_this_clients_invitation(
    organization, other_organization
):
    client = ClientFactory(organization=organization)
    _, token = client_organization_invite(client=client)
    client_organization_invitation_accept(token=token, user=admin_of(other_organization))
    client_update(client=client, changes={"client_organization": None})

    client_update(client=client, changes={"client_organization": other_organization})

    client.refresh_from_db()
    assert client.client_organization == other_organization


def test_a_consent_for_one_client_does_not_cover_another_of_the_same_agency(
    organization, other_organization
):
    invited = ClientFactory(organization=organization)
    other_client = ClientFactory(organization=organization)
    _, token = client_organization_invite(client=invited)
    client_organization_invitation_accept(token=token, user=admin_of(other_organization))

    with pytest.raises(ValidationError):
        client_update(client=other_client, changes={"client_organization": other_organization})
