"""Files uploaded to the admin's import, kept between the preview and the confirmation.

django-import-export keeps an uploaded file between its two steps in a "temporary storage" named
by a hidden field of the confirm form, which the browser sends back. Its default, a file in the
temporary folder, keeps the passwords of the file in plaintext on disk, for ever when the
import is not confirmed, and reads (then deletes) whatever file of that folder the browser
names. Here the file is a PendingImportFile row instead: Fernet-encrypted with
FIELD_ENCRYPTION_KEY, named by a random key, readable only by the user who uploaded it in their
organization, for IMPORT_UPLOAD_TTL seconds, and deleted once confirmed.
"""

import secrets
from datetime import datetime, timedelta

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from encrypted_model_fields import fields as encrypted_fields
from import_export.tmp_storages import BaseStorage

from clients.models import Organization
from credentials.models import PendingImportFile


class UploadGone(LookupError):
    """No upload of that name that this user may read: it never existed, it is another user's
    or organization's, it expired or it was confirmed already."""


def _oldest_kept() -> datetime:
    return timezone.now() - timedelta(seconds=settings.IMPORT_UPLOAD_TTL)


def pending_uploads_purge() -> int:
    """Delete the uploads older than IMPORT_UPLOAD_TTL; answers how many."""
    deleted, _ = PendingImportFile.objects.filter(created_at__lt=_oldest_kept()).delete()
    return deleted


class PendingImportStorage(BaseStorage):
    """django-import-export's temporary storage of an admin import, bound to `user` and
    `organization` (the admin passes them, see credentials.import_admin)."""

    def __init__(self, *, user=None, organization: Organization | None = None, **kwargs):
        super().__init__(**kwargs)
        if user is None or organization is None:
            raise ImproperlyConfigured(
                "PendingImportStorage needs the importing user and organization: give the admin "
                "credentials.import_admin.PendingImportAdminMixin."
            )
        self.user = user
        self.organization = organization

    def save(self, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode(self.encoding or "utf-8")
        # Uploads never confirmed are deleted by the next upload after they expire.
        pending_uploads_purge()
        self.name = secrets.token_urlsafe(32)
        PendingImportFile.objects.create(
            name=self.name,
            organization=self.organization,
            user=self.user,
            content=encrypted_fields.CRYPTER.encrypt(data).decode("ascii"),
        )

    def _own(self):
        return PendingImportFile.objects.filter(
            name=self.name or "", organization=self.organization, user=self.user
        )

    def read(self) -> bytes | str:
        """The file (text unless the read mode is binary); UploadGone when this user may not
        read it (whatever the reason, so that a name tells nothing about other uploads)."""
        upload = self._own().filter(created_at__gte=_oldest_kept()).first()
        if upload is None:
            raise UploadGone(self.name)
        try:
            data = encrypted_fields.CRYPTER.decrypt(upload.content.encode("ascii"))
        except InvalidToken:
            # Encrypted with a key since removed from FIELD_ENCRYPTION_KEY.
            raise UploadGone(self.name) from None
        if "b" in self.read_mode:
            return data
        return data.decode(self.encoding or "utf-8-sig")

    def remove(self) -> None:
        self._own().delete()
