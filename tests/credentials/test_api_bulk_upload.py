"""POST /logins/clients/bulk-upload/preview and POST /logins/clients/bulk-upload."""

import json

import pytest

from clients.models import Client
from credentials.models import ClientImport, Credential
from tests.factories import ClientFactory, CredentialFactory

pytestmark = pytest.mark.django_db

PREVIEW = "/logins/clients/bulk-upload/preview"
EXECUTE = "/logins/clients/bulk-upload"
MAPPING = ["name", "status", "country", "report_type", "pro", "login", "password"]
HEADER = ["Name", "Status", "Country", "Report type", "PRO", "Login", "Password"]


def body(*rows, mapping=MAPPING, **extra) -> dict:
    return {"csvData": [HEADER, *rows], "mapping": mapping, "fileId": ["file-1"], **extra}


GOOD = ["ABC Corporation", "active", "DE", "WEEE", "Stiftung EAR", "abc@example.com", "Pw-1"]
GOOD_FR = ["ABC Corporation", "", "FR", "Packaging", "Citeo", "abc-fr@example.com", "Pw-2"]
OTHER = ["Beta BV", "onboarding", "NL", "WEEE", "Stichting OPEN", "beta@example.com", "Pw-3"]
BAD = ["Broken SA", "paused", "XX", "WEEE", "Stiftung EAR", "x", "Pw-4"]


def test_preview_answers_the_seed_shape_and_changes_nothing(staff_api, organization):
    response = staff_api.post(PREVIEW, body(GOOD, GOOD_FR, OTHER, BAD), format="json")

    assert response.status_code == 200
    data = response.json()
    assert data["preview"] is True
    assert data["summary"] == {"would_create": 2, "would_update": 0, "errors": 1, "warnings": 0}
    assert data["validation_results"] == {"valid": 3, "invalid": 1}
    assert data["sample_data"][0] == {
        "name": "ABC Corporation",
        "status": "active",
        "country": "DE",
        "report_type": "WEEE",
        "pro": "Stiftung EAR",
        "login": "abc@example.com",
        "password": "***",
    }
    assert [(e["row"], e["field"]) for e in data["row_errors"]] == [(5, "status"), (5, "country")]
    assert data["row_errors_total"] == 2
    assert data["has_header"] is True
    assert not Client.objects.exists()
    assert not ClientImport.objects.exists()


def test_execute_answers_the_seed_shape_and_records_the_import(staff_api, organization):
    response = staff_api.post(EXECUTE, body(GOOD, GOOD_FR, OTHER, BAD), format="json")

    assert response.status_code == 200
    data = response.json()
    assert {k: data[k] for k in ("created", "updated", "errors", "summary")} == {
        "created": 2,
        "updated": 0,
        "errors": 1,
        "summary": "Bulk upload completed successfully. 2 clients created, 0 clients updated, "
        "1 error encountered.",
    }
    assert data["applied"] is True
    record = ClientImport.objects.get(pk=data["import_id"])
    assert (record.organization, record.user, record.file_ids) == (
        organization,
        staff_api.user,
        ["file-1"],
    )
    assert record.row_errors == data["row_errors"]
    assert set(organization.clients.values_list("name", flat=True)) == {
        "ABC Corporation",
        "Beta BV",
    }
    assert Credential.objects.filter(client__organization=organization).count() == 3


def test_preview_numbers_are_what_execute_then_does(staff_api, organization):
    existing = ClientFactory(organization=organization, name="Beta BV")
    CredentialFactory(client=existing, login="old", password="old")
    upload = body(GOOD, GOOD_FR, OTHER, BAD, ["beta bv", "", "", "", "", "", ""])

    preview = staff_api.post(PREVIEW, upload, format="json").json()
    executed = staff_api.post(EXECUTE, upload, format="json").json()

    assert preview["summary"] == {
        "would_create": executed["created"],
        "would_update": executed["updated"],
        "errors": executed["errors"],
        "warnings": executed["warnings"],
    }
    assert preview["row_errors"] == executed["row_errors"]


def test_the_same_upload_twice_creates_nothing_the_second_time(staff_api, organization):
    staff_api.post(EXECUTE, body(GOOD, GOOD_FR, OTHER), format="json")

    again = staff_api.post(EXECUTE, body(GOOD, GOOD_FR, OTHER), format="json").json()

    assert (again["created"], again["updated"], again["errors"]) == (0, 0, 0)
    assert organization.clients.count() == 2


