import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection

from credentials.models import Credential, CredentialPasswordHistory, EncryptionCanary
from credentials.services import credential_update, encryption_key_rotate
from tests.factories import CredentialFactory, pro

pytestmark = pytest.mark.django_db


def raw_values(model, field):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {field} FROM {model._meta.db_table} ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def secrets_under_the_old_key():
    credentials = [
        CredentialFactory(password="first-secret"),
        CredentialFactory(pro=pro("DE", "Landbell"), report_types=["Packaging"], password="second"),
    ]
    credential_update(credential=credentials[0], password="first-secret-v2")
    return credentials


def test_rotation_reencrypts_everything_so_the_old_key_can_go(
    secrets_under_the_old_key, encryption_keys, new_key, settings, capsys
):
    old_keys = list(settings.FIELD_ENCRYPTION_KEY)
    encryption_keys([new_key, *old_keys])

    call_command("rotate_encryption_key", "--batch-size", "1")

    out = capsys.readouterr().out
    assert "credentials.Credential.password: 2 re-encrypted" in out
    assert "credentials.CredentialPasswordHistory.password: 1 re-encrypted" in out
    assert "credentials.EncryptionCanary.value: 1 re-encrypted" in out
    encryption_keys([new_key])
    assert sorted(Credential.objects.values_list("password", flat=True)) == [
        "first-secret-v2",
        "second",
    ]
    assert CredentialPasswordHistory.objects.get().password == "first-secret"
    assert EncryptionCanary.objects.get().value == EncryptionCanary.EXPECTED


def test_rotation_changes_the_ciphertext(
    secrets_under_the_old_key, encryption_keys, new_key, settings
):
    before = raw_values(Credential, "password")
    encryption_keys([new_key, *settings.FIELD_ENCRYPTION_KEY])

    encryption_key_rotate()

    after = raw_values(Credential, "password")
    assert all(old != new for old, new in zip(before, after, strict=True))
    # Re-saving under the old key would change the ciphertext too: only the new key opens it now.
    newest = Fernet(new_key.encode())
    assert [newest.decrypt(value.encode()) for value in after]
    with pytest.raises(InvalidToken):
        newest.decrypt(before[0].encode())


def test_rotation_does_not_touch_history_or_timestamps(
    secrets_under_the_old_key, encryption_keys, new_key, settings
):
    credential = secrets_under_the_old_key[1]
    history_rows = credential.history.count()
    updated_at = Credential.objects.get(pk=credential.pk).updated_at
    encryption_keys([new_key, *settings.FIELD_ENCRYPTION_KEY])

    encryption_key_rotate()

    assert credential.history.count() == history_rows
    assert Credential.objects.get(pk=credential.pk).updated_at == updated_at


def test_rotation_without_the_old_key_refuses_and_changes_nothing(
    secrets_under_the_old_key, encryption_keys, new_key
):
    before = raw_values(Credential, "password")
    encryption_keys([new_key])

    with pytest.raises(CommandError, match="cannot decrypt"):
        call_command("rotate_encryption_key")

    assert raw_values(Credential, "password") == before


def test_rotation_with_a_single_key_warns_that_nothing_rotates(secrets_under_the_old_key, capsys):
    call_command("rotate_encryption_key")

    assert "Only one key is configured" in capsys.readouterr().err


def test_rotation_rejects_a_batch_size_below_one():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("rotate_encryption_key", "--batch-size", "0")
