import json

import pytest
from django.core.management import call_command
from django.db import connection

from credentials.fields import SecretDecryptionError
from credentials.models import Credential
from credentials.services import credential_create
from tests.factories import CredentialFactory

pytestmark = pytest.mark.django_db


def stored_password(credential) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT password FROM {Credential._meta.db_table} WHERE id = %s", [credential.pk]
        )
        return cursor.fetchone()[0]


def test_passwords_are_stored_encrypted():
    credential = CredentialFactory(password="plain-text-secret")

    raw = stored_password(credential)

    assert "plain-text-secret" not in raw
    assert raw.startswith("gAAAA")
    assert Credential.objects.get(pk=credential.pk).password == "plain-text-secret"


def test_reading_with_a_wrong_key_raises_instead_of_returning_ciphertext(encryption_keys, new_key):
    credential = CredentialFactory(password="plain-text-secret")
    encryption_keys([new_key])

    with pytest.raises(SecretDecryptionError, match="cannot be decrypted"):
        Credential.objects.get(pk=credential.pk)


def test_the_error_does_not_carry_the_ciphertext(encryption_keys, new_key):
    credential = CredentialFactory(password="plain-text-secret")
    raw = stored_password(credential)
    encryption_keys([new_key])

    with pytest.raises(SecretDecryptionError) as caught:
        Credential.objects.get(pk=credential.pk)

    assert raw not in str(caught.value)
    assert caught.value.__cause__ is None


def test_an_older_key_listed_after_the_newest_still_decrypts(encryption_keys, new_key, settings):
    credential = CredentialFactory(password="plain-text-secret")
    encryption_keys([new_key, *settings.FIELD_ENCRYPTION_KEY])

    assert Credential.objects.get(pk=credential.pk).password == "plain-text-secret"


def test_new_secrets_are_encrypted_with_the_newest_key(encryption_keys, new_key, settings):
    old_keys = list(settings.FIELD_ENCRYPTION_KEY)
    encryption_keys([new_key, *old_keys])
    credential = CredentialFactory(password="fresh")
    encryption_keys([new_key])

    assert Credential.objects.get(pk=credential.pk).password == "fresh"


def test_an_empty_password_round_trips():
    credential = CredentialFactory(password="")

    assert Credential.objects.get(pk=credential.pk).password == ""


def test_bulk_update_encrypts_each_value_rather_than_the_sql_expression():
    credential = CredentialFactory(password="before")
    credential.password = "after-bulk-update"

    Credential.objects.bulk_update([credential], ["password"])

    raw = stored_password(credential)
    assert "after-bulk-update" not in raw
    assert "CASE" not in raw
    assert Credential.objects.get(pk=credential.pk).password == "after-bulk-update"


def test_queryset_update_encrypts_the_value():
    credential = CredentialFactory(password="before")

    Credential.objects.filter(pk=credential.pk).update(password="after-update")

    assert "after-update" not in stored_password(credential)
    assert Credential.objects.get(pk=credential.pk).password == "after-update"


def test_dumpdata_keeps_secrets_encrypted_and_loaddata_reads_them_back(tmp_path):
    credential = CredentialFactory(password="dumped-secret")
    fixture = tmp_path / "credentials.json"

    call_command("dumpdata", "credentials.credential", output=str(fixture))
    Credential.objects.filter(pk=credential.pk).update(password="overwritten")
    call_command("loaddata", str(fixture), verbosity=0)

    assert "dumped-secret" not in fixture.read_text()
    assert Credential.objects.get(pk=credential.pk).password == "dumped-secret"


def test_loaddata_stores_the_fixtures_ciphertext_as_it_is_without_decrypting_it(tmp_path):
    credential = CredentialFactory(password="dumped-secret")
    fixture = tmp_path / "credentials.json"
    call_command("dumpdata", "credentials.credential", output=str(fixture))
    [dumped] = json.loads(fixture.read_text())
    Credential.objects.filter(pk=credential.pk).update(password="overwritten")

    call_command("loaddata", str(fixture), verbosity=0)

    assert stored_password(credential) == dumped["fields"]["password"]


def test_a_fixture_encrypted_with_another_key_is_refused(tmp_path, encryption_keys, new_key):
    credential = CredentialFactory(password="dumped-secret")
    fixture = tmp_path / "credentials.json"
    call_command("dumpdata", "credentials.credential", output=str(fixture))
    Credential.objects.filter(pk=credential.pk).update(password="before-load")
    encryption_keys([new_key])

    with pytest.raises(SecretDecryptionError, match="cannot be decrypted"):
        call_command("loaddata", str(fixture), verbosity=0)


def test_a_fixture_carrying_a_plaintext_secret_is_refused(tmp_path):
    credential = CredentialFactory(password="dumped-secret")
    fixture = tmp_path / "credentials.json"
    call_command("dumpdata", "credentials.credential", output=str(fixture))
    [dumped] = json.loads(fixture.read_text())
    dumped["fields"]["password"] = "typed-into-a-fixture"
    fixture.write_text(json.dumps([dumped]))

    with pytest.raises(SecretDecryptionError, match="cannot be decrypted"):
        call_command("loaddata", str(fixture), verbosity=0)

    assert Credential.objects.get(pk=credential.pk).password == "dumped-secret"


def test_a_typed_password_that_looks_like_a_token_is_stored_as_typed(acme):
    credential = credential_create(
        client=acme,
        country="DE",
        pro="Stiftung EAR",
        report_types="WEEE",
        password="gAAAAAnot-a-token",
    )

    assert Credential.objects.get(pk=credential.pk).password == "gAAAAAnot-a-token"
    assert "gAAAAAnot-a-token" not in stored_password(credential)


def test_a_real_token_given_to_the_model_is_encrypted_as_its_text_not_decrypted():
    token = stored_password(CredentialFactory(password="first-secret"))

    credential = CredentialFactory(password=token)

    assert Credential.objects.get(pk=credential.pk).password == token
