"""An encrypted text field that fails loudly instead of leaking ciphertext.

django-encrypted-model-fields returns the stored ciphertext unchanged when it cannot decrypt it
(wrong key). Shown to a user that would look like a password; here it raises instead. It also
serializes (dumpdata) the plaintext; here serialized secrets stay encrypted.
"""

from cryptography.fernet import InvalidToken
from django.core.exceptions import ValidationError
from django.db import models
from encrypted_model_fields import fields as encrypted_fields

# Every Fernet token starts with its version byte and a timestamp: base64 "gAAAAA".
FERNET_TOKEN_PREFIX = "gAAAAA"


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

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return None if value is None else encrypted_fields.encrypt_str(value).decode()

    def to_python(self, value):
        """Plaintext from forms and services as it is; a serialized (encrypted) secret from a
        fixture decrypted, or refused when the configured keys cannot decrypt it."""
        value = models.CharField.to_python(self, value)
        if not (isinstance(value, str) and value.startswith(FERNET_TOKEN_PREFIX)):
            return value
        try:
            return encrypted_fields.decrypt_str(value)
        except InvalidToken:
            raise ValidationError(
                "This looks like an encrypted secret that the configured FIELD_ENCRYPTION_KEY "
                "cannot decrypt.",
                code="undecryptable",
            ) from None
