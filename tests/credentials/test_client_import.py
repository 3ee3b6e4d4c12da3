"""The bulk upload engine: one plan for preview and execute, row semantics, errors, history."""

import pytest
from django.db import connection

from clients.models import Client, Obligation, Role
from credentials.client_import import MappingError, clients_import, mapping_resolve
from credentials.client_import import plan as client_import
from credentials.models import (
    ClientImport,
    Credential,
    CredentialPasswordHistory,
    CredentialReportType,
)
from tests.factories import (
    AliasFactory,
    ClientFactory,
    CredentialFactory,
    MembershipFactory,
    ObligationFactory,
    country,
    pro,
    report_type,
)

pytestmark = pytest.mark.django_db

CREDENTIAL_MAPPING = [
    "name",
    "status",
    "country",
    "report_type",
    "pro",
    "login",
    "password",
    "registration_number",
    "interval",
]


@pytest.fixture
def user(organization):
    return MembershipFactory(organization=organization, role=Role.STAFF).user


@pytest.fixture
def run(organization, user):
    """Run the import of `rows` with `mapping` (a preview with dry_run=True)."""

    def run_import(rows, mapping=CREDENTIAL_MAPPING, **options):
        return clients_import(
            organization=organization, user=user, rows=rows, mapping=mapping, **options
        )

    return run_import


def table_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def credential_row(name, country_code, report_types, pro_name, login="", password="", **extra):
    row = {
        "name": name,
        "status": extra.get("status", ""),
        "country": country_code,
        "report_type": report_types,
        "pro": pro_name,
        "login": login,
        "password": password,
        "registration_number": extra.get("registration_number", ""),
        "interval": extra.get("interval", ""),
    }
    return [row[field] for field in CREDENTIAL_MAPPING]


def summary(report) -> tuple:
    return (report.created, report.updated, report.valid_rows, report.invalid_rows)


# Mapping and header


def test_unknown_mapping_names_are_refused_naming_the_valid_fields():
    with pytest.raises(MappingError) as caught:
        mapping_resolve(["name", "colour"])

    message = caught.value.messages[0]
    assert message.startswith("Unknown field in column 2.")
    assert "Valid fields: id, name, status" in message


def test_a_field_mapped_twice_is_refused():
    with pytest.raises(MappingError) as caught:
        mapping_resolve(["name", "Country", "country"])

    assert caught.value.messages == ["Columns 2 and 3 both map to 'country': map each field once."]


def test_a_mapping_without_name_or_id_is_refused():
    with pytest.raises(MappingError) as caught:
        mapping_resolve(["status", "", None])

    assert "Map a name or an id column" in caught.value.messages[0]


def test_mapping_names_ignore_case_spaces_and_known_synonyms():
    assert mapping_resolve(["Client Name", "", "Report-Types", None, "LOCAL company name"]) == [
        "name",
        None,
        "report_type",
        None,
        "local_company_name",
    ]


def test_a_first_row_spelling_the_mapping_is_a_header_and_rows_count_from_it(run):
    rows = [["Name", "Status"], ["Alpha GmbH", "paused"]]

    report = run(rows, mapping=["name", "status"], dry_run=True)

    assert report.has_header is True
    assert report.row_errors[0]["row"] == 2


def test_without_a_header_the_first_data_row_is_row_one(run):
    rows = [["Alpha GmbH", "paused"]]

    report = run(rows, mapping=["name", "status"], dry_run=True)

    assert report.has_header is False
    assert report.row_errors == [
        {
            "row": 1,
            "field": "status",
            "message": "Unknown status. Valid: active, onboarding, inactive, archived.",
        }
    ]


def test_has_header_false_reads_a_first_row_that_looks_like_a_header_as_data(run, organization):
    run([["name"], ["Beta BV"]], mapping=["name"], has_header=False)

    assert set(organization.clients.values_list("name", flat=True)) == {"name", "Beta BV"}


