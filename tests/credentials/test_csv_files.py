"""Reading uploaded CSV files."""

import pytest

from credentials.csv_files import CsvFileError, csv_rows


def test_rows_keep_a_line_break_inside_a_quoted_cell_and_drop_the_byte_order_mark():
    assert csv_rows('\ufeffname,notes\r\nAcme,"two\r\nlines"\r\n'.encode()) == [
        ["name", "notes"],
        ["Acme", "two\r\nlines"],
    ]


def test_text_that_is_not_utf8_is_refused_naming_the_byte():
    with pytest.raises(CsvFileError, match=r"not UTF-8 text \(byte 0xe9 at position 8\)"):
        csv_rows(b"name\nCaf\xe9\n")


def test_a_cell_over_the_csv_field_limit_is_refused_not_raised_as_csv_error():
    with pytest.raises(CsvFileError, match="cannot be read as CSV"):
        csv_rows("name\n" + "x" * 200_000 + "\n")
