"""What the preview shows of each row, and the rejected rows as a CSV file to fix."""

import csv
import io

from credentials.models import MASK
from credentials.resources import _diff_cell, spreadsheet_safe

# Rows the preview table shows whatever the file's size, besides every row with an error or a
# warning: a 5,000-row file previews in a page a browser renders at once.
PREVIEW_ROWS = 100


def error_texts(row) -> list[str]:
    """A row's errors as the preview and the rejected-rows file show them: `field: message`."""
    return [f"{field}: {message}" if field else message for field, message in row.errors]


def _rejected_cells(row, source: list[str], width: int, mapping) -> list[str]:
    """A rejected row's cells padded to the header, passwords and rejected cells masked."""
    cells = [*source, *[""] * (width - len(source))]
    withheld = {"password", *(field for field, _ in row.errors if field)}
    return [
        MASK if cell and name in withheld else cell
        for cell, name in zip(cells, mapping, strict=False)
    ]


def rejected_rows_csv(result) -> bytes:
    """The invalid rows of a preview or an import as a CSV file to fix and upload again: the
    file's header and cells, then the row's number in the file and its errors. Password cells
    are "***", and so are the cells a row error rejects (the preview's rule: in a file mapped
    off by a column, a password may sit under any field); every cell a spreadsheet would run
    as a formula is quoted, as in exports.
    In the file's own delimiter, UTF-8 with a byte-order mark (so Excel reads it right)."""
    report = result.client_import
    info = getattr(result, "file_info", None)
    delimiter = info.delimiter if info is not None and info.delimiter else ","
    headers = list(result.diff_headers)

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([spreadsheet_safe(h) for h in [*headers, "row", "error"]])
    first = FIRST_DATA_ROW
    for row in report.row_reports or ():
        if row.import_type != "invalid":
            continue
        source = list(result.source_rows[row.number - first])
        cells = _rejected_cells(row, source, len(headers), report.mapping)
        error = "; ".join(error_texts(row))
        writer.writerow([spreadsheet_safe(cell) for cell in [*cells, str(row.number), error]])
    return buffer.getvalue().encode("utf-8-sig")


FIRST_DATA_ROW = 2


def warnings_by_row(report) -> dict[int, list[str]]:
    warnings: dict[int, list[str]] = {}
    for warning in report.row_warnings:
        warnings.setdefault(warning["row"], []).append(f"{warning['field']}: {warning['message']}")
    return warnings


def preview_cells(row, names: list[str]) -> list:
    """An invalid row shows its cells as read; another, what it changes (`_diff_cell`)."""
    if row.import_type == "invalid":
        return [row.values.get(name, "") for name in names]
    return [_diff_cell(row, name) for name in names]
