"""Reading an uploaded CSV file into rows of cells, for the admin import and `import_clients`."""

import csv
import io


class CsvFileError(ValueError):
    """A file that cannot be read as CSV text; the message says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def csv_rows(raw: bytes | str) -> list[list[str]]:
    """The rows of a CSV file: UTF-8, with or without a byte-order mark; a quoted cell may hold
    line breaks. CsvFileError when it is not UTF-8 or not CSV (e.g. a cell over the csv
    module's 128 KiB field limit)."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CsvFileError(
                f"The file is not UTF-8 text (byte 0x{raw[error.start]:02x} at position "
                f'{error.start}). Save it as "CSV UTF-8".'
            ) from None
    else:
        text = raw
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise CsvFileError(f"The file cannot be read as CSV: {error}.") from None
