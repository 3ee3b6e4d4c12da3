"""Startup verification that the configured FIELD_ENCRYPTION_KEY decrypts the stored secrets.

django-encrypted-model-fields cannot tell a wrong key from plaintext. A canary row holding a
known constant, encrypted when the database was first migrated, tells them apart: if the
configured keys cannot decrypt it, the app must not serve.
"""

from django.core.checks import Error
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from credentials.fields import SecretDecryptionError

ENCRYPTION_KEY_ERROR_ID = "credentials.E001"
HINT = (
    "Set FIELD_ENCRYPTION_KEY to the comma-separated Fernet keys the data was encrypted with, "
    "newest first. To move to a new key, list it first followed by the old one, then run "
    "`manage.py rotate_encryption_key`."
)


def encryption_key_problem() -> str | None:
    """Why the configured keys cannot decrypt the stored secrets, or None when they can.

    Without a canary (it is created after migrate) the newest credential is tried instead. A
    database that is unreachable or not migrated yet has nothing to verify: `migrate` must run.
    """
    from credentials.models import Credential, EncryptionCanary

    try:
        canary = EncryptionCanary.objects.order_by("pk").first()
        if canary is None:
            Credential.objects.only("pk", "password").order_by("-pk").first()
            return None
    except SecretDecryptionError:
        return (
            "FIELD_ENCRYPTION_KEY cannot decrypt the stored secrets: none of the configured "
            "keys is the one they were encrypted with."
        )
    except DatabaseError:
        return None
    if canary.value != EncryptionCanary.EXPECTED:
        return "FIELD_ENCRYPTION_KEY decrypts the encryption canary to an unexpected value."
    return None


def check_encryption_key(app_configs=None, **kwargs) -> list[Error]:
    """System check: the configured keys decrypt the stored canary."""
    problem = encryption_key_problem()
    return [Error(problem, hint=HINT, id=ENCRYPTION_KEY_ERROR_ID)] if problem else []


def verify_encryption_key() -> None:
    """Raise ImproperlyConfigured when the keys cannot decrypt the stored secrets (for WSGI)."""
    problem = encryption_key_problem()
    if problem:
        raise ImproperlyConfigured(f"{problem} {HINT}")
