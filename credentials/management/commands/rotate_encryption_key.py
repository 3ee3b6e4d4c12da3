from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from credentials.checks import encryption_key_problem
from credentials.fields import SecretDecryptionError
from credentials.services import encryption_key_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret (credential passwords, previous passwords, the "
        "encryption canary) with the newest FIELD_ENCRYPTION_KEY. List the new key first and "
        "the old ones after it, run this, then the old keys can be removed. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size, verbosity, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        problem = encryption_key_problem()
        if problem:
            raise CommandError(problem)
        keys = settings.FIELD_ENCRYPTION_KEY
        if isinstance(keys, str) or len(keys) == 1:
            self.stderr.write(
                self.style.WARNING(
                    "Only one key is configured: secrets are re-encrypted with the key they "
                    "already use. To rotate, list the new key first, then the old one."
                )
            )
        try:
            counts = encryption_key_rotate(
                batch_size=batch_size, progress=self.report_batch if verbosity > 1 else None
            )
        except SecretDecryptionError as exc:
            raise CommandError(
                f"{exc} Add the key those secrets were encrypted with to FIELD_ENCRYPTION_KEY "
                "(after the new key) and run again; the batches done so far are kept."
            ) from None
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count} re-encrypted")
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {sum(counts.values())} secrets now use the newest key. The old keys "
                "can be removed from FIELD_ENCRYPTION_KEY."
            )
        )

    def report_batch(self, label: str, count: int) -> None:
        self.stdout.write(f"  {label}: {count} so far")
