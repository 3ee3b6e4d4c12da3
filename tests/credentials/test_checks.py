import importlib
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from credentials.checks import (
    ENCRYPTION_KEY_ERROR_ID,
    check_encryption_key,
    verify_encryption_key,
)
from credentials.models import EncryptionCanary
from credentials.services import encryption_canary_ensure
from tests.factories import CredentialFactory

pytestmark = pytest.mark.django_db


def test_migrate_leaves_an_encryption_canary():
    assert EncryptionCanary.objects.get().value == EncryptionCanary.EXPECTED


def test_the_check_passes_with_the_key_the_canary_was_encrypted_with():
    assert check_encryption_key() == []
    verify_encryption_key()


def test_the_check_fails_loudly_with_a_wrong_key(encryption_keys, new_key):
    encryption_keys([new_key])

    [error] = check_encryption_key()

    assert error.id == ENCRYPTION_KEY_ERROR_ID
    assert "cannot decrypt the stored secrets" in error.msg
    assert "rotate_encryption_key" in error.hint


def test_wsgi_startup_verification_refuses_a_wrong_key(encryption_keys, new_key):
    encryption_keys([new_key])

    with pytest.raises(ImproperlyConfigured, match="cannot decrypt the stored secrets"):
        verify_encryption_key()


def test_the_check_passes_with_the_old_key_still_listed(encryption_keys, new_key, settings):
    encryption_keys([new_key, *settings.FIELD_ENCRYPTION_KEY])

    assert check_encryption_key() == []


def test_without_a_canary_the_newest_credential_is_tried(encryption_keys, new_key):
    CredentialFactory(password="secret")
    EncryptionCanary.objects.all().delete()
    encryption_keys([new_key])

    [error] = check_encryption_key()

    assert error.id == ENCRYPTION_KEY_ERROR_ID


def test_a_canary_with_an_unexpected_value_fails_the_check():
    EncryptionCanary.objects.update(value="something else")

    [error] = check_encryption_key()

    assert "unexpected value" in error.msg


def test_an_unreachable_or_unmigrated_database_does_not_block_the_check(monkeypatch):
    def unreachable(*args, **kwargs):
        raise DatabaseError("no such table: credentials_encryptioncanary")

    monkeypatch.setattr(EncryptionCanary.objects, "order_by", unreachable)

    assert check_encryption_key() == []


def test_the_canary_is_created_with_the_current_key_when_missing():
    EncryptionCanary.objects.all().delete()

    encryption_canary_ensure()

    assert EncryptionCanary.objects.get().value == EncryptionCanary.EXPECTED


def test_the_canary_is_not_created_over_secrets_the_key_cannot_read(encryption_keys, new_key):
    CredentialFactory(password="secret")
    EncryptionCanary.objects.all().delete()
    encryption_keys([new_key])

    with pytest.raises(Exception, match="cannot be decrypted"):
        encryption_canary_ensure()

    assert not EncryptionCanary.objects.exists()


def test_the_wsgi_module_verifies_the_key_before_it_serves(monkeypatch):
    def refuse():
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY cannot decrypt the stored secrets")

    monkeypatch.setattr("credentials.checks.verify_encryption_key", refuse)
    monkeypatch.delitem(sys.modules, "config.wsgi", raising=False)

    with pytest.raises(ImproperlyConfigured, match="cannot decrypt"):
        importlib.import_module("config.wsgi")
