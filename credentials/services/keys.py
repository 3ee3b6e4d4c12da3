"""The field encryption key: the encryption canary that vouches for it, and the re-encryption of
every stored secret with the newest key."""

from django.db import connections, transaction

from credentials.models import (
    Credential,
    CredentialPasswordHistory,
    EncryptionCanary,
)

ENCRYPTED_FIELDS: list[tuple[type, str]] = [
    (Credential, "password"),
    (CredentialPasswordHistory, "password"),
    (EncryptionCanary, "value"),
]


def encryption_canary_ensure(*, using: str = "default") -> EncryptionCanary | None:
    """The encryption canary, created with the current key if there is none yet.

    Before vouching for the key on a database that already holds secrets, the newest
    credential is decrypted: a wrong key raises SecretDecryptionError here instead of being
    recorded as the right one.
    """
    connection = connections[using]
    if EncryptionCanary._meta.db_table not in connection.introspection.table_names():
        return None
    canary = EncryptionCanary.objects.using(using).order_by("pk").first()
    if canary is not None:
        return canary
    Credential.objects.using(using).only("pk", "password").order_by("-pk").first()
    return EncryptionCanary.objects.using(using).create(value=EncryptionCanary.EXPECTED)


def encryption_key_rotate(*, batch_size: int = 1000, progress=None) -> dict[str, int]:
    """Re-encrypt every stored secret with the newest FIELD_ENCRYPTION_KEY.

    Reading decrypts with any configured key, saving encrypts with the first one. Each batch is
    its own transaction with its rows locked, so an interrupted run can simply be run again.
    Returns the number of values re-encrypted per `app.Model.field`; `progress(label, count)`
    is called after each batch.
    """
    counts: dict[str, int] = {}
    for model, field in ENCRYPTED_FIELDS:
        label = f"{model._meta.label}.{field}"
        counts[label] = 0
        last_pk = 0
        while True:
            with transaction.atomic():
                batch = list(
                    model.objects.select_for_update()
                    .filter(pk__gt=last_pk)
                    .order_by("pk")
                    .only("pk", field)[:batch_size]
                )
                if not batch:
                    break
                model.objects.bulk_update(batch, [field])
            counts[label] += len(batch)
            last_pk = batch[-1].pk
            if progress is not None:
                progress(label, counts[label])
    return counts