def test_blank_rows_are_ignored_and_not_counted(run, organization):
    report = run([["name"], ["Alpha GmbH"], ["  "], []], mapping=["name"])

    assert (report.rows, report.valid_rows, report.invalid_rows) == (1, 1, 0)


# Preview and execute


def test_preview_changes_nothing_in_any_table(run, organization):
    existing = ClientFactory(organization=organization, name="Existing AG")
    CredentialFactory(client=existing, login="old", password="old-pw")
    rows = [
        CREDENTIAL_MAPPING,
        credential_row("Existing AG", "DE", "WEEE", "Stiftung EAR", "new", "new-pw"),
        credential_row("Fresh GmbH", "FR", "Packaging", "Citeo", "fresh", "pw"),
    ]
    before = table_counts()

    report = run(rows, dry_run=True)

    assert (report.created, report.updated) == (1, 1)
    assert table_counts() == before
    existing.refresh_from_db()
    assert existing.credentials.get().password == "old-pw"


FILES = {
    "new clients with credentials": [
        CREDENTIAL_MAPPING,
        credential_row("Alpha GmbH", "DE", "WEEE", "Stiftung EAR", "a", "pw-a"),
        credential_row("Alpha GmbH", "FR", "Packaging,Paper", "Citeo", "a-fr", "pw-b"),
        credential_row("Beta BV", "NL", "WEEE", "Stichting OPEN", "b", "pw-c"),
    ],
    "errors among valid rows": [
        CREDENTIAL_MAPPING,
        credential_row("Alpha GmbH", "DE", "WEEE", "Stiftung EAR", "a", "pw-a"),
        credential_row("Broken SA", "XX", "WEEE", "Stiftung EAR", "x", "pw"),
        credential_row("Gamma SAS", "FR", "Textiles", "Citeo", "g", "pw"),
        credential_row("Delta Ltd", "UK", "WEEE", "Valpak", "d", "pw", status="paused"),
        credential_row("Epsilon AB", "", "", "", "", "", status="inactive"),
    ],
    "duplicates within the file": [
        CREDENTIAL_MAPPING,
        credential_row("Alpha GmbH", "DE", "WEEE", "Stiftung EAR", "a", "pw-1"),
        credential_row("ALPHA gmbh", "DE", "WEEE", "Stiftung EAR", "a", "pw-2"),
        credential_row("Alpha GmbH", "DE", "WEEE", "Stiftung EAR", "a", "pw-2"),
    ],
    "existing clients": [
        CREDENTIAL_MAPPING,
        credential_row("Existing AG", "DE", "WEEE", "Stiftung EAR", "changed", ""),
        credential_row("Unchanged KG", "DE", "WEEE", "Stiftung EAR", "same", "same-pw"),
        credential_row("Unchanged KG", "", "", "", "", "", status="active"),
        credential_row("New One GmbH", "", "", "", "", "", status="onboarding"),
    ],
}


@pytest.mark.parametrize("file", FILES.values(), ids=FILES.keys())
def test_preview_predicts_exactly_what_execute_does(run, organization, file):
    existing = ClientFactory(organization=organization, name="Existing AG")
    CredentialFactory(client=existing, login="before", password="pw")
    unchanged = ClientFactory(organization=organization, name="Unchanged KG")
    CredentialFactory(client=unchanged, login="same", password="same-pw")

    preview = run(file, dry_run=True)
    executed = run(file)

    assert summary(preview) == summary(executed)
    assert preview.warnings == executed.warnings
    assert preview.row_errors == executed.row_errors
    assert organization.clients.count() == 2 + executed.created


def test_execute_counts_clients_not_rows(run, organization):
    report = run(FILES["new clients with credentials"])

    assert summary(report) == (2, 0, 3, 0)
    assert Credential.objects.filter(client__organization=organization).count() == 3


