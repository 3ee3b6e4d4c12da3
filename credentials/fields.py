"""An encrypted text field that fails loudly instead of leaking ciphertext.

django-encrypted-model-fields returns the stored ciphertext unchanged when it cannot decrypt it
(wrong key). Shown to a user that would look like a password; here it raises instead.
"""

from cryptography.fernet import InvalidToken
from django.db import models
from encrypted_model_fields import fields as encrypted_fields


class SecretDecryptionError(RuntimeError):
    """A stored secret could not be decrypted with any configured FIELD_ENCRYPTION_KEY."""


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

    def get_db_prep_save(self, value, connection):
        # Django hands expressions here too (bulk_update's CASE WHEN ... THEN Value(...)): they
        # must be compiled, not encrypted as their text. The Values inside come back through
        # this method one by one and are encrypted then.
        if hasattr(value, "as_sql"):
            return value
        return super().get_db_prep_save(value, connection)

    def to_python(self, value):
        # Values reaching to_python come from forms and fixtures: they are plaintext already.
        return models.CharField.to_python(self, value)
