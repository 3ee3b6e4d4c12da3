"""The CSV bulk-import engine of clients, shared by the admin, the API and `import_clients`.

Its rooms, in the order an upload goes through them:

- mapping.py: the fields, which field each column is, header detection, and
  `upload_validate`, the checks of a whole upload every door makes first (no database);
- rows.py: reading and checking one row against the limits and the catalog (no database);
- plan.py: which client each row is about, and each chunk of clients planned against the
  database (state.py: a client's state as the rows leave it, loaded a chunk at a time);
- writes.py: a chunk's writes (`ChunkWrites`), applied set-based by the clients and
  credentials services;
- report.py: what the upload tells (`ClientImportReport`, `RowReport`);
- engine.py: `clients_import`, the entry point tying them together in one transaction.
"""

from credentials.client_import.engine import ImportConflict, clients_import
from credentials.client_import.mapping import (
    FIELD_DESCRIPTIONS,
    FIELDS,
    MappingError,
    UploadShape,
    field_name,
    is_header_row,
    mapping_resolve,
    upload_validate,
)
from credentials.client_import.report import ClientImportReport, RowReport

__all__ = [
    "FIELDS",
    "FIELD_DESCRIPTIONS",
    "ClientImportReport",
    "ImportConflict",
    "MappingError",
    "RowReport",
    "UploadShape",
    "clients_import",
    "field_name",
    "is_header_row",
    "mapping_resolve",
    "upload_validate",
]