def test_running_the_same_upload_twice_changes_nothing_the_second_time(run, organization):
    file = FILES["new clients with credentials"]
    run(file)
    before = table_counts()

    again = run(file)

    assert (again.created, again.updated) == (0, 0)
    counts = table_counts()
    counts.pop(ClientImport._meta.db_table)
    before.pop(ClientImport._meta.db_table)
    assert counts == before


def test_invalid_rows_are_skipped_and_valid_ones_applied(run, organization):
    report = run(FILES["errors among valid rows"])

    assert summary(report) == (2, 0, 2, 3)
    assert set(organization.clients.values_list("name", flat=True)) == {"Alpha GmbH", "Epsilon AB"}
    assert [error["row"] for error in report.row_errors] == [3, 4, 5]


def test_atomic_with_an_error_applies_nothing_but_is_recorded(run, organization):
    before = table_counts()

    report = run(FILES["errors among valid rows"], atomic=True, file_ids=["f-1"])

    assert report.applied is False
    assert (report.created, report.updated, report.invalid_rows) == (0, 0, 3)
    after = table_counts()
    assert after.pop(ClientImport._meta.db_table) == 1
    before.pop(ClientImport._meta.db_table)
    assert after == before
    record = ClientImport.objects.get()
    assert (record.applied, record.atomic, record.errors, record.file_ids) == (
        False,
        True,
        3,
        ["f-1"],
    )


def test_atomic_preview_predicts_that_nothing_would_be_applied(run):
    preview = run(FILES["errors among valid rows"], atomic=True, dry_run=True)

    assert (preview.created, preview.updated, preview.invalid_rows) == (0, 0, 3)


def test_atomic_without_errors_applies_everything(run, organization):
    report = run(FILES["new clients with credentials"], atomic=True)

    assert report.applied is True
    assert organization.clients.count() == 2


def test_every_execution_is_recorded_with_who_when_and_what(run, user, organization):
    report = run(FILES["errors among valid rows"], file_ids=["abc", "def"], source="api")

    record = report.record
    assert record.organization == organization
    assert (record.user, record.username, record.source) == (user, user.username, "api")
    assert record.file_ids == ["abc", "def"]
    assert (record.rows, record.valid_rows, record.errors) == (5, 2, 3)
    assert (record.created, record.updated, record.applied) == (2, 0, True)
    assert record.mapping == CREDENTIAL_MAPPING
    assert {error["row"] for error in record.row_errors} == {3, 4, 5}


# Row semantics


def test_several_rows_of_a_client_give_it_credentials_obligations_and_aliases(run, organization):
    mapping = ["name", "country", "report_type", "pro", "login", "alias", "local_company_name"]
    rows = [
        ["ABC Corporation", "DE", "WEEE", "Stiftung EAR", "abc-de", "ABC", "ABC GmbH"],
        ["ABC Corporation", "FR", "Furniture", "", "", "", "ABC SAS"],
        ["ABC Corporation", "UK", "Packaging,WEEE", "Valpak", "abc-uk", "", ""],
    ]

    report = run(rows, mapping=mapping)

    assert summary(report) == (1, 0, 3, 0)
    client = organization.clients.get()
    assert dict(client.aliases.values_list("scope", "name")) == {
        "*": "ABC",
        "DE": "ABC GmbH",
        "FR": "ABC SAS",
    }
    assert list(client.obligations.values_list("country__code", "report_type__code")) == [
        ("FR", "Furniture")
    ]
    assert sorted(client.credentials.values_list("country__code", "report_type_codes")) == [
        ("DE", "WEEE"),
        ("UK", "Packaging,WEEE"),
    ]


