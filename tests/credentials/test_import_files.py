"""Reading spreadsheets of any usual shape (credentials.client_import.files) and matching
their headers to fields (credentials.client_import.mapping)."""

import datetime
import io
import types

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clients.models import Client
from credentials.client_import.files import FileInfo, FileReadError, read_rows, read_table
from credentials.client_import.mapping import field_name, mapping_detect

GERMAN = "Firma;Land;Status;Notizen\r\nMüller GmbH;DE;active;Größe €\r\n"


def xlsx(*rows, number_formats=None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Kunden"
    for row in rows:
        sheet.append(list(row))
    for cell, number_format in (number_formats or {}).items():
        sheet[cell].number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_semicolon_separated_windows_1252_file_is_read_and_described():
    info, rows = read_rows(GERMAN.encode("cp1252"))

    assert (info.format, info.encoding, info.delimiter) == ("csv", "cp1252", ";")
    assert info.description == "Semicolon-separated, Windows-1252"
    assert rows == [
        ["Firma", "Land", "Status", "Notizen"],
        ["Müller GmbH", "DE", "active", "Größe €"],
    ]


def test_a_tab_separated_file_is_read():
    info, rows = read_rows(b"name\tcountry\nAcme\tDE\n")

    assert info.delimiter == "\t"
    assert rows == [["name", "country"], ["Acme", "DE"]]


def test_a_utf8_file_with_a_byte_order_mark_loses_the_mark():
    info, rows = read_rows("\ufeffname,country\nÄrzte AG,DE\n".encode())

    assert info.encoding == "utf-8-sig"
    assert rows[0] == ["name", "country"]
    assert rows[1] == ["Ärzte AG", "DE"]


def test_a_utf16_file_is_read_from_its_byte_order_mark():
    info, rows = read_rows("name;country\r\nÉcole SA;FR\r\n".encode("utf-16"))

    assert (info.encoding, info.delimiter) == ("utf-16", ";")
    assert rows == [["name", "country"], ["École SA", "FR"]]


def test_a_delimiter_inside_quotes_does_not_split_the_cell():
    info, rows = read_rows(b'name,notes\n"Alpha; Beta",x\n')

    assert info.delimiter == ","
    assert rows[1] == ["Alpha; Beta", "x"]


def test_a_quoted_cell_keeps_its_line_break():
    _, rows = read_rows(b'name,notes\r\nAcme,"two\r\nlines"\r\n')

    assert rows[1] == ["Acme", "two\r\nlines"]


def test_a_file_on_disk_is_read_lazily_as_an_iterator(tmp_path):
    path = tmp_path / "clients.csv"
    path.write_bytes(GERMAN.encode("cp1252"))

    info, rows = read_table(path)

    assert isinstance(info, FileInfo)
    assert isinstance(rows, types.GeneratorType)
    assert next(rows) == ["Firma", "Land", "Status", "Notizen"]


def test_an_xlsx_workbook_is_read_as_text_as_the_user_sees_it():
    content = xlsx(
        ["Name", "Land", "Since", "Number", "Shared"],
        ["Acme", "DE", datetime.date(2024, 3, 1), 12345.0, True],
        [],
        ["Beta", "NL", datetime.datetime(2024, 3, 1, 10, 30), 1.5],
        number_formats={"C2": "dd/mm/yyyy"},
    )

    info, rows = read_rows(content)

    assert (info.format, info.sheet) == ("xlsx", "Kunden")
    assert info.description == "Excel workbook (XLSX), sheet “Kunden”"
    assert rows == [
        ["Name", "Land", "Since", "Number", "Shared"],
        ["Acme", "DE", "01/03/2024", "12345", "TRUE"],
        [],
        ["Beta", "NL", "2024-03-01T10:30:00", "1.5", ""],
    ]


def test_a_binary_file_that_is_not_a_workbook_is_refused():
    with pytest.raises(FileReadError, match="neither text nor an XLSX workbook"):
        read_rows(b"\x00\x81\x00\x82 binary")


def test_a_damaged_workbook_is_refused():
    with pytest.raises(FileReadError, match="cannot be read as an XLSX workbook"):
        read_rows(b"PK\x03\x04 not really a zip")


def test_a_cell_over_the_csv_field_limit_is_a_read_error():
    with pytest.raises(FileReadError, match="cannot be read as CSV"):
        read_rows(b"name\n" + b"x" * 200_000 + b"\n")


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Company", "name"),
        ("Firma", "name"),
        ("Société", "name"),
        ("Unternehmen", "name"),
        ("Client", "name"),
        ("NAME ", "name"),
        ("Benutzername", "login"),
        ("Identifiant", "login"),
        ("Utilisateur", "login"),
        ("Username", "login"),
        ("Passwort", "password"),
        ("Mot de passe", "password"),
        ("Kennwort", "password"),
        ("Land", "country"),
        ("Pays", "country"),
        ("Organisation", "pro"),
        ("System", "pro"),
        ("Scheme", "pro"),
        ("Registrierungsnummer", "registration_number"),
        ("Numéro d'enregistrement", "registration_number"),
        ("WEEE-Reg.-Nr.", "registration_number"),
        ("Notizen", "notes"),
        ("Remarques", "notes"),
        ("Berichtsart", "report_type"),
        ("Type de déclaration", "report_type"),
        ("report-type", "report_type"),
        ("Intervall", "interval"),
        ("Fréquence", "interval"),
        ("Lokaler Firmenname", "local_company_name"),
        ("Local company name", "local_company_name"),
    ],
)
def test_headers_match_fields_ignoring_case_accents_separators_and_synonyms(header, field):
    assert field_name(header) == field


def test_detection_skips_unknown_headers_and_a_field_taken_by_an_earlier_column():
    assert mapping_detect(["Firma", "Company", "Colour", "", "Land"]) == [
        "name",
        None,
        None,
        None,
        "country",
    ]


@pytest.mark.django_db
def test_the_command_imports_a_semicolon_windows_1252_file_with_a_german_header(
    tmp_path, organization
):
    path = tmp_path / "kunden.csv"
    path.write_bytes(GERMAN.encode("cp1252"))
    err = io.StringIO()

    call_command("import_clients", str(path), "--organization", organization.name, stderr=err)

    client = Client.objects.get(organization=organization)
    assert (client.name, client.notes) == ("Müller GmbH", "Größe €")
    assert client.obligations.get().country.code == "DE"
    assert "Semicolon-separated, Windows-1252" in err.getvalue()


@pytest.mark.django_db
def test_the_command_imports_an_xlsx_workbook(tmp_path, organization):
    path = tmp_path / "clients.xlsx"
    path.write_bytes(xlsx(["Company", "Status"], ["Acme GmbH", "onboarding"]))

    call_command(
        "import_clients", str(path), "--organization", organization.name, stderr=io.StringIO()
    )

    assert Client.objects.get(organization=organization).status == "onboarding"


@pytest.mark.django_db
def test_the_command_refuses_a_binary_file(tmp_path, organization):
    path = tmp_path / "clients.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\x00\x00\x81")

    with pytest.raises(CommandError, match="neither text nor an XLSX workbook"):
        call_command("import_clients", str(path), "--organization", organization.name)