def test_atomic_with_an_error_answers_400_and_applies_nothing(staff_api, organization):
    response = staff_api.post(EXECUTE, body(GOOD, BAD, atomic=True), format="json")

    assert response.status_code == 400
    data = response.json()
    assert (data["created"], data["updated"], data["errors"], data["applied"]) == (0, 0, 1, False)
    assert data["summary"] == (
        "Nothing was uploaded (atomic: a row had an error). 0 clients created, "
        "0 clients updated, 1 error encountered."
    )
    assert not organization.clients.exists()
    assert ClientImport.objects.get(pk=data["import_id"]).applied is False


def test_both_routes_accept_a_trailing_slash(staff_api):
    assert staff_api.post(PREVIEW + "/", body(GOOD), format="json").status_code == 200
    assert staff_api.post(EXECUTE + "/", body(GOOD), format="json").status_code == 200


def test_cells_may_be_numbers_or_null_and_file_id_a_single_string(staff_api, organization):
    upload = {
        "csvData": [["Numbers GmbH", 42, None]],
        "mapping": ["name", "notes", None],
        "fileId": "one-file",
    }

    response = staff_api.post(EXECUTE, upload, format="json")

    assert response.status_code == 200
    assert organization.clients.get().notes == "42"
    assert ClientImport.objects.get().file_ids == ["one-file"]


def test_a_ragged_row_is_a_row_error(staff_api):
    response = staff_api.post(PREVIEW, body(GOOD, ["Short GmbH", "active"]), format="json")

    assert response.json()["row_errors"] == [
        {"row": 3, "field": None, "message": "The row has 2 cells but the mapping has 7 columns."}
    ]


@pytest.mark.parametrize("route", [PREVIEW, EXECUTE])
def test_a_viewer_may_not_upload(viewer_api, route):
    response = viewer_api.post(route, body(GOOD), format="json")

    assert response.status_code == 403
    assert not Client.objects.exists()


@pytest.mark.parametrize("route", [PREVIEW, EXECUTE])
def test_anonymous_requests_are_refused(anonymous_api, route):
    assert anonymous_api.post(route, body(GOOD), format="json").status_code == 401


def test_another_organizations_client_id_is_not_found_and_stays_untouched(
    other_org_api, organization
):
    theirs = ClientFactory(organization=organization, name="Private AG", notes="private")
    upload = {"csvData": [[str(theirs.pk), "hacked"]], "mapping": ["id", "notes"]}

    data = other_org_api.post(EXECUTE, upload, format="json").json()

    assert data["row_errors"] == [
        {"row": 1, "field": "id", "message": "No client with this id in your organization."}
    ]
    theirs.refresh_from_db()
    assert theirs.notes == "private"


def test_a_name_used_by_another_organization_creates_a_client_of_ours(
    other_org_api, organization, other_organization
):
    ClientFactory(organization=organization, name="ABC Corporation")

    data = other_org_api.post(EXECUTE, body(GOOD), format="json").json()

    assert data["created"] == 1
    assert other_organization.clients.get().name == "ABC Corporation"
    assert organization.clients.get().credentials.count() == 0


@pytest.mark.parametrize(
    ("upload", "errors"),
    [
        ({"csvData": [], "mapping": ["name"]}, {"csvData": ["The file has no rows."]}),
        (
            {"csvData": "name\nABC", "mapping": ["name"]},
            {"csvData": ["Expected a list of rows, each a list of cell strings."]},
        ),
        (
            {"csvData": [["ABC"], "DEF"], "mapping": ["name"]},
            {"csvData": ["Row 2 is not a list of cells."]},
        ),
        (
            {"csvData": [["ABC", {"a": 1}]], "mapping": ["name", "notes"]},
            {"csvData": ["Row 1, column 2: a cell is text, not an object."]},
        ),
        ({"csvData": [["ABC"]]}, {"mapping": ["This field is required."]}),
        (
            {"csvData": [["ABC", "x"]], "mapping": ["name", "name"]},
            {"mapping": ["Columns 1 and 2 both map to 'name': map each field once."]},
        ),
        (
            {"csvData": [["active"]], "mapping": ["status"]},
            {"mapping": ["Map a name or an id column: it tells which client each row is about."]},
        ),
        (
            {"csvData": [["Name"]], "mapping": ["name"]},
            {"csvData": ["The file has a header row only."]},
        ),
        (
            {"csvData": [["ABC"]], "mapping": ["name"], "fileId": [{"x": 1}]},
            {"fileId": ["Expected a list of file identifiers (strings) or one."]},
        ),
    ],
    ids=[
        "empty csvData",
        "csvData as text",
        "row not a list",
        "cell an object",
        "no mapping",
        "field mapped twice",
        "no name or id",
        "header only",
        "bad fileId",
    ],
)
def test_an_unusable_body_answers_400_and_changes_nothing(staff_api, upload, errors):
    response = staff_api.post(PREVIEW, upload, format="json")
    executed = staff_api.post(EXECUTE, upload, format="json")

    assert response.status_code == executed.status_code == 400
    assert response.json() == executed.json() == errors
    assert not Client.objects.exists()
    assert not ClientImport.objects.exists()