def test_rows_of_one_client_spread_over_chunks_still_make_one_client(
    run, organization, monkeypatch
):
    monkeypatch.setattr(client_import, "CHUNK_ROWS", 2)
    monkeypatch.setattr(client_import, "LOOKUP_BATCH", 2)
    rows = [
        credential_row("Alpha GmbH", "DE", "WEEE", "Stiftung EAR", "a", "pw"),
        credential_row("Beta BV", "DE", "WEEE", "Stiftung EAR", "b", "pw"),
        credential_row("Gamma SAS", "DE", "WEEE", "Stiftung EAR", "g", "pw"),
        credential_row("alpha gmbh", "FR", "Packaging", "Citeo", "a-fr", "pw"),
    ]

    preview = run(rows, dry_run=True)
    report = run(rows)

    assert summary(preview) == summary(report) == (3, 0, 4, 0)
    assert organization.clients.get(name="Alpha GmbH").credentials.count() == 2


def test_a_client_is_found_by_name_ignoring_case_and_by_id(run, organization):
    existing = ClientFactory(organization=organization, name="Existing AG", notes="")
    rows = [["existing ag", "", "first"], ["", str(existing.pk), "second"]]

    report = run(rows, mapping=["name", "id", "notes"])

    assert (report.created, report.updated) == (0, 1)
    existing.refresh_from_db()
    assert (existing.name, existing.notes) == ("Existing AG", "second")


def test_blank_cells_leave_values_unchanged(run, organization):
    existing = ClientFactory(organization=organization, name="Keep AG", status="inactive")
    CredentialFactory(client=existing, login="keep", password="keep-pw", registration_number="R1")

    report = run(
        [credential_row("Keep AG", "DE", "WEEE", "Stiftung EAR", "", "", registration_number="R1")]
    )

    assert (report.created, report.updated) == (0, 0)
    credential = existing.credentials.get()
    assert (credential.login, credential.password, credential.registration_number) == (
        "keep",
        "keep-pw",
        "R1",
    )


def test_a_credential_row_updates_the_credential_sharing_a_report_type(run, organization, user):
    existing = ClientFactory(organization=organization, name="Acme AG")
    credential = CredentialFactory(
        client=existing, report_types=["WEEE"], login="old", password="old-pw"
    )

    report = run(
        [
            credential_row(
                "Acme AG",
                "DE",
                "WEEE,Batteries",
                "Stiftung EAR",
                "new",
                "new-pw",
                interval="Yearly",
            )
        ]
    )

    assert (report.created, report.updated) == (0, 1)
    credential.refresh_from_db()
    assert (credential.login, credential.password, credential.interval) == (
        "new",
        "new-pw",
        "yearly",
    )
    assert credential.report_type_codes == "WEEE,Batteries"
    assert set(
        CredentialReportType.objects.filter(credential=credential).values_list(
            "report_type__code", "client_id", "country__code", "pro__name"
        )
    ) == {
        ("WEEE", existing.pk, "DE", "Stiftung EAR"),
        ("Batteries", existing.pk, "DE", "Stiftung EAR"),
    }
    previous = CredentialPasswordHistory.objects.get(credential=credential)
    assert (previous.password, previous.changed_by) == ("old-pw", user)
    latest = credential.history.first()
    assert (latest.history_user, latest.history_change_reason) == (user, "Password changed")


def test_a_row_whose_report_types_match_two_credentials_is_an_error(run, organization):
    existing = ClientFactory(organization=organization, name="Acme AG")
    CredentialFactory(client=existing, report_types=["WEEE"])
    CredentialFactory(client=existing, report_types=["Batteries"])

    report = run([credential_row("Acme AG", "DE", "WEEE,Batteries", "Stiftung EAR", "x")])

    assert report.invalid_rows == 1
    error = report.row_errors[0]
    assert error["field"] == "report_type"
    assert "matches 2 credentials" in error["message"]


