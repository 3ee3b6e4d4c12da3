import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from credentials.models import PasswordAccessEvent
from tests.factories import (
    ClientFactory,
    CredentialFactory,
    ObligationFactory,
    country,
    pro,
    report_type,
)

pytestmark = pytest.mark.django_db

SEED_FIELDS = {
    "id",
    "country",
    "report_type",
    "pro",
    "login",
    "password",
    "registration_number",
    "status",
    "notes",
}


def url(client_id):
    return f"/logins/clients/{client_id}/credentials/search"


@pytest.fixture
def ear(acme):
    return CredentialFactory(
        client=acme,
        login="username@example.com",
        password="secure_password",
        registration_number="DE123456",
        notes="Main credential",
    )


@pytest.fixture
def citeo(acme):
    return CredentialFactory(
        client=acme,
        country=country("FR"),
        pro=pro("FR", "Citeo"),
        report_types=["Packaging", "Paper"],
        login="citeo-login",
        registration_number="FR-PKG-77",
    )


def test_search_lists_the_clients_credentials_in_the_seed_shape_with_masked_passwords(
    staff_api, acme, ear
):
    response = staff_api.get(url(acme.pk))

    assert response.status_code == 200
    [row] = response.json()
    assert row.keys() >= SEED_FIELDS
    assert {key: row[key] for key in SEED_FIELDS} == {
        "id": ear.pk,
        "country": "DE",
        "report_type": "WEEE",
        "pro": "Stiftung EAR",
        "login": "username@example.com",
        "password": "***",
        "registration_number": "DE123456",
        "status": "active",
        "notes": "Main credential",
    }
    assert not PasswordAccessEvent.objects.exists()


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("fr", ["Citeo"]),
        ("France", ["Citeo"]),
        ("ger", ["Stiftung EAR"]),
        ("de", ["Stiftung EAR"]),
        ("paper", ["Citeo"]),
        ("weee", ["Stiftung EAR"]),
        ("stiftung", ["Stiftung EAR"]),
        ("CITEO-LOG", ["Citeo"]),
        ("de1234", ["Stiftung EAR"]),
        ("pkg-77", ["Citeo"]),
        ("nothing-like-this", []),
    ],
)
def test_search_matches_country_report_type_pro_login_and_registration_number(
    staff_api, acme, ear, citeo, term, expected
):
    rows = staff_api.get(url(acme.pk), {"search": term}).json()

    assert [row["pro"] for row in rows] == expected


@pytest.mark.parametrize("term", ["lodz", "ŁÓDŹ-BIURO", "lÉko", "ré-88"])
def test_search_ignores_accents_and_case_in_pro_login_and_registration_number(
    staff_api, acme, term
):
    CredentialFactory(
        client=acme,
        country=country("FR"),
        pro=pro("FR", "Léko"),
        report_types=["Packaging"],
        login="łódź-biuro@example.com",
        registration_number="FR-RÉ-88",
    )
    CredentialFactory(client=acme, login="other@example.com", registration_number="DE-1")

    rows = staff_api.get(url(acme.pk), {"search": term}).json()

    assert [row["pro"] for row in rows] == ["Léko"]


def test_search_matches_the_login_a_linked_credential_inherits(
    staff_api, acme, collective_credential
):
    CredentialFactory(
        client=acme,
        country=collective_credential.country,
        pro=collective_credential.pro,
        login="",
        password="",
        collective_account=collective_credential,
    )

    [row] = staff_api.get(url(acme.pk), {"search": "collective@"}).json()

    assert row["login"] == "collective@example.com"
    assert row["password"] == "***"
    assert row["collective_account_id"] == collective_credential.pk


def test_show_missing_adds_one_row_per_uncovered_obligation(staff_api, acme, ear):
    ObligationFactory(client=acme, country=country("DE"), report_type=report_type("WEEE"))
    ObligationFactory(client=acme, country=country("FR"), report_type=report_type("Textiles"))

    rows = staff_api.get(url(acme.pk), {"showMissing": "true"}).json()

    assert [row["id"] for row in rows] == [ear.pk, None]
    assert rows[1] == {
        "id": None,
        "country": "FR",
        "report_type": "Textiles",
        "report_types": ["Textiles"],
        "pro": "Refashion",
        "login": None,
        "password": None,
        "registration_number": None,
        "status": "missing",
        "notes": None,
        "interval": None,
        "collective_account_id": None,
    }


def test_missing_rows_are_left_out_without_show_missing(staff_api, acme):
    ObligationFactory(client=acme, country=country("FR"), report_type=report_type("Textiles"))

    assert staff_api.get(url(acme.pk)).json() == []
    assert staff_api.get(url(acme.pk), {"showMissing": "false"}).json() == []


