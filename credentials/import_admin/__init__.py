"""The client admin's import screens: upload, mapping, preview, confirm, rejected rows.

django-import-export runs the steps (its import_action and process_import); this module adds
what a spreadsheet from anywhere needs: the file read by credentials.client_import.files, a
mapping detected from the header that staff may change column by column (the preview runs
again), the preview's totals, its row table capped at PREVIEW_ROWS rows plus every row with
an error or a warning, a confirmation that applies the valid rows (or nothing, "all or
nothing"), and the rejected rows as a CSV file to fix and upload again.

The uploaded file waits encrypted in the database (credentials.import_uploads); so does the
rejected-rows file, readable only by the user who uploaded, in their organization.
"""

from credentials.import_admin.forms import (
    SKIP,
    ClientConfirmImportForm,
    ClientImportForm,
    ClientMappingForm,
)
from credentials.import_admin.mixins import ClientImportAdminMixin, PendingImportAdminMixin
from credentials.import_admin.rows import FIRST_DATA_ROW, PREVIEW_ROWS, rejected_rows_csv

__all__ = [
    "FIRST_DATA_ROW",
    "PREVIEW_ROWS",
    "SKIP",
    "ClientConfirmImportForm",
    "ClientImportAdminMixin",
    "ClientImportForm",
    "ClientMappingForm",
    "PendingImportAdminMixin",
    "rejected_rows_csv",
]