def test_a_linked_credential_refuses_its_own_password(run, organization, collective_credential):
    existing = ClientFactory(organization=organization, name="Linked BV")
    CredentialFactory(
        client=existing,
        country=country("NL"),
        pro=pro("NL", "Stichting OPEN"),
        report_types=["WEEE"],
        login="",
        password="",
        collective_account=collective_credential,
    )

    report = run([credential_row("Linked BV", "NL", "WEEE", "Stichting OPEN", "", "own-pw")])

    assert report.invalid_rows == 1
    assert report.row_errors[0]["field"] == "password"
    assert "reads its password from collective account" in report.row_errors[0]["message"]


def test_an_obligation_row_gives_a_pro_to_an_obligation_without_one(run, organization):
    existing = ClientFactory(organization=organization, name="Acme AG")
    ObligationFactory(client=existing, country=country("DE"), report_type=report_type("WEEE"))

    report = run(
        [["Acme AG", "DE", "WEEE", "Stiftung EAR"]],
        mapping=["name", "country", "report_type", "pro"],
    )

    assert (report.created, report.updated) == (0, 1)
    assert list(existing.obligations.values_list("pro__name", flat=True)) == ["Stiftung EAR"]
    assert Obligation.history.filter(client_id=existing.pk, history_type="~").exists()


def test_an_obligation_row_without_pro_keeps_an_obligation_with_one(run, organization):
    existing = ClientFactory(organization=organization, name="Acme AG")
    ObligationFactory(
        client=existing,
        country=country("DE"),
        report_type=report_type("WEEE"),
        pro=pro("DE", "Stiftung EAR"),
    )

    report = run([["Acme AG", "DE", "WEEE"]], mapping=["name", "country", "report_type"])

    assert (report.created, report.updated) == (0, 0)
    assert existing.obligations.count() == 1


def test_a_changed_alias_is_updated_in_place(run, organization):
    existing = ClientFactory(organization=organization, name="Acme AG")
    AliasFactory(client=existing, scope="DE", name="Acme Old GmbH")

    report = run(
        [["Acme AG", "DE", "Acme Neu GmbH"]], mapping=["name", "country", "local_company_name"]
    )

    assert report.updated == 1
    assert list(existing.aliases.values_list("scope", "name")) == [("DE", "Acme Neu GmbH")]


def test_conflicting_rows_let_the_later_one_win_with_a_warning(run, organization):
    rows = [
        credential_row("Alpha GmbH", "DE", "WEEE", "Stiftung EAR", "first", "pw-1"),
        credential_row("Alpha GmbH", "DE", "WEEE", "Stiftung EAR", "second", "pw-2"),
    ]

    report = run(rows)

    assert report.warnings == 2
    assert report.row_warnings == [
        {
            "row": 2,
            "field": "login",
            "message": "Row 1 gave another login; this row's wins.",
        },
        {
            "row": 2,
            "field": "password",
            "message": "Row 1 gave another password; this row's wins.",
        },
    ]
    credential = Credential.objects.get(client__organization=organization)
    assert (credential.login, credential.password) == ("second", "pw-2")


def test_changes_are_in_the_history_with_the_user_and_reason(run, organization, user):
    run(FILES["new clients with credentials"])

    client = organization.clients.get(name="Alpha GmbH")
    created = client.history.get()
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+",
        user,
        "Bulk upload",
    )
    assert Credential.history.filter(client_id=client.pk, history_user=user).count() == 2


def test_passwords_are_stored_encrypted(run):
    run([credential_row("Alpha GmbH", "DE", "WEEE", "Stiftung EAR", "a", "Pl4in-Text-Pw")])

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT password FROM {Credential._meta.db_table}")
        (stored,) = cursor.fetchone()
    assert "Pl4in-Text-Pw" not in stored
    assert Credential.objects.get().password == "Pl4in-Text-Pw"


def test_passwords_are_masked_in_sample_data_and_never_in_row_errors(run):
    rows = [
        credential_row("Alpha GmbH", "DE", "WEEE", "Stiftung EAR", "a", "S3cret-Pw"),
        credential_row("Beta BV", "XX", "WEEE", "Stiftung EAR", "b", "S3cret-Pw"),
    ]

    report = run(rows)

    assert report.sample_data[0]["password"] == "***"
    assert "S3cret-Pw" not in str(report.row_errors)
    assert "S3cret-Pw" not in str(report.record.row_errors)


