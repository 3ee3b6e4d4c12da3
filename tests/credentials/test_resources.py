"""ClientResource: the admin's import Result from the import engine, and a safe export."""

import pytest
import tablib

from clients.models import Role
from credentials.models import ClientImport
from credentials.resources import ClientFile, ClientResource, spreadsheet_safe
from tests.factories import AliasFactory, ClientFactory, CredentialFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(organization):
    return MembershipFactory(organization=organization, role=Role.STAFF).user


def dataset(text: str) -> tablib.Dataset:
    return ClientFile().create_dataset(text.encode())


@pytest.mark.parametrize("text", ["=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_leading_text_is_quoted(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["ABC Corp", "a=b", "", None, 5])
def test_other_values_are_left_alone(value):
    assert spreadsheet_safe(value) == value


def test_export_lists_client_fields_and_never_a_credential(organization):
    client = ClientFactory(organization=organization, name="-Minus GmbH", notes="@note")
    CredentialFactory(client=client, login="login-x", password="Res0urce-S3cret")
    AliasFactory(client=client, scope="*", name="+Global")
    AliasFactory(client=client, scope="FR", name="Minus SAS")

    exported = ClientResource().export(organization.clients.all())

    row = dict(zip(exported.headers, exported[0], strict=True))
    assert (row["name"], row["notes"], row["alias"]) == ("'-Minus GmbH", "'@note", "'+Global")
    assert row["local_company_names"] == "FR: Minus SAS"
    assert "password" not in exported.headers and "login" not in exported.headers
    assert "Res0urce-S3cret" not in exported.csv


def test_a_dry_run_fills_the_result_the_admin_preview_shows(organization, staff):
    existing = ClientFactory(organization=organization, name="Existing AG", status="active")
    data = dataset(
        "Name,Status,Password,Country,Report type,PRO\n"
        "New GmbH,onboarding,Pw-1,DE,WEEE,Stiftung EAR\n"
        "Existing AG,inactive,,,,\n"
        "Existing AG,inactive,,,,\n"
    )

    result = ClientResource().import_data(data, dry_run=True, user=staff, file_name="f.csv")

    assert [row.import_type for row in result.rows] == ["new", "update", "skip"]
    new_row, update_row, _ = result.rows
    assert new_row.diff[:3] == ["<ins>New GmbH</ins>", "<ins>onboarding</ins>", "<ins>***</ins>"]
    assert update_row.diff[1] == "<del>active</del> <ins>inactive</ins>"
    assert update_row.object_id == existing.pk
    assert result.totals["new"] == 1 and result.totals["update"] == 1
    assert result.client_import.created == 1
    assert not ClientImport.objects.exists()
    existing.refresh_from_db()
    assert existing.status == "active"


def test_invalid_rows_carry_their_errors_by_field_and_file_row_and_mask_the_rejected_cells(
    organization, staff
):
    data = dataset("name,status,notes\nAlpha GmbH,paused,x\n")

    result = ClientResource().import_data(data, dry_run=True, user=staff)

    (invalid,) = result.invalid_rows
    assert invalid.number == 2
    assert invalid.field_specific_errors == {
        "status": ["Unknown status. Valid: active, onboarding, inactive, archived."]
    }
    assert invalid.values == ("Alpha GmbH", "***", "x")


def test_an_admin_import_applies_the_valid_rows_and_skips_the_invalid_ones(organization, staff):
    data = dataset("name,status\nAlpha GmbH,active\nBeta BV,paused\n")

    result = ClientResource().import_data(data, dry_run=False, user=staff)

    assert result.client_import.applied is True
    assert list(organization.clients.values_list("name", flat=True)) == ["Alpha GmbH"]


def test_an_admin_import_asked_for_all_or_nothing_applies_nothing(organization, staff):
    data = dataset("name,status\nAlpha GmbH,active\nBeta BV,paused\n")

    result = ClientResource().import_data(data, dry_run=False, user=staff, atomic=True)

    assert result.client_import.applied is False
    assert not organization.clients.exists()
    assert ClientImport.objects.get().source == "admin"


def test_unknown_columns_are_a_base_error(staff):
    result = ClientResource().import_data(dataset("name,colour\nA,red\n"), user=staff)

    assert result.has_errors()
    assert "Unknown field in column 2." in str(result.base_errors[0].error)


def test_a_user_without_organization_cannot_import(django_user_model):
    loner = django_user_model.objects.create_user("loner")

    result = ClientResource().import_data(dataset("name\nAlpha GmbH\n"), user=loner)

    assert "you have none" in str(result.base_errors[0].error)


def test_blank_lines_stay_rows_so_numbers_are_the_files():
    data = dataset("name,status\nAlpha,active\n\nBeta,active\n")

    assert [list(row) for row in data] == [["Alpha", "active"], ["", ""], ["Beta", "active"]]