def test_unknown_mapping_names_answer_400_naming_the_valid_ones(staff_api):
    response = staff_api.post(PREVIEW, {"csvData": [["ABC"]], "mapping": ["colour"]}, format="json")

    assert response.status_code == 400
    (message,) = response.json()["mapping"]
    assert message.startswith("Unknown field in column 1. Valid fields: id, name, status,")


@pytest.mark.parametrize("route", [PREVIEW, EXECUTE])
def test_unknown_body_fields_answer_400_naming_them_and_change_nothing(staff_api, route):
    response = staff_api.post(route, body(GOOD, has_header=True), format="json")

    assert response.status_code == 400
    assert response.json() == {
        "has_header": [
            "Unknown field. Valid fields: csvData, mapping, fileId, hasHeader, atomic, background."
        ]
    }
    assert not Client.objects.exists()
    assert not ClientImport.objects.exists()


def test_a_body_over_the_size_limit_answers_413_and_creates_nothing(staff_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    upload = json.dumps(body(*[GOOD] * 200))

    response = staff_api.post(EXECUTE, upload, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is larger than the limit of 10,000 bytes."
    }
    assert not Client.objects.exists()


def test_a_body_that_is_not_utf8_answers_400(staff_api):
    response = staff_api.post(
        EXECUTE, b'{"csvData": [["Caf\xe9"]], "mapping": ["name"]}', content_type="application/json"
    )

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert not Client.objects.exists()


def test_a_file_of_20000_rows_fits_in_the_body_limit(settings):
    rows = [
        [
            f"Bulk Bench 0-{n // 10:05d} GmbH",
            "onboarding",
            "DE",
            "WEEE",
            "Stiftung EAR",
            f"bulk.0.{n}@upload.example",
            "Upl0ad!secret",
            f"DE{70000000 + n}",
            "quarterly",
        ]
        for n in range(20_000)
    ]
    payload = json.dumps(
        {"csvData": rows, "mapping": [*MAPPING, "registration_number", "interval"]}
    )

    assert len(payload.encode()) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_a_form_body_is_refused_since_rows_need_json(staff_api):
    response = staff_api.post(PREVIEW, {"csvData": "ABC", "mapping": "name"})

    assert response.status_code == 415
    assert not Client.objects.exists()


@pytest.mark.parametrize("url", [PREVIEW, EXECUTE])
def test_an_over_long_cell_is_a_row_error_with_its_file_row_and_the_limit(staff_api, url):
    too_long = [*GOOD[:5], "L" * 256, GOOD[6]]

    response = staff_api.post(url, body(OTHER, too_long), format="json")

    assert response.status_code == 200
    assert response.json()["row_errors"] == [
        {"row": 3, "field": "login", "message": "login is too long: at most 255 characters."}
    ]
    assert not Credential.objects.filter(client__name="ABC Corporation").exists()


def test_a_notes_cell_at_the_limit_is_stored_and_one_over_is_a_row_error(staff_api):
    response = staff_api.post(
        EXECUTE,
        {
            "csvData": [["Full", "n" * 10_000], ["Over", "n" * 10_001]],
            "mapping": ["name", "notes"],
        },
        format="json",
    )

    assert response.json()["row_errors"] == [
        {"row": 2, "field": "notes", "message": "notes is too long: at most 10000 characters."}
    ]
    assert list(Client.objects.values_list("name", flat=True)) == ["Full"]
    assert len(Client.objects.get().notes) == 10_000


@pytest.mark.parametrize(
    ("file_id", "message"),
    [
        ("f" * 256, "A file identifier has at most 255 characters."),
        ([str(n) for n in range(1001)], "At most 1000 file identifiers."),
    ],
    ids=["one too long", "too many"],
)
def test_file_ids_over_their_limits_answer_400_and_change_nothing(staff_api, file_id, message):
    response = staff_api.post(EXECUTE, body(GOOD, fileId=file_id), format="json")

    assert response.status_code == 400
    assert response.json() == {"fileId": [message]}
    assert not Client.objects.exists()
    assert not ClientImport.objects.exists()


def test_a_file_id_of_255_characters_is_kept_with_the_import(staff_api):
    response = staff_api.post(EXECUTE, body(GOOD, fileId=["f" * 255]), format="json")

    assert response.status_code == 200
    assert ClientImport.objects.get().file_ids == ["f" * 255]
