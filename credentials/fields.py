"""An encrypted text field that decrypts only what the database holds.

django-encrypted-model-fields decrypts any value that happens to be a token of the configured
key, wherever it comes from: a form, an API body, a CSV cell. Sent as a password, another
organization's stored ciphertext then came back as that organization's plaintext. Here a value
given to the model is always the literal text to store (a password that starts like a token is
a password like any other, encrypted as typed); only `from_db_value`, reading a column, decrypts.

The library also returns the ciphertext unchanged when it cannot decrypt it (wrong key): shown to
a user that would look like a password. Here reading raises SecretDecryptionError instead.

Serialization (dumpdata) writes the ciphertext, never the plaintext. Loading a fixture (loaddata,
a "raw" save) stores that ciphertext as it is, after checking that the configured keys open it;
it decrypts nothing into the instance. Fixtures are an operator's tool, as the database itself
is: no request reaches them.
"""

from cryptography.fernet import InvalidToken
from django.db import models
from django.db.models.signals import pre_save
from encrypted_model_fields import fields as encrypted_fields


class SecretDecryptionError(RuntimeError):
    """A stored secret could not be decrypted with any configured FIELD_ENCRYPTION_KEY."""


class StoredCiphertext(str):
    """A column value exactly as the database keeps it (encrypted), from a fixture.

    Only the raw-save receiver below makes one; request input is a plain str and is always
    encrypted as the text it is.
    """


def _refuse_undecryptable(ciphertext: str, message: str) -> None:
    try:
        encrypted_fields.decrypt_str(ciphertext)
    except InvalidToken:
        raise SecretDecryptionError(message) from None


class EncryptedSecretField(encrypted_fields.EncryptedCharField):
    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        try:
            return encrypted_fields.decrypt_str(value)
        except InvalidToken:
            raise SecretDecryptionError(
                "A stored secret cannot be decrypted with the configured FIELD_ENCRYPTION_KEY."
            ) from None

    def to_python(self, value):
        """The text given, as it is: never decrypted (that would make the server's key an
        oracle for anyone who can send a value)."""
        return models.CharField.to_python(self, value)

    def get_db_prep_save(self, value, connection):
        # Django hands expressions here too (bulk_update's CASE WHEN ... THEN Value(...)): they
        # must be compiled, not encrypted as their text. The Values inside come back through
        # this method one by one and are encrypted then.
        if hasattr(value, "as_sql"):
            return value
        if isinstance(value, StoredCiphertext):
            return str(value)
        value = models.CharField.get_prep_value(self, value)
        if value is None:
            return None
        return encrypted_fields.encrypt_str(value).decode()

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        if value is None or isinstance(value, StoredCiphertext):
            return value
        return encrypted_fields.encrypt_str(value).decode()


def _keep_fixture_ciphertext(sender, instance, raw, **kwargs):
    """A raw save (loaddata) carries each secret as dumpdata wrote it, encrypted: it is stored
    as it is, not encrypted again, and refused when the configured keys cannot open it."""
    if not raw:
        return
    for field in instance._meta.concrete_fields:
        if not isinstance(field, EncryptedSecretField):
            continue
        value = getattr(instance, field.attname)
        if value is None or isinstance(value, StoredCiphertext):
            continue
        _refuse_undecryptable(
            str(value),
            f"{instance._meta.label}.{field.name} of the fixture cannot be decrypted with the "
            "configured FIELD_ENCRYPTION_KEY: fixtures carry secrets encrypted, as dumpdata "
            "writes them, with a key this server has.",
        )
        setattr(instance, field.attname, StoredCiphertext(value))


pre_save.connect(_keep_fixture_ciphertext, dispatch_uid="credentials.fields.fixture_ciphertext")
