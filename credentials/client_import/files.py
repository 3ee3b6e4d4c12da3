"""Reading an uploaded spreadsheet into rows of cell strings, whatever program saved it.

`read_table` takes the file's bytes or its path and answers what it detected (`FileInfo`) and
an iterator of rows, so a large file is read as it is consumed, never held whole:

- XLSX (a zip archive): the first sheet through openpyxl's read-only mode; values as text,
  whole numbers without ".0", dates in the cell's own date format where it is a plain one.
- Text: UTF-8 with or without a byte-order mark, UTF-16 with one, otherwise a single-byte
  Western encoding (Windows-1252 or Latin-1, as Excel saves "CSV" in most of Europe) told
  apart by charset-normalizer; cells separated by commas, semicolons or tabs, found by
  csv.Sniffer restricted to those three, or by counting them in the first line.
"""

import codecs
import csv
import datetime
import io
import os
import re
import typing
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer

SAMPLE_BYTES = 64 * 1024
DELIMITERS = ",;\t"
DELIMITER_NAMES = {",": "Comma-separated", ";": "Semicolon-separated", "\t": "Tab-separated"}
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with byte-order mark",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1 (ISO-8859-1)",
}
# The encodings a text file without byte-order mark may be in when it is not UTF-8.
LEGACY_ENCODINGS = ["cp1252", "latin_1"]
XLSX_MAGIC = b"PK\x03\x04"


class FileReadError(ValueError):
    """A file that cannot be read as a table; the message says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FileInfo:
    """What `read_table` found: `format` "csv" or "xlsx", the text's `encoding` and
    `delimiter` (None for XLSX), and the sheet read of a workbook."""

    format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    @property
    def description(self) -> str:
        """As the admin's preview says it, e.g. "Semicolon-separated, Windows-1252"."""
        if self.format == "xlsx":
            return f"Excel workbook (XLSX), sheet “{self.sheet}”"
        encoding = ENCODING_NAMES.get(self.encoding or "", self.encoding or "")
        return f"{DELIMITER_NAMES[self.delimiter or ',']}, {encoding}"


Source = bytes | str | os.PathLike | typing.BinaryIO


def read_table(source: Source) -> tuple[FileInfo, Iterator[list[str]]]:
    """The file's format and its rows (lists of cell strings; a blank line is []).

    `source` is the file's content (bytes), its path, or a binary file open at its start. FileReadError when it is neither an
    XLSX workbook nor text in one of the encodings above; an error met later in the file
    (e.g. a cell over the csv module's field limit) is raised by the iterator as
    FileReadError too."""
    if hasattr(source, "read"):
        stream = source
    elif isinstance(source, bytes):
        stream = io.BytesIO(source)
    else:
        stream = open(Path(source), "rb")  # noqa: SIM115
    try:
        head = stream.read(SAMPLE_BYTES)
        stream.seek(0)
        if head.startswith(XLSX_MAGIC):
            return _xlsx_table(stream)
        encoding = _encoding_of(head)
        sample = _text_sample(head, encoding)
        info = FileInfo(format="csv", encoding=encoding, delimiter=_delimiter_of(sample))
    except BaseException:
        stream.close()
        raise
    return info, _csv_rows(stream, info)


def read_rows(source: Source) -> tuple[FileInfo, list[list[str]]]:
    """`read_table` with every row read (for the doors that hold the file in memory)."""
    info, rows = read_table(source)
    return info, list(rows)


# Text ------------------------------------------------------------------------------------------


def _encoding_of(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # A sample may end inside a character: only a byte that can never be UTF-8 counts.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < SAMPLE_BYTES)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in head:
        raise FileReadError(
            "The file is neither text nor an XLSX workbook (an .xls file? save it as XLSX or CSV)."
        )
    best = charset_normalizer.from_bytes(head, cp_isolation=LEGACY_ENCODINGS).best()
    name = best.encoding if best is not None else "cp1252"
    return "latin-1" if name == "latin_1" else name


def _text_sample(head: bytes, encoding: str) -> str:
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)
    # Whole lines only: a cut line would mislead the sniffer.
    if len(head) >= SAMPLE_BYTES and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    return text


def _delimiter_of(sample: str) -> str:
    first_line = sample.lstrip("\ufeff").split("\n", 1)[0]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    if sniffed and sniffed in first_line:
        return sniffed
    counts = {d: _count_outside_quotes(first_line, d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def _csv_rows(stream, info: FileInfo) -> Iterator[list[str]]:
    strict = info.encoding in ("utf-8", "utf-8-sig", "utf-16")
    text = io.TextIOWrapper(
        stream, encoding=info.encoding, errors="strict" if strict else "replace", newline=""
    )
    try:
        yield from csv.reader(text, delimiter=info.delimiter)
    except UnicodeDecodeError as error:
        raise FileReadError(
            f"The file is not {ENCODING_NAMES[info.encoding]} text throughout (byte "
            f'0x{error.object[error.start]:02x}). Save it as "CSV UTF-8".'
        ) from None
    except csv.Error as error:
        raise FileReadError(f"The file cannot be read as CSV: {error}.") from None
    finally:
        text.close()


# XLSX ------------------------------------------------------------------------------------------


def _xlsx_table(stream) -> tuple[FileInfo, Iterator[list[str]]]:
    import openpyxl  # the XLSX reader is loaded only for workbooks

    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileReadError(f"The file cannot be read as an XLSX workbook ({error}).") from None
    sheet = workbook.worksheets[0]
    return FileInfo(format="xlsx", sheet=sheet.title), _xlsx_rows(workbook, sheet, stream)


def _xlsx_rows(workbook, sheet, stream) -> Iterator[list[str]]:
    width = None
    try:
        for cells in sheet.iter_rows():
            row = [_cell_text(cell) for cell in cells]
            while row and row[-1] == "":
                row.pop()
            if width is None and row:
                width = len(row)  # the header's: rows are padded to it like a CSV's
            if row and width and len(row) < width:
                row.extend([""] * (width - len(row)))
            yield row
    finally:
        workbook.close()
        stream.close()


def _cell_text(cell) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return _date_text(value, getattr(cell, "number_format", "") or "")
    return str(value)


# Excel date format tokens, longest first, and their strftime spelling.
_DATE_TOKENS = [
    ("yyyy", "%Y"),
    ("yy", "%y"),
    ("dd", "%d"),
    ("hh", "%H"),
    ("ss", "%S"),
    ("mm", "%m"),
]
_PLAIN_DATE_FORMAT = re.compile(r"^[ymdhs:./\- ]+$")


def _date_text(value, number_format: str) -> str:
    """The date as its cell's format shows it when that format is a plain one (dd/mm/yyyy,
    yyyy-mm-dd hh:mm...), else in ISO form."""
    fmt = number_format.lower().replace('"', "").replace("\\", "")
    if _PLAIN_DATE_FORMAT.match(fmt) and hasattr(value, "strftime"):
        pattern = re.sub(r"(h+)(:)(m+)", lambda m: f"{m[1]}:MINUTES", fmt)
        for token, directive in _DATE_TOKENS:
            pattern = pattern.replace(token, directive)
        pattern = pattern.replace("MINUTES", "%M")
        if "%" in pattern and not re.search(r"(?<!%)[a-z]", pattern):
            return value.strftime(pattern)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()
    return value.isoformat()