# Row errors


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (
            credential_row("Alpha GmbH", "DE", "WEEE", "Stiftung EAR", "a", "***"),
            "password",
            '"***" is the mask shown in place of a password.',
        ),
        (
            credential_row("Alpha\x00 GmbH", "DE", "WEEE", "Stiftung EAR", "a", "pw"),
            "name",
            "Null characters are not allowed.",
        ),
        (
            credential_row("Alpha GmbH", "DE", "WEEE", "Stiftung EAR", "a\x00", "pw"),
            "login",
            "Null characters are not allowed.",
        ),
        (
            credential_row("N" * 10_000, "DE", "WEEE", "Stiftung EAR", "a", "pw"),
            "name",
            "name is too long: at most 255 characters.",
        ),
        (
            credential_row("Alpha GmbH", "DE", "WEEE", "", "a", "pw"),
            "pro",
            "A credential row (login, password, ...) needs a pro.",
        ),
        (
            credential_row("Alpha GmbH", "DE", "WEEE", "Citeo", "a", "pw"),
            "pro",
            "Unknown PRO in DE. Valid PROs: BellandVision,",
        ),
        (
            credential_row("Alpha GmbH", "FR", "Textiles", "Citeo", "a", "pw"),
            "report_type",
            "Citeo (FR) does not take Textiles. It takes: Packaging, Paper.",
        ),
        (
            credential_row("Alpha GmbH", "DE", "Glass", "Stiftung EAR", "a", "pw"),
            "report_type",
            "Unknown report type. Valid report types: Batteries,",
        ),
        (
            credential_row(
                "Alpha GmbH", "DE", "WEEE", "Stiftung EAR", "a", "pw", interval="weekly"
            ),
            "interval",
            "Unknown interval. Valid: monthly, quarterly, half-yearly, yearly.",
        ),
        (
            credential_row("", "DE", "WEEE", "Stiftung EAR", "a", "pw"),
            "name",
            "Give the client's name or id.",
        ),
        (
            credential_row("Alpha GmbH", "DE", "", "Stiftung EAR", "", ""),
            "report_type",
            "A pro is chosen for a report_type",
        ),
        (
            ["Alpha GmbH", "active"],
            None,
            "The row has 2 cells but the mapping has 9 columns.",
        ),
    ],
    ids=[
        "masked password",
        "NUL in name",
        "NUL in login",
        "10000-character name",
        "credential without pro",
        "PRO of another country",
        "report type the PRO does not take",
        "unknown report type",
        "unknown interval",
        "no name",
        "pro without report type",
        "ragged row",
    ],
)
def test_a_bad_row_is_a_row_error_and_writes_nothing(run, organization, row, field, message):
    before = table_counts()

    report = run([row])

    assert report.invalid_rows == 1
    assert report.row_errors[0]["row"] == 1
    assert report.row_errors[0]["field"] == field
    assert report.row_errors[0]["message"].startswith(message)
    after = table_counts()
    after.pop(ClientImport._meta.db_table)
    before.pop(ClientImport._meta.db_table)
    assert after == before


def test_an_id_of_another_organization_is_a_row_error_and_that_client_is_untouched(
    run, other_organization
):
    foreign = ClientFactory(organization=other_organization, name="Foreign SA", notes="theirs")

    report = run([[str(foreign.pk), "ours"]], mapping=["id", "notes"])

    assert report.row_errors == [
        {
            "row": 1,
            "field": "id",
            "message": "No client with this id in your organization.",
        }
    ]
    foreign.refresh_from_db()
    assert foreign.notes == "theirs"