def test_missing_row_has_no_pro_when_several_pros_take_the_report_type(staff_api, acme):
    ObligationFactory(client=acme, country=country("DE"), report_type=report_type("Packaging"))

    [row] = staff_api.get(url(acme.pk), {"showMissing": "true"}).json()

    assert row["pro"] is None
    assert row["report_type"] == "Packaging"


def test_an_obligation_naming_a_pro_needs_a_credential_with_that_pro(staff_api, acme):
    CredentialFactory(
        client=acme, country=country("UK"), pro=pro("UK", "Valpak"), report_types=["WEEE"]
    )
    ObligationFactory(
        client=acme,
        country=country("UK"),
        report_type=report_type("WEEE"),
        pro=pro("UK", "Comply Direct"),
    )

    rows = staff_api.get(url(acme.pk), {"showMissing": "true"}).json()

    assert [(row["status"], row["pro"]) for row in rows] == [
        ("active", "Valpak"),
        ("missing", "Comply Direct"),
    ]


def test_an_obligation_without_pro_is_covered_by_any_pro(staff_api, acme):
    CredentialFactory(
        client=acme, country=country("UK"), pro=pro("UK", "Valpak"), report_types=["WEEE"]
    )
    ObligationFactory(client=acme, country=country("UK"), report_type=report_type("WEEE"))

    rows = staff_api.get(url(acme.pk), {"showMissing": "true"}).json()

    assert [row["status"] for row in rows] == ["active"]


def test_a_credential_covers_every_report_type_it_lists(staff_api, acme):
    CredentialFactory(client=acme, report_types=["WEEE", "Batteries"])
    ObligationFactory(client=acme, country=country("DE"), report_type=report_type("Batteries"))

    rows = staff_api.get(url(acme.pk), {"showMissing": "true"}).json()

    assert [row["status"] for row in rows] == ["active"]


def test_search_filters_the_missing_rows_too(staff_api, acme):
    ObligationFactory(client=acme, country=country("FR"), report_type=report_type("Textiles"))
    ObligationFactory(client=acme, country=country("DE"), report_type=report_type("WEEE"))

    rows = staff_api.get(url(acme.pk), {"showMissing": "true", "search": "refashion"}).json()

    assert [(row["country"], row["report_type"]) for row in rows] == [("FR", "Textiles")]


def test_an_invalid_show_missing_is_a_400(staff_api, acme):
    response = staff_api.get(url(acme.pk), {"showMissing": "perhaps"})

    assert response.status_code == 400
    assert "showMissing" in response.json()


def test_obligations_of_other_clients_do_not_count(staff_api, acme, organization):
    ObligationFactory(client=ClientFactory(organization=organization), country=country("FR"))

    assert staff_api.get(url(acme.pk), {"showMissing": "true"}).json() == []


def test_search_costs_the_same_queries_for_one_or_many_rows(staff_api, acme, ear):
    ObligationFactory(client=acme, country=country("FR"), report_type=report_type("Textiles"))
    # Once before: this process then keeps the catalog (Catalog.current) for both requests.
    staff_api.get(url(acme.pk), {"showMissing": "true"})
    with CaptureQueriesContext(connection) as one:
        staff_api.get(url(acme.pk), {"showMissing": "true"})
    for name in ["Landbell", "Interzero", "Noventiz"]:
        CredentialFactory(client=acme, pro=pro("DE", name), report_types=["Packaging"])
    ObligationFactory(client=acme, country=country("FR"), report_type=report_type("Furniture"))
    ObligationFactory(client=acme, country=country("IT"), report_type=report_type("WEEE"))

    with CaptureQueriesContext(connection) as many:
        rows = staff_api.get(url(acme.pk), {"showMissing": "true"}).json()

    assert len(rows) == 7
    assert len(many.captured_queries) == len(one.captured_queries)


def test_search_is_open_to_viewers(viewer_api, acme, ear):
    [row] = viewer_api.get(url(acme.pk)).json()

    assert row["password"] == "***"


def test_search_of_another_organizations_client_answers_404(other_org_api, acme, ear):
    assert other_org_api.get(url(acme.pk)).status_code == 404


def test_reader_of_a_shared_client_may_search_it(shared_reader_api):
    CredentialFactory(client=shared_reader_api.shared_client)

    response = shared_reader_api.get(url(shared_reader_api.shared_client.pk))

    assert response.status_code == 200
    assert response.json()[0]["password"] == "***"


def test_search_answers_with_a_trailing_slash_too(staff_api, acme, ear):
    assert staff_api.get(url(acme.pk) + "/").json() == staff_api.get(url(acme.pk)).json()


def test_a_two_letter_search_is_a_country_code_not_part_of_a_country_name(staff_api, acme, ear):
    CredentialFactory(
        client=acme, country=country("SE"), pro=pro("SE", "El-Kretsen"), login="se-login"
    )

    rows = staff_api.get(url(acme.pk), {"search": "de"}).json()

    assert [row["country"] for row in rows] == ["DE"]
