"""Set-based inserts and history rows: the same rows save() and simple-history would write."""

import pytest
from django.db import IntegrityError, connection, transaction

from clients.models import Client
from config.bulk_copy import (
    CHANGED,
    CREATED,
    history_rows_insert,
    instance_builder,
    rows_insert,
    rows_update,
    values_insert,
)
from credentials.models import Credential, CredentialReportType
from tests.factories import ClientFactory, MembershipFactory, country, pro, report_type

pytestmark = pytest.mark.django_db


def test_rows_insert_gives_keys_defaults_and_timestamps(organization):
    clients = [Client(organization=organization, name=f"Row {n} GmbH") for n in range(3)]

    rows_insert(Client, clients)

    assert all(client.pk for client in clients)
    stored = Client.objects.get(pk=clients[0].pk)
    assert (stored.name, stored.status, stored.shared) == ("Row 0 GmbH", "active", False)
    assert stored.created_at is not None and stored.updated_at is not None
    assert not clients[0]._state.adding


def test_rows_insert_encrypts_secrets_and_follows_saved_related_objects(organization):
    client = Client(organization=organization, name="Parent GmbH")
    rows_insert(Client, [client])
    credential = Credential(
        client=client,
        country=country("DE"),
        pro=pro("DE", "Stiftung EAR"),
        login="bulk",
        password="Bulk-S3cret",
    )

    rows_insert(Credential, [credential])

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT client_id, password FROM {Credential._meta.db_table} WHERE id = %s",
            [credential.pk],
        )
        client_id, stored = cursor.fetchone()
    assert client_id == client.pk
    assert "Bulk-S3cret" not in stored
    assert Credential.objects.get(pk=credential.pk).password == "Bulk-S3cret"


def test_rows_insert_raises_integrity_errors_as_django_does(organization):
    ClientFactory(organization=organization, name="Taken GmbH")

    with pytest.raises(IntegrityError), transaction.atomic():
        rows_insert(Client, [Client(organization=organization, name="taken gmbh")])


def test_values_insert_writes_link_rows_from_tuples(organization):
    client = ClientFactory(organization=organization)
    credential = Credential.objects.create(
        client=client, country=country("DE"), pro=pro("DE", "Stiftung EAR")
    )

    values_insert(
        CredentialReportType,
        ["credential_id", "report_type_id", "client_id", "country_id", "pro_id"],
        [
            (
                credential.pk,
                report_type(code).pk,
                client.pk,
                credential.country_id,
                credential.pro_id,
            )
            for code in ("WEEE", "Batteries")
        ],
    )

    assert set(
        CredentialReportType.objects.filter(credential=credential).values_list(
            "report_type__code", flat=True
        )
    ) == {"WEEE", "Batteries"}


def test_history_rows_record_the_rows_as_stored_with_user_reason_and_type(organization):
    user = MembershipFactory(organization=organization).user
    clients = [Client(organization=organization, name=f"History {n} AG") for n in range(2)]
    rows_insert(Client, clients)

    history_rows_insert(
        Client, [c.pk for c in clients], history_type=CREATED, user=user, change_reason="Upload"
    )
    Client.objects.filter(pk=clients[0].pk).update(status="archived")
    history_rows_insert(Client, [clients[0].pk], history_type=CHANGED, user=user)

    versions = list(Client.history.filter(id=clients[0].pk).order_by("history_id"))
    assert [
        (v.history_type, v.status, v.history_user, v.history_change_reason) for v in versions
    ] == [
        ("+", "active", user, "Upload"),
        ("~", "archived", user, ""),
    ]
    assert versions[0].name == "History 0 AG"
    assert versions[0].organization_id == organization.pk


def test_history_rows_in_batches_cover_every_key(organization, monkeypatch):
    monkeypatch.setattr("config.bulk_copy.HISTORY_BATCH", 2)
    clients = [Client(organization=organization, name=f"Batch {n} AG") for n in range(5)]
    rows_insert(Client, clients)

    history_rows_insert(Client, [c.pk for c in clients], history_type=CREATED)

    assert Client.history.filter(id__in=[c.pk for c in clients]).count() == 5


def test_instance_builder_fills_the_other_fields_with_their_defaults():
    build = instance_builder(Credential, ["login", "client_id"])

    credential = build("someone", 7)

    assert (credential.login, credential.client_id, credential.status) == ("someone", 7, "active")
    assert (credential.pk, credential.notes, credential.extra_info) == (None, "", None)


def test_instance_builder_refuses_unknown_fields():
    with pytest.raises(ValueError, match="no concrete fields"):
        instance_builder(Credential, ["colour"])


def test_rows_update_writes_the_given_fields_only_and_encrypts_secrets(organization):
    client = ClientFactory(organization=organization, name="Update AG", notes="keep")
    credentials = [
        Credential.objects.create(
            client=client, country=country("DE"), pro=pro("DE", "Stiftung EAR"), login=f"l{n}"
        )
        for n in range(3)
    ]
    before = Credential.objects.get(pk=credentials[0].pk).updated_at
    for n, credential in enumerate(credentials):
        credential.password = f"Upd4ted-{n}"
        credential.login = "not written"

    rows_update(Credential, credentials, ["password", "updated_at"])

    stored = Credential.objects.get(pk=credentials[1].pk)
    assert (stored.password, stored.login) == ("Upd4ted-1", "l1")
    assert stored.updated_at > before
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT password FROM {Credential._meta.db_table}")
        assert not any("Upd4ted" in row[0] for row in cursor.fetchall())


def test_rows_update_twice_in_one_transaction(organization):
    clients = [ClientFactory(organization=organization) for _ in range(2)]

    with transaction.atomic():
        for status in ("archived", "inactive"):
            for client in clients:
                client.status = status
            rows_update(Client, clients, ["status"])

    assert set(Client.objects.values_list("status", flat=True)) == {"inactive"}