def test_a_name_of_another_organizations_client_creates_ours(run, organization, other_organization):
    ClientFactory(organization=other_organization, name="Twin GmbH")

    report = run([["Twin GmbH"]], mapping=["name"])

    assert report.created == 1
    assert organization.clients.filter(name="Twin GmbH").exists()


def test_an_id_with_another_name_is_an_error_since_uploads_do_not_rename(run, organization):
    existing = ClientFactory(organization=organization, name="Acme AG")

    report = run([[str(existing.pk), "Acme Renamed AG"]], mapping=["id", "name"])

    assert report.row_errors[0]["field"] == "name"
    assert "does not rename clients" in report.row_errors[0]["message"]


def test_row_errors_keep_the_first_thousand_and_count_them_all(run, monkeypatch):
    rows = [["Client", "paused"] for _ in range(1_200)]

    report = run(rows, mapping=["name", "status"], dry_run=True)

    assert report.row_errors_total == 1_200
    assert len(report.row_errors) == 1_000
    assert [error["row"] for error in report.row_errors[:3]] == [1, 2, 3]


def test_sample_data_holds_the_first_valid_rows_with_every_mapped_field(run):
    rows = [[f"Client {n}", "active"] for n in range(15)]

    report = run(rows, mapping=["name", "status"], dry_run=True)

    assert len(report.sample_data) == 10
    assert report.sample_data[0] == {"name": "Client 0", "status": "active"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_catalog")
def test_the_client_list_and_stats_cached_before_an_execution_count_what_it_wrote(
    run, staff_api, organization
):
    ClientFactory(organization=organization, name="Earlier Client")
    stats_before = staff_api.get("/logins/stats").json()
    assert staff_api.get("/logins/clients?country=FR").json()["total"] == 0

    run(
        [
            credential_row("Bulk One", "FR", "Packaging", "Citeo", login="one@example.com"),
            credential_row("Bulk Two", "FR", "Packaging", "Citeo", login="two@example.com"),
        ]
    )

    listed = staff_api.get("/logins/clients?country=FR").json()
    assert [client["name"] for client in listed["clients"]] == ["Bulk One", "Bulk Two"]
    stats = staff_api.get("/logins/stats").json()
    assert stats["total_clients"] == stats_before["total_clients"] + 2
    assert stats["by_country"]["FR"] == 2


# Input limits: a cell over its field's limit is a row error that never quotes the cell.

LIMITS_MAPPING = [
    "name",
    "status",
    "notes",
    "alias",
    "local_company_name",
    "country",
    "report_type",
    "pro",
    "login",
    "password",
    "registration_number",
]
LIMITS_ROW = {
    "name": "Alpha GmbH",
    "status": "active",
    "notes": "Notes",
    "alias": "Alpha",
    "local_company_name": "Alpha Deutschland",
    "country": "DE",
    "report_type": "WEEE",
    "pro": "Stiftung EAR",
    "login": "alpha",
    "password": "pw",
    "registration_number": "DE1",
}
CELL_LIMITS = {
    "name": 255,
    "status": 255,
    "notes": 10_000,
    "alias": 255,
    "local_company_name": 255,
    "country": 255,
    "report_type": 1000,
    "pro": 255,
    "login": 255,
    "password": 500,
    "registration_number": 255,
}


def limits_row(**cells) -> list[str]:
    return [(LIMITS_ROW | cells)[field] for field in LIMITS_MAPPING]


@pytest.mark.parametrize("field", LIMITS_MAPPING)
def test_a_cell_over_its_limit_is_a_row_error_naming_field_and_limit(run, field):
    limit = CELL_LIMITS[field]
    good = limits_row(name="Beta GmbH")
    cell = "Q" * (limit + 1)
    before = table_counts()

    report = run([LIMITS_MAPPING, good, limits_row(**{field: cell})], mapping=LIMITS_MAPPING)

    assert report.row_errors == [
        {"row": 3, "field": field, "message": f"{field} is too long: at most {limit} characters."}
    ]
    assert (report.valid_rows, report.invalid_rows, report.created) == (1, 1, 1)
    after = table_counts()
    for counts in (before, after):
        counts.pop(ClientImport._meta.db_table)
    assert after["clients_client"] == before["clients_client"] + 1
    assert "QQQ" not in str(ClientImport.objects.get().row_errors)


@pytest.mark.parametrize("field", LIMITS_MAPPING)
def test_a_cell_over_its_limit_writes_nothing_of_its_row(run, field):
    before = table_counts()

    report = run([limits_row(**{field: "Q" * (CELL_LIMITS[field] + 1)})], mapping=LIMITS_MAPPING)

    assert report.invalid_rows == 1
    after = table_counts()
    for counts in (before, after):
        counts.pop(ClientImport._meta.db_table)
    assert after == before


def test_an_over_long_password_cell_is_never_echoed_nor_shown(run):
    password = "pw-" + "S" * 600

    report = run(
        [limits_row(password=password)], mapping=LIMITS_MAPPING, dry_run=True, collect_rows=True
    )

    assert report.row_errors[0]["field"] == "password"
    shown = str(report.row_errors) + str(report.row_reports[0].values)
    assert "pw-" not in shown
    assert "SSS" not in shown


@pytest.mark.parametrize("field", ["name", "notes", "alias", "login", "registration_number"])
def test_a_cell_at_its_limit_is_stored_in_full(run, organization, field):
    cell = "Q" * CELL_LIMITS[field]

    report = run([limits_row(**{field: cell})], mapping=LIMITS_MAPPING)

    assert report.row_errors == []
    client = organization.clients.get()
    credential = client.credentials.get()
    stored = {
        "name": client.name,
        "notes": client.notes,
        "alias": client.aliases.get(scope="*").name,
        "login": credential.login,
        "registration_number": credential.registration_number,
    }
    assert stored[field] == cell


def test_a_password_cell_at_its_limit_is_stored_in_full(run, organization):
    report = run([limits_row(password="P" * 500)], mapping=LIMITS_MAPPING)

    assert report.row_errors == []
    assert Credential.objects.get().password == "P" * 500


# Each name, and the same name in another case (PostgreSQL's upper() keeps "ß").
UNICODE_NAMES = {
    "Imp Öko Tools": "IMP ÖKO TOOLS",
    "Éco Systèmes": "éco systèmes",
    "Łódź Recykling": "ŁÓDŹ RECYKLING",
    "Straße Verpackung": "STRAßE verpackung",
}


def test_a_rerun_naming_clients_in_another_case_previews_updates_not_creations(run, organization):
    run([[name, "first"] for name in UNICODE_NAMES], mapping=["name", "notes"])

    preview = run(
        [[variant, "second"] for variant in UNICODE_NAMES.values()],
        mapping=["name", "notes"],
        dry_run=True,
    )

    assert (preview.created, preview.updated, preview.invalid_rows) == (0, 4, 0)


def test_a_rerun_naming_clients_in_another_case_updates_them(run, organization):
    run([[name, "first"] for name in UNICODE_NAMES], mapping=["name", "notes"])

    report = run(
        [[variant, "second"] for variant in UNICODE_NAMES.values()], mapping=["name", "notes"]
    )

    assert (report.created, report.updated, report.invalid_rows) == (0, 4, 0)
    assert sorted(Client.objects.of(organization).values_list("name", "notes")) == sorted(
        (name, "second") for name in UNICODE_NAMES
    )


def test_rows_naming_one_new_client_in_two_cases_create_it_once(run, organization):
    report = run(
        [["Łódź Recykling", "first"], ["ŁÓDŹ RECYKLING", "second"]], mapping=["name", "notes"]
    )

    assert report.created == 1
    assert Client.objects.of(organization).get().name == "Łódź Recykling"
