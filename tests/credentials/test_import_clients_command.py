"""manage.py import_clients FILE.csv [--mapping ...] [--dry-run] [--atomic]."""

import io

import pytest
from django.core.management import CommandError, call_command

from clients.models import Client, Role
from credentials.management.commands import import_clients
from credentials.models import ClientImport, Credential
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

WITH_HEADER = (
    "Name,Status,Country,Report type,PRO,Login,Password\n"
    "ABC Corporation,active,DE,WEEE,Stiftung EAR,abc@example.com,Cmd-Pw-1\n"
    "ABC Corporation,,FR,Packaging,Citeo,abc-fr@example.com,Cmd-Pw-2\n"
    "Beta BV,onboarding,NL,WEEE,,,\n"
)


@pytest.fixture
def csv_file(tmp_path):
    def write(content, name="clients.csv", encoding="utf-8"):
        path = tmp_path / name
        path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
        return path

    return write


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_clients", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_a_file_with_a_header_is_imported_and_recorded(csv_file, organization):
    user = MembershipFactory(organization=organization, role=Role.STAFF).user

    out, _ = run(str(csv_file(WITH_HEADER)), "--user", user.username)

    assert "2 clients created, 0 clients updated, 0 rows with errors" in out
    assert set(organization.clients.values_list("name", flat=True)) == {
        "ABC Corporation",
        "Beta BV",
    }
    assert Credential.objects.get(login="abc@example.com").password == "Cmd-Pw-1"
    record = ClientImport.objects.get()
    assert (record.source, record.user, record.file_name, record.organization) == (
        "command",
        user,
        "clients.csv",
        organization,
    )


def test_a_mapping_reads_a_file_without_header_from_its_first_row(csv_file, organization):
    path = csv_file("Alpha GmbH,active,x\nBeta BV,paused,y\n")

    with pytest.raises(CommandError, match="1 rows with errors were not imported"):
        run(str(path), "--organization", organization.name, "--mapping", "name,status,")

    assert list(organization.clients.values_list("name", flat=True)) == ["Alpha GmbH"]
    assert ClientImport.objects.get().row_errors[0]["row"] == 2


def test_dry_run_changes_nothing(csv_file, organization):
    out, _ = run(str(csv_file(WITH_HEADER)), "--organization", organization.name, "--dry-run")

    assert out.startswith("Preview, nothing changed: 2 clients created")
    assert not Client.objects.exists()
    assert not ClientImport.objects.exists()


def test_atomic_applies_nothing_when_a_row_fails(csv_file, organization):
    path = csv_file(WITH_HEADER + "Broken SA,paused,,,,,\n")

    with pytest.raises(CommandError, match="Nothing imported"):
        run(str(path), "--organization", organization.name, "--atomic")

    assert not Client.objects.exists()
    assert ClientImport.objects.get().applied is False


def test_row_errors_are_listed_and_the_valid_rows_applied(csv_file, organization):
    path = csv_file(WITH_HEADER + "Broken SA,paused,XX,WEEE,,,\n")

    with pytest.raises(CommandError, match="1 rows with errors were not imported"):
        run(str(path), "--organization", organization.name)

    assert organization.clients.count() == 2


def test_errors_are_written_with_their_row_and_field(csv_file, organization):
    path = csv_file(WITH_HEADER + "Broken SA,paused,,,,,\n")
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_clients", str(path), "--organization", organization.name, stderr=err)

    assert "row 5, status: Unknown status. Valid: active," in err.getvalue()


def test_the_progress_bar_goes_through_every_byte_of_the_file(csv_file, organization, monkeypatch):
    counted = []

    class RecordingBar:
        def __init__(self, total, **kwargs):
            counted.append(total)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, rows):
            counted.append(rows)

    monkeypatch.setattr(import_clients, "tqdm", RecordingBar)

    path = csv_file(WITH_HEADER)
    run(str(path), "--organization", organization.name)

    assert counted[0] == path.stat().st_size
    assert sum(counted[1:]) == path.stat().st_size


@pytest.mark.parametrize(
    ("content", "arguments", "message"),
    [
        (b"name\n\x00\x81\x00\n", [], "is neither text nor an XLSX workbook"),
        (WITH_HEADER, ["--mapping", "name,colour"], r"Unknown field in column 2\."),
        ("Name,Name\nA,B\n", [], "Columns 1 and 2 both map to 'name'"),
        ("name\n", [], "has no data rows"),
        ("", [], "is empty"),
        (b"name\n" + b"x" * 200_000 + b"\n", [], "cannot be read as CSV: field larger"),
    ],
    ids=["binary", "unknown field", "duplicate field", "header only", "empty", "huge cell"],
)
def test_an_unusable_file_is_refused_and_changes_nothing(
    csv_file, organization, content, arguments, message
):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(str(csv_file(content)), "--organization", organization.name, *arguments)

    assert not Client.objects.exists()


def test_an_organization_is_required(csv_file):
    with pytest.raises(CommandError, match="Give --organization"):
        run(str(csv_file(WITH_HEADER)))


def test_an_unknown_organization_is_refused(csv_file):
    with pytest.raises(CommandError, match="No organization called 'Nobody'"):
        run(str(csv_file(WITH_HEADER)), "--organization", "Nobody")


def test_an_over_long_cell_is_written_as_an_error_of_its_row_and_field(csv_file, organization):
    path = csv_file(WITH_HEADER + "Gamma SA,active,DE,WEEE,Stiftung EAR,g@example.com," + "P" * 501)
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 rows with errors were not imported"):
        call_command("import_clients", str(path), "--organization", organization.name, stderr=err)

    assert "row 5, password: password is too long: at most 500 characters." in err.getvalue()
    assert "PPP" not in err.getvalue()
    assert not organization.clients.filter(name="Gamma SA").exists()
